import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import {
  type ContractTransactionResponse,
  getAddress,
  type HDNodeWallet,
  type JsonRpcProvider,
  type TransactionReceipt,
  Wallet,
} from 'ethers';
import type { DataSource } from 'typeorm';
import { type Deployment, readDeploymentFile, waitForReceipt } from '@gpu/chain';
import { wellKnownDevPrivateKeys } from '../../libs/config/src/dev-keys';
import {
  type GpuFarmToken,
  GpuFarmToken__factory,
  type MockStablecoin,
  MockStablecoin__factory,
} from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import {
  type ApiClient,
  type ApiResponse,
  type SignedIn,
  signInStaff,
} from '../support/api-client';
import { expectRevert } from '../support/contracts-fixture';
import { type EpochEnd, insertUptimeEpoch, mineEpochEnd } from '../support/distribution-fixtures';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import type { Investor, TokenizedFarm } from '../support/issuance-fixtures';
import { PLATFORM_AGENT } from '../support/outbox-client';
import { fundWallet } from '../support/sale';

/**
 * Revenue distribution over HTTP and the real chain, on one isolated stack: operators report an
 * epoch's revenue, the worker snapshots the holders at the last block before the epoch's end,
 * shares the holders' part pro rata (floor, dust carried), publishes the Merkle root with its
 * funding, and investors claim every epoch up to the latest with one proof from their own wallets.
 *
 * Terms: platform fee 2%, the farm's revenue share 70% (listing), SLA penalty 50% of the
 * operator's share, tolerance 5%. Holders: investor 1 buys 40 fractions, investor 2 buys 25
 * (supply 65); investor 1 sends 10 within epoch 1 (30 / 35 at its end) and 5 after it (25 / 40 for
 * every later epoch).
 */

const FARM_NAME = 'Reykjavik A100 cluster';
const SUPPLY = 65n;
const TIMEOUT = 60_000;

/** What a published distribution gave the two investors' wallets (the hand-computed figures). */
interface Paid {
  id: string;
  snapshotBlock: string;
  distributable: string;
  balances: [bigint, bigint];
  amounts: [bigint, bigint];
  cumulative: [bigint, bigint];
}

const codeOf = (response: ApiResponse): unknown =>
  (response.body as { code?: unknown } | undefined)?.code;
const outcome = (response: ApiResponse) => ({ status: response.status, code: codeOf(response) });

describe('revenue distribution: reports, snapshot, exact shares, claims on chain, statements', () => {
  let apps: IsolatedApps;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let deployment: Deployment;
  let farm: TokenizedFarm;
  let operator: SignedIn;
  let officer: SignedIn;
  let admin: SignedIn;
  let otherOperator: SignedIn;
  let investor1: Investor;
  let investor2: Investor;
  let wallet1: HDNodeWallet;
  let wallet2: HDNodeWallet;
  let token: GpuFarmToken;
  let coin: MockStablecoin;
  let revenueShareBps: number;
  /** By epoch: what each published distribution gave the two wallets. */
  const ledger = new Map<bigint, Paid>();

  const mined = async (tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> =>
    waitForReceipt(provider, (await tx).hash);

  /** Waits until the indexer has read every block up to `block`. */
  const indexedPast = (block: bigint | number) =>
    waitFor(
      async () => {
        const [row] = await dataSource.query<{ block: string | null }[]>(
          `SELECT max(block_number)::text AS block FROM index_cursor`,
        );
        return row.block !== null && BigInt(row.block) >= BigInt(block) ? true : undefined;
      },
      { what: `the index past block ${block}`, timeoutMs: TIMEOUT },
    );

  /** An epoch end between two fresh blocks, once the index has read them. */
  async function epochBoundary(): Promise<EpochEnd> {
    const end = await mineEpochEnd(provider);
    await indexedPast(end.after);
    return end;
  }

  const report = (
    epoch: bigint | number | string,
    amount: bigint | string,
    evidenceRef: string,
    client: ApiClient = operator.client,
  ) =>
    client.post(`/farms/${farm.farmId}/revenue-reports`, {
      epoch: epoch.toString(),
      amount: amount.toString(),
      evidenceRef,
    });

  /** The farm's distribution of `epoch`, as its operator lists them (undefined: none). */
  async function distributionOf(epoch: bigint): Promise<Record<string, any> | undefined> {
    const response = await operator.client.get(`/farms/${farm.farmId}/distributions`);
    expect(response.status).toBe(200);
    return (response.body.items as Record<string, any>[]).find((d) => d.epoch === String(epoch));
  }

  /** Polls GET /distributions/:id until it is published; a refused publication fails at once. */
  const published = (id: string) =>
    waitFor(
      async () => {
        const response = await operator.client.get(`/distributions/${id}`);
        expect(response.status).toBe(200);
        if (response.body.publishFailure) {
          throw new Error(`publication failed: ${response.body.publishFailure}`);
        }
        return response.body.status === 'published' ? response.body : undefined;
      },
      { what: `distribution ${id} published`, timeoutMs: TIMEOUT },
    );

  /** The entitlement rows of a distribution, by account. */
  const entitlements = (id: string) =>
    dataSource.query<{ account: string; balance: string; amount: string; cumulative: string }[]>(
      `SELECT account, balance::text, amount::text, cumulative::text FROM distribution_entitlement
        WHERE distribution_id = $1 ORDER BY account COLLATE "C"`,
      [id],
    );

  const claimOf = (client: ApiClient, wallet: string) =>
    client.get(`/farms/${farm.farmId}/claims/${wallet}`);

  /** Polls the wallet's claim until `ready` holds. */
  const claimWhen = (
    client: ApiClient,
    wallet: string,
    ready: (claim: Record<string, any>) => boolean,
    what: string,
  ) =>
    waitFor(
      async () => {
        const response = await claimOf(client, wallet);
        expect(response.status).toBe(200);
        return ready(response.body) ? (response.body as Record<string, any>) : undefined;
      },
      { what, timeoutMs: TIMEOUT },
    );

  /** Claims with the API's cumulative and proof from the wallet itself; returns what it received. */
  async function claimOnChain(wallet: HDNodeWallet, claim: Record<string, any>): Promise<bigint> {
    const before = await coin.balanceOf(wallet.address);
    await mined(token.connect(wallet).claimRevenue(BigInt(claim.cumulative), claim.proof));
    return (await coin.balanceOf(wallet.address)) - before;
  }

  /** The platform lane has nothing in flight, so the agent's key can send by hand without a nonce clash. */
  const platformLaneIdle = () =>
    waitFor(
      async () => {
        const [{ busy }] = await dataSource.query<{ busy: number }[]>(
          `SELECT count(*)::int AS busy FROM chain_tx
            WHERE lane = 'platform' AND state IN ('queued', 'signed', 'broadcast')`,
        );
        return busy === 0 ? true : undefined;
      },
      { what: 'the platform lane idle', timeoutMs: TIMEOUT },
    );

  const rowCounts = async () => {
    const [row] = await dataSource.query<{ reports: number; distributions: number }[]>(
      `SELECT (SELECT count(*)::int FROM revenue_report) AS reports,
              (SELECT count(*)::int FROM distribution) AS distributions`,
    );
    return row;
  };

  /** Records a published distribution's lines for the two wallets, checking the rows are exactly those. */
  async function record(
    epoch: bigint,
    distribution: Record<string, any>,
    balances: [bigint, bigint],
    amounts: [bigint, bigint],
  ): Promise<Paid> {
    const previous = ledger.get([...ledger.keys()].sort((a, b) => Number(a - b)).at(-1) ?? -1n);
    const distributable = BigInt(distribution.breakdown.distributable);
    // The rule: floor(distributable x balance / supply), from the balances we know.
    expect(amounts).toEqual(balances.map((balance) => (distributable * balance) / SUPPLY));
    const { paid: sum, dustOut } = distribution.breakdown;
    expect(BigInt(sum)).toBe(amounts[0] + amounts[1]);
    expect(BigInt(sum) + BigInt(dustOut)).toBe(distributable);
    const cumulative: [bigint, bigint] = [
      (previous?.cumulative[0] ?? 0n) + amounts[0],
      (previous?.cumulative[1] ?? 0n) + amounts[1],
    ];
    const expected = [
      { account: wallet1.address.toLowerCase(), i: 0 },
      { account: wallet2.address.toLowerCase(), i: 1 },
    ]
      .sort((a, b) => (a.account < b.account ? -1 : 1))
      .map(({ account, i }) => ({
        account,
        balance: balances[i].toString(),
        amount: amounts[i].toString(),
        cumulative: cumulative[i].toString(),
      }));
    expect(await entitlements(distribution.id)).toEqual(expected);
    const paid: Paid = {
      id: distribution.id,
      snapshotBlock: distribution.snapshotBlock,
      distributable: distribution.breakdown.distributable,
      balances,
      amounts,
      cumulative,
    };
    ledger.set(epoch, paid);
    return paid;
  }

  beforeAll(async () => {
    apps = await startIsolatedApps({
      DISTRIBUTION_CHECK_INTERVAL_MS: '300',
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '3600000',
      PLATFORM_FEE_BPS: '200',
      REVENUE_TOLERANCE_BPS: '500',
      SLA_PENALTY_BPS: '5000',
    });
    ({ provider, dataSource, operator, officer } = apps);
    deployment = readDeploymentFile(apps.iso.env.DEPLOYMENT_FILE!);
    [admin, otherOperator] = await Promise.all([
      signInStaff(apps.api, 'admin', 'distribution-admin'),
      signInStaff(apps.api, 'operator', 'distribution-other-operator'),
    ]);
    const { fixtures } = apps;
    farm = await fixtures.tokenizedFarm();
    revenueShareBps = (await operator.client.get(`/farms/${farm.farmId}`)).body.revenueShareBps;
    const offering = await fixtures.openOffering(farm);
    [investor1, investor2] = await Promise.all([
      fixtures.approvedInvestor(),
      fixtures.approvedInvestor(),
    ]);
    [wallet1, wallet2] = [investor1.wallets[0], investor2.wallets[0]];

    // Both buy through the API and pay from their own wallets; the sale settles on chain.
    await fixtures.buySettled(deployment, offering.id, [
      { investor: investor1, fractions: 40 },
      { investor: investor2, fractions: 25 },
    ]);

    token = GpuFarmToken__factory.connect(farm.token, provider);
    coin = MockStablecoin__factory.connect(deployment.contracts.Stablecoin.address, provider);
    expect(await token.balanceOf(wallet1.address)).toBe(40n);
    expect(await token.balanceOf(wallet2.address)).toBe(25n);
    expect(await token.totalSupply()).toBe(SUPPLY);
    // The platform agent funds each publication (publishRevenueRoot pulls it from its wallet).
    await fundWallet(provider, deployment, PLATFORM_AGENT, 10n ** 15n);
  }, 180_000);

  afterAll(() => apps?.stop());

  it('counts a transfer within the epoch at its end block, not one after it, and publishes the exact split', async () => {
    expect(revenueShareBps).toBe(7000);
    // Within epoch 1: investor 1 sends 10 of its 40 to investor 2 (both verified).
    await mined(token.connect(wallet1).transfer(wallet2.address, 10n));
    const { inside, after, endsAt } = await mineEpochEnd(provider);
    // After its end: 5 more, which epoch 1 must not count.
    const late = await mined(token.connect(wallet1).transfer(wallet2.address, 5n));
    expect(BigInt(late.blockNumber)).toBeGreaterThan(after);
    expect((await provider.getBlock(late.blockNumber))!.timestamp).toBeGreaterThan(
      endsAt.getTime() / 1000,
    );
    expect(await token.balanceOf(wallet1.address)).toBe(25n);
    expect(await token.balanceOf(wallet2.address)).toBe(40n);
    await indexedPast(late.blockNumber);
    const [indexedLate] = await dataSource.query<{ amount: string }[]>(
      `SELECT amount::text FROM token_transfer WHERE token = $1 AND tx_hash = $2`,
      [farm.token, late.hash.toLowerCase()],
    );
    expect(indexedLate).toEqual({ amount: '5' });

    const gross = 1_000_000_007n;
    await insertUptimeEpoch(dataSource, { farmId: farm.farmId, epoch: 1n, endsAt, revenue: gross });
    const reported = await report(1n, gross, 'invoice 2026-01/1');
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({
      farmId: farm.farmId,
      epoch: '1',
      amount: '1000000007',
      evidenceRef: 'invoice 2026-01/1',
      reportedBy: operator.userId,
      expectedAmount: '1000000007',
      deviationBps: '0',
      toleranceBps: 500,
      status: 'accepted',
      reviewedBy: null,
    });

    const draft = await distributionOf(1n);
    expect(draft).toMatchObject({ revenueReportId: reported.body.id, token: farm.token });
    const distribution = await published(draft!.id);
    expect(distribution).toMatchObject({
      epoch: '1',
      status: 'published',
      // The last block before the epoch's end: the mid-epoch transfer is in, the late one is not.
      snapshotBlock: inside.toString(),
      supply: '65',
      holders: 2,
      progress: { processed: 2, total: 2 },
      publishAttempts: 1,
      publishFailure: null,
    });
    // The report it distributes, with the oracle's figure and the deviation from it.
    expect(distribution.revenueReport).toEqual(reported.body);
    // By hand: fee floor(1_000_000_007 x 2%) = 20_000_000; left 980_000_007; operator
    // floor(980_000_007 x 30%) = 294_000_002; holders 686_000_005; SLA met, no penalty.
    expect(distribution.breakdown).toEqual({
      gross: '1000000007',
      platformFeeBps: 200,
      platformFee: '20000000',
      revenueShareBps: 7000,
      operatorShare: '294000002',
      uptimeBps: 10_000,
      slaUptimeBps: 9_900,
      slaMet: true,
      slaPenaltyBps: 5000,
      slaPenalty: '0',
      operatorFee: '294000002',
      holdersShare: '686000005',
      dustIn: '0',
      distributable: '686000005',
      paid: '686000004',
      dustOut: '1',
    });
    // floor(686_000_005 x 30 / 65) = 316_615_386; floor(686_000_005 x 35 / 65) = 369_384_618.
    await record(1n, distribution, [30n, 35n], [316_615_386n, 369_384_618n]);
    expect(316_615_386n + 369_384_618n + 1n).toBe(686_000_005n);
    expect(distribution.totalCumulative).toBe('686000004');
    expect(distribution.funding).toBe('686000004');

    const onChain = await token.revenue();
    expect(onChain.root).toBe(distribution.root);
    expect(onChain.epoch).toBe(1n);
    expect(onChain.totalCumulative).toBe(686_000_004n);
    expect(await coin.balanceOf(farm.token)).toBe(686_000_004n);
  }, 120_000);

  it("investor 1 claims its share with the API's proof; a second claim reverts with NothingToClaim", async () => {
    const address = wallet1.address.toLowerCase();
    const claim = (await claimOf(investor1.client, wallet1.address)).body;
    expect(claim).toEqual({
      farmId: farm.farmId,
      token: farm.token,
      wallet: address,
      distributionId: ledger.get(1n)!.id,
      epoch: '1',
      root: (await token.revenue()).root,
      cumulative: '316615386',
      claimed: '0',
      claimable: '316615386',
      recovered: false,
      frozen: false,
      proof: expect.any(Array),
    });
    expect(claim.proof.length).toBeGreaterThan(0);

    expect(await claimOnChain(wallet1, claim)).toBe(316_615_386n);
    expect(await token.claimedRevenueOf(wallet1.address)).toBe(316_615_386n);
    const after = await claimWhen(
      investor1.client,
      wallet1.address,
      (c) => c.claimed === '316615386',
      'the claim indexed',
    );
    expect(after).toMatchObject({ cumulative: '316615386', claimed: '316615386', claimable: '0' });

    const balance = await coin.balanceOf(wallet1.address);
    await expectRevert(
      token.connect(wallet1).claimRevenue(BigInt(claim.cumulative), claim.proof),
      token,
      'NothingToClaim',
      [316_615_386n, 316_615_386n],
    );
    expect(await coin.balanceOf(wallet1.address)).toBe(balance);
  }, 60_000);

  it('an epoch under the SLA moves half the operator share to the holders; investor 2 claims two epochs with one proof', async () => {
    const { inside, endsAt } = await epochBoundary();
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 2n,
      endsAt,
      revenue: 777_777_777n,
      uptimeBps: 9_000,
      slaUptimeBps: 9_900,
    });
    const reported = await report(2n, 777_777_777n, 'invoice 2026-01/2');
    expect(reported.status).toBe(201);
    expect(reported.body.status).toBe('accepted');
    const distribution = await published((await distributionOf(2n))!.id);
    expect(distribution.snapshotBlock).toBe(inside.toString());
    // By hand: fee floor(777_777_777 x 2%) = 15_555_555; left 762_222_222; operator share
    // floor(762_222_222 x 30%) = 228_666_666, of which it keeps floor(x 50%) = 114_333_333 and the
    // holders get the other 114_333_333; holders 762_222_222 - 228_666_666 + 114_333_333.
    expect(distribution.breakdown).toEqual({
      gross: '777777777',
      platformFeeBps: 200,
      platformFee: '15555555',
      revenueShareBps: 7000,
      operatorShare: '228666666',
      uptimeBps: 9_000,
      slaUptimeBps: 9_900,
      slaMet: false,
      slaPenaltyBps: 5000,
      slaPenalty: '114333333',
      operatorFee: '114333333',
      holdersShare: '647888889',
      dustIn: '1',
      distributable: '647888890',
      paid: '647888889',
      dustOut: '1',
    });
    const previous = await operator.client.get(`/distributions/${ledger.get(1n)!.id}`);
    expect(distribution.breakdown.dustIn).toBe(previous.body.breakdown.dustOut);
    expect(BigInt(distribution.breakdown.slaPenalty) * 2n).toBe(
      BigInt(distribution.breakdown.operatorShare),
    );
    // 25 and 40 fractions: the transfer after epoch 1's end counts from epoch 2 on.
    // floor(647_888_890 x 25 / 65) = 249_188_034; floor(647_888_890 x 40 / 65) = 398_700_855.
    await record(2n, distribution, [25n, 40n], [249_188_034n, 398_700_855n]);
    expect(distribution.totalCumulative).toBe((686_000_004n + 647_888_889n).toString());
    expect(distribution.funding).toBe('647888889');

    // Investor 1 claimed epoch 1: it can claim epoch 2's share.
    expect((await claimOf(investor1.client, wallet1.address)).body).toMatchObject({
      epoch: '2',
      cumulative: '565803420',
      claimed: '316615386',
      claimable: '249188034',
    });
    // Investor 2 claimed nothing: one claim pays both epochs.
    const claim = (await claimOf(investor2.client, wallet2.address)).body;
    expect(claim).toMatchObject({
      distributionId: distribution.id,
      epoch: '2',
      cumulative: '768085473',
      claimed: '0',
      claimable: '768085473',
      recovered: false,
      frozen: false,
    });
    expect(await coin.balanceOf(wallet2.address)).toBe(0n);
    expect(await claimOnChain(wallet2, claim)).toBe(369_384_618n + 398_700_855n);
    expect(await coin.balanceOf(wallet2.address)).toBe(768_085_473n);
    await claimWhen(
      investor2.client,
      wallet2.address,
      (c) => c.claimed === '768085473' && c.claimable === '0',
      "investor 2's claim indexed",
    );
  }, 120_000);

  it('a frozen wallet stays entitled but claims only once unfrozen (ClaimWhileFrozen)', async () => {
    const agent = new Wallet(wellKnownDevPrivateKeys()[1], provider);
    expect(agent.address).toBe(PLATFORM_AGENT);
    await platformLaneIdle();
    await mined(token.connect(agent).setWalletFrozen(wallet1.address, true));
    expect(await token.isWalletFrozen(wallet1.address)).toBe(true);

    const { endsAt } = await epochBoundary();
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 3n,
      endsAt,
      revenue: 500_000_001n,
    });
    expect((await report(3n, 500_000_001n, 'invoice 2026-01/3')).body.status).toBe('accepted');
    const distribution = await published((await distributionOf(3n))!.id);
    expect(distribution.breakdown).toMatchObject({
      gross: '500000001',
      platformFee: '10000000',
      operatorShare: '147000000',
      slaMet: true,
      slaPenalty: '0',
      holdersShare: '343000001',
      dustIn: '1',
      distributable: '343000002',
      paid: '343000001',
      dustOut: '1',
    });
    // The frozen wallet is entitled: floor(343_000_002 x 25 / 65) = 131_923_077.
    await record(3n, distribution, [25n, 40n], [131_923_077n, 211_076_924n]);

    const claim = await claimWhen(
      investor1.client,
      wallet1.address,
      (c) => c.epoch === '3' && c.frozen === true,
      'the freeze indexed',
    );
    // Epochs 2 and 3: 249_188_034 + 131_923_077.
    expect(claim).toMatchObject({
      cumulative: '697726497',
      claimed: '316615386',
      claimable: '381111111',
      recovered: false,
      frozen: true,
    });
    await expectRevert(
      token.connect(wallet1).claimRevenue(BigInt(claim.cumulative), claim.proof),
      token,
      'ClaimWhileFrozen',
      [getAddress(wallet1.address)],
    );

    await platformLaneIdle();
    await mined(token.connect(agent).setWalletFrozen(wallet1.address, false));
    const unfrozen = await claimWhen(
      investor1.client,
      wallet1.address,
      (c) => c.frozen === false,
      'the unfreeze indexed',
    );
    expect(unfrozen.claimable).toBe('381111111');
    expect(await claimOnChain(wallet1, unfrozen)).toBe(381_111_111n);
    expect(await token.claimedRevenueOf(wallet1.address)).toBe(697_726_497n);
    await claimWhen(
      investor1.client,
      wallet1.address,
      (c) => c.claimed === '697726497' && c.claimable === '0',
      "investor 1's second claim indexed",
    );
  }, 120_000);

  it('a report beyond the tolerance waits for compliance: approved it is distributed; rejected it can be reported again', async () => {
    const b5 = await epochBoundary();
    const b6 = await epochBoundary();
    // Epoch 4 has an oracle report but is never reported (see the bad-input test).
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 4n,
      endsAt: new Date(b5.endsAt.getTime() - 1000),
      revenue: 1_000n,
    });
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 5n,
      endsAt: b5.endsAt,
      revenue: 1_000_000_000n,
    });
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 6n,
      endsAt: b6.endsAt,
      revenue: 900_000_000n,
    });

    // 20% over the oracle's figure.
    const high = await report(5n, 1_200_000_000n, 'invoice 2026-01/5');
    expect(high.status).toBe(201);
    expect(high.body).toMatchObject({
      epoch: '5',
      expectedAmount: '1000000000',
      deviationBps: '2000',
      status: 'pending_review',
    });
    expect(await distributionOf(5n)).toBeUndefined();
    const pending = await officer.client.get('/revenue-reports/pending');
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((r: { id: string }) => r.id)).toContain(high.body.id);

    const later = await report(6n, 910_000_000n, 'invoice 2026-01/6');
    expect(outcome(later)).toEqual({ status: 409, code: 'REVENUE_REVIEW_PENDING' });
    expect(later.body.details).toEqual({ epoch: '5' });

    for (const [who, client] of [
      ['operator', operator.client],
      ['admin', admin.client],
    ] as const) {
      const refused = await client.post(`/revenue-reports/${high.body.id}/approve`, {
        reason: 'looks fine',
      });
      expect({ who, ...outcome(refused) }).toEqual({
        who,
        status: 403,
        code: 'AUTH_ROLE_FORBIDDEN',
      });
    }
    const noReason = await officer.client.post(`/revenue-reports/${high.body.id}/approve`, {});
    expect(outcome(noReason)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const approved = await officer.client.post(`/revenue-reports/${high.body.id}/approve`, {
      reason: 'bank statement shows the extra payout',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      id: high.body.id,
      status: 'approved',
      reviewedBy: officer.userId,
      reviewReason: 'bank statement shows the extra payout',
    });
    expect(approved.body.reviewedAt).not.toBeNull();
    const again = await officer.client.post(`/revenue-reports/${high.body.id}/approve`, {
      reason: 'twice',
    });
    expect(outcome(again)).toEqual({ status: 409, code: 'REVENUE_REPORT_NOT_PENDING' });
    const stillPending = (await officer.client.get('/revenue-reports/pending')).body.items;
    expect(stillPending.map((r: { id: string }) => r.id)).not.toContain(high.body.id);

    const draft5 = await distributionOf(5n);
    expect(draft5).toMatchObject({ revenueReportId: high.body.id });
    const fifth = await published(draft5!.id);
    expect(fifth.snapshotBlock).toBe(b5.inside.toString());
    // Its breakdown says why this amount: the report, its deviation and the officer's approval.
    expect(fifth.revenueReport).toEqual(approved.body);
    // The approved amount is distributed: fee 24_000_000, operator 352_800_000.
    expect(fifth.breakdown).toMatchObject({
      gross: '1200000000',
      platformFee: '24000000',
      operatorShare: '352800000',
      operatorFee: '352800000',
      holdersShare: '823200000',
      dustIn: '1',
      distributable: '823200001',
      paid: '823200001',
      dustOut: '0',
    });
    await record(5n, fifth, [25n, 40n], [316_615_385n, 506_584_616n]);

    // More than twice the oracle's figure: compliance rejects it.
    const wrong = await report(6n, 2_000_000_000n, 'invoice 2026-01/6');
    expect(wrong.status).toBe(201);
    expect(wrong.body).toMatchObject({ status: 'pending_review', deviationBps: '12223' });
    const rejected = await officer.client.post(`/revenue-reports/${wrong.body.id}/reject`, {
      reason: 'the invoice counts two epochs',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      reviewedBy: officer.userId,
      reviewReason: 'the invoice counts two epochs',
    });
    expect(
      outcome(
        await officer.client.post(`/revenue-reports/${wrong.body.id}/reject`, { reason: 'x' }),
      ),
    ).toEqual({ status: 409, code: 'REVENUE_REPORT_NOT_PENDING' });
    expect(await distributionOf(6n)).toBeUndefined();

    const corrected = await report(6n, 910_000_000n, 'invoice 2026-01/6 corrected');
    expect(corrected.status).toBe(201);
    expect(corrected.body).toMatchObject({ status: 'accepted', deviationBps: '112' });
    expect(corrected.body.id).not.toBe(wrong.body.id);
    const sixth = await published((await distributionOf(6n))!.id);
    expect(sixth.revenueReportId).toBe(corrected.body.id);
    expect(sixth.snapshotBlock).toBe(b6.inside.toString());
    expect(sixth.breakdown).toMatchObject({
      gross: '910000000',
      platformFee: '18200000',
      operatorShare: '267540000',
      holdersShare: '624260000',
      dustIn: '0',
      distributable: '624260000',
      paid: '624260000',
      dustOut: '0',
    });
    await record(6n, sixth, [25n, 40n], [240_100_000n, 384_160_000n]);

    const reports = await operator.client.get(`/farms/${farm.farmId}/revenue-reports`);
    expect(reports.status).toBe(200);
    expect(
      reports.body.items.map((r: { epoch: string; status: string }) => [r.epoch, r.status]),
    ).toEqual([
      ['6', 'accepted'],
      ['6', 'rejected'],
      ['5', 'approved'],
      ['3', 'accepted'],
      ['2', 'accepted'],
      ['1', 'accepted'],
    ]);
    expect((await officer.client.get(`/farms/${farm.farmId}/revenue-reports`)).body.total).toBe(6);
  }, 120_000);

  it("statements list each wallet's entitlements (JSON and CSV alike); nobody reads or reports beyond their own", async () => {
    const linesOf = (wallet: HDNodeWallet, i: 0 | 1) =>
      [...ledger.entries()]
        .sort(([a], [b]) => Number(a - b))
        .map(([epoch, paid]) => ({
          farmId: farm.farmId,
          farmName: FARM_NAME,
          token: farm.token,
          epoch: epoch.toString(),
          distributionId: paid.id,
          status: 'published',
          snapshotBlock: paid.snapshotBlock,
          wallet: wallet.address.toLowerCase(),
          balance: paid.balances[i].toString(),
          supply: SUPPLY.toString(),
          distributable: paid.distributable,
          amount: paid.amounts[i].toString(),
          cumulative: paid.cumulative[i].toString(),
        }));
    expect([...ledger.keys()]).toEqual([1n, 2n, 3n, 5n, 6n]);

    for (const [investor, wallet, i] of [
      [investor1, wallet1, 0],
      [investor2, wallet2, 1],
    ] as const) {
      const expected = linesOf(wallet, i);
      const total = expected.reduce((sum, line) => sum + BigInt(line.amount), 0n).toString();
      expect(total).toBe(expected.at(-1)!.cumulative);
      const json = await investor.client.get('/statements');
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ investorId: investor.userId, lines: expected, total });

      const csv = await investor.client.get('/statements?format=csv');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toContain(`statement-${investor.userId}.csv`);
      expect(typeof csv.body).toBe('string');
      expect(parse(csv.body as string, { columns: true })).toEqual(expected);

      for (const staff of [officer, admin]) {
        const read = await staff.client.get(`/investors/${investor.userId}/statements`);
        expect(read.status).toBe(200);
        expect(read.body).toEqual({ investorId: investor.userId, lines: expected, total });
      }
    }

    const one = await investor1.client.get(`/statements?epoch=2&farmId=${farm.farmId}`);
    expect(one.body.lines).toEqual(linesOf(wallet1, 0).filter((line) => line.epoch === '2'));
    expect(one.body.total).toBe('249188034');
    const otherFarm = await investor1.client.get(`/statements?farmId=${randomUUID()}`);
    expect(otherFarm.body).toEqual({ investorId: investor1.userId, lines: [], total: '0' });

    // Investors read the distributions of the farms they can see.
    const listed = await investor1.client.get(`/farms/${farm.farmId}/distributions`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { epoch: string }) => d.epoch)).toEqual([
      '6',
      '5',
      '3',
      '2',
      '1',
    ]);
    const seen = await investor2.client.get(`/distributions/${ledger.get(2n)!.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.breakdown.slaPenalty).toBe('114333333');

    // Ownership.
    const foreignClaim = await claimOf(investor2.client, wallet1.address);
    expect(outcome(foreignClaim)).toEqual({ status: 404, code: 'WALLET_NOT_FOUND' });
    expect(outcome(await claimOf(operator.client, wallet1.address))).toEqual({
      status: 403,
      code: 'AUTH_ROLE_FORBIDDEN',
    });
    const staffClaim = await claimOf(officer.client, wallet1.address);
    expect(staffClaim.status).toBe(200);
    expect(staffClaim.body.cumulative).toBe(ledger.get(6n)!.cumulative[0].toString());
    expect(
      outcome(await investor1.client.get(`/investors/${investor2.userId}/statements`)),
    ).toEqual({ status: 403, code: 'AUTH_ROLE_FORBIDDEN' });

    const before = await rowCounts();
    const foreignReport = await report(7n, 1n, 'not my farm', otherOperator.client);
    expect(outcome(foreignReport)).toEqual({ status: 404, code: 'FARM_NOT_FOUND' });
    expect(outcome(await report(7n, 1n, 'an investor', investor1.client))).toEqual({
      status: 403,
      code: 'AUTH_ROLE_FORBIDDEN',
    });
    expect(
      outcome(await otherOperator.client.get(`/farms/${farm.farmId}/revenue-reports`)),
    ).toEqual({ status: 404, code: 'FARM_NOT_FOUND' });
    expect(outcome(await otherOperator.client.get(`/farms/${farm.farmId}/distributions`))).toEqual({
      status: 404,
      code: 'FARM_NOT_FOUND',
    });
    expect(outcome(await otherOperator.client.get(`/distributions/${ledger.get(1n)!.id}`))).toEqual(
      { status: 404, code: 'DISTRIBUTION_NOT_FOUND' },
    );
    expect(await rowCounts()).toEqual(before);
  }, 60_000);

  it('bad input is a 4xx with a stable code and writes nothing', async () => {
    const corrected = (await operator.client.get(`/farms/${farm.farmId}/revenue-reports`)).body
      .items[0];
    expect(corrected).toMatchObject({ epoch: '6', status: 'accepted' });
    const before = await rowCounts();
    const body = { epoch: '7', amount: '1000', evidenceRef: 'invoice 7' };
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['amount -1', { ...body, amount: '-1' }, 400, 'VALIDATION_FAILED'],
      ['amount 1.5', { ...body, amount: '1.5' }, 400, 'VALIDATION_FAILED'],
      ['amount abc', { ...body, amount: 'abc' }, 400, 'VALIDATION_FAILED'],
      ['amount a number', { ...body, amount: 1 }, 400, 'VALIDATION_FAILED'],
      ['amount with a leading zero', { ...body, amount: '01' }, 400, 'VALIDATION_FAILED'],
      ['amount empty', { ...body, amount: '' }, 400, 'VALIDATION_FAILED'],
      [
        'amount 2^112',
        { ...body, amount: '5192296858534827628530496329220096' },
        400,
        'REVENUE_AMOUNT_INVALID',
      ],
      ['no evidenceRef', { epoch: '7', amount: '1000' }, 400, 'VALIDATION_FAILED'],
      ['empty evidenceRef', { ...body, evidenceRef: '' }, 400, 'VALIDATION_FAILED'],
      ['epoch a number', { ...body, epoch: 7 }, 400, 'VALIDATION_FAILED'],
      ['epoch -1', { ...body, epoch: '-1' }, 400, 'VALIDATION_FAILED'],
      ['a status', { ...body, status: 'accepted' }, 400, 'VALIDATION_FAILED'],
      ['epoch without oracle report', { ...body, epoch: '99' }, 404, 'UPTIME_EPOCH_NOT_REPORTED'],
      [
        'the largest amount, epoch without oracle report',
        { ...body, epoch: '99', amount: '5192296858534827628530496329220095' },
        404,
        'UPTIME_EPOCH_NOT_REPORTED',
      ],
      [
        'epoch 6 again with another amount',
        { epoch: '6', amount: '910000001', evidenceRef: corrected.evidenceRef },
        409,
        'REVENUE_ALREADY_REPORTED',
      ],
      [
        'epoch 6 again with other evidence',
        { epoch: '6', amount: '910000000', evidenceRef: 'another invoice' },
        409,
        'REVENUE_ALREADY_REPORTED',
      ],
      [
        'epoch 5 (approved) again with other figures',
        { epoch: '5', amount: '1000000000', evidenceRef: 'invoice 2026-01/5' },
        409,
        'REVENUE_ALREADY_REPORTED',
      ],
      [
        'epoch 4, earlier than the latest reported',
        { epoch: '4', amount: '1000', evidenceRef: 'late invoice' },
        409,
        'REVENUE_EPOCH_SUPERSEDED',
      ],
    ];
    const answers = [];
    for (const [label, sent] of cases) {
      const response = await operator.client.post(`/farms/${farm.farmId}/revenue-reports`, sent);
      answers.push({ label, ...outcome(response) });
    }
    expect(answers).toEqual(cases.map(([label, , status, code]) => ({ label, status, code })));

    const replay = await report(6n, 910_000_000n, 'invoice 2026-01/6 corrected');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(corrected);

    for (const path of [
      `/farms/${farm.farmId}/claims/0x1234`,
      `/farms/${farm.farmId}/claims/not-a-wallet`,
      `/farms/${farm.farmId}/claims/${wallet1.address.slice(0, 41)}g`,
    ]) {
      expect({ path, ...outcome(await investor1.client.get(path)) }).toEqual({
        path,
        status: 400,
        code: 'INVALID_WALLET',
      });
    }
    expect(outcome(await officer.client.get(`/farms/${farm.farmId}/claims/0x1234`))).toEqual({
      status: 400,
      code: 'INVALID_WALLET',
    });
    expect(outcome(await operator.client.get(`/distributions/${randomUUID()}`))).toEqual({
      status: 404,
      code: 'DISTRIBUTION_NOT_FOUND',
    });
    expect(outcome(await operator.client.get('/distributions/not-a-uuid'))).toEqual({
      status: 400,
      code: 'INVALID_ID',
    });
    expect(outcome(await officer.client.post(`/distributions/${randomUUID()}/publish`))).toEqual({
      status: 404,
      code: 'DISTRIBUTION_NOT_FOUND',
    });
    const sixth = ledger.get(6n)!.id;
    expect(outcome(await officer.client.post(`/distributions/${sixth}/publish`))).toEqual({
      status: 409,
      code: 'DISTRIBUTION_NOT_REPUBLISHABLE',
    });
    expect((await operator.client.get(`/distributions/${sixth}`)).body.publishAttempts).toBe(1);
    expect(
      outcome(
        await officer.client.post(`/revenue-reports/${randomUUID()}/approve`, { reason: 'x' }),
      ),
    ).toEqual({ status: 404, code: 'REVENUE_REPORT_NOT_FOUND' });
    expect(outcome(await investor1.client.get('/statements?format=xml'))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });

    expect(await rowCounts()).toEqual(before);
  }, 60_000);

  // The token numbers revenue epochs in a uint32: anything above is refused before Postgres sees it.
  it('an epoch above 2^32 - 1 is refused as invalid (400), in a report and in a statement filter', async () => {
    const before = await rowCounts();
    const answers = {
      uint32: outcome(await report('4294967296', 1000n, 'invoice 2^32')),
      report: outcome(await report('9223372036854775808', 1000n, 'invoice 2^63')),
      largest: outcome(await report('9999999999999999999', 1000n, 'invoice 10^19 - 1')),
      statement: outcome(await investor1.client.get('/statements?epoch=9223372036854775808')),
    };
    expect(await rowCounts()).toEqual(before);
    expect(answers).toEqual({
      uint32: { status: 400, code: 'VALIDATION_FAILED' },
      report: { status: 400, code: 'VALIDATION_FAILED' },
      largest: { status: 400, code: 'VALIDATION_FAILED' },
      statement: { status: 400, code: 'VALIDATION_FAILED' },
    });
  }, 30_000);
});
