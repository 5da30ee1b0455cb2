import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { id, Wallet } from 'ethers';
import { Client } from 'pg';
import { loadConfig, scriptEnvironment } from '@gpu/config';
import { withDatabaseName } from '@gpu/database';
import { RESERVE_FRACTIONS_SQL } from '../libs/issuance/src/use-cases/reservation-batcher';
import { findFreePort } from '../scripts/lib/anvil';
import { startApp } from '../scripts/lib/app-process';
import { startLocalStack } from '../scripts/lib/local-stack';
import { Narrator } from '../scripts/lib/narrator';
import { deleteKeysWithPrefix } from '../scripts/lib/redis-keys';
import { waitFor } from '../scripts/lib/wait-for';
import { type Body, DemoClient, siweMessage } from '../scripts/lib/demo-client';
import { mapLimit } from './lib/map-limit';
import { CpuSampler } from './lib/cpu';
import { option } from './lib/options';

/**
 * Orders on one hot offering through the built API, against a real Postgres, Redis and anvil:
 * `npm run bench:orders`. `--connections` investors (one per connection, each with its own
 * access token, KYC approval and wallet verified on chain) order 1 fraction at a time for
 * `--seconds` (after `--warmup` seconds); then the same reservation statement the order runs
 * (RESERVE_FRACTIONS_SQL) is run alone, directly against Postgres, by as many connections, on a
 * copy of the offering. Finally the hot offering is checked for overselling.
 * Options: --seconds N (default 10), --warmup N (3), --connections N (64), --setup-concurrency N (8).
 */
const WORK_DIR = path.resolve('.tmp/bench');
const BENCH_DATABASE = 'gpu_rwa_bench_orders';
const COUNTRY = 276;
const TOTAL_FRACTIONS = '1000000000000';
const OFFERED = 100_000_000_000;
const RAW_COPY_TOKEN = `0x${'b'.repeat(40)}`;

interface Investor {
  email: string;
  accessToken: string;
  wallet: string;
}

interface Figures {
  what: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function main(): Promise<void> {
  const seconds = option('seconds', 10);
  const warmup = option('warmup', 3);
  const connections = option('connections', 64);
  const setupConcurrency = option('setup-concurrency', 8);
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const databaseUrl = withDatabaseName(base.DATABASE_URL, BENCH_DATABASE);
  const queuePrefix = `gpu-bench-orders-${process.pid}`;
  const stack = await startLocalStack({
    databaseUrl,
    freshDatabase: true,
    redisUrl: base.REDIS_URL,
    queuePrefix,
    deploymentFile: path.join(WORK_DIR, 'orders-deployment.json'),
  });
  const port = await findFreePort();
  const env = {
    ...process.env,
    ...stack.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    // anvil mines each transaction at once: final as soon as mined, and looked for often.
    CHAIN_CONFIRMATIONS: '1',
    CHAIN_POLL_INTERVAL_MS: '100',
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The investors' tokens are issued during the set-up and must outlive the run.
    JWT_ACCESS_TTL_SECONDS: '3600',
    // 64 investors signed in from one address, then orders as fast as they go: the limiter's
    // checks are made (and measured) but never bite.
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR: '1000000',
    RATE_LIMIT_SIWE_PER_MINUTE: '1000000',
    RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
    SIWE_DOMAIN: `127.0.0.1:${port}`,
    SIWE_URI: `http://127.0.0.1:${port}`,
  };
  const api = startApp('api', env, path.join(WORK_DIR, 'orders-api.log'));
  const worker = startApp('worker', env, path.join(WORK_DIR, 'orders-worker.log'));
  const url = `http://127.0.0.1:${port}`;
  const client = new DemoClient(url);
  const db = new Client({ connectionString: databaseUrl, application_name: 'gpu-bench-orders' });
  try {
    say.section('Set-up through the API');
    await waitFor(
      async () => {
        const status = (await (await fetch(`${url}/chain/status`)).json()) as { head: unknown };
        return status.head ?? undefined;
      },
      { timeoutMs: 30_000, what: 'the first chain head' },
    );
    await db.connect();
    const started = Date.now();
    const staff = await createStaff(client, env);
    const [farm, investors] = await Promise.all([
      tokenizeFarm(client, staff),
      onboardInvestors(client, staff.officer, connections, setupConcurrency),
    ]);
    say.step(
      `admin, compliance officer and operator; farm ${farm.farmId} tokenized (${farm.token}); ${investors.length} investors registered, wallets linked, KYC approved (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    const hot = await openOffering(client.as(farm.operator), farm.farmId);
    say.step(`offering ${hot} open (setOffering confirmed), ${OFFERED} fractions`);
    const probeStarted = Date.now();
    const probes = await mapLimit(investors, setupConcurrency, (investor, i) =>
      firstOrder(client.as(investor.accessToken), hot, i),
    );
    say.step(
      `every investor's wallet verified on chain and indexed: one first order each (${((Date.now() - probeStarted) / 1000).toFixed(1)} s)`,
    );

    const warm =
      warmup > 0 ? await orderLoad(url, hot, investors, connections, warmup, 'w') : undefined;
    const cpu = new CpuSampler({
      api: { pid: api.child.pid! },
      worker: { pid: worker.child.pid! },
      postgres: { name: 'postgres' },
      pgBenchDb: { name: 'postgres', cmdline: BENCH_DATABASE },
      bench: { pid: process.pid },
    });
    cpu.begin();
    const measured = await orderLoad(url, hot, investors, connections, seconds, 'm');
    const orderCpu = cpu.end();
    const ordersPerSec = Math.round(measured['2xx'] / measured.duration);
    const apiFigures: Figures = {
      what: 'POST /offerings/:id/orders (API)',
      perSecond: ordersPerSec,
      p50Ms: measured.latency.p50,
      p99Ms: measured.latency.p99,
      ok: measured['2xx'],
      non2xx: measured.non2xx,
      errors: measured.errors + measured.timeouts,
    };

    const batches = await batchFigures(url);
    // The raw statement runs on Postgres alone: the apps are stopped (and their pools closed).
    await Promise.all([api.stop(), worker.stop()]);
    const copy = await copyOffering(db, hot);
    const free = await freeConnections(db);
    const rawConnections = Math.min(connections, free);
    if (rawConnections < connections)
      say.warn(
        `only ${free} Postgres connection(s) free (other sessions hold the rest): the raw statement runs on ${rawConnections}`,
      );
    const raw = await rawReservations(databaseUrl, copy, rawConnections, seconds, cpu);
    const rawCpu = raw.cpu;
    const rawFigures: Figures = {
      what: `RESERVE_FRACTIONS_SQL (pg, ${rawConnections} connections)`,
      perSecond: Math.round(raw.statements / seconds),
      p50Ms: raw.p50Ms,
      p99Ms: raw.p99Ms,
      ok: raw.statements,
      non2xx: raw.notReserved,
      errors: raw.errors,
    };

    const check = await checkOffering(db, hot, copy, raw.reserved);
    const created = probes.length + measured['2xx'] + (warm?.['2xx'] ?? 0);
    const refusals = await db.query<{ status_code: number; code: string; count: string }>(
      `SELECT status_code, response->>'code' AS code, count(*) FROM idempotent_request
        WHERE status_code <> 201 GROUP BY 1, 2 ORDER BY 3 DESC`,
    );
    const ratio = rawFigures.perSecond ? apiFigures.perSecond / rawFigures.perSecond : 0;

    say.section(
      `Orders on one hot offering: ${connections} connections (one investor each), ${seconds} s after ${warmup} s warm-up; then the reservation statement alone, apps stopped, ${seconds} s`,
    );
    say.table(
      ['what', 'per s', 'p50 ms', 'p99 ms', 'ok', 'non-2xx / no row', 'errors'],
      [apiFigures, rawFigures].map((f) => [
        f.what,
        String(f.perSecond),
        String(f.p50Ms),
        String(f.p99Ms),
        String(f.ok),
        String(f.non2xx),
        String(f.errors),
      ]),
    );
    say.section('Checks and CPU (percent of one core; 2 cores = 200)');
    say.table(
      ['check', 'value'],
      [
        ['ordersPerSec / rawSqlPerSec', ratio.toFixed(2)],
        [
          'hot offering',
          `offered ${check.offered}, remaining ${check.remaining}, sold ${check.sold}, in ${check.orders} orders totalling ${check.ordered}`,
        ],
        ['oversold (sold vs ordered, negative remaining)', String(check.oversold)],
        [
          '201s seen vs order rows',
          `${created} vs ${check.orders} (rows - 201s = ${check.orders - created}: requests cut off by autocannon at the end of a run)`,
        ],
        ['orders without their stored 201 response', String(check.withoutResponse)],
        [
          'raw copy row',
          `reserved ${raw.reserved} statement(s), offering says ${check.rawSold} (mismatch ${check.rawMismatch})`,
        ],
        [
          'refusals stored by Idempotency-Key',
          refusals.rows.map((r) => `${r.status_code} ${r.code}: ${r.count}`).join(', ') || 'none',
        ],
        ['status codes (measured run)', JSON.stringify(statusCodes(measured))],
        [
          'reservation batches (warm-up and run)',
          `${batches.count}, ${batches.meanSize.toFixed(1)} orders and ${batches.meanMs.toFixed(1)} ms each on average`,
        ],
        ['CPU during orders', JSON.stringify(orderCpu)],
        [
          'CPU ms per order',
          `api ${perOperation(orderCpu.api, ordersPerSec)}, postgres ${perOperation(orderCpu.postgres, ordersPerSec)} (backends of the bench database ${perOperation(orderCpu.pgBenchDb, ordersPerSec)})`,
        ],
        ['CPU during raw SQL', JSON.stringify(rawCpu)],
        [
          'CPU ms per raw statement',
          `postgres ${perOperation(rawCpu.postgres, rawFigures.perSecond)} (backends of the bench database ${perOperation(rawCpu.pgBenchDb, rawFigures.perSecond)})`,
        ],
      ],
    );
    if (check.oversold !== 0 || created > check.orders || check.withoutResponse !== 0) {
      say.warn('the hot offering is inconsistent with its orders: see the checks above');
      process.exitCode = 1;
    }
    console.log(
      JSON.stringify({
        bench: 'orders',
        ordersPerSec,
        p50Ms: apiFigures.p50Ms,
        p99Ms: apiFigures.p99Ms,
        rawSqlPerSec: rawFigures.perSecond,
        ratio: Number(ratio.toFixed(3)),
        oversold: check.oversold,
        non2xx: apiFigures.non2xx,
        errors: apiFigures.errors,
        seconds,
        warmupSeconds: warmup,
        connections,
        rawConnections,
        orders: check.orders,
        created201: created,
        rawP50Ms: rawFigures.p50Ms,
        rawP99Ms: rawFigures.p99Ms,
        cpuOrders: orderCpu,
        cpuRaw: rawCpu,
      }),
    );
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all([api.stop(), worker.stop()]);
    await stack.stop();
    await deleteKeysWithPrefix(base.REDIS_URL, queuePrefix);
  }
}

interface Staff {
  admin: string;
  officer: string;
  operator: string;
}

/** The first admin from the command line (as `npm run demo` does), then staff from the admin. */
async function createStaff(client: DemoClient, env: NodeJS.ProcessEnv): Promise<Staff> {
  const password = randomBytes(12).toString('hex');
  execFileSync('npx', ['ts-node', 'scripts/create-admin.ts', '--email', 'admin@bench.gpu'], {
    env: { ...env, ADMIN_PASSWORD: password },
    encoding: 'utf8',
  });
  const admin = await client.signIn('admin@bench.gpu', password);
  for (const role of ['compliance', 'operator']) {
    await client
      .as(admin)
      .expect(201, 'POST', '/users', { email: `${role}@bench.gpu`, password, role });
  }
  return {
    admin,
    officer: await client.signIn('compliance@bench.gpu', password),
    operator: await client.signIn('operator@bench.gpu', password),
  };
}

/** An operator's farm, approved by compliance and tokenized with no balance or holder limit. */
async function tokenizeFarm(
  client: DemoClient,
  staff: Staff,
): Promise<{ farmId: string; token: string; operator: string }> {
  const operator = client.as(staff.operator);
  const farm = await operator.expect(201, 'POST', '/farms', {
    name: 'Bench GPU Farm',
    legalEntity: 'Bench Compute GmbH',
    jurisdiction: COUNTRY,
    siteLocation: 'Frankfurt, Germany',
    valuation: '2500000000000',
    revenueShareBps: 7000,
    nodes: [
      {
        gpuModel: 'NVIDIA H100-SXM5-80GB',
        gpuUuid: `GPU-${id('bench-gpu').slice(2, 10)}-0000-4000-8000-${id('bench-gpu').slice(10, 22)}`,
        memoryMb: 81_920,
        host: 'rack-a-node-01',
        metricsUrl: 'http://10.0.0.1:9400/metrics',
      },
    ],
    documents: [
      {
        type: 'valuation-report',
        uri: 'https://docs.example.com/bench/valuation.pdf',
        sha256: id('valuation').slice(2),
      },
    ],
  });
  const farmId = farm.id as string;
  await operator.expect(200, 'POST', `/farms/${farmId}/submit`);
  await client
    .as(staff.officer)
    .expect(200, 'POST', `/farms/${farmId}/approve`, { reason: 'bench' });
  const requested = await operator.expect(201, 'POST', `/farms/${farmId}/tokenization`, {
    symbol: 'GPUBENCH',
    totalFractions: TOTAL_FRACTIONS,
    allowedCountries: [COUNTRY],
    maxBalance: '0',
    maxHolders: 0,
  });
  await client
    .as(staff.officer)
    .expect(200, 'POST', `/farms/${farmId}/tokenization/approve`, { reason: 'bench' });
  await waitFor(
    async () => {
      const body = await operator.expect(200, 'GET', `/farms/${farmId}`);
      return body.status === 'tokenized' ? body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the farm tokenized' },
  );
  return { farmId, token: requested.tokenAddress as string, operator: staff.operator };
}

/** Investors who register, link a wallet by Sign-In with Ethereum and pass a manual KYC review. */
async function onboardInvestors(
  client: DemoClient,
  officer: string,
  count: number,
  concurrency: number,
): Promise<Investor[]> {
  const password = randomBytes(12).toString('hex');
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const email = `investor-${i}@bench.gpu`;
      const wallet = Wallet.createRandom();
      const session = await client.expect(201, 'POST', '/auth/register', { email, password });
      const investor = client.as(session.accessToken as string);
      const challenge = await investor.expect(200, 'POST', '/wallets/nonce', {});
      const message = siweMessage(challenge, wallet.address);
      await investor.expect(201, 'POST', '/wallets', {
        message,
        signature: await wallet.signMessage(message),
      });
      const kycCase = await investor.expect(201, 'POST', '/kyc/cases', {
        provider: 'manual',
        country: COUNTRY,
        documents: [{ type: 'passport', name: 'passport.pdf', sha256: id(email).slice(2) }],
      });
      await client.as(officer).expect(200, 'POST', `/kyc/cases/${kycCase.id as string}/approve`, {
        country: COUNTRY,
        level: 'basic-kyc-level',
        reason: 'bench',
      });
      return { email, accessToken: session.accessToken as string, wallet: wallet.address };
    },
  );
}

/** The hot offering: huge, no per-investor limit that the run could reach, open on chain. */
async function openOffering(operator: DemoClient, farmId: string): Promise<string> {
  const offering = await operator.expect(201, 'POST', `/farms/${farmId}/offerings`, {
    pricePerFraction: '1000000',
    fractionsOffered: OFFERED,
    minPerInvestor: 1,
    maxPerInvestor: OFFERED,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  const offeringId = offering.id as string;
  await operator.expect(200, 'POST', `/offerings/${offeringId}/open`);
  await waitFor(
    async () => {
      const body = await operator.expect(200, 'GET', `/offerings/${offeringId}`);
      if (body.status === 'draft') throw new Error(`not opened: ${String(body.failureReason)}`);
      return body.status === 'open' ? body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the offering open' },
  );
  return offeringId;
}

/**
 * An investor's first order, retried until the API takes it: that is when the approval's
 * registration in the IdentityRegistry is confirmed and indexed, which is what the order reads.
 */
async function firstOrder(investor: DemoClient, offeringId: string, index: number): Promise<Body> {
  let attempt = 0;
  let last: Body = {};
  try {
    return await waitFor(
      async () => {
        const response = await investor.raw(
          'POST',
          `/offerings/${offeringId}/orders`,
          JSON.stringify({ fractions: 1 }),
          { 'idempotency-key': `probe-${index}-${attempt++}` },
        );
        last = response.body;
        return response.status === 201 ? response.body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `investor ${index}'s first order` },
    );
  } catch (error) {
    throw new Error(`${String(error)}; last answer ${JSON.stringify(last)}`);
  }
}

/**
 * autocannon on the order route, one investor per connection. A request's context is reset each
 * time autocannon loops over its request list (every request, with a list of one), so the
 * connection's investor and key counter live in a closure made per connection by setupClient.
 */
async function orderLoad(
  url: string,
  offeringId: string,
  investors: Investor[],
  connections: number,
  duration: number,
  run: string,
): Promise<autocannon.Result> {
  let nextConnection = 0;
  return autocannon({
    url,
    connections,
    duration,
    setupClient: (client) => {
      const connection = nextConnection++;
      const investor = investors[connection % investors.length];
      let counter = 0;
      client.setRequests([
        {
          method: 'POST',
          path: `/offerings/${offeringId}/orders`,
          body: JSON.stringify({ fractions: 1 }),
          setupRequest: (request) => ({
            ...request,
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              authorization: `Bearer ${investor.accessToken}`,
              'idempotency-key': `${run}-${connection}-${counter++}`,
            },
          }),
        },
      ]);
    },
  });
}

/** CPU milliseconds per operation, from percent of one core and operations per second. */
function perOperation(percent: number, perSecond: number): string {
  return perSecond ? ((percent * 10) / perSecond).toFixed(2) : '-';
}

function statusCodes(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
}

/**
 * A copy of the hot offering for the raw statement, open as well: only its token differs (one
 * live offering per token), so it competes for nothing the hot one has.
 */
async function copyOffering(db: Client, hot: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO offering (farm_id, token_address, price_per_fraction, fractions_offered, remaining,
                           min_per_investor, max_per_investor, opens_at, closes_at,
                           payment_window_seconds, settlement_window_seconds, status, created_by)
     SELECT farm_id, $2, price_per_fraction, fractions_offered, fractions_offered, min_per_investor,
            max_per_investor, opens_at, closes_at, payment_window_seconds,
            settlement_window_seconds, 'open', created_by
       FROM offering WHERE id = $1
     RETURNING id`,
    [hot, RAW_COPY_TOKEN],
  );
  return rows[0].id;
}

/** Client connections Postgres would still accept, keeping one spare. */
async function freeConnections(db: Client): Promise<number> {
  const { rows } = await db.query<{ free: number }>(
    `SELECT current_setting('max_connections')::int - count(*)::int - 1 AS free
       FROM pg_stat_activity WHERE backend_type = 'client backend'`,
  );
  return Math.max(1, rows[0].free);
}

/** RESERVE_FRACTIONS_SQL by `connections` connections of their own, as fast as they can. */
async function rawReservations(
  databaseUrl: string,
  offeringId: string,
  connections: number,
  seconds: number,
  cpu: CpuSampler,
): Promise<{
  statements: number;
  reserved: number;
  notReserved: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  cpu: Record<string, number>;
}> {
  const clients = Array.from(
    { length: connections },
    () => new Client({ connectionString: databaseUrl, application_name: 'gpu-bench-raw' }),
  );
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const loop = async (until: number, latencies?: number[]) => {
      const counts = { statements: 0, reserved: 0, notReserved: 0, errors: 0 };
      await Promise.all(
        clients.map(async (c) => {
          while (performance.now() < until) {
            const started = performance.now();
            try {
              const { rowCount } = await c.query(RESERVE_FRACTIONS_SQL, [offeringId, '1']);
              counts.statements += 1;
              if (rowCount === 1) counts.reserved += 1;
              else counts.notReserved += 1;
            } catch {
              counts.errors += 1;
            }
            latencies?.push(performance.now() - started);
          }
        }),
      );
      return counts;
    };
    const warm = await loop(performance.now() + 1000);
    const latencies: number[] = [];
    // Sampled while the connections are open: a backend's CPU is not seen once it has exited.
    cpu.begin();
    const counts = await loop(performance.now() + seconds * 1000, latencies);
    const used = cpu.end();
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies.length ? Math.round(latencies[Math.floor(q * (latencies.length - 1))]) : 0;
    return {
      ...counts,
      reserved: counts.reserved + warm.reserved,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      statements: counts.statements,
      cpu: used,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/** Whether the hot offering sold exactly what its orders hold, and the copy what was reserved. */
async function checkOffering(
  db: Client,
  hot: string,
  copy: string,
  rawReserved: number,
): Promise<{
  offered: number;
  remaining: number;
  sold: number;
  orders: number;
  ordered: number;
  oversold: number;
  withoutResponse: number;
  rawSold: number;
  rawMismatch: number;
}> {
  const {
    rows: [row],
  } = await db.query<{
    offered: string;
    remaining: string;
    orders: string;
    ordered: string;
    without_response: string;
    raw_sold: string;
  }>(
    `SELECT o.fractions_offered AS offered, o.remaining,
            (SELECT count(*) FROM investment_order io WHERE io.offering_id = o.id) AS orders,
            (SELECT coalesce(sum(io.fractions), 0) FROM investment_order io WHERE io.offering_id = o.id) AS ordered,
            (SELECT count(*) FROM investment_order io
              WHERE io.offering_id = o.id
                AND NOT EXISTS (SELECT 1 FROM idempotent_request r
                                 WHERE r.user_id = io.investor_id AND r.status_code = 201
                                   AND r.response->>'id' = io.id::text)) AS without_response,
            (SELECT c.fractions_offered - c.remaining FROM offering c WHERE c.id = $2) AS raw_sold
       FROM offering o WHERE o.id = $1`,
    [hot, copy],
  );
  const offered = Number(row.offered);
  const remaining = Number(row.remaining);
  const sold = offered - remaining;
  const ordered = Number(row.ordered);
  return {
    offered,
    remaining,
    sold,
    orders: Number(row.orders),
    ordered,
    oversold: Math.abs(sold - ordered) + Math.max(0, -remaining),
    withoutResponse: Number(row.without_response),
    rawSold: Number(row.raw_sold),
    rawMismatch: Math.abs(Number(row.raw_sold) - rawReserved),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/** Mean size and duration of the API's reservation batches, from its /metrics. */
async function batchFigures(
  url: string,
): Promise<{ count: number; meanSize: number; meanMs: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string): number =>
    Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
  const count = value('gpu_order_batch_size_count');
  return {
    count,
    meanSize: count ? value('gpu_order_batch_size_sum') / count : 0,
    meanMs: count ? (1000 * value('gpu_order_batch_duration_seconds_sum')) / count : 0,
  };
}
