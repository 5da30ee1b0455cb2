import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import {
  type ContractTransactionResponse,
  getAddress,
  type HDNodeWallet,
  type JsonRpcProvider,
  type TransactionReceipt,
  Wallet,
  ZeroAddress,
} from 'ethers';
import type { DataSource } from 'typeorm';
import { type Deployment, readDeploymentFile, waitForReceipt } from '@gpu/chain';
import {
  type GpuFarmToken,
  GpuFarmToken__factory,
  type MockStablecoin,
  MockStablecoin__factory,
} from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import {
  ApiClient,
  type ApiResponse,
  registerInvestor,
  type SignedIn,
  signInStaff,
} from '../support/api-client';
import { farmBody } from '../support/farm-fixtures';
import {
  insertUptimeEpoch,
  latestBlockTime,
  mineAt,
  mineEpochEnd,
} from '../support/distribution-fixtures';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import { GERMANY, type Investor, type TokenizedFarm } from '../support/issuance-fixtures';
import { PLATFORM_AGENT } from '../support/outbox-client';
import { fundWallet } from '../support/sale';

/**
 * Compliance reports over HTTP on one isolated stack, against hand-computed figures: investor 1
 * buys 40 fractions and investor 2 buys 25 (two mints), then investor 1 sends 10 on chain (30 / 35).
 * The holder register, the transfer history, the cap table (at a past block, a time and now) and
 * the distributions report (one distribution of epoch 1, then investor 1's claim) are read as JSON
 * and as CSV.
 *
 * CSV formula escaping through a farm name (`=...`) is not tested here: no report column carries
 * the farm name (holder register, transfers, distributions and the cap table give farmId / symbol /
 * token / wallets / numbers only), so a farm's name never reaches a report cell.
 */

const TIMEOUT = 60_000;
const SUPPLY = 65n;
const DAY_MS = 24 * 3600_000;
const KYC_VALIDITY_DAYS = 365;

const HOLDER_COLUMNS = [
  'investorId',
  'email',
  'country',
  'kycStatus',
  'kycExpiresAt',
  'wallet',
  'farmId',
  'symbol',
  'token',
  'balance',
];
const TRANSFER_COLUMNS = [
  'blockNumber',
  'logIndex',
  'txHash',
  'farmId',
  'token',
  'from',
  'to',
  'amount',
];
const DISTRIBUTION_COLUMNS = [
  'farmId',
  'epoch',
  'distributionId',
  'status',
  'gross',
  'platformFee',
  'operatorFee',
  'slaPenalty',
  'holdersShare',
  'dustIn',
  'distributable',
  'paid',
  'dustOut',
  'holders',
  'snapshotBlock',
  'root',
  'publishTxHash',
  'tokenClaimants',
  'tokenClaimed',
];

const CAP_TABLE_COLUMNS = [
  'wallet',
  'investorId',
  'balance',
  'shareBps',
  'percentage',
  'totalSupply',
  'asOfBlock',
];

type Row = Record<string, unknown>;

const codeOf = (response: ApiResponse): unknown =>
  (response.body as { code?: unknown } | undefined)?.code;
const outcome = (response: ApiResponse) => ({ status: response.status, code: codeOf(response) });

/** A JSON row as its CSV line reads: every value a string, null empty. */
const asCsv = (row: Row): Record<string, string> =>
  Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );

interface TransferRow {
  blockNumber: string;
  logIndex: number;
  txHash: string;
  farmId: string;
  token: string;
  from: string;
  to: string;
  amount: string;
}

describe('compliance reports: holder register, transfers, cap table at a block, distributions (JSON and CSV)', () => {
  let apps: IsolatedApps;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let deployment: Deployment;
  let farm: TokenizedFarm;
  let operator: SignedIn;
  let officer: SignedIn;
  let admin: SignedIn;
  let investor1: Investor;
  let investor2: Investor;
  let wallet1: HDNodeWallet;
  let wallet2: HDNodeWallet;
  let token: GpuFarmToken;
  let coin: MockStablecoin;
  /** The three Transfer events of the farm token, in chain order, from the receipts. */
  let transfers: TransferRow[];
  let transferReceipt: TransactionReceipt;

  const mined = async (tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> =>
    waitForReceipt(provider, (await tx).hash);

  const indexedTo = async (): Promise<bigint | null> => {
    const [row] = await dataSource.query<{ block: string | null }[]>(
      `SELECT max(block_number)::text AS block FROM index_cursor`,
    );
    return row.block === null ? null : BigInt(row.block);
  };

  /** Waits until the indexer has read every block up to `block`. */
  const indexedPast = (block: bigint | number) =>
    waitFor(
      async () => {
        const indexed = await indexedTo();
        return indexed !== null && indexed >= BigInt(block) ? true : undefined;
      },
      { what: `the index past block ${block}`, timeoutMs: TIMEOUT },
    );

  /** GET a report as JSON (200 expected). */
  async function json(client: ApiClient, path: string): Promise<Row & { items: Row[] }> {
    const response = await client.get(path);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body;
  }

  /** GET a report as CSV (200, text/csv, attachment `name`.csv): its header and its rows. */
  async function csv(
    client: ApiClient,
    path: string,
    name: string,
  ): Promise<{ header: string[]; rows: Record<string, string>[] }> {
    const separator = path.includes('?') ? '&' : '?';
    const response = await client.get(`${path}${separator}format=csv`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}.csv"`);
    expect(typeof response.body).toBe('string');
    const text = response.body as string;
    const header = (parse(text, { to_line: 1 }) as string[][])[0];
    return { header, rows: parse(text, { columns: true }) as Record<string, string>[] };
  }

  /** The kyc case of an investor, as the investor reads it. */
  async function approvedCase(investor: Investor): Promise<Record<string, any>> {
    const cases = await investor.client.get('/kyc/cases');
    expect(cases.status).toBe(200);
    const approved = (cases.body.items as Record<string, any>[]).filter(
      (c) => c.status === 'approved',
    );
    expect(approved).toHaveLength(1);
    return approved[0];
  }

  beforeAll(async () => {
    apps = await startIsolatedApps({
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '3600000',
      DISTRIBUTION_CHECK_INTERVAL_MS: '300',
      PLATFORM_FEE_BPS: '200',
    });
    ({ provider, dataSource, operator, officer } = apps);
    deployment = readDeploymentFile(apps.iso.env.DEPLOYMENT_FILE!);
    admin = await signInStaff(apps.api, 'admin', 'reports-admin');
    const { fixtures } = apps;
    farm = await fixtures.tokenizedFarm();
    const offering = await fixtures.openOffering(farm);
    [investor1, investor2] = await Promise.all([
      fixtures.approvedInvestor(),
      fixtures.approvedInvestor(),
    ]);
    [wallet1, wallet2] = [investor1.wallets[0], investor2.wallets[0]];

    // Both buy through the API and pay from their own wallets; the sale mints on chain.
    const settled = await fixtures.buySettled(deployment, offering.id, [
      { investor: investor1, fractions: 40 },
      { investor: investor2, fractions: 25 },
    ]);

    token = GpuFarmToken__factory.connect(farm.token, provider);
    coin = MockStablecoin__factory.connect(deployment.contracts.Stablecoin.address, provider);
    expect(await token.balanceOf(wallet1.address)).toBe(40n);
    expect(await token.balanceOf(wallet2.address)).toBe(25n);

    // Investor 1 sends 10 to investor 2 on chain.
    transferReceipt = await mined(token.connect(wallet1).transfer(wallet2.address, 10n));
    expect(await token.balanceOf(wallet1.address)).toBe(30n);
    expect(await token.balanceOf(wallet2.address)).toBe(35n);
    expect(await token.totalSupply()).toBe(SUPPLY);

    // The farm token's Transfer events, from the settlement receipts and the transfer's.
    const hashes = [
      ...new Set(settled.map((order) => String(order.settlementTxHash).toLowerCase())),
      transferReceipt.hash.toLowerCase(),
    ];
    const receipts = await Promise.all(hashes.map((hash) => provider.getTransactionReceipt(hash)));
    transfers = receipts
      .flatMap((receipt) => receipt!.logs)
      .filter((log) => log.address.toLowerCase() === farm.token)
      .map((log) => ({ log, parsed: token.interface.parseLog(log) }))
      .filter(({ parsed }) => parsed?.name === 'Transfer')
      .sort((a, b) => a.log.blockNumber - b.log.blockNumber || a.log.index - b.log.index)
      .map(({ log, parsed }) => ({
        blockNumber: log.blockNumber.toString(),
        logIndex: log.index,
        txHash: log.transactionHash.toLowerCase(),
        farmId: farm.farmId,
        token: farm.token,
        from: String(parsed!.args[0]).toLowerCase(),
        to: String(parsed!.args[1]).toLowerCase(),
        amount: String(parsed!.args[2]),
      }));
    // By hand: two mints from the zero address, then the transfer.
    expect(transfers.map(({ from, to, amount }) => ({ from, to, amount }))).toEqual([
      { from: ZeroAddress, to: wallet1.address.toLowerCase(), amount: '40' },
      { from: ZeroAddress, to: wallet2.address.toLowerCase(), amount: '25' },
      { from: wallet1.address.toLowerCase(), to: wallet2.address.toLowerCase(), amount: '10' },
    ]);
    expect(transfers[2].blockNumber).toBe(transferReceipt.blockNumber.toString());
    await indexedPast(transferReceipt.blockNumber);
    // The platform agent funds the publication (publishRevenueRoot pulls it from its wallet).
    await fundWallet(provider, deployment, PLATFORM_AGENT, 10n ** 15n);
  }, 180_000);

  afterAll(() => apps?.stop());

  it('holder register: both wallets with investor, email, country, KYC status and expiry, 30 / 35; CSV equals JSON; pages', async () => {
    const expected: Row[] = [];
    for (const [investor, wallet, balance] of [
      [investor1, wallet1, '30'],
      [investor2, wallet2, '35'],
    ] as const) {
      const kyc = await approvedCase(investor);
      expect(kyc.country).toBe(GERMANY);
      // The expiry is the approval's time plus the validity (365 days by default).
      expect(
        Math.abs(
          Date.parse(kyc.expiresAt) - Date.parse(kyc.decidedAt) - KYC_VALIDITY_DAYS * DAY_MS,
        ),
      ).toBeLessThan(10_000);
      expected.push({
        investorId: investor.userId,
        email: investor.email,
        country: GERMANY,
        kycStatus: 'approved',
        kycExpiresAt: kyc.expiresAt,
        wallet: wallet.address.toLowerCase(),
        farmId: farm.farmId,
        symbol: 'GPUREY',
        token: farm.token,
        balance,
      });
    }
    // Ordered by investor id.
    expected.sort((a, b) => (String(a.investorId) < String(b.investorId) ? -1 : 1));

    const path = `/reports/holder-register?farmId=${farm.farmId}`;
    const page = await json(officer.client, path);
    expect(page).toEqual({ items: expected, total: 2, limit: 50, offset: 0 });
    for (const item of page.items) expect(Object.keys(item)).toEqual(HOLDER_COLUMNS);
    // The only farm on this stack: without the filter, the same rows; another farm, none.
    expect(await json(admin.client, '/reports/holder-register')).toEqual(page);
    expect(await json(officer.client, `/reports/holder-register?farmId=${randomUUID()}`)).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });

    const { header, rows } = await csv(officer.client, path, 'holder-register');
    expect(header).toEqual(HOLDER_COLUMNS);
    expect(rows).toEqual(expected.map(asCsv));
    expect((await csv(admin.client, '/reports/holder-register', 'holder-register')).rows).toEqual(
      rows,
    );
    // CSV is the whole report: paging does not apply to it.
    expect((await csv(officer.client, `${path}&limit=1&offset=1`, 'holder-register')).rows).toEqual(
      rows,
    );

    expect(await json(officer.client, `${path}&limit=1`)).toEqual({
      items: [expected[0]],
      total: 2,
      limit: 1,
      offset: 0,
    });
    expect(await json(officer.client, `${path}&limit=1&offset=1`)).toEqual({
      items: [expected[1]],
      total: 2,
      limit: 1,
      offset: 1,
    });
    expect(await json(officer.client, `${path}&offset=2`)).toEqual({
      items: [],
      total: 2,
      limit: 50,
      offset: 2,
    });
  }, 60_000);

  it('transfers: the two mints and the transfer in chain order, as the receipts say; wallet and block filters; CSV equals JSON', async () => {
    const path = `/reports/transfers?farmId=${farm.farmId}`;
    const page = await json(officer.client, path);
    expect(page).toEqual({ items: transfers, total: 3, limit: 50, offset: 0 });
    for (const item of page.items) expect(Object.keys(item)).toEqual(TRANSFER_COLUMNS);
    expect(await json(admin.client, '/reports/transfers')).toEqual(page);

    const { header, rows } = await csv(officer.client, path, 'transfers');
    expect(header).toEqual(TRANSFER_COLUMNS);
    expect(rows).toEqual(transfers.map((t) => asCsv({ ...t })));

    const [mint1, mint2, moved] = transfers;
    const a1 = wallet1.address.toLowerCase();
    const byBlocks = (from?: string, to?: string) =>
      transfers.filter(
        (t) =>
          (from === undefined || BigInt(t.blockNumber) >= BigInt(from)) &&
          (to === undefined || BigInt(t.blockNumber) <= BigInt(to)),
      );
    const cases: [string, TransferRow[]][] = [
      [`wallet=${a1}`, [mint1, moved]],
      // A checksummed address selects the same rows.
      [`wallet=${getAddress(a1)}`, [mint1, moved]],
      [`wallet=${wallet2.address.toLowerCase()}`, [mint2, moved]],
      [`wallet=${ZeroAddress}`, [mint1, mint2]],
      [`wallet=${Wallet.createRandom().address}`, []],
      [`fromBlock=${moved.blockNumber}`, [moved]],
      [`toBlock=${BigInt(moved.blockNumber) - 1n}`, [mint1, mint2]],
      [
        `fromBlock=${mint1.blockNumber}&toBlock=${mint1.blockNumber}`,
        byBlocks(mint1.blockNumber, mint1.blockNumber),
      ],
      [
        `fromBlock=${mint2.blockNumber}&toBlock=${moved.blockNumber}`,
        byBlocks(mint2.blockNumber, moved.blockNumber),
      ],
      [`fromBlock=${BigInt(moved.blockNumber) + 1n}`, []],
      [`toBlock=${BigInt(mint1.blockNumber) - 1n}`, []],
      [
        `wallet=${a1}&fromBlock=${mint2.blockNumber}&toBlock=${BigInt(moved.blockNumber) - 1n}`,
        byBlocks(mint2.blockNumber, String(BigInt(moved.blockNumber) - 1n)).filter(
          (t) => t.from === a1 || t.to === a1,
        ),
      ],
    ];
    expect(byBlocks(mint1.blockNumber, mint1.blockNumber)).toContain(mint1);
    for (const [query, subset] of cases) {
      const filtered = await json(officer.client, `${path}&${query}`);
      expect({ query, ...filtered }).toEqual({
        query,
        items: subset,
        total: subset.length,
        limit: 50,
        offset: 0,
      });
      const asText = await csv(officer.client, `${path}&${query}`, 'transfers');
      expect(asText.header).toEqual(TRANSFER_COLUMNS);
      expect({ query, rows: asText.rows }).toEqual({
        query,
        rows: subset.map((t) => asCsv({ ...t })),
      });
    }

    expect(await json(officer.client, `${path}&limit=2&offset=1`)).toEqual({
      items: [mint2, moved],
      total: 3,
      limit: 2,
      offset: 1,
    });
  }, 60_000);

  it('cap table at a past block: 40 / 25 before the transfer, 30 / 35 now; beyond the index 409, not an integer 400', async () => {
    const [w1, w2] = [wallet1.address.toLowerCase(), wallet2.address.toLowerCase()];
    const before = BigInt(transferReceipt.blockNumber) - 1n;
    const past = await officer.client.get(`/farms/${farm.farmId}/cap-table?block=${before}`);
    expect(past.status).toBe(200);
    // By hand: 40 / 65 = 61.538461..% (6153 bps), 25 / 65 = 38.461538..% (3846 bps).
    expect(past.body).toEqual({
      farmId: farm.farmId,
      token: farm.token,
      symbol: 'GPUREY',
      totalSupply: '65',
      holders: 2,
      asOfBlock: before.toString(),
      items: [
        {
          wallet: w1,
          investorId: investor1.userId,
          balance: '40',
          shareBps: 6153,
          percentage: '61.538461',
        },
        {
          wallet: w2,
          investorId: investor2.userId,
          balance: '25',
          shareBps: 3846,
          percentage: '38.461538',
        },
      ],
    });

    // Before the first mint: nobody holds anything.
    const empty = await officer.client.get(
      `/farms/${farm.farmId}/cap-table?block=${BigInt(transfers[0].blockNumber) - 1n}`,
    );
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ totalSupply: '0', holders: 0, items: [] });

    // At the transfer's block, and now (indexed past it): 30 / 35, i.e. 46.153846% and 53.846153%.
    const after = [
      {
        wallet: w2,
        investorId: investor2.userId,
        balance: '35',
        shareBps: 5384,
        percentage: '53.846153',
      },
      {
        wallet: w1,
        investorId: investor1.userId,
        balance: '30',
        shareBps: 4615,
        percentage: '46.153846',
      },
    ];
    const atTransfer = await officer.client.get(
      `/farms/${farm.farmId}/cap-table?block=${transferReceipt.blockNumber}`,
    );
    expect(atTransfer.status).toBe(200);
    expect(atTransfer.body).toMatchObject({
      totalSupply: '65',
      holders: 2,
      asOfBlock: transferReceipt.blockNumber.toString(),
      items: after,
    });
    await indexedPast(transferReceipt.blockNumber);
    const now = await officer.client.get(`/farms/${farm.farmId}/cap-table`);
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ totalSupply: '65', holders: 2, items: after });
    expect(BigInt(now.body.asOfBlock)).toBeGreaterThanOrEqual(BigInt(transferReceipt.blockNumber));

    // At a time: as of the last indexed block at or before it.
    const transferTime = (await provider.getBlock(transferReceipt.blockNumber))!.timestamp;
    // A time resolves once the index has read a block after it (another block may share its second).
    const later = await mineAt(
      provider,
      Math.max(transferTime, await latestBlockTime(provider)) + 1,
    );
    await indexedPast(later);
    const atTime = await officer.client.get(
      `/farms/${farm.farmId}/cap-table?at=${new Date(transferTime * 1000).toISOString()}`,
    );
    expect(atTime.status).toBe(200);
    expect(atTime.body).toMatchObject({ totalSupply: '65', holders: 2, items: after });
    expect(BigInt(atTime.body.asOfBlock)).toBeGreaterThanOrEqual(
      BigInt(transferReceipt.blockNumber),
    );
    const longAgo = await officer.client.get(
      `/farms/${farm.farmId}/cap-table?at=2000-01-01T00:00:00Z`,
    );
    expect(longAgo.body).toMatchObject({ totalSupply: '0', holders: 0, items: [], asOfBlock: '0' });
    expect(
      outcome(await officer.client.get(`/farms/${farm.farmId}/cap-table?at=2999-01-01T00:00:00Z`)),
    ).toEqual({ status: 409, code: 'TIME_NOT_INDEXED' });
    expect(
      outcome(
        await officer.client.get(
          `/farms/${farm.farmId}/cap-table?at=2026-01-01T00:00:00Z&block=${before}`,
        ),
      ),
    ).toEqual({ status: 400, code: 'CAP_TABLE_POINT_AMBIGUOUS' });
    expect(
      outcome(await officer.client.get(`/farms/${farm.farmId}/cap-table?at=yesterday`)),
    ).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const indexed = (await indexedTo())!;
    const beyond = indexed + 1_000_000n;
    const refused = await officer.client.get(`/farms/${farm.farmId}/cap-table?block=${beyond}`);
    expect(outcome(refused)).toEqual({ status: 409, code: 'BLOCK_NOT_INDEXED' });
    expect(refused.body.details).toMatchObject({ block: beyond.toString() });
    expect(outcome(await officer.client.get(`/farms/${farm.farmId}/cap-table?block=abc`))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(outcome(await officer.client.get(`/farms/${farm.farmId}/cap-table?block=1.5`))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(outcome(await officer.client.get(`/farms/${farm.farmId}/cap-table?block=-1`))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  }, 60_000);

  it('cap table as streamed CSV: at a past block, at the transfer, at a time and now, each equal to the JSON; no investors for the operator; refusals before the first line', async () => {
    const [w1, w2] = [wallet1.address.toLowerCase(), wallet2.address.toLowerCase()];
    const path = `/farms/${farm.farmId}/cap-table`;
    const before = BigInt(transferReceipt.blockNumber) - 1n;

    // By hand, at the block before the transfer: 40 / 65 and 25 / 65 of the supply.
    const past = await csv(
      officer.client,
      `${path}?block=${before}`,
      `cap-table-GPUREY-block-${before}`,
    );
    expect(past.header).toEqual(CAP_TABLE_COLUMNS);
    expect(past.rows).toEqual([
      {
        wallet: w1,
        investorId: investor1.userId,
        balance: '40',
        shareBps: '6153',
        percentage: '61.538461',
        totalSupply: '65',
        asOfBlock: before.toString(),
      },
      {
        wallet: w2,
        investorId: investor2.userId,
        balance: '25',
        shareBps: '3846',
        percentage: '38.461538',
        totalSupply: '65',
        asOfBlock: before.toString(),
      },
    ]);
    const firstMint = BigInt(transfers[0].blockNumber) - 1n;
    const empty = await csv(
      officer.client,
      `${path}?block=${firstMint}`,
      `cap-table-GPUREY-block-${firstMint}`,
    );
    expect(empty).toEqual({ header: CAP_TABLE_COLUMNS, rows: [] });

    // A time resolves once the index has read a block after it.
    const transferTime = (await provider.getBlock(transferReceipt.blockNumber))!.timestamp;
    await indexedPast(
      await mineAt(provider, Math.max(transferTime, await latestBlockTime(provider)) + 1),
    );
    const at = new Date(transferTime * 1000).toISOString();
    for (const query of [`block=${before}`, `block=${transferReceipt.blockNumber}`, `at=${at}`]) {
      const table = await json(officer.client, `${path}?${query}`);
      const name = `cap-table-GPUREY-block-${String(table.asOfBlock)}`;
      const { header, rows } = await csv(officer.client, `${path}?${query}&limit=1`, name);
      expect(header).toEqual(CAP_TABLE_COLUMNS);
      expect({ query, rows }).toEqual({
        query,
        rows: table.items.map((item) =>
          asCsv({ ...item, totalSupply: table.totalSupply, asOfBlock: table.asOfBlock }),
        ),
      });
    }
    // Now: the same holders; the index may have read further between the two requests.
    const table = await json(officer.client, path);
    const now = await csv(admin.client, path, 'cap-table-GPUREY');
    expect(now.header).toEqual(CAP_TABLE_COLUMNS);
    expect(now.rows.map(({ asOfBlock: _, ...row }) => row)).toEqual(
      table.items.map((item) => asCsv({ ...item, totalSupply: table.totalSupply })),
    );
    expect(now.rows.map((row) => row.wallet)).toEqual([w2, w1]);
    for (const row of now.rows) {
      expect(BigInt(row.asOfBlock)).toBeGreaterThanOrEqual(BigInt(String(table.asOfBlock)));
    }

    // The operator's own farm: the same table without the investors.
    const own = await json(operator.client, `${path}?block=${before}`);
    const ownCsv = await csv(
      operator.client,
      `${path}?block=${before}`,
      `cap-table-GPUREY-block-${before}`,
    );
    expect(ownCsv.header).toEqual(CAP_TABLE_COLUMNS.filter((column) => column !== 'investorId'));
    expect(ownCsv.rows).toEqual(
      own.items.map((item) =>
        asCsv({ ...item, totalSupply: own.totalSupply, asOfBlock: own.asOfBlock }),
      ),
    );
    expect(ownCsv.rows).toEqual(past.rows.map(({ investorId: _, ...row }) => row));

    // Streamed: sent in chunks as the rows are read, not with a length known in advance.
    const raw = await officer.client.get(`${path}?format=csv`);
    expect(raw.headers.get('transfer-encoding')).toBe('chunked');
    expect(raw.headers.get('content-length')).toBeNull();

    // Refusals are answered as JSON errors, before any CSV.
    const beyond = (await indexedTo())! + 1_000_000n;
    for (const [client, query, expected] of [
      [
        officer.client,
        `${path}?format=csv&block=${beyond}`,
        { status: 409, code: 'BLOCK_NOT_INDEXED' },
      ],
      [
        officer.client,
        `${path}?format=csv&at=2999-01-01T00:00:00Z`,
        { status: 409, code: 'TIME_NOT_INDEXED' },
      ],
      [
        officer.client,
        `/farms/${randomUUID()}/cap-table?format=csv`,
        { status: 404, code: 'FARM_NOT_FOUND' },
      ],
      [officer.client, `${path}?format=xml`, { status: 400, code: 'VALIDATION_FAILED' }],
      [investor1.client, `${path}?format=csv`, { status: 403, code: 'AUTH_ROLE_FORBIDDEN' }],
    ] as const) {
      const response = await client.get(query);
      expect({ query, ...outcome(response) }).toEqual({ query, ...expected });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    }
  }, 60_000);

  it("distributions report: one published distribution's figures equal its breakdown; investor 1's claim counted", async () => {
    // Epoch 1 ends between two blocks mined after the transfer: the snapshot sees 30 / 35.
    const { inside, after, endsAt } = await mineEpochEnd(provider);
    await indexedPast(after);
    const gross = 1_000_000_007n;
    await insertUptimeEpoch(dataSource, {
      farmId: farm.farmId,
      epoch: 1n,
      endsAt,
      revenue: gross,
    });
    const reported = await operator.client.post(`/farms/${farm.farmId}/revenue-reports`, {
      epoch: '1',
      amount: gross.toString(),
      evidenceRef: 'invoice reports/1',
    });
    expect(reported.status).toBe(201);
    expect(reported.body.status).toBe('accepted');

    const listed = await operator.client.get(`/farms/${farm.farmId}/distributions`);
    const draft = (listed.body.items as Record<string, any>[]).find((d) => d.epoch === '1');
    expect(draft).toBeDefined();
    const distribution = await waitFor(
      async () => {
        const response = await officer.client.get(`/distributions/${draft!.id}`);
        expect(response.status).toBe(200);
        if (response.body.publishFailure) {
          throw new Error(`publication failed: ${response.body.publishFailure}`);
        }
        return response.body.status === 'published'
          ? (response.body as Record<string, any>)
          : undefined;
      },
      { what: `distribution ${draft!.id} published`, timeoutMs: TIMEOUT },
    );
    // By hand (as in the distribution e2e): fee floor(1_000_000_007 x 2%) = 20_000_000; operator
    // floor(980_000_007 x 30%) = 294_000_002; holders 686_000_005; floor(x 30 / 65) = 316_615_386,
    // floor(x 35 / 65) = 369_384_618; paid 686_000_004, dust 1.
    expect(distribution).toMatchObject({
      snapshotBlock: inside.toString(),
      holders: 2,
      supply: SUPPLY.toString(),
    });
    expect(distribution.breakdown).toMatchObject({
      gross: '1000000007',
      platformFee: '20000000',
      operatorFee: '294000002',
      slaPenalty: '0',
      holdersShare: '686000005',
      dustIn: '0',
      distributable: '686000005',
      paid: '686000004',
      dustOut: '1',
    });
    const { breakdown } = distribution;
    const row = (claimants: number, claimed: string): Row => ({
      farmId: farm.farmId,
      epoch: '1',
      distributionId: distribution.id,
      status: 'published',
      gross: breakdown.gross,
      platformFee: breakdown.platformFee,
      operatorFee: breakdown.operatorFee,
      slaPenalty: breakdown.slaPenalty,
      holdersShare: breakdown.holdersShare,
      dustIn: breakdown.dustIn,
      distributable: breakdown.distributable,
      paid: breakdown.paid,
      dustOut: breakdown.dustOut,
      holders: distribution.holders,
      snapshotBlock: distribution.snapshotBlock,
      root: distribution.root,
      publishTxHash: distribution.publishTxHash,
      tokenClaimants: claimants,
      tokenClaimed: claimed,
    });
    expect(distribution.root).toMatch(/^0x[0-9a-f]{64}$/);
    expect(distribution.publishTxHash).toMatch(/^0x[0-9a-fA-F]{64}$/);

    const path = `/reports/distributions?farmId=${farm.farmId}`;
    const unclaimed = row(0, '0');
    const page = await json(officer.client, path);
    expect(page).toEqual({ items: [unclaimed], total: 1, limit: 50, offset: 0 });
    expect(Object.keys(page.items[0])).toEqual(DISTRIBUTION_COLUMNS);
    expect(await json(admin.client, `${path}&epoch=1`)).toEqual(page);
    expect(await json(officer.client, `${path}&epoch=2`)).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
    const first = await csv(officer.client, path, 'distributions');
    expect(first.header).toEqual(DISTRIBUTION_COLUMNS);
    expect(first.rows).toEqual([asCsv(unclaimed)]);

    // Investor 1 claims with the API's proof from its own wallet.
    const claim = await investor1.client.get(`/farms/${farm.farmId}/claims/${wallet1.address}`);
    expect(claim.status).toBe(200);
    expect(claim.body).toMatchObject({ cumulative: '316615386', claimed: '0' });
    const balance = await coin.balanceOf(wallet1.address);
    const receipt = await mined(
      token.connect(wallet1).claimRevenue(BigInt(claim.body.cumulative), claim.body.proof),
    );
    const received = (await coin.balanceOf(wallet1.address)) - balance;
    expect(received).toBe(316_615_386n);
    await indexedPast(receipt.blockNumber);

    const claimed = row(1, received.toString());
    const counted = await waitFor(
      async () => {
        const body = await json(officer.client, path);
        return body.items[0]?.tokenClaimants === 1 ? body : undefined;
      },
      { what: 'the claim in the distributions report', timeoutMs: TIMEOUT },
    );
    expect(counted).toEqual({ items: [claimed], total: 1, limit: 50, offset: 0 });
    expect(await json(admin.client, '/reports/distributions')).toEqual(counted);
    const second = await csv(officer.client, path, 'distributions');
    expect(second.rows).toEqual([asCsv(claimed)]);
  }, 120_000);

  it(
    'review queues list what waits for compliance, oldest first, with what a decision needs',
    async () => {
      const queues = () => officer.client.get('/reports/review-queues?limit=50');
      const before = (await queues()).body;
      // A KYC case opened and not decided, a farm listing submitted, a revenue report far off the oracle.
      const newcomer = await registerInvestor(apps.api, 'queued');
      const kyc = await newcomer.client.post('/kyc/cases', {
        provider: 'manual',
        country: GERMANY,
        documents: [{ type: 'passport', name: 'passport.pdf', sha256: 'cd'.repeat(32) }],
      });
      expect(kyc.status).toBe(201);
      const listing = await operator.client.post('/farms', farmBody({ name: 'Queued farm' }));
      expect(listing.status).toBe(201);
      expect((await operator.client.post(`/farms/${listing.body.id}/submit`)).status).toBe(200);
      const endsAt = new Date((await latestBlockTime(provider)) * 1000);
      await insertUptimeEpoch(dataSource, {
        farmId: farm.farmId,
        epoch: 2n,
        endsAt,
        revenue: 100n,
      });
      const report = await operator.client.post(`/farms/${farm.farmId}/revenue-reports`, {
        epoch: '2',
        amount: '1000',
        evidenceRef: 'invoice far off',
      });
      expect(report.body).toMatchObject({ status: 'pending_review', deviationBps: '90000' });

      const after = (await queues()).body;
      expect(after.kycCases.total).toBe(before.kycCases.total + 1);
      expect(after.kycCases.oldest).toContainEqual(
        expect.objectContaining({ id: kyc.body.id, investorId: newcomer.userId, documents: 1 }),
      );
      expect(after.farmListings.total).toBe(before.farmListings.total + 1);
      expect(after.farmListings.oldest).toContainEqual(
        expect.objectContaining({
          id: listing.body.id,
          name: 'Queued farm',
          gpus: 1,
          documents: 1,
        }),
      );
      expect(after.revenueReports.total).toBe(before.revenueReports.total + 1);
      expect(after.revenueReports.oldest).toContainEqual(
        expect.objectContaining({
          id: report.body.id,
          epoch: '2',
          amount: '1000',
          expectedAmount: '100',
          deviationBps: '90000',
          skippedEpochs: 0,
        }),
      );
      expect(
        after.tokenizations.oldest.some((t: { farmId: string }) => t.farmId === farm.farmId),
      ).toBe(false);
      for (const client of [operator.client, investor1.client]) {
        expect((await client.get('/reports/review-queues')).status).toBe(403);
      }
    },
    TIMEOUT,
  );

  it('only compliance and admins read reports; unknown or malformed query fields are a 400', async () => {
    const routes = ['/reports/holder-register', '/reports/transfers', '/reports/distributions'];
    const refusals = [];
    for (const route of routes) {
      for (const [who, client] of [
        ['investor', investor1.client],
        ['operator', operator.client],
      ] as const) {
        for (const query of ['', '?format=csv', `?farmId=${farm.farmId}`]) {
          refusals.push({ who, path: route + query, ...outcome(await client.get(route + query)) });
        }
      }
    }
    expect(refusals).toEqual(
      refusals.map(({ who, path }) => ({ who, path, status: 403, code: 'AUTH_ROLE_FORBIDDEN' })),
    );

    const bad = [
      ...routes.flatMap((route) => [
        `${route}?unknown=1`,
        `${route}?farmId=not-a-uuid`,
        `${route}?farmId=${farm.farmId}&foo=bar`,
        `${route}?format=xml`,
        `${route}?limit=0`,
        `${route}?limit=201`,
        `${route}?offset=-1`,
      ]),
      '/reports/holder-register?wallet=' + wallet1.address,
      '/reports/transfers?wallet=0x1234',
      '/reports/transfers?fromBlock=-1',
      '/reports/transfers?toBlock=abc',
      '/reports/transfers?fromBlock=01',
      '/reports/transfers?toBlock=9223372036854775808',
      '/reports/transfers?epoch=1',
      '/reports/distributions?epoch=4294967296',
      '/reports/distributions?epoch=x',
      '/reports/distributions?wallet=' + wallet1.address,
    ];
    const answers = [];
    for (const path of bad) answers.push({ path, ...outcome(await officer.client.get(path)) });
    expect(answers).toEqual(bad.map((path) => ({ path, status: 400, code: 'VALIDATION_FAILED' })));
    // The refusals hold for CSV as well (no stream started).
    expect(outcome(await admin.client.get('/reports/transfers?format=csv&farmId=x'))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    // Anonymous callers are not let in.
    const anonymous = await new ApiClient(apps.api.url).get('/reports/holder-register');
    expect(anonymous.status).toBe(401);
  }, 60_000);
});
