import { randomBytes } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { JsonRpcProvider } from 'ethers';
import type { DataSource } from 'typeorm';
import { readDeploymentFile, type Deployment } from '@gpu/chain';
import { ReportsService } from '@gpu/compliance';
import {
  ComputationStopped,
  ComputeDistributions,
  Distribution,
  RevenueReportsService,
} from '@gpu/distribution';
import type { Principal } from '@gpu/identity';
import { GpuFarmToken__factory } from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import { type EpochEnd, insertUptimeEpoch, mineEpochEnd } from '../support/distribution-fixtures';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import { PLATFORM_AGENT } from '../support/outbox-client';
import { fundWallet } from '../support/sale';

const ZERO = `0x${'0'.repeat(40)}`;
const LEAF = ['uint256', 'address', 'address', 'uint256'];
const account = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const A = account(0xa1);
const B = account(0xb2);
const C = account(0xc3);

/** Indexed transfers written straight to the index, as the indexer would from Transfer logs. */
async function transfers(
  dataSource: DataSource,
  token: string,
  moves: { from: string; to: string; amount: bigint; block: bigint }[],
): Promise<void> {
  for (const [i, move] of moves.entries()) {
    await dataSource.query(
      `INSERT INTO token_transfer (token, from_address, to_address, amount, block_number, tx_hash, log_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        token,
        move.from,
        move.to,
        move.amount.toString(),
        move.block.toString(),
        `0x${randomBytes(32).toString('hex')}`,
        i,
      ],
    );
  }
}

describe('distribution computation: snapshot, exact shares, dust, resumable, published', () => {
  let apps: IsolatedApps;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let compute: ComputeDistributions;
  let reports: RevenueReportsService;
  let deployment: Deployment;
  let farm: { farmId: string; token: string };
  let operator: Principal;
  const actor = { id: 'test', role: 'operator' };

  const distributionOf = (epoch: bigint): Promise<Distribution> =>
    dataSource.getRepository(Distribution).findOneByOrFail({ farmId: farm.farmId, epoch });

  const lines = (id: string) =>
    dataSource.query<{ account: string; balance: string; amount: string; cumulative: string }[]>(
      `SELECT account, balance::text, amount::text, cumulative::text FROM distribution_entitlement
        WHERE distribution_id = $1 ORDER BY account`,
      [id],
    );

  /** An epoch end between two fresh blocks, once the index has read them. */
  async function epochBlocks(): Promise<EpochEnd> {
    const end = await mineEpochEnd(provider);
    const { after } = end;
    await waitFor(
      async () => {
        const [row] = await dataSource.query<{ block: string | null }[]>(
          `SELECT max(block_number)::text AS block FROM index_cursor`,
        );
        return row.block !== null && BigInt(row.block) >= after ? true : undefined;
      },
      { what: `the index past block ${after}`, timeoutMs: 30_000 },
    );
    return end;
  }

  async function report(epoch: bigint, endsAt: Date, gross: bigint): Promise<Distribution> {
    await insertUptimeEpoch(dataSource, { farmId: farm.farmId, epoch, endsAt, revenue: gross });
    const { report: made } = await reports.report(
      operator,
      farm.farmId,
      { epoch, amount: gross, evidenceRef: `invoice ${epoch}` },
      actor,
    );
    expect(made.status).toBe('accepted');
    return distributionOf(epoch);
  }

  const published = (id: string) =>
    waitFor(
      async () => {
        const d = await dataSource.getRepository(Distribution).findOneByOrFail({ id });
        if (d.publishFailure) throw new Error(`publication failed: ${d.publishFailure}`);
        return d.status === 'published' ? d : undefined;
      },
      { what: `distribution ${id} published`, timeoutMs: 60_000 },
    );

  beforeAll(async () => {
    apps = await startIsolatedApps({
      DISTRIBUTION_CHECK_INTERVAL_MS: '3600000',
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '3600000',
      PLATFORM_FEE_BPS: '0',
    });
    ({ provider, dataSource } = apps);
    deployment = readDeploymentFile(apps.iso.env.DEPLOYMENT_FILE);
    compute = apps.worker.get(ComputeDistributions);
    reports = apps.api.app.get(RevenueReportsService);
    farm = await apps.fixtures.tokenizedFarm({}, { revenueShareBps: 10_000 });
    const [owner] = await dataSource.query<{ operator_id: string }[]>(
      `SELECT operator_id FROM farm WHERE id = $1`,
      [farm.farmId],
    );
    operator = { userId: owner.operator_id, role: 'operator', via: 'access-token' };
    await fundWallet(provider, deployment, PLATFORM_AGENT, 10n ** 15n);
  }, 180_000);

  afterAll(() => apps?.stop());

  it('shares a prime supply at the last block before the epoch end, floors each share and keeps the dust', async () => {
    const { inside, after, endsAt } = await epochBlocks();
    await transfers(dataSource, farm.token, [
      { from: ZERO, to: A, amount: 500_000n, block: inside },
      { from: ZERO, to: B, amount: 500_002n, block: inside },
      { from: ZERO, to: C, amount: 1n, block: inside },
      // Within the epoch: counted.
      { from: A, to: C, amount: 100_000n, block: inside },
      // After its end: not counted.
      { from: B, to: A, amount: 500_002n, block: after },
    ]);
    const draft = await report(1n, endsAt, 1_000_000_007n);
    expect(draft.status).toBe('draft');

    await expect(compute.compute(draft.id)).resolves.toBe('computed');
    const done = await distributionOf(1n);
    expect(done.snapshotBlock).toBe(inside);
    expect(done.supply).toBe(1_000_003n);
    expect(done.holders).toBe(3);
    expect(done.distributable).toBe(1_000_000_007n);
    // floor(1_000_000_007 x balance / 1_000_003), worked out by hand.
    expect(await lines(done.id)).toEqual([
      { account: A, balance: '400000', amount: '399998802', cumulative: '399998802' },
      { account: B, balance: '500002', amount: '500000503', cumulative: '500000503' },
      { account: C, balance: '100001', amount: '100000700', cumulative: '100000700' },
    ]);
    expect(done.paid).toBe(1_000_000_005n);
    expect(done.dustOut).toBe(2n);
    const tree = StandardMerkleTree.of(
      [
        [deployment.chainId, farm.token, A, 399_998_802n],
        [deployment.chainId, farm.token, B, 500_000_503n],
        [deployment.chainId, farm.token, C, 100_000_700n],
      ],
      LEAF,
    );
    expect(done.root).toBe(tree.root);
    expect(done.totalCumulative).toBe(1_000_000_005n);
    expect(done.funding).toBe(1_000_000_005n);

    const onChain = await published(done.id);
    const token = GpuFarmToken__factory.connect(farm.token, provider);
    const revenue = await token.revenue();
    expect(revenue.root).toBe(onChain.root);
    expect(revenue.totalCumulative).toBe(1_000_000_005n);
    expect(revenue.epoch).toBe(1n);
  }, 120_000);

  it('resumes a computation killed half-way with the same rows and root, carries the dust and earlier entitlements', async () => {
    const first = await distributionOf(1n);
    const { inside, endsAt } = await epochBlocks();
    const newcomers = Array.from({ length: 40 }, (_, i) => account(0x1000 + i));
    await transfers(
      dataSource,
      farm.token,
      newcomers.map((to, i) => ({ from: ZERO, to, amount: BigInt(i + 1), block: inside })),
    );
    // C sells everything: it keeps its earlier entitlement, with nothing new.
    await transfers(dataSource, farm.token, [{ from: C, to: B, amount: 100_001n, block: inside }]);
    const draft = await report(2n, endsAt, 777_777n);

    await expect(compute.compute(draft.id, { batchSize: 8, stopAfterBatches: 3 })).rejects.toThrow(
      ComputationStopped,
    );
    const partial = await distributionOf(2n);
    expect(partial.status).toBe('draft');
    expect(partial.processedAccounts).toBe(24);
    expect(partial.accounts).toBe(43);
    expect(await lines(draft.id)).toHaveLength(24);

    await expect(compute.compute(draft.id, { batchSize: 8 })).resolves.toBe('computed');
    await expect(compute.compute(draft.id)).resolves.toBe('computed');
    const done = await distributionOf(2n);
    expect(done.dustIn).toBe(first.dustOut);
    expect(done.distributable).toBe(777_777n + 2n);

    // B's 500_002 went to A after the first epoch's end, C's 100_001 to B in this one.
    const balances = new Map<string, bigint>([
      [A, 900_002n],
      [B, 100_001n],
      [C, 0n],
      ...newcomers.map((n, i): [string, bigint] => [n, BigInt(i + 1)]),
    ]);
    const supply = [...balances.values()].reduce((s, b) => s + b, 0n);
    const before = new Map([
      [A, 399_998_802n],
      [B, 500_000_503n],
      [C, 100_000_700n],
    ]);
    const expected = [...balances]
      .map(([who, balance]) => {
        const amount = (777_779n * balance) / supply;
        return { who, balance, amount, cumulative: (before.get(who) ?? 0n) + amount };
      })
      .sort((x, y) => (x.who < y.who ? -1 : 1));
    const rows = await lines(done.id);
    expect(rows).toEqual(
      expected.map((e) => ({
        account: e.who,
        balance: e.balance.toString(),
        amount: e.amount.toString(),
        cumulative: e.cumulative.toString(),
      })),
    );
    const paid = expected.reduce((s, e) => s + e.amount, 0n);
    expect(done.paid).toBe(paid);
    expect(done.paid! + done.dustOut!).toBe(done.distributable);

    const leaves = expected
      .filter((e) => e.cumulative > 0n)
      .map((e) => [deployment.chainId, farm.token, e.who, e.cumulative]);
    const tree = StandardMerkleTree.of(leaves, LEAF);
    expect(done.root).toBe(tree.root);
    const [{ nodes }] = await dataSource.query<{ nodes: number }[]>(
      `SELECT (coalesce(sum(length(nodes)), 0) / 32)::int AS nodes FROM distribution_tree_chunk WHERE distribution_id = $1`,
      [done.id],
    );
    expect(nodes).toBe(2 * leaves.length - 1);

    await published(done.id);
    const [{ kept }] = await dataSource.query<{ kept: number }[]>(
      `SELECT count(*)::int AS kept FROM distribution_tree_chunk WHERE distribution_id = $1`,
      [first.id],
    );
    expect(kept).toBe(0);
  }, 120_000);

  it('serves a proof that the OpenZeppelin verifier accepts for the latest root', async () => {
    const latest = await distributionOf(2n);
    const claim = (await apps.officer.client.get(`/farms/${farm.farmId}/claims/${C}`)).body as {
      cumulative: string;
      proof: string[];
      root: string;
      claimable: string;
    };
    expect(claim.root).toBe(latest.root);
    expect(
      StandardMerkleTree.verify(
        latest.root!,
        LEAF,
        [deployment.chainId, farm.token, C, BigInt(claim.cumulative)],
        claim.proof,
      ),
    ).toBe(true);
    // C held nothing this epoch: its leaf carries what it earned in the first.
    expect(claim.cumulative).toBe('100000700');
    expect(claim.claimable).toBe(claim.cumulative);
  }, 30_000);

  it('writes everything again when a resumed computation finds other balances under its snapshot', async () => {
    const { inside, endsAt } = await epochBlocks();
    const buyers = Array.from({ length: 10 }, (_, i) => account(0x2000 + i));
    await transfers(
      dataSource,
      farm.token,
      buyers.map((to) => ({ from: ZERO, to, amount: 3n, block: inside })),
    );
    const draft = await report(3n, endsAt, 1_000n);
    await expect(compute.compute(draft.id, { batchSize: 4, stopAfterBatches: 2 })).rejects.toThrow(
      ComputationStopped,
    );
    expect(await lines(draft.id)).toHaveLength(8);
    // The index under the snapshot changes (as a reorg deeper than the confirmations would do it).
    const F = account(0xf6);
    await transfers(dataSource, farm.token, [{ from: ZERO, to: F, amount: 1_000n, block: inside }]);

    await expect(compute.compute(draft.id, { batchSize: 4 })).resolves.toBe('computed');
    const done = await distributionOf(3n);
    const rows = await lines(done.id);
    expect(rows).toHaveLength(done.accounts!);
    expect(done.processedAccounts).toBe(done.accounts);
    const f = rows.find((row) => row.account === F)!;
    expect(BigInt(f.amount)).toBe((done.distributable! * 1_000n) / done.supply!);
    expect(rows.reduce((sum, row) => sum + BigInt(row.amount), 0n)).toBe(done.paid);
    const tree = StandardMerkleTree.of(
      rows
        .filter((row) => BigInt(row.cumulative) > 0n)
        .map((row) => [deployment.chainId, farm.token, row.account, BigInt(row.cumulative)]),
      LEAF,
    );
    expect(done.root).toBe(tree.root);
    await published(done.id);
  }, 120_000);

  it('shows a recovered wallet nothing to claim and its new wallet what the token passed on', async () => {
    const latest = await distributionOf(2n);
    const E = account(0xe5);
    const event = (name: string, args: Record<string, string>, logIndex: number) =>
      dataSource.query(
        `INSERT INTO chain_event (block_number, block_hash, tx_hash, log_index, address, contract, name, args)
         VALUES ($1, $2, $3, $4, $5, 'GpuFarmToken', $6, $7)`,
        [
          latest.snapshotBlock!.toString(),
          `0x${randomBytes(32).toString('hex')}`,
          `0x${randomBytes(32).toString('hex')}`,
          logIndex,
          farm.token,
          name,
          JSON.stringify(args),
        ],
      );
    // C claimed 60 of its 100_000_700, then lost its wallet, recovered to E.
    await event('RevenueClaimed', { account: C, cumulative: '60' }, 0);
    await event(
      'WalletRecovered',
      {
        lostWallet: C,
        newWallet: E,
        investorId: `0x${'0'.repeat(64)}`,
        amount: '0',
        frozenTokens: '0',
      },
      1,
    );
    const claimOf = async (wallet: string) =>
      (await apps.officer.client.get(`/farms/${farm.farmId}/claims/${wallet}`)).body as {
        cumulative: string;
        claimed: string;
        claimable: string;
        recovered: boolean;
      };
    expect(await claimOf(C)).toMatchObject({
      cumulative: '100000700',
      claimed: '60',
      claimable: '0',
      recovered: true,
    });
    // E has no leaf in this root yet (its next one carries C's amount); what C claimed is its own.
    expect(await claimOf(E)).toMatchObject({
      cumulative: '0',
      claimed: '60',
      claimable: '0',
      recovered: false,
    });

    // E then claims up to 100 in all (40 more): the token's claims count the lineage C -> E once.
    await event('RevenueClaimed', { account: E, cumulative: '100' }, 2);
    const reports = apps.api.app.get(ReportsService);
    const { items } = await reports.page(reports.distributions({ farmId: farm.farmId }), {
      limit: 10,
      offset: 0,
    });
    expect(items.map((row) => [row.tokenClaimants, row.tokenClaimed])).toEqual(
      items.map(() => [1, '100']),
    );
  }, 30_000);

  it('sends a report that skips an epoch, or of an epoch not yet confirmed on chain, to review or refuses it', async () => {
    const endsAt = new Date();
    await insertUptimeEpoch(dataSource, { farmId: farm.farmId, epoch: 4n, endsAt, revenue: 10n });
    await insertUptimeEpoch(dataSource, { farmId: farm.farmId, epoch: 5n, endsAt, revenue: 10n });
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 7n,
      endsAt,
      revenue: 10n,
      status: 'submitted',
    });
    await expect(
      reports.report(operator, farm.farmId, { epoch: 7n, amount: 10n, evidenceRef: 'x' }, actor),
    ).rejects.toMatchObject({ code: 'REVENUE_EPOCH_NOT_CONFIRMED' });
    const { report: skipping } = await reports.report(
      operator,
      farm.farmId,
      { epoch: 5n, amount: 10n, evidenceRef: 'invoice 5' },
      actor,
    );
    expect(skipping).toMatchObject({
      status: 'pending_review',
      skippedEpochs: 1,
      deviationBps: 0n,
    });
  }, 30_000);
});
