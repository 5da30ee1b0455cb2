import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Wallet, id } from 'ethers';
import { createChainProvider, readDeploymentFile, waitForReceipt } from '@gpu/chain';
import { loadConfig, scriptEnvironment, wellKnownDevPrivateKeys } from '@gpu/config';
import { GpuFarmTokenFactory__factory, GpuFarmToken__factory } from '../libs/chain/src/generated';
import { withDatabaseName } from '@gpu/database';
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
    };
    apps.push(startApp('api', env, path.join(WORK_DIR, 'api.log')));
    apps.push(startApp('worker', env, path.join(WORK_DIR, 'worker.log')));
    const api = new DemoClient(`http://127.0.0.1:${port}`);
    await api.waitUntilHealthy();
    say.step(`API on http://127.0.0.1:${port} (OpenAPI UI at /docs), worker running`);

    await showHealth(say, api);
    await showChain(say, api);
    await showTokenization(say, stack);
    await showRefusals(say, api);
    await showObservability(say, api);

    say.section('Summary');
    say.step(
      'Postgres, Redis and the chain are up; contracts deployed; the worker follows the chain.',
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
 * Until the farms API exists, the platform agent's own key tokenizes a sample farm directly, to
 * show the contract layer: one factory transaction clones, configures and registers the token.
 */
async function showTokenization(say: Narrator, stack: LocalStack): Promise<void> {
  say.section('The platform tokenizes a GPU farm in ONE transaction (factory, on chain)');
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  try {
    const agent = new Wallet(wellKnownDevPrivateKeys()[0], provider);
    const factory = GpuFarmTokenFactory__factory.connect(
      deployment.contracts.GpuFarmTokenFactory.address,
      agent,
    );
    const farmId = id('farm:demo-reykjavik-a100');
    const predicted = await factory.predictTokenAddress(farmId);
    const response = await factory.createFarmToken(farmId, {
      name: 'GPU Farm Reykjavik A100',
      symbol: 'GPUREY',
      admin: agent.address,
      agent: agent.address,
      minter: deployment.contracts.PrimarySale.address,
      treasury: agent.address,
      maxBalance: 250_000n,
      maxHolders: 2_000,
      lockupEnd: Math.floor(Date.now() / 1000) + 90 * 24 * 3600,
      allowedCountries: [276, 250, 352],
    });
    const receipt = await waitForReceipt(provider, response.hash);
    const token = GpuFarmToken__factory.connect(await factory.tokenOf(farmId), provider);
    const [maxBalance, maxHolders, , lockupEnd] = await token.rules();
    const countries: [string, number][] = [
      ['DE', 276],
      ['FR', 250],
      ['IS', 352],
      ['US', 840],
    ];
    const allowed = await Promise.all(countries.map(([, code]) => token.isCountryAllowed(code)));
    const countryLine = countries
      .map(([name], i) => `${name} ${allowed[i] ? 'yes' : 'no'}`)
      .join(', ');
    say.table(
      ['what', 'value'],
      [
        ['transaction', `${receipt.hash} (block ${receipt.blockNumber}, ${receipt.gasUsed} gas)`],
        ['token', `${await token.name()} (${await token.symbol()}) at ${await token.getAddress()}`],
        [
          'address predicted before sending',
          predicted === (await token.getAddress()) ? 'yes' : 'NO',
        ],
        [
          'rules',
          `max ${maxBalance} fractions per wallet, ${maxHolders} holders, lock-up until ${new Date(Number(lockupEnd) * 1000).toISOString().slice(0, 10)}`,
        ],
        ['countries allowed', countryLine],
        [
          'ERC-7943 interface',
          (await token.supportsInterface('0x3edbb4c4')) ? 'supported' : 'MISSING',
        ],
      ],
    );
  } finally {
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
