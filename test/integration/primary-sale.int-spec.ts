import { MaxUint256, Wallet, ZeroAddress, id } from 'ethers';
import type { GpuFarmToken } from '../../libs/chain/src/generated';
import { TransactionRevertedError } from '../../libs/chain/src/tx/wait-for-receipt';
import { GAS_MARGIN_PERCENT } from '../../scripts/lib/pay-order';
import { blockTime, eventsOf, setNextBlockTime } from '../support/chain-events';
import {
  COUNTRY,
  type ContractsFixture,
  chainNow,
  createFarmToken,
  expectRevert,
  increaseTime,
  registerInvestor,
  revertAfterEach,
  send,
  startContractsFixture,
} from '../support/contracts-fixture';

/** PrimarySale.OrderStatus */
const Status = { None: 0n, Paid: 1n, Settled: 2n, Refunded: 3n } as const;
/** 2.5 mUSDC (6 decimals) per fraction. */
const PRICE = 2_500_000n;
const WINDOW = 3_600;
const FUNDS = 1_000_000_000_000n;

const orderId = (name: string) => id(`order:${name}`);

describe('PrimarySale (delivery versus payment)', () => {
  let f: ContractsFixture;
  let token: GpuFarmToken;
  let tokenAddress: string;
  let saleAddress: string;
  let treasury: string;
  let saleAgentRole: string;
  /** Verified, Germany. */
  let alice: Wallet;
  /** Verified, France. */
  let bob: Wallet;
  /** Verified, United States: a country the token does not allow. */
  let carol: Wallet;
  /** Never registered. */
  let dave: Wallet;

  beforeAll(async () => {
    f = await startContractsFixture();
    [alice, bob, carol, dave] = f.investors;
    treasury = Wallet.createRandom().address;
    token = await createFarmToken(f, { farm: 'sale', treasury });
    tokenAddress = await token.getAddress();
    saleAddress = await f.sale.getAddress();
    saleAgentRole = await f.sale.SALE_AGENT_ROLE();
    await registerInvestor(f, alice.address, { country: COUNTRY.DE });
    await registerInvestor(f, bob.address, { country: COUNTRY.FR });
    await registerInvestor(f, carol.address, { country: COUNTRY.US });
    for (const investor of [alice, bob, carol, dave]) {
      await send(f.stablecoin.mint(investor.address, FUNDS));
      await send(f.stablecoin.connect(investor).approve(saleAddress, MaxUint256));
    }
  });

  afterAll(async () => {
    await f?.stop();
  });

  revertAfterEach(() => f.provider);

  /** Opens the offering of the test token now, for a long time. */
  async function openOffering(price = PRICE, window = WINDOW): Promise<void> {
    const now = await chainNow(f.provider);
    await send(f.sale.setOffering(tokenAddress, price, now - 10, now + 100_000, window));
  }

  /** Pays for `fractions` at PRICE; returns the order's deadline. */
  async function pay(investor: Wallet, order: string, fractions: bigint): Promise<number> {
    const receipt = await send(
      f.sale.connect(investor).pay(order, tokenAddress, fractions, fractions * PRICE),
    );
    return (await blockTime(f.provider, receipt)) + WINDOW;
  }

  const stable = (account: string, blockTag?: number) =>
    f.stablecoin.balanceOf(account, blockTag === undefined ? {} : { blockTag });

  describe('setOffering', () => {
    it('opens an offering as the sale agent and emits OfferingSet', async () => {
      const receipt = await send(f.sale.setOffering(tokenAddress, PRICE, 1_000, 2_000, WINDOW));
      const offering = await f.sale.offeringOf(tokenAddress);
      expect([...offering]).toEqual([PRICE, 1_000n, 2_000n, BigInt(WINDOW)]);
      expect(await eventsOf(receipt, f.sale, 'OfferingSet')).toEqual([
        [tokenAddress, PRICE, 1_000n, 2_000n, BigInt(WINDOW)],
      ]);
    });

    it('refuses a zero price, closesAt <= opensAt and a zero settlement window with InvalidOffering', async () => {
      await expectRevert(
        f.sale.setOffering(tokenAddress, 0n, 1_000, 2_000, WINDOW),
        f.sale,
        'InvalidOffering',
        [],
      );
      await expectRevert(
        f.sale.setOffering(tokenAddress, PRICE, 2_000, 2_000, WINDOW),
        f.sale,
        'InvalidOffering',
        [],
      );
      await expectRevert(
        f.sale.setOffering(tokenAddress, PRICE, 2_000, 1_999, WINDOW),
        f.sale,
        'InvalidOffering',
        [],
      );
      await expectRevert(
        f.sale.setOffering(tokenAddress, PRICE, 1_000, 2_000, 0),
        f.sale,
        'InvalidOffering',
        [],
      );
      expect([...(await f.sale.offeringOf(tokenAddress))]).toEqual([0n, 0n, 0n, 0n]);
    });
  });

  describe('pay', () => {
    it('refuses OfferingNotOpen before opensAt, accepts at opensAt, refuses from closesAt on', async () => {
      const now = await chainNow(f.provider);
      const opensAt = now + 1_000;
      const closesAt = now + 2_000;
      await send(f.sale.setOffering(tokenAddress, PRICE, opensAt, closesAt, WINDOW));

      await expectRevert(
        f.sale.connect(alice).pay(orderId('early'), tokenAddress, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [tokenAddress],
      );
      await setNextBlockTime(f.provider, opensAt - 1);
      await expectRevert(
        f.sale.connect(alice).pay(orderId('early'), tokenAddress, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [tokenAddress],
      );
      await setNextBlockTime(f.provider, opensAt);
      await send(f.sale.connect(alice).pay(orderId('first'), tokenAddress, 1n, PRICE));

      await setNextBlockTime(f.provider, closesAt - 1);
      await send(f.sale.connect(alice).pay(orderId('last'), tokenAddress, 1n, PRICE));
      await setNextBlockTime(f.provider, closesAt);
      await expectRevert(
        f.sale.connect(alice).pay(orderId('late'), tokenAddress, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [tokenAddress],
      );
      await increaseTime(f.provider, 10_000);
      await expectRevert(
        f.sale.connect(alice).pay(orderId('late'), tokenAddress, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [tokenAddress],
      );
      expect((await f.sale.orderOf(orderId('first'), alice.address)).status).toBe(Status.Paid);
      expect((await f.sale.orderOf(orderId('last'), alice.address)).status).toBe(Status.Paid);
      expect((await f.sale.orderOf(orderId('late'), alice.address)).status).toBe(Status.None);
    });

    it('refuses OfferingNotOpen for a token without an offering and for a closed offering', async () => {
      const unknown = Wallet.createRandom().address;
      await expectRevert(
        f.sale.connect(alice).pay(orderId('unknown'), unknown, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [unknown],
      );
      const now = await chainNow(f.provider);
      await send(f.sale.setOffering(tokenAddress, PRICE, now - 100, now - 50, WINDOW));
      await expectRevert(
        f.sale.connect(alice).pay(orderId('closed'), tokenAddress, 1n, PRICE),
        f.sale,
        'OfferingNotOpen',
        [tokenAddress],
      );
    });

    it('refuses zero fractions with ZeroFractions', async () => {
      await openOffering();
      await expectRevert(
        f.sale.connect(alice).pay(orderId('zero'), tokenAddress, 0n, 0n),
        f.sale,
        'ZeroFractions',
        [],
      );
    });

    it('refuses an amount other than fractions x price with AmountMismatch(expected, given)', async () => {
      await openOffering();
      await expectRevert(
        f.sale.connect(alice).pay(orderId('less'), tokenAddress, 4n, 4n * PRICE - 1n),
        f.sale,
        'AmountMismatch',
        [4n * PRICE, 4n * PRICE - 1n],
      );
      await expectRevert(
        f.sale.connect(alice).pay(orderId('more'), tokenAddress, 4n, 4n * PRICE + 1n),
        f.sale,
        'AmountMismatch',
        [4n * PRICE, 4n * PRICE + 1n],
      );
      // A price change between quote and payment refuses the old quote.
      await openOffering(PRICE * 2n);
      await expectRevert(
        f.sale.connect(alice).pay(orderId('quote'), tokenAddress, 4n, 4n * PRICE),
        f.sale,
        'AmountMismatch',
        [8n * PRICE, 4n * PRICE],
      );
      expect(await stable(saleAddress)).toBe(0n);
    });

    it('pulls exactly fractions x price into the sale contract, records a Paid order and emits OrderPaid', async () => {
      await openOffering();
      const order = orderId('pay');
      const receipt = await send(f.sale.connect(alice).pay(order, tokenAddress, 40n, 40n * PRICE));
      const deadline = BigInt((await blockTime(f.provider, receipt)) + WINDOW);

      expect(await stable(alice.address)).toBe(FUNDS - 40n * PRICE);
      expect(await stable(saleAddress)).toBe(40n * PRICE);
      expect(await eventsOf(receipt, f.sale, 'OrderPaid')).toEqual([
        [order, alice.address, tokenAddress, 40n, 40n * PRICE, deadline],
      ]);
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
        [alice.address, saleAddress, 40n * PRICE],
      ]);
      expect([...(await f.sale.orderOf(order, alice.address))]).toEqual([
        tokenAddress,
        deadline,
        Status.Paid,
        40n,
        40n * PRICE,
      ]);
      // Paying does not mint: delivery happens at settlement.
      expect(await token.balanceOf(alice.address)).toBe(0n);
    });

    it("needs more gas when a settlement has emptied the sale first; the wallet app's margin covers it", async () => {
      await openOffering();
      await pay(alice, orderId('first-in'), 1n);
      const gas = await f.sale
        .connect(bob)
        .pay.estimateGas(orderId('next'), tokenAddress, 1n, PRICE);
      await send(f.sale.settle(orderId('first-in'), alice.address));
      expect(await stable(saleAddress)).toBe(0n);

      const exact = f.sale
        .connect(bob)
        .pay(orderId('next'), tokenAddress, 1n, PRICE, { gasLimit: gas });
      await expect(send(exact)).rejects.toThrow(TransactionRevertedError);
      const withMargin = f.sale.connect(bob).pay(orderId('next'), tokenAddress, 1n, PRICE, {
        gasLimit: (gas * GAS_MARGIN_PERCENT) / 100n,
      });
      await send(withMargin);
      expect((await f.sale.orderOf(orderId('next'), bob.address)).status).toBe(Status.Paid);
    });

    it('refuses the same order id twice from the same payer, but not from another payer', async () => {
      await openOffering();
      const order = orderId('shared');
      await pay(alice, order, 10n);
      await expectRevert(
        f.sale.connect(alice).pay(order, tokenAddress, 10n, 10n * PRICE),
        f.sale,
        'OrderAlreadyExists',
        [order, alice.address],
      );
      await expectRevert(
        f.sale.connect(alice).pay(order, tokenAddress, 3n, 3n * PRICE),
        f.sale,
        'OrderAlreadyExists',
        [order, alice.address],
      );

      // Bob paying "alice's" order id first does not block it, and the two orders stay apart.
      const other = orderId('front-run');
      await pay(bob, other, 1n);
      await pay(alice, other, 7n);
      expect((await f.sale.orderOf(other, bob.address)).fractions).toBe(1n);
      expect((await f.sale.orderOf(other, alice.address)).fractions).toBe(7n);
      expect(await stable(saleAddress)).toBe(18n * PRICE);

      await send(f.sale.settle(other, alice.address));
      expect(await token.balanceOf(alice.address)).toBe(7n);
      expect(await token.balanceOf(bob.address)).toBe(0n);
      expect((await f.sale.orderOf(other, alice.address)).status).toBe(Status.Settled);
      expect((await f.sale.orderOf(other, bob.address)).status).toBe(Status.Paid);
      // An order that is no longer Paid still blocks its id for the same payer.
      await expectRevert(
        f.sale.connect(alice).pay(other, tokenAddress, 7n, 7n * PRICE),
        f.sale,
        'OrderAlreadyExists',
        [other, alice.address],
      );
    });
  });

  describe('settle', () => {
    it('mints the fractions to the investor and pays the treasury in one transaction', async () => {
      await openOffering();
      const order = orderId('dvp');
      await pay(alice, order, 25n);
      const amount = 25n * PRICE;
      const receipt = await send(f.sale.settle(order, alice.address));
      const block = receipt.blockNumber;

      const mined = await f.provider.getBlock(block);
      expect(mined?.transactions).toEqual([receipt.hash]);
      // Before the block: nothing delivered, the payment held by the sale.
      expect(await token.balanceOf(alice.address, { blockTag: block - 1 })).toBe(0n);
      expect(await stable(treasury, block - 1)).toBe(0n);
      expect(await stable(saleAddress, block - 1)).toBe(amount);
      // After the same block: both legs done.
      expect(await token.balanceOf(alice.address, { blockTag: block })).toBe(25n);
      expect(await token.totalSupply({ blockTag: block })).toBe(25n);
      expect(await stable(treasury, block)).toBe(amount);
      expect(await stable(saleAddress, block)).toBe(0n);

      expect(await eventsOf(receipt, f.sale, 'OrderSettled')).toEqual([
        [order, alice.address, tokenAddress, 25n, amount, treasury],
      ]);
      expect(await eventsOf(receipt, token, 'Transfer')).toEqual([
        [ZeroAddress, alice.address, 25n],
      ]);
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
        [saleAddress, treasury, amount],
      ]);
      expect((await f.sale.orderOf(order, alice.address)).status).toBe(Status.Settled);
    });

    it('settles an order once: a second settle, or one of an unknown order, is OrderNotPaid', async () => {
      await openOffering();
      const order = orderId('once');
      await pay(alice, order, 2n);
      await send(f.sale.settle(order, alice.address));
      await expectRevert(f.sale.settle(order, alice.address), f.sale, 'OrderNotPaid', [
        order,
        alice.address,
      ]);
      await expectRevert(f.sale.settle(order, bob.address), f.sale, 'OrderNotPaid', [
        order,
        bob.address,
      ]);
      await expectRevert(f.sale.settle(orderId('never'), alice.address), f.sale, 'OrderNotPaid', [
        orderId('never'),
        alice.address,
      ]);
      expect(await token.balanceOf(alice.address)).toBe(2n);
      expect(await stable(treasury)).toBe(2n * PRICE);
    });

    it('settles up to the deadline and refuses after it with OrderExpired(orderId, deadline)', async () => {
      await openOffering();
      const onTime = orderId('on-time');
      const late = orderId('late');
      const deadline = await pay(alice, onTime, 1n);
      await setNextBlockTime(f.provider, deadline - WINDOW + 1);
      const lateDeadline = await pay(bob, late, 1n);
      expect(lateDeadline).toBe(deadline + 1);

      await setNextBlockTime(f.provider, deadline);
      await send(f.sale.settle(onTime, alice.address));
      expect(await token.balanceOf(alice.address)).toBe(1n);

      await setNextBlockTime(f.provider, lateDeadline + 1);
      await expectRevert(f.sale.settle(late, bob.address), f.sale, 'OrderExpired', [
        late,
        BigInt(lateDeadline),
      ]);
      expect((await f.sale.orderOf(late, bob.address)).status).toBe(Status.Paid);
      expect(await stable(saleAddress)).toBe(PRICE);
    });

    it('keeps the order Paid and the funds in the sale contract when the token refuses the investor', async () => {
      await openOffering();
      const unverified = orderId('unverified');
      const blockedCountry = orderId('blocked-country');
      await pay(dave, unverified, 3n);
      await pay(carol, blockedCountry, 5n);
      const held = 8n * PRICE;

      await expectRevert(f.sale.settle(unverified, dave.address), token, 'ReceiverNotVerified', [
        dave.address,
      ]);
      await expectRevert(f.sale.settle(blockedCountry, carol.address), token, 'CountryNotAllowed', [
        carol.address,
        BigInt(COUNTRY.US),
      ]);

      for (const [order, investor] of [
        [unverified, dave],
        [blockedCountry, carol],
      ] as const) {
        expect((await f.sale.orderOf(order, investor.address)).status).toBe(Status.Paid);
        expect(await token.balanceOf(investor.address)).toBe(0n);
      }
      expect(await stable(saleAddress)).toBe(held);
      expect(await stable(treasury)).toBe(0n);
      expect(await token.totalSupply()).toBe(0n);

      // Once the investor may hold the token, the same order settles.
      await registerInvestor(f, dave.address, { country: COUNTRY.IS });
      await send(f.sale.settle(unverified, dave.address));
      expect(await token.balanceOf(dave.address)).toBe(3n);
      expect(await stable(treasury)).toBe(3n * PRICE);
      expect(await stable(saleAddress)).toBe(5n * PRICE);
    });
  });

  describe('refund and reject', () => {
    it('refunds only after the deadline, only once, and only to the payer', async () => {
      await openOffering();
      const order = orderId('refund');
      const deadline = await pay(alice, order, 6n);
      const amount = 6n * PRICE;

      await expectRevert(f.sale.connect(alice).refund(order), f.sale, 'OrderNotExpired', [
        order,
        BigInt(deadline),
      ]);
      await setNextBlockTime(f.provider, deadline);
      await expectRevert(f.sale.connect(alice).refund(order), f.sale, 'OrderNotExpired', [
        order,
        BigInt(deadline),
      ]);
      // Someone else cannot take the refund: their key has no order.
      await setNextBlockTime(f.provider, deadline + 1);
      await expectRevert(f.sale.connect(bob).refund(order), f.sale, 'OrderNotPaid', [
        order,
        bob.address,
      ]);

      const receipt = await send(f.sale.connect(alice).refund(order));
      expect(await eventsOf(receipt, f.sale, 'OrderRefunded')).toEqual([
        [order, alice.address, tokenAddress, amount, false],
      ]);
      expect(await eventsOf(receipt, f.stablecoin, 'Transfer')).toEqual([
        [saleAddress, alice.address, amount],
      ]);
      expect(await stable(alice.address)).toBe(FUNDS);
      expect(await stable(saleAddress)).toBe(0n);
      expect((await f.sale.orderOf(order, alice.address)).status).toBe(Status.Refunded);

      await expectRevert(f.sale.connect(alice).refund(order), f.sale, 'OrderNotPaid', [
        order,
        alice.address,
      ]);
      await expectRevert(f.sale.settle(order, alice.address), f.sale, 'OrderNotPaid', [
        order,
        alice.address,
      ]);
      expect(await stable(alice.address)).toBe(FUNDS);
    });

    it('lets the agent reject an order at any time; a rejected order can no longer be settled or refunded', async () => {
      await openOffering();
      const early = orderId('reject-early');
      const late = orderId('reject-late');
      await pay(alice, early, 4n);
      const lateDeadline = await pay(bob, late, 9n);

      const receipt = await send(f.sale.reject(early, alice.address));
      expect(await eventsOf(receipt, f.sale, 'OrderRefunded')).toEqual([
        [early, alice.address, tokenAddress, 4n * PRICE, true],
      ]);
      expect(await stable(alice.address)).toBe(FUNDS);
      expect((await f.sale.orderOf(early, alice.address)).status).toBe(Status.Refunded);
      await expectRevert(f.sale.settle(early, alice.address), f.sale, 'OrderNotPaid', [
        early,
        alice.address,
      ]);
      await expectRevert(f.sale.reject(early, alice.address), f.sale, 'OrderNotPaid', [
        early,
        alice.address,
      ]);

      await setNextBlockTime(f.provider, lateDeadline + 100);
      const lateReceipt = await send(f.sale.reject(late, bob.address));
      expect(await eventsOf(lateReceipt, f.sale, 'OrderRefunded')).toEqual([
        [late, bob.address, tokenAddress, 9n * PRICE, true],
      ]);
      expect(await stable(bob.address)).toBe(FUNDS);
      await expectRevert(f.sale.connect(bob).refund(late), f.sale, 'OrderNotPaid', [
        late,
        bob.address,
      ]);
      await expectRevert(f.sale.connect(alice).refund(early), f.sale, 'OrderNotPaid', [
        early,
        alice.address,
      ]);
      expect(await stable(saleAddress)).toBe(0n);
      expect(await token.totalSupply()).toBe(0n);
    });
  });

  describe('roles', () => {
    it('refuses every agent function to accounts without SALE_AGENT_ROLE', async () => {
      await openOffering();
      const order = orderId('roles');
      await pay(alice, order, 1n);
      expect(await f.sale.hasRole(saleAgentRole, f.agent.address)).toBe(true);
      expect(await f.sale.hasRole(saleAgentRole, f.admin.address)).toBe(false);

      for (const caller of [alice, bob, f.admin]) {
        const sale = f.sale.connect(caller);
        const refused = [caller.address, saleAgentRole];
        await expectRevert(
          sale.setOffering(tokenAddress, 1n, 1, 2, 1),
          f.sale,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          sale.settle(order, alice.address),
          f.sale,
          'AccessControlUnauthorizedAccount',
          refused,
        );
        await expectRevert(
          sale.reject(order, alice.address),
          f.sale,
          'AccessControlUnauthorizedAccount',
          refused,
        );
      }
      expect((await f.sale.orderOf(order, alice.address)).status).toBe(Status.Paid);
      expect((await f.sale.offeringOf(tokenAddress)).pricePerFraction).toBe(PRICE);
    });
  });
});
