import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet, id } from 'ethers';
import { signUptimeReport, uptimeOracleDomain } from '@gpu/chain';
import { buildContracts } from '../scripts/contracts/build-contracts';
import { Narrator } from '../scripts/lib/narrator';
import {
  COUNTRY,
  YEAR,
  chainNow,
  createFarmToken,
  investorId,
  registerInvestor,
  send,
  startContractsFixture,
} from '../test/support/contracts-fixture';

/**
 * `npm run bench:gas`: gas of every on-chain operation of the product, on a fresh anvil, checked
 * against the targets. Figures include the 21,000 base cost of a transaction.
 */
const TARGETS: Record<string, number> = {
  transferExistingHolder: 70_000,
  transferNewHolder: 95_000,
  mintNewHolder: 85_000,
  registerIdentity: 60_000,
  claimFirst: 65_000,
  deployFarm: 400_000,
  anchorAuditHead: 50_000,
};

type Leaf = [bigint, string, string, bigint];
const LEAF_ENCODING = ['uint256', 'address', 'address', 'uint256'];

async function main(): Promise<void> {
  await buildContracts();
  const f = await startContractsFixture();
  const gas: Record<string, number> = {};
  const publishExecution: number[] = [];
  const notes: Record<string, string> = {};
  const execution: Record<string, number> = {};
  const measure = async (name: string, tx: Parameters<typeof send>[0], note = '') => {
    const response = await tx;
    const receipt = await send(Promise.resolve(response));
    gas[name] = Number(receipt.gasUsed);
    execution[name] = gas[name] - 21_000 - calldataGas(response.data);
    if (note) notes[name] = note;
  };
  try {
    const [alice, bob, carol, dave] = f.investors;
    const now = await chainNow(f.provider);

    await measure(
      'registerIdentity',
      f.registry.registerIdentity(alice.address, investorId('alice'), COUNTRY.DE, now + YEAR),
      'new wallet of a new investor, one slot',
    );
    for (const wallet of [bob, carol, dave]) await registerInvestor(f, wallet.address);

    const deployFarm = f.factory.createFarmToken(id('farm:bench'), {
      name: 'GPU Farm Reykjavik A100',
      symbol: 'GPUREY',
      admin: f.admin.address,
      agent: f.agent.address,
      minter: await f.sale.getAddress(),
      treasury: f.admin.address,
      maxBalance: 1_000_000n,
      maxHolders: 10_000,
      lockupEnd: 0,
      allowedCountries: [COUNTRY.DE, COUNTRY.FR, COUNTRY.IS],
    });
    await measure('deployFarm', deployFarm, 'clone + rules + roles + 3 countries + registration');
    const token = await createFarmToken(f, { farm: 'bench-2' });

    await send(token.mint(carol.address, 1_000n));
    await measure(
      'mintNewHolder',
      token.mint(alice.address, 1_000n),
      'receiver checks, new balance',
    );
    await measure(
      'transferNewHolder',
      token.connect(alice).transfer(bob.address, 10n),
      'all rules, new balance',
    );
    await measure(
      'transferExistingHolder',
      token.connect(alice).transfer(bob.address, 10n),
      'all rules',
    );

    const tenWallets = Array.from({ length: 10 }, () => Wallet.createRandom().address);
    await send(
      f.registry.batchRegisterIdentity(
        tenWallets,
        tenWallets.map((w) => investorId(w)),
        tenWallets.map(() => COUNTRY.FR),
        tenWallets.map(() => now + YEAR),
      ),
    );
    await measure(
      'batchMint10',
      token.batchMint(
        tenWallets,
        tenWallets.map(() => 5n),
      ),
      '10 new holders',
    );
    await measure('freeze', token.setFrozenTokens(alice.address, 100n), 'partial freeze');
    await measure(
      'forcedTransfer',
      token.forcedTransfer(alice.address, carol.address, 5n),
      'to an existing holder',
    );

    await send(f.stablecoin.mint(f.admin.address, 10n ** 12n));
    await send(f.stablecoin.transfer(carol.address, 1n));
    gas.plainErc20TransferExisting = Number(
      (await send(f.stablecoin.transfer(carol.address, 1n))).gasUsed,
    );
    notes.plainErc20TransferExisting = 'OpenZeppelin ERC-20, for scale';

    const chainId = BigInt(f.anvil.chainId);
    const claimers = [bob, carol, dave].map((w) => w.address);
    const randomHolders = (n: number) =>
      Array.from({ length: n }, () => Wallet.createRandom().address);
    /** A tree whose entitlements add up to exactly `total`, so that two trees differ only by their roots. */
    const treeOf = (tokenAddress: string, holders: string[], total: bigint) =>
      StandardMerkleTree.of(
        holders.map((account, i): Leaf => {
          const share = total / BigInt(holders.length);
          return [
            chainId,
            tokenAddress,
            account,
            i === 0 ? total - share * BigInt(holders.length - 1) : share,
          ];
        }),
        LEAF_ENCODING,
      );
    const tokenB = await createFarmToken(f, { farm: 'bench-3' });
    await send(f.stablecoin.mint(f.agent.address, 10n ** 15n));
    for (const t of [token, tokenB])
      await send(f.stablecoin.connect(f.agent).approve(await t.getAddress(), 2n ** 255n));
    const publish = (
      t: typeof token,
      epoch: number,
      tree: StandardMerkleTree<Leaf>,
      total: bigint,
    ) => t.publishRevenueRoot(epoch, tree.root, total);

    const tokenA = await token.getAddress();
    const small = [...claimers, ...randomHolders(7)];
    const large = [...claimers, ...randomHolders(9_997)];
    await send(publish(token, 1, treeOf(tokenA, small, 10_000_000_000n), 10_000_000_000n));
    const tokenBAddress = await tokenB.getAddress();
    await send(publish(tokenB, 1, treeOf(tokenBAddress, large, 10_000_000_000n), 10_000_000_000n));
    const epoch2 = treeOf(tokenA, small, 25_000_000_000n);
    const epoch2Large = treeOf(tokenBAddress, large, 25_000_000_000n);
    await measure(
      'publishRoot',
      publish(token, 2, epoch2, 25_000_000_000n),
      '10 holders, second epoch',
    );
    await measure(
      'publishRoot10000',
      publish(tokenB, 2, epoch2Large, 25_000_000_000n),
      '10,000 holders, second epoch',
    );
    publishExecution.push(execution.publishRoot, execution.publishRoot10000);

    const proofOf = (tree: StandardMerkleTree<Leaf>, account: string) => {
      for (const [i, leaf] of tree.entries())
        if (leaf[2] === account) return { amount: leaf[3], proof: tree.getProof(i) };
      throw new Error('no leaf');
    };
    const bobClaim = proofOf(epoch2, bob.address);
    await send(f.stablecoin.transfer(bob.address, 1n));
    await measure(
      'claimFirst',
      token.connect(bob).claimRevenue(bobClaim.amount, bobClaim.proof),
      `holder, 2 epochs at once, proof of ${bobClaim.proof.length}, holds stablecoin`,
    );
    const daveClaim = proofOf(epoch2, dave.address);
    await measure(
      'claimFirstFormerHolder',
      token.connect(dave).claimRevenue(daveClaim.amount, daveClaim.proof),
      'holds no fractions any more and no stablecoin: two new slots',
    );
    await send(publish(token, 3, treeOf(tokenA, small, 40_000_000_000n), 40_000_000_000n));
    const epoch4 = treeOf(tokenA, small, 55_000_000_000n);
    await send(publish(token, 4, epoch4, 55_000_000_000n));
    const bobAgain = proofOf(epoch4, bob.address);
    await measure(
      'claimAfterMoreEpochs',
      token.connect(bob).claimRevenue(bobAgain.amount, bobAgain.proof),
      'second claim, covering epochs 3 and 4',
    );

    const report = {
      farmId: id('farm:bench'),
      epoch: 1n,
      uptimeBps: 9_950,
      gpuHoursAvailable: 24_000_000n,
      gpuHoursUsed: 19_500_000n,
      revenue: 12_345_000_000n,
      samplesHash: id('samples'),
    };
    const domain = uptimeOracleDomain(chainId, await f.oracle.getAddress());
    const signatures = await signUptimeReport(report, f.reporters.slice(0, 2), domain);
    await measure(
      'oracleReport2of3',
      f.oracle.submitReport(report, signatures),
      'two EIP-712 signatures',
    );

    await measure(
      'anchorAuditHeadFirst',
      f.auditAnchor.anchor(1_000n, id('audit-head:1000')),
      'first anchor: two new slots',
    );
    await measure(
      'anchorAuditHead',
      f.auditAnchor.anchor(1_250n, id('audit-head:1250')),
      'every later anchor: two slots rewritten',
    );

    print(gas, notes, publishExecution);
  } finally {
    await f.stop();
  }
}

/** The intrinsic cost of calldata (EIP-2028): gas used minus 21,000 minus this is what the contract spent. */
function calldataGas(data: string): number {
  return [...Buffer.from(data.slice(2), 'hex')].reduce(
    (sum, byte) => sum + (byte === 0 ? 4 : 16),
    0,
  );
}

function print(
  gas: Record<string, number>,
  notes: Record<string, string>,
  publishExecution: number[],
): void {
  const say = new Narrator();
  say.section('Gas per operation (including the 21,000 base), fresh anvil');
  const failures: string[] = [];
  say.table(
    ['operation', 'gas', 'target', 'verdict', 'what'],
    Object.entries(gas).map(([name, used]) => {
      const target = TARGETS[name];
      const ok = target === undefined || used <= target;
      if (!ok) failures.push(name);
      return [
        name,
        used.toLocaleString('en-US'),
        target ? `<= ${target.toLocaleString('en-US')}` : '',
        target ? (ok ? 'ok' : 'OVER') : '',
        notes[name] ?? '',
      ];
    }),
  );
  const publishSame = publishExecution[0] === publishExecution[1];
  say.step(
    `publishRoot execution gas for 10 and for 10,000 holders: ${publishExecution.join(' and ')} (${publishSame ? 'the same' : 'DIFFERENT'}; totals differ only by calldata zero bytes in the root)`,
  );
  if (!publishSame) failures.push('publishRoot10000');
  console.log(
    JSON.stringify({
      ...gas,
      publishRootSameFor10And10000: publishSame,
      targetsMet: failures.length === 0,
    }),
  );
  if (failures.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
