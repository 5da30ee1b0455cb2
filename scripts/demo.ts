import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Wallet, id } from 'ethers';
import { DataSource } from 'typeorm';
import {
  CHAIN_ENTITIES,
  chainOutboxFor,
  createChainProvider,
  encodeCall,
  readDeploymentFile,
  registryInvestorId,
  waitForReceipt,
} from '@gpu/chain';
import { loadConfig, scriptEnvironment, wellKnownDevPrivateKeys } from '@gpu/config';
import { dataSourceOptions, inTransaction, withDatabaseName } from '@gpu/database';
import {
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
  PrimarySale__factory,
} from '../libs/chain/src/generated';
import { findFreePort } from './lib/anvil';
import { type AppProcess, startApp } from './lib/app-process';
import { type LocalStack, startLocalStack } from './lib/local-stack';
import { deleteKeysWithPrefix } from './lib/redis-keys';
import { Narrator } from './lib/narrator';
import { waitFor } from './lib/wait-for';

/**
 * `npm run demo`: brings the whole product up on a fresh local chain and a fresh database,
 * then uses it the way its users do, printing what happened.
 */
const WORK_DIR = path.resolve('.tmp/demo');
const DEMO_DATABASE = 'gpu_rwa_demo';

async function main(): Promise<void> {
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const queuePrefix = `gpu-demo-${process.pid}`;
  const apps: AppProcess[] = [];
  let stack: LocalStack | undefined;

  try {
    say.section('Bringing the platform up');
    stack = await startLocalStack({
      databaseUrl: withDatabaseName(base.DATABASE_URL, DEMO_DATABASE),
      freshDatabase: true,
      redisUrl: base.REDIS_URL,
      queuePrefix,
      deploymentFile: path.join(WORK_DIR, 'deployment.json'),
      blockTimeSeconds: 1,
      log: (line) => say.step(line),
    });
    const port = await findFreePort();
    const env = {
      ...process.env,
      ...stack.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      CHAIN_HEARTBEAT_INTERVAL_MS: '1000',
      CHAIN_CONFIRMATIONS: '2',
      CHAIN_POLL_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '3000',
    };
    apps.push(startApp('api', env, path.join(WORK_DIR, 'api.log')));
    apps.push(startApp('worker', env, path.join(WORK_DIR, 'worker.log')));
    const api = new DemoClient(`http://127.0.0.1:${port}`);
    await api.waitUntilHealthy();
    say.step(`API on http://127.0.0.1:${port} (OpenAPI UI at /docs), worker running`);

    await showHealth(say, api);
    await showChain(say, api);
    await showChainBoundary(say, api, stack);
    await showRefusals(say, api);
    await showObservability(say, api);

    say.section('Summary');
    say.step(
      'Postgres, Redis and the chain are up; every platform transaction went through the outbox and was confirmed once; the index matches the chain.',
    );
    say.step(`Logs: ${path.relative(process.cwd(), WORK_DIR)}/api.log and worker.log`);
  } finally {
    for (const app of apps) {
      const exit = await app.stop();
      if (!exit.clean) say.warn(`${app.name} did not stop cleanly (${exit.code ?? exit.signal})`);
    }
    await stack?.stop();
    await deleteKeysWithPrefix(base.REDIS_URL, queuePrefix).catch(() => 0);
  }
  say.done();
}

async function showHealth(say: Narrator, api: DemoClient): Promise<void> {
  say.section('An operator checks the platform: GET /health');
  const { body } = await api.get('/health');
  const details = body.details as Record<string, Record<string, unknown>>;
  say.table(
    ['dependency', 'status', 'details'],
    Object.entries(details).map(([name, detail]) => {
      const { status, ...rest } = detail;
      return [name, String(status), JSON.stringify(rest)];
    }),
  );
}

async function showChain(say: Narrator, api: DemoClient): Promise<void> {
  say.section('Anyone looks up the contracts and the chain head: GET /chain/status');
  const first = await api.waitFor('/chain/status', (body) => body.head !== null);
  const deployment = first.deployment as {
    chainId: number;
    contracts: Record<string, { address: string; blockNumber: number }>;
  };
  say.table(
    ['contract', 'address', 'block'],
    Object.entries(deployment.contracts).map(([name, c]) => [
      name,
      c.address,
      String(c.blockNumber),
    ]),
  );
  const firstHead = first.head as { blockNumber: string; lastSeenAt: string };
  say.step(
    `the worker recorded head block ${firstHead.blockNumber} of chain ${deployment.chainId}`,
  );
  const later = await api.waitFor(
    '/chain/status',
    (body) =>
      BigInt((body.head as { blockNumber: string }).blockNumber) >=
      BigInt(firstHead.blockNumber) + 2n,
  );
  const laterHead = later.head as { blockNumber: string; lastSeenAt: string };
  say.step(
    `a few seconds later it records block ${laterHead.blockNumber}: the heartbeat job follows the chain`,
  );
}

/**
 * Until the farms, KYC and orders APIs exist, the demo plays the use cases itself: it writes
 * intents into the outbox (as a use case does, in a database transaction) and the worker's sender
 * does the rest. The investors' own payments are signed by their own wallets, as in production.
 */
async function showChainBoundary(say: Narrator, api: DemoClient, stack: LocalStack): Promise<void> {
  say.section(
    'The platform acts on chain only through the outbox; the worker sends, the indexer reads back',
  );
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  const dataSource = new DataSource(
    dataSourceOptions({
      url: stack.env.DATABASE_URL,
      entities: CHAIN_ENTITIES,
      applicationName: 'gpu-demo',
    }),
  );
  await dataSource.initialize();
  try {
    const outbox = chainOutboxFor(dataSource, deployment);
    const at = deployment.contracts;
    const keys = wellKnownDevPrivateKeys();
    const platformAgent = new Wallet(keys[1]).address;
    const [alice, bob] = [keys[2], keys[3]].map((key) => new Wallet(key, provider));
    const farmId = id('farm:demo-reykjavik-a100');
    const factory = GpuFarmTokenFactory__factory.connect(at.GpuFarmTokenFactory.address, provider);
    const token = await factory.predictTokenAddress(farmId);
    const now = Math.floor(Date.now() / 1000);

    const enqueue = (calls: { to: string; method: string; data: string; reference: string }[]) =>
      inTransaction(dataSource, async (manager) => {
        const rows = [];
        for (const call of calls) {
          rows.push(
            await outbox.enqueue(manager, { ...call, idempotencyKey: `demo:${call.reference}` }),
          );
        }
        return rows;
      });
    const waitAll = async (rows: { id: string }[]) => {
      const outcomes = await Promise.all(
        rows.map((row) => outbox.waitForOutcome(row.id, { timeoutMs: 60_000 })),
      );
      const failed = outcomes.filter((o) => o.state !== 'confirmed');
      if (failed.length) throw new Error(`transactions failed: ${JSON.stringify(failed)}`);
      return Promise.all(rows.map((row) => outbox.get(row.id)));
    };

    const registry = IdentityRegistry__factory.createInterface();
    const expiry = now + 365 * 24 * 3600;
    const setup = await enqueue([
      ...[
        ['alice', alice.address, 276],
        ['bob', bob.address, 250],
      ].map(([name, wallet, country]) => ({
        to: at.IdentityRegistry.address,
        reference: `kyc:${name}`,
        ...encodeCall('IdentityRegistry', registry, 'registerIdentity', [
          wallet,
          registryInvestorId(String(name)),
          country,
          expiry,
        ]),
      })),
      {
        to: at.GpuFarmTokenFactory.address,
        reference: 'farm:demo-reykjavik-a100',
        ...encodeCall(
          'GpuFarmTokenFactory',
          GpuFarmTokenFactory__factory.createInterface(),
          'createFarmToken',
          [
            farmId,
            {
              name: 'GPU Farm Reykjavik A100',
              symbol: 'GPUREY',
              admin: platformAgent,
              agent: platformAgent,
              minter: at.PrimarySale.address,
              treasury: platformAgent,
              maxBalance: 250_000n,
              maxHolders: 2_000,
              lockupEnd: now + 90 * 24 * 3600,
              allowedCountries: [276, 250, 352],
            },
          ],
        ),
      },
      {
        to: at.PrimarySale.address,
        reference: 'offering:demo-reykjavik-a100',
        ...encodeCall('PrimarySale', PrimarySale__factory.createInterface(), 'setOffering', [
          token,
          2_500_000n,
          now - 60,
          now + 30 * 24 * 3600,
          7 * 24 * 3600,
        ]),
      },
    ]);
    say.step(
      `a use case enqueued ${setup.length} intents in one database transaction; the worker sends them`,
    );
    const confirmed = await waitAll(setup);
    say.table(
      ['outbox row', 'call', 'state', 'nonce', 'block', 'tx'],
      confirmed.map((tx) => [
        tx.id,
        tx.method,
        tx.state,
        String(tx.nonce),
        String(tx.blockNumber),
        `${tx.txHash!.slice(0, 18)}…`,
      ]),
    );
    const tokenized = confirmed.find((tx) => tx.method === 'GpuFarmTokenFactory.createFarmToken')!;
    const receipt = await waitForReceipt(provider, tokenized.txHash!);
    say.step(`the farm became token ${token} in ONE factory transaction (${receipt.gasUsed} gas)`);

    say.section(
      'Investors pay on chain with their own wallets; the platform settles, delivery versus payment',
    );
    const stablecoin = MockStablecoin__factory.connect(
      at.Stablecoin.address,
      new Wallet(keys[0], provider),
    );
    const orders: [Wallet, bigint][] = [
      [alice, 40n],
      [bob, 25n],
    ];
    for (const [investor, fractions] of orders) {
      const amount = fractions * 2_500_000n;
      await waitForReceipt(provider, (await stablecoin.mint(investor.address, amount)).hash);
      const asInvestor = MockStablecoin__factory.connect(at.Stablecoin.address, investor);
      await waitForReceipt(
        provider,
        (await asInvestor.approve(at.PrimarySale.address, amount)).hash,
      );
      const sale = PrimarySale__factory.connect(at.PrimarySale.address, investor);
      await waitForReceipt(
        provider,
        (await sale.pay(id(`order:${investor.address}`), token, fractions, amount)).hash,
      );
    }
    say.step(
      'alice paid 100.00 and bob 62.50 (mock USDC, 6 decimals) into PrimarySale against their order ids',
    );
    const settled = await waitAll(
      await enqueue(
        orders.map(([investor]) => ({
          to: at.PrimarySale.address,
          reference: `order:${investor.address}`,
          ...encodeCall('PrimarySale', PrimarySale__factory.createInterface(), 'settle', [
            id(`order:${investor.address}`),
            investor.address,
          ]),
        })),
      ),
    );
    say.step(
      `settled through the outbox: ${settled.map((tx) => `${tx.method} ${tx.state} in block ${tx.blockNumber}`).join('; ')}`,
    );

    const lastBlock = settled.reduce(
      (max, tx) => (tx.blockNumber! > max ? tx.blockNumber! : max),
      0n,
    );
    const status = await api.waitFor(
      '/chain/status',
      (body) =>
        BigInt((body.indexer as { blockNumber: string | null }).blockNumber ?? '0') >= lastBlock,
    );
    const indexer = status.indexer as {
      blockNumber: string;
      lagBlocks: number;
      confirmations: number;
    };
    const pending = Object.values(
      (status.outbox as { byState: Record<string, number> }).byState,
    ).reduce((a, b) => a + b, 0);
    say.step(
      `GET /chain/status: indexed up to block ${indexer.blockNumber} (${indexer.lagBlocks} final block(s) behind, ${indexer.confirmations} confirmation(s)); ${pending} transaction(s) still on their way`,
    );
    const holders = await dataSource.query<{ holder: string; balance: string }[]>(
      `SELECT holder, balance FROM token_balance WHERE token = $1 AND balance > 0 ORDER BY balance DESC`,
      [token.toLowerCase()],
    );
    const onChain = GpuFarmToken__factory.connect(token, provider);
    say.table(
      ['holder (derived from indexed Transfer events)', 'fractions', 'balanceOf on chain'],
      await Promise.all(
        holders.map(async (h) => [h.holder, h.balance, String(await onChain.balanceOf(h.holder))]),
      ),
    );
    const reconciliation = await api.waitFor(
      '/chain/reconciliation',
      (body) => {
        const latest = body.latest as { blockNumber: string; tokens: number } | null;
        return latest !== null && BigInt(latest.blockNumber) >= lastBlock && latest.tokens > 0;
      },
      60_000,
    );
    const latest = reconciliation.latest as {
      blockNumber: string;
      tokens: number;
      accounts: number;
      mismatchCount: number;
    };
    say.step(
      `GET /chain/reconciliation: at block ${latest.blockNumber}, ${latest.tokens} token(s) and ${latest.accounts} holder balance(s) compared with the chain, ${latest.mismatchCount} mismatch(es)`,
    );
    if (latest.mismatchCount !== 0) throw new Error('the index and the chain disagree');
  } finally {
    await dataSource.destroy();
    provider.destroy();
  }
}

async function showRefusals(say: Narrator, api: DemoClient): Promise<void> {
  say.section('Bad requests get a clear 4xx with a stable code');
  const unknown = await api.get('/farms/does-not-exist-yet');
  const malformed = await api.post('/chain/status', '{"not json');
  say.table(
    ['request', 'status', 'code'],
    [
      ['GET /farms/does-not-exist-yet', String(unknown.status), String(unknown.body.code)],
      [
        'POST /chain/status with broken JSON',
        String(malformed.status),
        String(malformed.body.code),
      ],
    ],
  );
  if (unknown.status !== 404 || malformed.status !== 400)
    throw new Error('unexpected answers to bad requests');
}

async function showObservability(say: Narrator, api: DemoClient): Promise<void> {
  say.section('Operations: metrics, OpenAPI and request-scoped logs');
  const requestId = `demo-${Date.now()}`;
  await api.get('/health', { 'x-request-id': requestId });
  const metrics = await api.text('/metrics');
  const requests = metrics
    .split('\n')
    .filter((line) => line.startsWith('http_request_duration_seconds_count'))
    .map((line) => Number(line.split(' ').pop()))
    .reduce((sum, count) => sum + count, 0);
  const openapi = (await api.get('/docs-json')).body as { paths: Record<string, unknown> };
  await new Promise((resolve) => setTimeout(resolve, 300));
  const logged = readFileSync(path.join(WORK_DIR, 'api.log'), 'utf8')
    .split('\n')
    .some((line) => line.includes(`"id":"${requestId}"`));
  say.table(
    ['what', 'seen'],
    [
      [
        'GET /metrics',
        `${metrics.split('\n').filter((l) => l && !l.startsWith('#')).length} samples, ${requests} HTTP requests counted`,
      ],
      [
        'chain pipeline metrics',
        metrics
          .split('\n')
          .filter((line) =>
            /^gpu_chain_(indexer_lag_blocks|outbox_oldest_pending_seconds|reconciliation_mismatches) /.test(
              line,
            ),
          )
          .join(', '),
      ],
      [
        'GET /docs-json',
        `${Object.keys(openapi.paths).length} paths: ${Object.keys(openapi.paths).join(', ')}`,
      ],
      [
        `request id ${requestId}`,
        logged ? 'echoed and found in the JSON logs' : 'NOT found in the logs',
      ],
    ],
  );
  if (!logged) throw new Error('the request id was not found in the API logs');
}

class DemoClient {
  constructor(private readonly baseUrl: string) {}

  async get(
    route: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(this.baseUrl + route, {
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async post(
    route: string,
    raw: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(this.baseUrl + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async text(route: string): Promise<string> {
    return (await fetch(this.baseUrl + route, { signal: AbortSignal.timeout(10_000) })).text();
  }

  async waitUntilHealthy(timeoutMs = 60_000): Promise<void> {
    await this.waitFor('/health', (body) => body.status === 'ok', timeoutMs);
  }

  async waitFor(
    route: string,
    done: (body: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(
      async () => {
        const { body } = await this.get(route);
        return done(body) ? body : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `GET ${route} to reach the expected state` },
    );
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`see ${path.relative(process.cwd(), WORK_DIR)}/api.log and worker.log`);
  process.exit(1);
});
