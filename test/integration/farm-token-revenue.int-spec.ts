import {
  type ContractTransactionResponse,
  MaxUint256,
  type TransactionReceipt,
  Wallet,
  ZeroHash,
  id,
} from 'ethers';
import type { GpuFarmToken } from '../../libs/chain/src/generated';
import { eventsOf, namedEventsOf } from '../support/chain-events';
import {
  type ContractsFixture,
  createFarmToken,
  expectRevert,
  investorId,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
  fundedWallet,
} from '../support/contracts-fixture';
import { RevenueTree, type RevenueScope } from '../support/merkle';

/** 1 mUSDC in minor units. */
const USD = 1_000_000n;
const PUBLISHER_FUNDS = 1_000_000n * USD;
const PUBLISHER_ROLE = id('PUBLISHER_ROLE');
/** Largest total a root can carry (totalCumulative is a uint112). */
const MAX_TOTAL = 2n ** 112n - 1n;

describe('GpuFarmToken revenue (cumulative Merkle roots, funded on publish, claimed per holder)', () => {
  let f: ContractsFixture;
  let chainId: bigint;
  let tokenA: GpuFarmToken;
  let tokenB: GpuFarmToken;
  let addrA: string;
  let addrB: string;
  /** alice, bob and carol hold token A (100, 50, 25); dave holds nothing; alice2 is alice's second, empty wallet. */
  let alice: Wallet, bob: Wallet, carol: Wallet, dave: Wallet, alice2: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    [alice, bob, carol, dave] = f.investors;
    alice2 = await fundedWallet(f.provider, 'revenue:alice2');
    chainId = BigInt(f.deployment.chainId);
    await registerInvestor(f, alice.address, { name: 'alice' });
    await registerInvestor(f, alice2.address, { name: 'alice' });
    await registerInvestor(f, bob.address, { name: 'bob' });
    await registerInvestor(f, carol.address, { name: 'carol' });
    tokenA = await createFarmToken(f, { farm: 'revenue-a' });
    tokenB = await createFarmToken(f, { farm: 'revenue-b' });
    addrA = await tokenA.getAddress();
    addrB = await tokenB.getAddress();
    await send(tokenA.batchMint([alice.address, bob.address, carol.address], [100n, 50n, 25n]));
    await send(tokenB.mint(alice.address, 10n));
    await send(f.stablecoin.mint(f.agent.address, PUBLISHER_FUNDS));
    await send(f.stablecoin.connect(f.agent).approve(addrA, MaxUint256));
    await send(f.stablecoin.connect(f.agent).approve(addrB, MaxUint256));
  });

  afterAll(async () => {
    await f?.stop();
  });

  revertAfterEach(() => f.provider);

  const stable = (account: string) => f.stablecoin.balanceOf(account);

  /** A tree for `token` on this chain unless `scope` says otherwise. */
  function treeOf(
    token: string,
    entitlements: [Wallet, bigint][],
    scope: Partial<RevenueScope> = {},
  ): RevenueTree {
    return new RevenueTree(
      { chainId, token, ...scope },
      new Map(entitlements.map(([wallet, amount]) => [wallet.address, amount])),
    );
  }

  /** Publishes `tree` on `token` as the agent, declaring `total` (the tree's sum by default). */
  function publish(
    token: GpuFarmToken,
    tree: RevenueTree,
    epoch: bigint,
    total: bigint = tree.totalCumulative,
  ): Promise<TransactionReceipt> {
    return send(token.publishRevenueRoot(epoch, tree.root, total));
  }

  /** `wallet` claims on `token` with the leaf of `account` (its own by default), not awaited. */
  function claimTx(
    token: GpuFarmToken,
    wallet: Wallet,
    tree: RevenueTree,
    account: string = wallet.address,
  ): Promise<ContractTransactionResponse> {
    const { cumulative, proof } = tree.claimOf(account);
    return token.connect(wallet).claimRevenue(cumulative, proof);
  }

  function claim(token: GpuFarmToken, wallet: Wallet, tree: RevenueTree) {
    return send(claimTx(token, wallet, tree));
  }

  /** 'paid' if the transaction succeeds, else the name of the token's custom error. */
  async function attempt(tx: Promise<ContractTransactionResponse>): Promise<string> {
    try {
      await send(tx);
      return 'paid';
    } catch (error) {
      const data = (error as { data?: string }).data;
      return (data && tokenA.interface.parseError(data)?.name) ?? String(error);
    }
  }

  /**
   * One RevenueClaimed event with the account's new claimed total, one stablecoin transfer of
   * `amount` from the token to the account itself, and no movement of farm token units.
   */
  async function expectClaimed(
    receipt: TransactionReceipt,
    token: GpuFarmToken,
    account: Wallet,
    amount: bigint,
    cumulative: bigint,
  ): Promise<void> {
    expect(await namedEventsOf(receipt, token, 'RevenueClaimed')).toEqual([
      { account: account.address, cumulative },
    ]);
    expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
      [await token.getAddress(), account.address, amount],
    ]);
    expect(await eventsOf(receipt, token, 'Transfer')).toEqual([]);
  }

  /** The token's books: what was funded and claimed, and its stablecoin balance is the difference. */
  async function expectBooks(token: GpuFarmToken, funded: bigint, claimed: bigint): Promise<void> {
    const [, , totalCumulative, totalClaimed] = await token.revenue();
    expect([totalCumulative, totalClaimed]).toEqual([funded, claimed]);
    expect(await stable(await token.getAddress())).toBe(funded - claimed);
  }

  it('pays revenue in the deployment’s stablecoin and grants PUBLISHER_ROLE to the agent only', async () => {
    expect(await tokenA.stablecoin()).toBe(await f.stablecoin.getAddress());
    expect(await tokenA.PUBLISHER_ROLE()).toBe(PUBLISHER_ROLE);
    expect(await tokenA.hasRole(PUBLISHER_ROLE, f.agent.address)).toBe(true);
    for (const other of [f.admin.address, alice.address, await f.sale.getAddress()]) {
      expect(await tokenA.hasRole(PUBLISHER_ROLE, other)).toBe(false);
    }
    expect([...(await tokenA.revenue())]).toEqual([ZeroHash, 0n, 0n, 0n]);
  });

  describe('publishRevenueRoot', () => {
    it('pulls exactly the new total minus the previous total from the publisher and emits RevenueRootPublished', async () => {
      await send(f.stablecoin.connect(f.agent).approve(addrA, 150n * USD));
      const epoch1 = treeOf(addrA, [
        [alice, 100n * USD],
        [bob, 50n * USD],
      ]);
      let receipt = await publish(tokenA, epoch1, 1n);
      expect(await eventsOf(receipt, tokenA, 'RevenueRootPublished')).toEqual([
        [1n, epoch1.root, 150n * USD, 150n * USD],
      ]);
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
        [f.agent.address, addrA, 150n * USD],
      ]);
      expect(await stable(f.agent.address)).toBe(PUBLISHER_FUNDS - 150n * USD);
      expect(await stable(addrA)).toBe(150n * USD);
      expect(await f.stablecoin.allowance(f.agent.address, addrA)).toBe(0n);
      expect([...(await tokenA.revenue())]).toEqual([epoch1.root, 1n, 150n * USD, 0n]);

      const epoch2 = treeOf(addrA, [
        [alice, 180n * USD],
        [bob, 90n * USD],
        [carol, 10n * USD],
      ]);
      await send(f.stablecoin.connect(f.agent).approve(addrA, 1_000n * USD));
      receipt = await publish(tokenA, epoch2, 2n);
      expect(await eventsOf(receipt, tokenA, 'RevenueRootPublished')).toEqual([
        [2n, epoch2.root, 280n * USD, 130n * USD],
      ]);
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
        [f.agent.address, addrA, 130n * USD],
      ]);
      expect(await stable(f.agent.address)).toBe(PUBLISHER_FUNDS - 280n * USD);
      expect(await stable(addrA)).toBe(280n * USD);
      expect(await f.stablecoin.allowance(f.agent.address, addrA)).toBe(870n * USD);

      // An epoch without new revenue (epochs may skip numbers): a new root, nothing to fund,
      // and no allowance needed.
      await send(f.stablecoin.connect(f.agent).approve(addrA, 0n));
      const epoch5 = treeOf(addrA, [
        [alice, 190n * USD],
        [bob, 90n * USD],
      ]);
      receipt = await publish(tokenA, epoch5, 5n);
      expect(await eventsOf(receipt, tokenA, 'RevenueRootPublished')).toEqual([
        [5n, epoch5.root, 280n * USD, 0n],
      ]);
      expect(await stable(f.agent.address)).toBe(PUBLISHER_FUNDS - 280n * USD);
      expect(await stable(addrA)).toBe(280n * USD);
      expect([...(await tokenA.revenue())]).toEqual([epoch5.root, 5n, 280n * USD, 0n]);

      // Publishing on A funded A only.
      expect(await stable(addrB)).toBe(0n);
      expect([...(await tokenB.revenue())]).toEqual([ZeroHash, 0n, 0n, 0n]);
    });

    it('refuses the same or an older epoch with EpochNotIncreasing(epoch, lastEpoch); epochs are per token', async () => {
      await expectRevert(
        tokenA.publishRevenueRoot(0n, id('root-0'), 1n),
        tokenA,
        'EpochNotIncreasing',
        [0n, 0n],
      );
      await send(tokenA.publishRevenueRoot(3n, id('root-3'), 10n));
      await expectRevert(
        tokenA.publishRevenueRoot(3n, id('root-3b'), 20n),
        tokenA,
        'EpochNotIncreasing',
        [3n, 3n],
      );
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 20n),
        tokenA,
        'EpochNotIncreasing',
        [2n, 3n],
      );
      expect([...(await tokenA.revenue())]).toEqual([id('root-3'), 3n, 10n, 0n]);
      expect(await stable(addrA)).toBe(10n);

      // Token B has its own epochs.
      await send(tokenB.publishRevenueRoot(1n, id('root-b1'), 7n));
      expect([...(await tokenB.revenue())]).toEqual([id('root-b1'), 1n, 7n, 0n]);
      // The largest epoch is accepted once, and nothing can follow it.
      await send(tokenA.publishRevenueRoot(2n ** 32n - 1n, id('root-max'), 10n));
      await expectRevert(
        tokenA.publishRevenueRoot(2n ** 32n - 1n, id('root-max-b'), 10n),
        tokenA,
        'EpochNotIncreasing',
        [2n ** 32n - 1n, 2n ** 32n - 1n],
      );
    });

    it('refuses a total below the previous total with CumulativeDecreased(total, previous)', async () => {
      await send(tokenA.publishRevenueRoot(1n, id('root-1'), 500n));
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 499n),
        tokenA,
        'CumulativeDecreased',
        [499n, 500n],
      );
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 0n),
        tokenA,
        'CumulativeDecreased',
        [0n, 500n],
      );
      expect([...(await tokenA.revenue())]).toEqual([id('root-1'), 1n, 500n, 0n]);
      expect(await stable(addrA)).toBe(500n);
      // The same total is a valid (unfunded) epoch.
      await send(tokenA.publishRevenueRoot(2n, id('root-2'), 500n));
      expect([...(await tokenA.revenue())]).toEqual([id('root-2'), 2n, 500n, 0n]);
    });

    it('refuses an underfunded publish with Underfunded(required, balance, allowance) and changes nothing', async () => {
      await send(tokenA.publishRevenueRoot(1n, id('root-1'), 100n * USD));
      const balance = await stable(f.agent.address);

      // Not enough balance (the allowance is unlimited).
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 100n * USD + balance + 1n),
        tokenA,
        'Underfunded',
        [balance + 1n, balance, MaxUint256],
      );
      // Not enough allowance for the token (the balance is ample).
      await send(f.stablecoin.connect(f.agent).approve(addrA, 30n * USD - 1n));
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 130n * USD),
        tokenA,
        'Underfunded',
        [30n * USD, balance, 30n * USD - 1n],
      );
      // An allowance for another token or for the factory does not fund this one.
      await send(f.stablecoin.connect(f.agent).approve(addrA, 0n));
      await send(f.stablecoin.connect(f.agent).approve(await f.factory.getAddress(), MaxUint256));
      expect(await f.stablecoin.allowance(f.agent.address, addrB)).toBe(MaxUint256);
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 130n * USD),
        tokenA,
        'Underfunded',
        [30n * USD, balance, 0n],
      );
      // Neither.
      await expectRevert(
        tokenA.publishRevenueRoot(2n, id('root-2'), 100n * USD + balance + 1n),
        tokenA,
        'Underfunded',
        [balance + 1n, balance, 0n],
      );

      expect([...(await tokenA.revenue())]).toEqual([id('root-1'), 1n, 100n * USD, 0n]);
      expect(await stable(f.agent.address)).toBe(balance);
      expect(await stable(addrA)).toBe(100n * USD);
      expect(await stable(addrB)).toBe(0n);

      // Exactly enough allowance is enough.
      await send(f.stablecoin.connect(f.agent).approve(addrA, 30n * USD));
      await send(tokenA.publishRevenueRoot(2n, id('root-2'), 130n * USD));
      expect(await stable(addrA)).toBe(130n * USD);
      expect(await f.stablecoin.allowance(f.agent.address, addrA)).toBe(0n);
      // Exactly the whole balance is enough.
      await send(f.stablecoin.connect(f.agent).approve(addrA, MaxUint256));
      const rest = await stable(f.agent.address);
      await send(tokenA.publishRevenueRoot(3n, id('root-3'), 130n * USD + rest));
      expect(await stable(f.agent.address)).toBe(0n);
      expect(await stable(addrA)).toBe(130n * USD + rest);
    });

    it('refuses accounts without PUBLISHER_ROLE with AccessControlUnauthorizedAccount(account, PUBLISHER_ROLE)', async () => {
      await send(f.stablecoin.mint(alice.address, 100n));
      await send(f.stablecoin.connect(alice).approve(addrA, 100n));
      for (const caller of [alice, f.admin]) {
        await expectRevert(
          tokenA.connect(caller).publishRevenueRoot(1n, id('root'), 100n),
          tokenA,
          'AccessControlUnauthorizedAccount',
          [caller.address, PUBLISHER_ROLE],
        );
      }
      expect([...(await tokenA.revenue())]).toEqual([ZeroHash, 0n, 0n, 0n]);
      expect(await stable(alice.address)).toBe(100n);

      // Granted by the admin, a publisher funds from its own balance, never the agent's.
      await send(tokenA.connect(f.admin).grantRole(PUBLISHER_ROLE, alice.address));
      const agentBalance = await stable(f.agent.address);
      await send(tokenA.connect(alice).publishRevenueRoot(1n, id('root'), 100n));
      expect(await stable(alice.address)).toBe(0n);
      expect(await stable(f.agent.address)).toBe(agentBalance);
      expect(await stable(addrA)).toBe(100n);
      await send(tokenA.connect(f.admin).revokeRole(PUBLISHER_ROLE, alice.address));
      await expectRevert(
        tokenA.connect(alice).publishRevenueRoot(2n, id('root-2'), 100n),
        tokenA,
        'AccessControlUnauthorizedAccount',
        [alice.address, PUBLISHER_ROLE],
      );
    });
  });

  describe('claimRevenue', () => {
    it('pays epoch 1, then the difference over epochs 2 and 3 in one claim, then NothingToClaim', async () => {
      let claimed = 0n;
      const epoch1 = treeOf(addrA, [
        [alice, 100n * USD],
        [bob, 50n * USD],
      ]);
      await publish(tokenA, epoch1, 1n);

      let receipt = await claim(tokenA, alice, epoch1);
      claimed += 100n * USD;
      await expectClaimed(receipt, tokenA, alice, 100n * USD, 100n * USD);
      expect(await stable(alice.address)).toBe(100n * USD);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);
      await expectBooks(tokenA, 150n * USD, claimed);

      const epoch2 = treeOf(addrA, [
        [alice, 250n * USD],
        [bob, 120n * USD],
        [carol, 30n * USD],
      ]);
      await publish(tokenA, epoch2, 2n);
      const epoch3 = treeOf(addrA, [
        [alice, 400n * USD],
        [bob, 200n * USD],
        [carol, 70n * USD],
      ]);
      await publish(tokenA, epoch3, 3n);
      const published = epoch3.totalCumulative;
      expect(published).toBe(670n * USD);
      await expectBooks(tokenA, published, claimed);

      // One claim covers epochs 2 and 3: exactly 400 - 100.
      receipt = await claim(tokenA, alice, epoch3);
      claimed += 300n * USD;
      await expectClaimed(receipt, tokenA, alice, 300n * USD, 400n * USD);
      expect(await stable(alice.address)).toBe(400n * USD);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(400n * USD);

      // Bob never claimed before: everything up to epoch 3 at once.
      receipt = await claim(tokenA, bob, epoch3);
      claimed += 200n * USD;
      await expectClaimed(receipt, tokenA, bob, 200n * USD, 200n * USD);
      expect(await stable(bob.address)).toBe(200n * USD);
      expect(await tokenA.claimedRevenueOf(bob.address)).toBe(200n * USD);

      // The same proof again pays nothing.
      await expectRevert(claimTx(tokenA, alice, epoch3), tokenA, 'NothingToClaim', [
        400n * USD,
        400n * USD,
      ]);
      await expectRevert(claimTx(tokenA, bob, epoch3), tokenA, 'NothingToClaim', [
        200n * USD,
        200n * USD,
      ]);
      // A proof of a superseded root is no longer valid.
      await expectRevert(claimTx(tokenA, carol, epoch2), tokenA, 'InvalidProof', []);
      await expectRevert(claimTx(tokenA, alice, epoch1), tokenA, 'InvalidProof', []);

      expect(await stable(alice.address)).toBe(400n * USD);
      await expectBooks(tokenA, published, claimed);
      expect(await stable(addrA)).toBe(70n * USD);

      await expectClaimed(await claim(tokenA, carol, epoch3), tokenA, carol, 70n * USD, 70n * USD);
      claimed += 70n * USD;
      expect(await stable(carol.address)).toBe(70n * USD);
      expect(claimed).toBe(published);
      await expectBooks(tokenA, published, published);
      expect(await stable(addrA)).toBe(0n);
      expect([...(await tokenA.revenue())]).toEqual([epoch3.root, 3n, published, published]);
    });

    it('refuses NothingToClaim(cumulative, alreadyClaimed) when the cumulative amount did not grow or is zero', async () => {
      const epoch1 = treeOf(addrA, [
        [alice, 100n],
        [bob, 0n],
      ]);
      await publish(tokenA, epoch1, 1n);
      await claim(tokenA, alice, epoch1);
      await expectRevert(claimTx(tokenA, bob, epoch1), tokenA, 'NothingToClaim', [0n, 0n]);
      const epoch2 = treeOf(addrA, [
        [alice, 100n],
        [bob, 40n],
      ]);
      await publish(tokenA, epoch2, 2n);
      await expectRevert(claimTx(tokenA, alice, epoch2), tokenA, 'NothingToClaim', [100n, 100n]);
      // A (wrongly) lower cumulative than already claimed pays nothing either.
      const epoch3 = treeOf(addrA, [
        [alice, 60n],
        [bob, 80n],
      ]);
      await publish(tokenA, epoch3, 3n);
      await expectRevert(claimTx(tokenA, alice, epoch3), tokenA, 'NothingToClaim', [60n, 100n]);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n);
      expect(await stable(alice.address)).toBe(100n);
      await expectBooks(tokenA, 140n, 100n);
    });

    it('refuses a wrong proof, a wrong amount and another account’s proof with InvalidProof', async () => {
      const tree = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
        [carol, 25n],
      ]);
      await publish(tokenA, tree, 1n);
      const a = tree.claimOf(alice.address);
      const b = tree.claimOf(bob.address);
      const asAlice = tokenA.connect(alice);
      const refusals: [bigint, string[]][] = [
        [a.cumulative + 1n, a.proof], // more than the leaf says
        [a.cumulative - 1n, a.proof], // less than the leaf says
        [a.cumulative, b.proof], // bob's proof
        [b.cumulative, b.proof], // bob's leaf
        [a.cumulative, []], // no proof
        [a.cumulative, [id('garbage'), ...a.proof.slice(1)]], // a tampered proof
        [a.cumulative, [...a.proof, id('extra')]], // a proof with an extra step
        [a.cumulative, a.proof.slice(0, -1)], // a proof missing a step
      ];
      for (const [amount, proof] of refusals) {
        await expectRevert(asAlice.claimRevenue(amount, proof), tokenA, 'InvalidProof', []);
      }
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(0n);
      await expectBooks(tokenA, 175n, 0n);
      await claim(tokenA, alice, tree);
      expect(await stable(alice.address)).toBe(100n);
    });

    it('refuses every claim before the first root with InvalidProof', async () => {
      const tree = treeOf(addrA, [[alice, 100n]]);
      await expectRevert(claimTx(tokenA, alice, tree), tokenA, 'InvalidProof', []);
      await expectRevert(tokenA.connect(alice).claimRevenue(0n, []), tokenA, 'InvalidProof', []);
    });

    it('pays msg.sender only: another account submitting a holder’s leaf gets InvalidProof', async () => {
      const tree = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
      ]);
      await publish(tokenA, tree, 1n);
      for (const thief of [bob, dave, f.agent, f.admin]) {
        await expectRevert(claimTx(tokenA, thief, tree, alice.address), tokenA, 'InvalidProof', []);
      }
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(0n);
      expect(await tokenA.claimedRevenueOf(bob.address)).toBe(0n);
      expect(await stable(alice.address)).toBe(0n);
      expect(await stable(bob.address)).toBe(0n);
      await expectBooks(tokenA, 150n, 0n);
      // The holder's own claim pays the holder, whoever else tried.
      await expectClaimed(await claim(tokenA, alice, tree), tokenA, alice, 100n, 100n);
      await expectClaimed(await claim(tokenA, bob, tree), tokenA, bob, 50n, 50n);
      await expectBooks(tokenA, 150n, 150n);
    });

    it('refuses a proof built for another chain id with InvalidProof', async () => {
      const entitlements: [Wallet, bigint][] = [
        [alice, 100n],
        [bob, 50n],
      ];
      const foreign = treeOf(addrA, entitlements, { chainId: chainId + 1n });
      await publish(tokenA, foreign, 1n);
      await expectRevert(claimTx(tokenA, alice, foreign), tokenA, 'InvalidProof', []);
      const mainnet = treeOf(addrA, entitlements, { chainId: 1n });
      await publish(tokenA, mainnet, 2n);
      await expectRevert(claimTx(tokenA, alice, mainnet), tokenA, 'InvalidProof', []);
      // The same entitlements for this chain are claimable.
      const local = treeOf(addrA, entitlements);
      await publish(tokenA, local, 3n);
      await claim(tokenA, alice, local);
      expect(await stable(alice.address)).toBe(100n);
      await expectBooks(tokenA, 150n, 100n);
    });

    it('refuses a proof built for another token address with InvalidProof, in both directions', async () => {
      const entitlements: [Wallet, bigint][] = [
        [alice, 100n],
        [bob, 50n],
      ];
      // A tree for token A published on token B, and one for token B published on token A.
      const forA = treeOf(addrA, entitlements);
      const forB = treeOf(addrB, entitlements);
      await publish(tokenB, forA, 1n);
      await publish(tokenA, forB, 1n);
      await expectRevert(claimTx(tokenB, alice, forA), tokenB, 'InvalidProof', []);
      await expectRevert(claimTx(tokenA, alice, forB), tokenA, 'InvalidProof', []);
      // A leaf naming the token implementation, the factory or an arbitrary address.
      for (const [epoch, other] of [
        [2n, f.deployment.contracts.GpuFarmToken.address],
        [3n, await f.factory.getAddress()],
        [4n, Wallet.createRandom().address],
      ] as const) {
        const misnamed = treeOf(addrA, entitlements, { token: other });
        await publish(tokenA, misnamed, epoch);
        await expectRevert(claimTx(tokenA, alice, misnamed), tokenA, 'InvalidProof', []);
      }
      expect(await stable(alice.address)).toBe(0n);

      // Each tree works where it belongs.
      await publish(tokenA, forA, 5n);
      await publish(tokenB, forB, 2n);
      await expectClaimed(await claim(tokenA, alice, forA), tokenA, alice, 100n, 100n);
      await expectClaimed(await claim(tokenB, alice, forB), tokenB, alice, 100n, 100n);
      expect(await stable(alice.address)).toBe(200n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n);
      expect(await tokenB.claimedRevenueOf(alice.address)).toBe(100n);
      await expectBooks(tokenA, 150n, 100n);
      await expectBooks(tokenB, 150n, 100n);
    });

    it('refuses with ExceedsFunding(claimedAfter, funded) once a misdeclared total would be exceeded', async () => {
      // The leaves sum to 250 but only 200 are declared and funded.
      const tree = treeOf(addrA, [
        [alice, 120n],
        [bob, 50n],
        [carol, 80n],
      ]);
      expect(tree.totalCumulative).toBe(250n);
      await publish(tokenA, tree, 1n, 200n);
      await expectBooks(tokenA, 200n, 0n);

      await expectClaimed(await claim(tokenA, alice, tree), tokenA, alice, 120n, 120n);
      await expectClaimed(await claim(tokenA, bob, tree), tokenA, bob, 50n, 50n);
      await expectBooks(tokenA, 200n, 170n);
      await expectRevert(claimTx(tokenA, carol, tree), tokenA, 'ExceedsFunding', [250n, 200n]);
      expect(await stable(carol.address)).toBe(0n);
      expect(await tokenA.claimedRevenueOf(carol.address)).toBe(0n);

      // Stablecoin sent to the token outside a publish is not funding.
      await send(f.stablecoin.mint(addrA, 1_000n));
      await expectRevert(claimTx(tokenA, carol, tree), tokenA, 'ExceedsFunding', [250n, 200n]);
      // Nor is another token's funding.
      await publish(tokenB, treeOf(addrB, [[carol, 500n]]), 1n);
      await expectRevert(claimTx(tokenA, carol, tree), tokenA, 'ExceedsFunding', [250n, 200n]);
      expect(await stable(addrB)).toBe(500n);
      expect(await stable(addrA)).toBe(30n + 1_000n);

      // The publisher corrects the total: it funds the missing 50 and carol is paid in full.
      const receipt = await publish(tokenA, tree, 2n, 250n);
      expect(await eventsOf(receipt, tokenA, 'RevenueRootPublished')).toEqual([
        [2n, tree.root, 250n, 50n],
      ]);
      await expectClaimed(await claim(tokenA, carol, tree), tokenA, carol, 80n, 80n);
      expect([...(await tokenA.revenue())]).toEqual([tree.root, 2n, 250n, 250n]);
      expect(await stable(addrA)).toBe(1_000n);
    });

    it('never lets one token’s claims take another token’s funds: each holds its funded minus its claimed', async () => {
      const books = new Map<GpuFarmToken, { funded: bigint; claimed: bigint }>([
        [tokenA, { funded: 0n, claimed: 0n }],
        [tokenB, { funded: 0n, claimed: 0n }],
      ]);
      async function expectBoth(): Promise<void> {
        for (const [token, { funded, claimed }] of books) {
          await expectBooks(token, funded, claimed);
        }
      }
      async function publishOn(
        token: GpuFarmToken,
        tree: RevenueTree,
        epoch: bigint,
        total?: bigint,
      ) {
        await publish(token, tree, epoch, total);
        books.get(token)!.funded = total ?? tree.totalCumulative;
        await expectBoth();
      }
      async function claimOn(
        token: GpuFarmToken,
        wallet: Wallet,
        tree: RevenueTree,
        amount: bigint,
      ) {
        const before = await stable(wallet.address);
        await claim(token, wallet, tree);
        books.get(token)!.claimed += amount;
        expect(await stable(wallet.address)).toBe(before + amount);
        await expectBoth();
      }

      const a1 = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
      ]);
      const b1 = treeOf(addrB, [
        [alice, 7n],
        [carol, 3n],
      ]);
      await publishOn(tokenA, a1, 1n);
      await publishOn(tokenB, b1, 1n);
      await claimOn(tokenB, alice, b1, 7n);
      await claimOn(tokenA, alice, a1, 100n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n);
      expect(await tokenB.claimedRevenueOf(alice.address)).toBe(7n);

      // A's leaf presented to B and B's leaf presented to A.
      await expectRevert(claimTx(tokenB, bob, a1), tokenB, 'InvalidProof', []);
      await expectRevert(claimTx(tokenA, carol, b1), tokenA, 'InvalidProof', []);

      // B's (mis)declared root promises carol far more than B was funded; A holds plenty.
      const b2 = treeOf(addrB, [
        [alice, 20n],
        [carol, 1_000n],
      ]);
      await publishOn(tokenB, b2, 2n, 30n);
      await expectRevert(claimTx(tokenB, carol, b2), tokenB, 'ExceedsFunding', [1_007n, 30n]);
      await expectBoth();
      await claimOn(tokenB, alice, b2, 13n);
      // B has 30 - 20 = 10 left, still not enough for carol; A's 50 are untouched.
      await expectRevert(claimTx(tokenB, carol, b2), tokenB, 'ExceedsFunding', [1_020n, 30n]);
      await claimOn(tokenA, bob, a1, 50n);
      await expectBoth();

      const b3 = treeOf(addrB, [
        [alice, 20n],
        [carol, 10n],
      ]);
      await publishOn(tokenB, b3, 3n);
      await claimOn(tokenB, carol, b3, 10n);
      expect(await stable(addrA)).toBe(0n);
      expect(await stable(addrB)).toBe(0n);
    });

    it('refuses a frozen wallet with ClaimWhileFrozen(account); it keeps its entitlement and claims once unfrozen', async () => {
      const epoch1 = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
      ]);
      await publish(tokenA, epoch1, 1n);
      await send(tokenA.setWalletFrozen(alice.address, true));
      await expectRevert(claimTx(tokenA, alice, epoch1), tokenA, 'ClaimWhileFrozen', [
        alice.address,
      ]);
      // Other holders are not affected.
      await claim(tokenA, bob, epoch1);
      const epoch2 = treeOf(addrA, [
        [alice, 160n],
        [bob, 80n],
      ]);
      await publish(tokenA, epoch2, 2n);
      await expectRevert(claimTx(tokenA, alice, epoch2), tokenA, 'ClaimWhileFrozen', [
        alice.address,
      ]);
      expect(await stable(alice.address)).toBe(0n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(0n);
      await expectBooks(tokenA, 240n, 50n);

      await send(tokenA.setWalletFrozen(alice.address, false));
      await expectClaimed(await claim(tokenA, alice, epoch2), tokenA, alice, 160n, 160n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(160n);
      await expectBooks(tokenA, 240n, 210n);

      // A freeze on token A does not stop claims on token B.
      await send(tokenA.setWalletFrozen(alice.address, true));
      const b1 = treeOf(addrB, [[alice, 5n]]);
      await publish(tokenB, b1, 1n);
      await expectClaimed(await claim(tokenB, alice, b1), tokenB, alice, 5n, 5n);
    });
  });

  describe('claimed revenue and token balances', () => {
    it('claiming does not change token balances and transfers, mints and burns do not change claimedRevenueOf', async () => {
      const tree = treeOf(addrA, [
        [alice, 100n * USD],
        [bob, 50n * USD],
        [carol, 25n * USD],
      ]);
      await publish(tokenA, tree, 1n);
      const holders = async () => (await tokenA.rules())[2];
      expect(await holders()).toBe(3n);

      await claim(tokenA, alice, tree);
      expect(await tokenA.balanceOf(alice.address)).toBe(100n);
      expect(await tokenA.totalSupply()).toBe(175n);
      expect(await holders()).toBe(3n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);

      // Partial transfer: the claimed total stays with the sender, the receiver gets none.
      await send(tokenA.connect(alice).transfer(bob.address, 40n));
      expect(await tokenA.balanceOf(alice.address)).toBe(60n);
      expect(await tokenA.balanceOf(bob.address)).toBe(90n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);
      expect(await tokenA.claimedRevenueOf(bob.address)).toBe(0n);

      // Everything away: the balance is zero and alice is no longer a holder, the claimed total stays.
      await send(tokenA.connect(alice).transfer(carol.address, 60n));
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      expect(await holders()).toBe(2n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);
      expect(await tokenA.claimedRevenueOf(carol.address)).toBe(0n);

      // Receiving again makes her a holder again.
      await send(tokenA.connect(carol).transfer(alice.address, 10n));
      expect(await tokenA.balanceOf(alice.address)).toBe(10n);
      expect(await holders()).toBe(3n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);

      // Burn, mint and forced transfer (as the agent) neither.
      await send(tokenA.burn(alice.address, 10n));
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      expect(await holders()).toBe(2n);
      await send(tokenA.mint(alice.address, 5n));
      await send(tokenA.forcedTransfer(alice.address, bob.address, 2n));
      expect(await tokenA.balanceOf(alice.address)).toBe(3n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(100n * USD);
      expect(await tokenA.claimedRevenueOf(bob.address)).toBe(0n);

      // bob's and carol's claims pay their leaves, whatever they received since, and leave their balances.
      const bobBalance = await tokenA.balanceOf(bob.address);
      const carolBalance = await tokenA.balanceOf(carol.address);
      await expectClaimed(await claim(tokenA, bob, tree), tokenA, bob, 50n * USD, 50n * USD);
      await expectClaimed(await claim(tokenA, carol, tree), tokenA, carol, 25n * USD, 25n * USD);
      expect(await tokenA.balanceOf(bob.address)).toBe(bobBalance);
      expect(await tokenA.balanceOf(carol.address)).toBe(carolBalance);
      expect(await tokenA.totalSupply()).toBe(170n);
      expect(await holders()).toBe(3n);
      // ERC-20 sees the balance only, never the claimed total above it.
      await expectRevert(
        tokenA.connect(alice).transfer(bob.address, 4n),
        tokenA,
        'ERC20InsufficientBalance',
        [alice.address, 3n, 4n],
      );
    });

    it('keeps balances and claimed totals apart at the largest fundable total', async () => {
      await send(f.stablecoin.mint(f.agent.address, MAX_TOTAL));
      const tree = treeOf(addrA, [
        [alice, MAX_TOTAL - 1n],
        [bob, 1n],
      ]);
      await publish(tokenA, tree, 1n);
      await expectClaimed(
        await claim(tokenA, alice, tree),
        tokenA,
        alice,
        MAX_TOTAL - 1n,
        MAX_TOTAL - 1n,
      );
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(MAX_TOTAL - 1n);
      expect(await tokenA.balanceOf(alice.address)).toBe(100n);
      await send(tokenA.connect(alice).transfer(bob.address, 100n));
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      expect(await tokenA.balanceOf(bob.address)).toBe(150n);
      expect(await tokenA.claimedRevenueOf(alice.address)).toBe(MAX_TOTAL - 1n);
      expect(await tokenA.claimedRevenueOf(bob.address)).toBe(0n);
      await expectClaimed(await claim(tokenA, bob, tree), tokenA, bob, 1n, 1n);
      expect(await tokenA.balanceOf(bob.address)).toBe(150n);
      await expectBooks(tokenA, MAX_TOTAL, MAX_TOTAL);
      // A root whose total would not fit is refused by the ABI (uint112).
      await expect(tokenA.publishRevenueRoot(2n, id('root'), MAX_TOTAL + 1n)).rejects.toThrow();
    });

    it('lets a former holder with zero balance, and a wallet that never held units, claim its entitlement', async () => {
      const tree = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
        [carol, 25n],
        [dave, 5n],
      ]);
      await publish(tokenA, tree, 1n);
      await send(tokenA.connect(bob).transfer(carol.address, 50n));
      await send(tokenA.burn(alice.address, 100n));
      expect(await tokenA.balanceOf(bob.address)).toBe(0n);
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      await expectClaimed(await claim(tokenA, bob, tree), tokenA, bob, 50n, 50n);
      await expectClaimed(await claim(tokenA, alice, tree), tokenA, alice, 100n, 100n);
      await expectClaimed(await claim(tokenA, dave, tree), tokenA, dave, 5n, 5n);
      expect(await tokenA.balanceOf(bob.address)).toBe(0n);
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      expect(await tokenA.balanceOf(dave.address)).toBe(0n);
      expect((await tokenA.rules())[2]).toBe(1n);
      await expectBooks(tokenA, 180n, 155n);
    });
  });

  describe('wallet recovery', () => {
    it('moves claimedRevenueOf with the balance, so the new wallet is paid only what the lost wallet had not claimed', async () => {
      const epoch1 = treeOf(addrA, [
        [alice, 100n],
        [bob, 50n],
      ]);
      await publish(tokenA, epoch1, 1n);
      await claim(tokenA, alice, epoch1);
      const epoch2 = treeOf(addrA, [
        [alice, 160n],
        [bob, 80n],
      ]);
      await publish(tokenA, epoch2, 2n);

      const receipt = await send(tokenA.recoverWallet(alice.address, alice2.address));
      expect(await eventsOf(receipt, tokenA, 'WalletRecovered')).toEqual([
        [alice.address, alice2.address, investorId('alice'), 100n, 0n],
      ]);
      expect(await tokenA.balanceOf(alice2.address)).toBe(100n);
      expect(await tokenA.balanceOf(alice.address)).toBe(0n);
      expect(await tokenA.claimedRevenueOf(alice2.address)).toBe(100n);
      // Recovery pays nothing and moves no stablecoin.
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([]);
      await expectBooks(tokenA, 240n, 100n);

      // The next tree moves the lost wallet's cumulative entitlement to the new wallet.
      const epoch3 = treeOf(addrA, [
        [alice2, 200n],
        [bob, 100n],
      ]);
      await publish(tokenA, epoch3, 3n);
      await expectClaimed(await claim(tokenA, alice2, epoch3), tokenA, alice2, 100n, 200n);
      await expectRevert(claimTx(tokenA, alice2, epoch3), tokenA, 'NothingToClaim', [200n, 200n]);
      // The lost wallet has no leaf any more.
      await expectRevert(
        claimTx(tokenA, alice, epoch3, alice2.address),
        tokenA,
        'InvalidProof',
        [],
      );
      await expectRevert(tokenA.connect(alice).claimRevenue(200n, []), tokenA, 'InvalidProof', []);

      // The investor was paid its cumulative entitlement exactly once, over both wallets.
      expect((await stable(alice.address)) + (await stable(alice2.address))).toBe(200n);
      await claim(tokenA, bob, epoch3);
      await expectBooks(tokenA, 300n, 300n);
    });

    it('refuses a recovery target that has claimed revenue (its claimed total would be overwritten)', async () => {
      const tree = treeOf(addrA, [
        [alice, 100n],
        [alice2, 30n],
      ]);
      await publish(tokenA, tree, 1n);
      await claim(tokenA, alice2, tree);
      expect(await tokenA.balanceOf(alice2.address)).toBe(0n);
      await expectRevert(
        tokenA.recoverWallet(alice.address, alice2.address),
        tokenA,
        'RecoveryTargetNotEmpty',
        [alice2.address],
      );
      expect(await tokenA.claimedRevenueOf(alice2.address)).toBe(30n);
      expect(await tokenA.balanceOf(alice.address)).toBe(100n);
    });

    it.each([
      ['not frozen', false],
      ['frozen before the recovery', true],
    ])(
      'never pays an investor more than its entitlement when the lost wallet (%s) claims from the root still live after recovery',
      async (_label, frozenFirst) => {
        // Bob's large entitlement leaves room in the funded pool, so only the accounting can stop an overpayment.
        const epoch1 = treeOf(addrA, [
          [alice, 100n],
          [bob, 1_000n],
        ]);
        await publish(tokenA, epoch1, 1n);
        await claim(tokenA, alice, epoch1);
        const epoch2 = treeOf(addrA, [
          [alice, 160n],
          [bob, 1_600n],
        ]);
        await publish(tokenA, epoch2, 2n);

        // The lost wallet's key is in someone else's hands; the agent (maybe freezes and) recovers.
        if (frozenFirst) await send(tokenA.setWalletFrozen(alice.address, true));
        await send(tokenA.recoverWallet(alice.address, alice2.address));
        expect(await tokenA.claimedRevenueOf(alice2.address)).toBe(100n);

        // Before the next root, the lost wallet tries its still-valid epoch 2 leaf.
        await attempt(claimTx(tokenA, alice, epoch2));
        const lostWalletPaidAfterRecovery = (await stable(alice.address)) - 100n;
        // The next root moves the entitlement to the new wallet (no new revenue), which claims.
        const epoch3 = treeOf(addrA, [
          [alice2, 160n],
          [bob, 1_600n],
        ]);
        await publish(tokenA, epoch3, 3n);
        if (frozenFirst) await send(tokenA.setWalletFrozen(alice2.address, false));
        const newWalletClaim = await attempt(claimTx(tokenA, alice2, epoch3));
        const newWalletPaid = await stable(alice2.address);
        const bobClaim = await attempt(claimTx(tokenA, bob, epoch3));

        // The investor's entitlement is 160 over both wallets, 100 of it paid in epoch 1: the lost
        // wallet gets nothing more, the new wallet the remaining 60, bob all of his 1600.
        expect({
          lostWalletPaidAfterRecovery,
          newWalletClaim,
          newWalletPaid,
          investorPaid: 100n + lostWalletPaidAfterRecovery + newWalletPaid,
          bobClaim,
        }).toEqual({
          lostWalletPaidAfterRecovery: 0n,
          newWalletClaim: 'paid',
          newWalletPaid: 60n,
          investorPaid: 160n,
          bobClaim: 'paid',
        });
        expect(await stable(bob.address)).toBe(1_600n);
      },
    );
  });
});
