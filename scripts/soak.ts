import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Wallet } from 'ethers';
import { Client } from 'pg';
import { createChainProvider, readDeploymentFile } from '@gpu/chain';
import { loadConfig, scriptEnvironment, wellKnownDevPrivateKeys } from '@gpu/config';
import { withDatabaseName } from '@gpu/database';
import { mulberry32 } from '../libs/distribution/src/testing/seeded-random';
import { findFreePort } from './lib/anvil';
import { type AppProcess, startApp } from './lib/app-process';
import { startFleet } from './lib/fleet/fleet-simulator';
import { type LocalStack, startLocalStack } from './lib/local-stack';
import { Narrator } from './lib/narrator';
import { DisposableRedis } from './lib/redis-server';
import { startRpcProxy } from './lib/rpc-proxy';
import { ChaosLoop } from './lib/soak/chaos';
import { SoakChain } from './lib/soak/soak-chain';
import { SoakChecks } from './lib/soak/soak-checks';
import { ApiTally, SoakClient, sleep } from './lib/soak/soak-client';
import { Workload } from './lib/soak/workload';

/**
 * `npm run soak -- --minutes N [--seed S]`: the whole product under a randomized workload while a
 * chaos loop SIGKILLs the worker, kills Redis and cuts the RPC; then everything is checked against
 * the chain and the books. Exits non-zero if any harm is found.
 */
const WORK_DIR = path.resolve('.tmp/soak');
const SOAK_DATABASE = 'gpu_rwa_soak';
const INITIAL_FARMS = 2;
const NODES_PER_FARM = 2;
const GPUS_PER_NODE = 4;
const SETTLE_TIMEOUT_MS = 240_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      seed: { type: 'string' },
      actors: { type: 'string', default: '4' },
      investors: { type: 'string', default: '16' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  const seed = Number(values.seed ?? randomBytes(4).readUInt32BE());
  const draw = mulberry32(seed);
  const random = (): number => draw() / 2 ** 32;
  const say = new Narrator();
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(path.join(WORK_DIR, 'redis'), { recursive: true });
  const base = loadConfig(scriptEnvironment(process.env), { only: ['DATABASE_URL'] });
  const databaseUrl = withDatabaseName(base.DATABASE_URL, SOAK_DATABASE);
  const cleanups: (() => Promise<unknown>)[] = [];
  let worker: AppProcess | undefined;
  let workerNumber = 0;

  try {
    say.section(
      `Bringing the platform up (seed ${seed}: --seed ${seed} replays the workload's choices)`,
    );
    const redis = await DisposableRedis.start({ appendOnlyDir: path.join(WORK_DIR, 'redis') });
    cleanups.push(() => redis.stop('SIGKILL'));
    const stack: LocalStack = await startLocalStack({
      databaseUrl,
      freshDatabase: true,
      redisUrl: redis.url,
      queuePrefix: 'gpu-soak',
      deploymentFile: path.join(WORK_DIR, 'deployment.json'),
      blockTimeSeconds: 1,
      log: (line) => say.step(line),
    });
    cleanups.push(() => stack.stop());
    const rpc = await startRpcProxy(stack.env.RPC_URL);
    cleanups.push(() => rpc.close());
    const fleet = await startFleet({
      gpus: (INITIAL_FARMS + 1) * NODES_PER_FARM * GPUS_PER_NODE,
      gpusPerNode: GPUS_PER_NODE,
      model: 'NVIDIA H100 80GB HBM3',
      seed: `soak-${seed}`,
      slowMs: 3000,
    });
    cleanups.push(() => fleet.stop());
    const port = await findFreePort();
    const env = {
      ...process.env,
      ...stack.env,
      // The apps reach the chain through the proxy the chaos loop cuts; users reach it directly.
      RPC_URL: rpc.url,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SIWE_DOMAIN: `127.0.0.1:${port}`,
      SIWE_URI: `http://127.0.0.1:${port}`,
      CHAIN_HEARTBEAT_INTERVAL_MS: '1000',
      CHAIN_CONFIRMATIONS: '2',
      CHAIN_POLL_INTERVAL_MS: '250',
      RECONCILE_INTERVAL_MS: '5000',
      AUDIT_ANCHOR_INTERVAL_MS: '5000',
      ORACLE_EPOCH_SECONDS: '20',
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '1000',
      ORACLE_PROBE_TIMEOUT_MS: '1000',
      DISTRIBUTION_CHECK_INTERVAL_MS: '1000',
      // The soak's few users send many requests; the limits are tested elsewhere.
      RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
      RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR: '1000000',
      RATE_LIMIT_SIWE_PER_MINUTE: '1000000',
      RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
    };
    const api = startApp('api', env, path.join(WORK_DIR, 'api.log'));
    cleanups.push(() => api.stop());
    const startWorker = (): AppProcess => {
      workerNumber += 1;
      worker = startApp('worker', env, path.join(WORK_DIR, `worker-${workerNumber}.log`));
      return worker;
    };
    startWorker();
    cleanups.push(() => worker!.stop());

    const tally = new ApiTally();
    const client = new SoakClient(`http://127.0.0.1:${port}`, tally);
    await waitHealthy(client);
    const password = randomBytes(12).toString('hex');
    execFileSync('npx', ['ts-node', 'scripts/create-admin.ts', '--email', 'admin@soak.gpu'], {
      env: { ...env, ADMIN_PASSWORD: password },
      stdio: 'ignore',
    });
    const admin = client.forUser('admin@soak.gpu', password);
    for (const role of ['compliance', 'operator'])
      await admin.expect(201, 'POST', '/users', { email: `${role}@soak.gpu`, password, role });

    const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
    const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 15_000);
    cleanups.push(async () => provider.destroy());
    const keys = wellKnownDevPrivateKeys();
    const chain = new SoakChain(
      provider,
      new Wallet(keys[0], provider),
      deployment.contracts.Stablecoin.address,
    );
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    cleanups.push(() => db.end());
    const officer = client.forUser('compliance@soak.gpu', password);
    const workload = new Workload({
      api: client,
      officer,
      operator: client.forUser('operator@soak.gpu', password),
      chain,
      fleet,
      identityRegistry: deployment.contracts.IdentityRegistry.address,
      treasury: new Wallet(keys[1]).address,
      random,
      maxInvestors: Number(values.investors),
      nodesPerFarm: NODES_PER_FARM,
      log: (line) => say.step(line),
    });

    say.section(`Soak: ${minutes} min of randomized work with the chaos loop running`);
    const chaos = new ChaosLoop(
      { worker: () => worker!, startWorker, redis, rpc, log: (line) => say.step(line) },
      random,
    );
    const started = Date.now();
    const until = started + minutes * 60_000;
    chaos.start();
    cleanups.push(() => chaos.stop());
    // Farms are onboarded under chaos too: two at the start, one a third of the way in.
    await Promise.all(Array.from({ length: INITIAL_FARMS }, () => workload.onboardFarm()));
    const progress = setInterval(
      () =>
        say.step(
          `${((Date.now() - started) / 60_000).toFixed(1)} min: ${workload.counts.operations} operations, ${workload.investors.length} investors, ${workload.farms.length} farms, kills ${chaos.counts.workerKills}, Redis restarts ${chaos.counts.redisRestarts}, RPC outages ${chaos.counts.rpcOutages}, failed operations ${workload.counts.failedOperations}`,
        ),
      30_000,
    );
    await workload.run(Number(values.actors), until, started + (until - started) / 3);
    clearInterval(progress);
    await chaos.stop();

    say.section('Chaos over: everything under way must finish');
    const checks = new SoakChecks(db, provider, officer, workload, {
      sale: deployment.contracts.PrimarySale.address,
      identityRegistry: deployment.contracts.IdentityRegistry.address,
      stablecoin: deployment.contracts.Stablecoin.address,
    });
    const settleStarted = Date.now();
    const headAtSettle = await provider.getBlockNumber();
    checks.settledAtBlock = headAtSettle;
    let unfinished = await checks.unfinished();
    while (Date.now() - settleStarted < SETTLE_TIMEOUT_MS) {
      const reconciled = await db.query(
        'SELECT 1 FROM reconciliation_run WHERE block_number >= $1 LIMIT 1',
        [headAtSettle],
      );
      if (Object.keys(unfinished).length === 0 && reconciled.rowCount) break;
      await sleep(2000);
      unfinished = await checks.unfinished();
    }
    const lostEffects = Object.values(unfinished).reduce((sum, count) => sum + count, 0);
    say.step(
      `settled in ${((Date.now() - settleStarted) / 1000).toFixed(1)} s${lostEffects ? `; still unfinished: ${JSON.stringify(unfinished)}` : ''}`,
    );

    // Nothing moves while the books are compared with the chain (anvil only mines empty blocks).
    const workerExit = await worker!.stop();
    if (!workerExit.clean)
      say.warn(`the worker did not stop cleanly (${workerExit.code ?? workerExit.signal})`);

    say.section('Checks: the chain, the books and the API agree');
    const verdict = await checks.verdict(lostEffects);
    const coverage = coverageGaps(workload, chaos, verdict.figures);
    const failedTxs = await db.query<{ method: string; failure_reason: string; n: string }>(
      `SELECT method, failure_reason, count(*) AS n FROM chain_tx WHERE state = 'failed' GROUP BY 1, 2`,
    );
    const result = {
      minutes,
      seed,
      operations: workload.counts.operations,
      workerKills: chaos.counts.workerKills,
      redisRestarts: chaos.counts.redisRestarts,
      rpcOutages: chaos.counts.rpcOutages,
      dbChainMismatches: verdict.dbChainMismatches,
      duplicateEffects: verdict.duplicateEffects,
      auditChainValid: verdict.auditChainValid,
      payoutsPlusDustEqualsDistributed: verdict.payoutsPlusDustEqualsDistributed,
      oversold: verdict.oversold,
      lostEffects: verdict.lostEffects,
      failedOperations: workload.counts.failedOperations,
      serverErrors: tally.serverErrors,
      coverageMet: coverage.length === 0,
      ...verdict.figures,
    };
    say.table(
      ['operation', 'done', 'refused (rules)'],
      Object.keys({ ...workload.counts.byKind, ...workload.counts.refused })
        .sort()
        .map((kind) => [
          kind,
          String(workload.counts.byKind[kind] ?? 0),
          String(workload.counts.refused[kind] ?? 0),
        ]),
    );
    say.table(
      ['figure', 'value'],
      Object.entries(result).map(([key, value]) => [key, String(value)]),
    );
    for (const sample of [...workload.counts.failureSamples, ...tally.serverErrorSamples])
      say.warn(sample.slice(0, 400));
    for (const row of failedTxs.rows)
      say.warn(`${row.n} outbox transaction(s) ${row.method} failed: ${row.failure_reason}`);
    for (const finding of verdict.findings) say.warn(`${finding.check}: ${finding.detail}`);
    for (const gap of coverage) say.warn(`coverage: ${gap}`);
    // An operation that failed or a 5xx is harm too: something the platform should have done, did not.
    const harmless =
      result.dbChainMismatches === 0 &&
      result.duplicateEffects === 0 &&
      result.oversold === 0 &&
      result.lostEffects === 0 &&
      result.failedOperations === 0 &&
      result.serverErrors === 0 &&
      result.auditChainValid &&
      result.payoutsPlusDustEqualsDistributed;
    say.step(
      harmless
        ? coverage.length
          ? 'no harm found, but the run did not cover everything: see above'
          : 'no harm found'
        : 'HARM FOUND: see above',
    );
    say.done();
    console.log(JSON.stringify(result));
    if (!harmless || coverage.length) process.exitCode = 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** What a run must have done for its verdict to mean something; a short run may miss some. */
function coverageGaps(
  workload: Workload,
  chaos: ChaosLoop,
  figures: Record<string, number | string>,
): string[] {
  const required: [string, number][] = [
    ['investors onboarded', workload.counts.byKind['investor-onboarding'] ?? 0],
    ['farms onboarded under chaos', workload.counts.byKind['farm-onboarding'] ?? 0],
    ['orders settled', Number(figures.ordersSettled)],
    ['transfers between investors', workload.counts.byKind.transfer ?? 0],
    ['freezes and unfreezes', workload.counts.byKind.freeze ?? 0],
    ['distributions published', Number(figures.distributionsPublished)],
    ['claims', workload.counts.byKind.claim ?? 0],
    ['GPU faults', workload.counts.byKind['gpu-fault'] ?? 0],
    ['worker kills', chaos.counts.workerKills],
    ['Redis restarts', chaos.counts.redisRestarts],
    ['RPC outages', chaos.counts.rpcOutages],
  ];
  return required.filter(([, count]) => count === 0).map(([what]) => `no ${what}`);
}

async function waitHealthy(client: SoakClient): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await client.send('GET', '/health').catch(() => undefined);
    if (answer?.status === 200 && answer.body.status === 'ok') return;
    if (Date.now() > deadline) throw new Error('the API did not become healthy');
    await sleep(500);
  }
}

main().catch((error: unknown) => {
  console.error(
    `\nsoak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  console.error(`see ${path.relative(process.cwd(), WORK_DIR)}/ for the apps' logs`);
  process.exit(1);
});
