import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Wallet, id } from 'ethers';
import {
  chainFarmId,
  createChainProvider,
  readDeploymentFile,
  TransactionRevertedError,
  waitForReceipt,
} from '@gpu/chain';
import { loadConfig, scriptEnvironment, wellKnownDevPrivateKeys } from '@gpu/config';
import { withDatabaseName } from '@gpu/database';
import {
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
  UptimeOracle__factory,
} from '../libs/chain/src/generated';
import { findFreePort } from './lib/anvil';
import { type FakeSumsub, startFakeSumsub } from './lib/fake-sumsub';
import { type AppProcess, startApp } from './lib/app-process';
import { type LocalStack, startLocalStack } from './lib/local-stack';
import { deleteKeysWithPrefix } from './lib/redis-keys';
import { Narrator } from './lib/narrator';
import { waitFor } from './lib/wait-for';
import { type Body, DemoClient, siweMessage } from './lib/demo-client';
import { type PaymentInstructions, payOrder } from './lib/pay-order';
import { type Fleet, listingNodesOf, startFleet } from './lib/fleet/fleet-simulator';

/**
 * `npm run demo`: brings the whole product up on a fresh local chain and a fresh database,
 * then uses it the way its users do, printing what happened.
 */
const WORK_DIR = path.resolve('.tmp/demo');
const DEMO_DATABASE = 'gpu_rwa_demo';
const DEMO_GPU_MODEL = 'NVIDIA A100-SXM4-80GB';
const DEMO_EPOCH_SECONDS = 8;

async function main(): Promise<void> {
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const queuePrefix = `gpu-demo-${process.pid}`;
  const apps: AppProcess[] = [];
  let stack: LocalStack | undefined;
  let sumsub: FakeSumsub | undefined;
  let fleet: Fleet | undefined;

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
    sumsub = await startFakeSumsub();
    // The demo farm's GPU nodes: 8 simulated A100s on 2 nodes, in dcgm-exporter format.
    fleet = await startFleet({ gpus: 8, gpusPerNode: 4, model: DEMO_GPU_MODEL, seed: 'demo' });
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
      AUDIT_ANCHOR_INTERVAL_MS: '3000',
      JWT_SECRET: randomBytes(32).toString('hex'),
      KYC_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
      SIWE_DOMAIN: `127.0.0.1:${port}`,
      SIWE_URI: `http://127.0.0.1:${port}`,
      // A local stand-in for Sumsub's applicant API (signed requests checked as Sumsub does).
      SUMSUB_API_URL: sumsub.url,
      SUMSUB_APP_TOKEN: sumsub.appToken,
      SUMSUB_SECRET_KEY: sumsub.secretKey,
      // Short uptime epochs, so that one passes during the demo.
      ORACLE_EPOCH_SECONDS: String(DEMO_EPOCH_SECONDS),
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '500',
      ORACLE_PROBE_TIMEOUT_MS: '800',
      DISTRIBUTION_CHECK_INTERVAL_MS: '500',
    };
    apps.push(startApp('api', env, path.join(WORK_DIR, 'api.log')));
    apps.push(startApp('worker', env, path.join(WORK_DIR, 'worker.log')));
    const api = new DemoClient(`http://127.0.0.1:${port}`);
    await api.waitUntilHealthy();
    say.step(`API on http://127.0.0.1:${port} (OpenAPI UI at /docs), worker running`);

    await showHealth(say, api);
    await showChain(say, api);
    const people = await showPeopleAndKyc(say, api, env, stack, sumsub);
    const tokenized = await showFarmOnboarding(say, api, people, fleet);
    await showOfferingAndOrders(say, api, people, stack, tokenized);
    await showUptimeOracle(say, api, people, stack, tokenized, fleet);
    await showRevenueDistribution(say, api, people, stack, tokenized);
    await showCompliance(say, api, people, stack, tokenized);
    await showRefusals(say, api, people);
    await showObservability(say, api);
    await showAuditVerification(say, api.as(people.officer));

    say.section('Summary');
    say.step(
      'Postgres, Redis and the chain are up; investors signed in with their wallets and passed KYC onto the chain; a farm was listed and approved, its token request approved by the officer with a reason, tokenized and offered; investors ordered over the API, paid from their wallets and received their fractions by delivery versus payment; the oracle probed every GPU, caught the missing one, and put a signed epoch report with its SLA verdict on chain; the operator reported the epoch revenue, the holders share was published as one funded Merkle root and an investor claimed hers on chain; a compliance officer froze a wallet (whose own transfer then reverted on chain with the freeze reason), forced a transfer, recovered a lost wallet and read the cap table back in time and the holder register; every platform transaction went through the outbox and was confirmed once; the index matches the chain; the audit log verifies against its on-chain anchor.',
    );
    say.step(`Logs: ${path.relative(process.cwd(), WORK_DIR)}/api.log and worker.log`);
  } finally {
    for (const app of apps) {
      const exit = await app.stop();
      if (!exit.clean) say.warn(`${app.name} did not stop cleanly (${exit.code ?? exit.signal})`);
    }
    await stack?.stop();
    await sumsub?.close();
    await fleet?.stop();
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
 * The operator opens an offering (sent to the PrimarySale through the outbox); alice and bob order
 * over the API with Idempotency-Keys, pay from their own wallets as the payment instructions say,
 * and the platform settles each order on chain when the indexer sees the payment: fractions minted
 * and payment released in one transaction. Their portfolios and the farm's cap table follow.
 */
async function showOfferingAndOrders(
  say: Narrator,
  api: DemoClient,
  people: People,
  stack: LocalStack,
  tokenized: Tokenized,
): Promise<void> {
  say.section('The operator opens an offering of the farm token');
  const operator = api.as(tokenized.operator);
  const price = 2_500_000n;
  const draft = await operator.expect(201, 'POST', `/farms/${tokenized.farmId}/offerings`, {
    pricePerFraction: price.toString(),
    fractionsOffered: 100_000,
    minPerInvestor: 10,
    maxPerInvestor: 10_000,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    paymentWindowSeconds: 1800,
    settlementWindowSeconds: 7 * 86_400,
  });
  const offeringId = draft.id as string;
  const opening = await operator.expect(200, 'POST', `/offerings/${offeringId}/open`);
  const offering = await operator.waitFor(
    `/offerings/${offeringId}`,
    (body) => body.status === 'open',
    60_000,
  );
  const farm = await operator.expect(200, 'GET', `/farms/${tokenized.farmId}`);
  say.table(
    ['step', 'result'],
    [
      [
        'POST /farms/:id/offerings',
        `draft: 100,000 fractions at 2.50 mUSDC, 10 to 10,000 per investor, 30 days`,
      ],
      [
        'POST /offerings/:id/open',
        `${String(opening.status)}: PrimarySale.setOffering queued in the outbox (row ${String(opening.chainTxId)})`,
      ],
      [
        'GET /offerings/:id',
        `${String(offering.status)} once the transaction was confirmed; the farm is now ${String(farm.status)}`,
      ],
    ],
  );

  say.section('Investors order through the API and pay from their own wallets');
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  try {
    const keys = wellKnownDevPrivateKeys();
    const investors = [
      {
        name: 'alice',
        client: api.as(people.alice),
        wallet: new Wallet(keys[2], provider),
        fractions: 40,
      },
      {
        name: 'bob',
        client: api.as(people.bob),
        wallet: new Wallet(keys[3], provider),
        fractions: 25,
      },
    ];
    const placed: { name: string; client: DemoClient; wallet: Wallet; order: Body }[] = [];
    for (const investor of investors) {
      const key = `demo-${investor.name}-${randomBytes(6).toString('hex')}`;
      const request = JSON.stringify({ fractions: investor.fractions });
      const first = await investor.client.raw('POST', `/offerings/${offeringId}/orders`, request, {
        'idempotency-key': key,
      });
      if (first.status !== 201) throw new Error(`order refused: ${JSON.stringify(first.body)}`);
      const replay = await investor.client.raw('POST', `/offerings/${offeringId}/orders`, request, {
        'idempotency-key': key,
      });
      if (replay.body.id !== first.body.id) throw new Error('the replay placed a second order');
      placed.push({ ...investor, order: first.body });
    }
    const payment = placed[0].order.payment as Record<string, string>;
    say.step(
      `alice ordered 40 and bob 25 fractions (POST /offerings/:id/orders); each request sent twice with its Idempotency-Key: one order each`,
    );
    say.step(
      `payment instructions: approve ${payment.stablecoin} for the amount, then call ${payment.function} on ${payment.saleContract} with orderId ${payment.orderId.slice(0, 18)}… before ${payment.payBefore}`,
    );
    const stablecoin = MockStablecoin__factory.connect(
      deployment.contracts.Stablecoin.address,
      new Wallet(keys[0], provider),
    );
    for (const { wallet, order } of placed) {
      const instructions = order.payment as Record<string, string>;
      await waitForReceipt(
        provider,
        (await stablecoin.mint(wallet.address, instructions.amount)).hash,
      );
      await payOrder(wallet, order.payment as unknown as PaymentInstructions);
    }
    say.step(
      'alice paid 100.00 and bob 62.50 mUSDC from their own wallets; the indexer saw the payments and the worker settled through the outbox',
    );
    const settled = await Promise.all(
      placed.map(({ client, order }) =>
        client.waitFor(`/orders/${String(order.id)}`, (body) => body.status === 'settled', 60_000),
      ),
    );
    say.table(
      ['investor', 'fractions', 'amount (mUSDC)', 'status', 'payment tx', 'settlement tx'],
      settled.map((order, i) => [
        placed[i].name,
        String(order.fractions),
        formatUsdc(BigInt(order.amount as string)),
        String(order.status),
        `${String(order.paymentTxHash).slice(0, 14)}…`,
        `${String(order.settlementTxHash).slice(0, 14)}…`,
      ]),
    );

    say.section('Portfolios and the cap table, from the indexed chain');
    const lastBlock = BigInt(await provider.getBlockNumber());
    await api.waitFor(
      '/chain/status',
      (body) =>
        BigInt((body.indexer as { blockNumber: string | null }).blockNumber ?? '0') >= lastBlock,
      60_000,
    );
    for (const { name, client } of placed) {
      const portfolio = await client.expect(200, 'GET', '/portfolio');
      const holdings = portfolio.holdings as Record<string, string>[];
      say.step(
        `GET /portfolio (${name}): ${holdings
          .map(
            (h) =>
              `${h.balance} ${h.symbol} of ${h.farmName}, cost basis ${formatUsdc(BigInt(h.costBasis))} mUSDC`,
          )
          .join('; ')}`,
      );
    }
    const capTable = await operator.expect(200, 'GET', `/farms/${tokenized.farmId}/cap-table`);
    const token = GpuFarmToken__factory.connect(tokenized.token, provider);
    const rows = capTable.items as Record<string, string>[];
    say.table(
      ['holder', 'fractions', 'share', 'balanceOf on chain'],
      await Promise.all(
        rows.map(async (row) => [
          row.wallet,
          row.balance,
          `${row.percentage} %`,
          String(await token.balanceOf(row.wallet)),
        ]),
      ),
    );
    say.step(
      `GET /farms/:id/cap-table: ${String(capTable.holders)} holders of ${String(capTable.totalSupply)} fractions as of block ${String(capTable.asOfBlock)}`,
    );
    const reconciliation = await api.as(people.officer).waitFor(
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
    provider.destroy();
  }
}

/** Stablecoin minor units (6 decimals) as a decimal string. */
function formatUsdc(amount: bigint): string {
  return `${amount / 1_000_000n}.${(amount % 1_000_000n).toString().padStart(6, '0').slice(0, 2)}`;
}

interface People {
  admin: string;
  officer: string;
  alice: string;
  bob: string;
}

/**
 * The first admin comes from the command line; the admin creates a compliance officer; two
 * investors register, link their wallets by signing Sign-In with Ethereum messages, and pass KYC:
 * alice by manual review, bob through the Sumsub-style webhook. Approval reaches the chain.
 */
async function showUptimeOracle(
  say: Narrator,
  api: DemoClient,
  people: People,
  stack: LocalStack,
  tokenized: Tokenized,
  fleet: Fleet,
): Promise<void> {
  say.section('The uptime oracle probes every GPU and proves each epoch on chain');
  const operator = api.as(tokenized.operator);
  const base = `/farms/${tokenized.farmId}/uptime`;
  const status = await operator.waitFor(base, (body) => body.notProbed === 0);
  say.step(
    `${fleet.nodes.length} nodes serve dcgm-exporter metrics (the fleet simulator); the worker probes each every second (BullMQ job schedulers) and judges every onboarded GPU`,
  );
  say.table(
    ['GPU', 'host', 'state', 'util %', 'temp °C', 'power W', 'memory used MiB'],
    (status.items as Body[]).map((gpu) => [
      `${String(gpu.gpuUuid).slice(0, 13)}…`,
      String(gpu.host),
      gpu.up ? 'up' : `down: ${String(gpu.reason)}`,
      String(gpu.utilization ?? '-'),
      String(gpu.temperatureC ?? '-'),
      gpu.powerMw === null ? '-' : (Number(gpu.powerMw) / 1000).toFixed(1),
      String(gpu.memoryUsedMb ?? '-'),
    ]),
  );
  say.step(
    `GET ${base.replace(tokenized.farmId, ':id')}: ${String(status.up)} up, ${String(status.down)} down`,
  );

  const page = await operator.waitFor(
    `${base}/epochs`,
    (body) => (body.items as Body[]).some((item) => item.status === 'accepted'),
    90_000,
  );
  const report = (page.items as Body[]).find((item) => item.status === 'accepted')!;
  const epoch = String(report.epoch);
  const csv = await operator.text(`${base}/epochs/${epoch}/samples?format=csv`);
  const recomputed = `0x${createHash('sha256').update(csv, 'utf8').digest('hex')}`;
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  try {
    const oracle = UptimeOracle__factory.connect(
      deployment.contracts.UptimeOracle.address,
      provider,
    );
    const onChain = await oracle.reportDigest(chainFarmId(tokenized.farmId), BigInt(epoch));
    const farm = await api.as(people.officer).expect(200, 'GET', `/farms/${tokenized.farmId}`);
    const signers = (report.signatures as Body[]).map((s) => `${String(s.signer).slice(0, 8)}…`);
    say.table(
      ['epoch report', 'value'],
      [
        [
          'epoch',
          `${epoch} (${String(report.startsAt)} to ${String(report.endsAt)}, ${DEMO_EPOCH_SECONDS} s)`,
        ],
        [
          'GPUs, samples expected / taken / up',
          `${String(report.gpus)}, ${String(report.expectedSamples)} / ${String(report.sampleCount)} / ${String(report.upSamples)}`,
        ],
        [
          'uptime',
          `${(Number(report.uptimeBps) / 100).toFixed(2)} % (${String(report.uptimeBps)} bps)`,
        ],
        [
          'GPU-hours available / used',
          `${Number(report.gpuHoursAvailable) / 1000} / ${Number(report.gpuHoursUsed) / 1000}`,
        ],
        [
          'revenue at 2.00 mUSDC per GPU-hour used',
          `${formatUsdc(BigInt(String(report.revenue)))} mUSDC`,
        ],
        [
          'SLA (99.00 %)',
          report.slaMet
            ? 'met'
            : `BREACHED: farm flagged (slaBreachEpoch ${String(farm.slaBreachEpoch)}), audited`,
        ],
        ['samplesHash', `${String(report.samplesHash).slice(0, 18)}…`],
        [
          'sha256 of the CSV export',
          `${recomputed.slice(0, 18)}… ${recomputed === report.samplesHash ? '(matches)' : '(DIFFERS)'}`,
        ],
        ['signed (EIP-712) by', signers.join(', ')],
        [
          'UptimeOracle.submitReport',
          `${String(report.txHash).slice(0, 18)}… ${String(report.status)}`,
        ],
        [
          'on-chain reportDigest',
          `${onChain.slice(0, 18)}… ${onChain === report.digest ? '(matches the signed digest)' : '(DIFFERS)'}`,
        ],
      ],
    );
    if (recomputed !== report.samplesHash || onChain !== report.digest) {
      throw new Error('the epoch report does not match its export or its on-chain record');
    }
  } finally {
    provider.destroy();
  }
}

async function showRevenueDistribution(
  say: Narrator,
  api: DemoClient,
  people: People,
  stack: LocalStack,
  tokenized: Tokenized,
): Promise<void> {
  say.section("The epoch's revenue reaches the holders: one Merkle root, claimed on chain");
  const operator = api.as(tokenized.operator);
  const officer = api.as(people.officer);
  const alice = api.as(people.alice);
  // An epoch that starts now: both investors hold their fractions through it.
  const since = Date.now();
  const epochs = await operator.waitFor(
    `/farms/${tokenized.farmId}/uptime/epochs`,
    (body) =>
      (body.items as Body[]).some(
        (e) => e.status === 'accepted' && Date.parse(String(e.startsAt)) >= since,
      ),
    90_000,
  );
  const uptimeEpoch = (epochs.items as Body[]).find(
    (e) => e.status === 'accepted' && Date.parse(String(e.startsAt)) >= since,
  )!;
  const epoch = String(uptimeEpoch.epoch);
  const gross = 1_250_000_000n;
  const reported = await operator.expect(
    201,
    'POST',
    `/farms/${tokenized.farmId}/revenue-reports`,
    {
      epoch,
      amount: gross.toString(),
      evidenceRef: `compute invoice 2026-11, epoch ${epoch}`,
    },
  );
  say.step(
    `the operator reports epoch ${epoch}'s gross revenue (POST /farms/:id/revenue-reports): ${formatUsdc(gross)} mUSDC; the oracle's GPU-hours used x rate say ${formatUsdc(BigInt(String(reported.expectedAmount)))} mUSDC, ${String(reported.deviationBps)} bps away, beyond the ${String(reported.toleranceBps)} bps tolerance: ${String(reported.status)}`,
  );
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  const keys = wellKnownDevPrivateKeys();
  try {
    // The operator remits the gross revenue to the platform treasury (the mock stablecoin stands in).
    const treasury = new Wallet(keys[1]).address;
    const minter = MockStablecoin__factory.connect(
      deployment.contracts.Stablecoin.address,
      new Wallet(keys[0], provider),
    );
    await waitForReceipt(provider, (await minter.mint(treasury, gross)).hash);
  } finally {
    provider.destroy();
  }
  const pending = await officer.expect(200, 'GET', '/revenue-reports/pending');
  const approved = await officer.expect(
    200,
    'POST',
    `/revenue-reports/${String((pending.items as Body[])[0].id)}/approve`,
    {
      reason:
        'invoice matches the customer statement; GPU-hours under-report a reserved-capacity contract',
    },
  );
  say.step(
    `the compliance officer reviews it (GET /revenue-reports/pending) and approves it with a reason: ${String(approved.status)}; the operator paid the revenue to the platform treasury, which funds the root`,
  );
  const page = await operator.waitFor(
    `/farms/${tokenized.farmId}/distributions`,
    (body) => (body.items as Body[]).some((d) => d.status === 'published'),
    90_000,
  );
  const distribution = (page.items as Body[]).find((d) => d.epoch === epoch)!;
  const b = distribution.breakdown as Record<string, string | number | boolean | null>;
  const usdc = (value: unknown) => `${formatUsdc(BigInt(String(value)))} mUSDC`;
  say.table(
    ['distribution of epoch ' + epoch, 'value'],
    [
      ['gross revenue', usdc(b.gross)],
      [`platform fee (${Number(b.platformFeeBps) / 100} %)`, usdc(b.platformFee)],
      [
        `operator's share (${(10_000 - Number(b.revenueShareBps)) / 100} % of the rest)`,
        usdc(b.operatorShare),
      ],
      [
        `SLA ${b.slaMet ? 'met' : `missed (${Number(b.uptimeBps) / 100} % < ${Number(b.slaUptimeBps) / 100} %)`}: to the holders`,
        `${usdc(b.slaPenalty)} (${Number(b.slaPenaltyBps) / 100} % of the operator's share)`,
      ],
      ['holders share + dust carried in', `${usdc(b.holdersShare)} + ${usdc(b.dustIn)}`],
      [
        'paid to holders + dust carried on',
        `${usdc(b.paid)} + ${String(b.dustOut)} minor units (${String(b.paid)} + ${String(b.dustOut)} = ${String(b.distributable)})`,
      ],
      [
        'snapshot',
        `block ${String(distribution.snapshotBlock)} (last before the epoch's end), supply ${String(distribution.supply)}, ${String(distribution.holders)} holders`,
      ],
      ['Merkle root', `${String(distribution.root).slice(0, 18)}… over cumulative entitlements`],
      [
        'publishRevenueRoot (funded)',
        `${String(distribution.publishTxHash).slice(0, 18)}… published`,
      ],
    ],
  );

  const chain = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  try {
    const wallet = new Wallet(keys[2], chain);
    const claimRoute = `/farms/${tokenized.farmId}/claims/${wallet.address}`;
    const claim = await alice.expect(200, 'GET', claimRoute);
    const stablecoin = MockStablecoin__factory.connect(
      deployment.contracts.Stablecoin.address,
      chain,
    );
    const before = await stablecoin.balanceOf(wallet.address);
    const token = GpuFarmToken__factory.connect(tokenized.token, wallet);
    const receipt = await waitForReceipt(
      chain,
      (await token.claimRevenue(String(claim.cumulative), claim.proof as string[])).hash,
    );
    const received = (await stablecoin.balanceOf(wallet.address)) - before;
    const after = await alice.waitFor(claimRoute, (body) => body.claimable === '0', 30_000);
    say.step(
      `alice asks for her claim (GET /farms/:id/claims/:wallet): ${usdc(claim.claimable)} with a ${(claim.proof as string[]).length}-hash proof, and calls claimRevenue from her own wallet: block ${receipt.blockNumber}, +${formatUsdc(received)} mUSDC; indexed: claimed ${usdc(after.claimed)}, claimable ${usdc(after.claimable)}`,
    );
    if (received !== BigInt(String(claim.claimable)))
      throw new Error('the claim paid another amount');

    const statement = await alice.expect(200, 'GET', `/statements?farmId=${tokenized.farmId}`);
    say.step("alice's statement (GET /statements, also as CSV with ?format=csv):");
    say.table(
      ['epoch', 'wallet', 'fractions at snapshot', 'of supply', 'entitled', 'cumulative'],
      (statement.lines as Body[]).map((line) => [
        String(line.epoch),
        `${String(line.wallet).slice(0, 10)}…`,
        String(line.balance),
        String(line.supply),
        usdc(line.amount),
        usdc(line.cumulative),
      ]),
    );
  } finally {
    chain.destroy();
  }
}

async function showPeopleAndKyc(
  say: Narrator,
  api: DemoClient,
  env: NodeJS.ProcessEnv,
  stack: LocalStack,
  sumsub: FakeSumsub,
): Promise<People> {
  say.section(
    'People: the first admin from the command line, staff from the admin, investors on their own',
  );
  const password = randomBytes(12).toString('hex');
  const created = execFileSync(
    'npx',
    ['ts-node', 'scripts/create-admin.ts', '--email', 'admin@demo.gpu'],
    { env: { ...env, ADMIN_PASSWORD: password }, encoding: 'utf8' },
  );
  say.step(`npm run admin:create -- --email admin@demo.gpu: ${created.trim()}`);
  const admin = await api.signIn('admin@demo.gpu', password);
  await api.as(admin).expect(201, 'POST', '/users', {
    email: 'officer@demo.gpu',
    password,
    role: 'compliance',
  });
  const officer = await api.signIn('officer@demo.gpu', password);
  say.step('the admin created compliance officer officer@demo.gpu (POST /users)');

  const keys = wellKnownDevPrivateKeys();
  const investors = [
    { name: 'alice', wallet: new Wallet(keys[2]), country: 276, provider: 'manual' },
    { name: 'bob', wallet: new Wallet(keys[3]), country: 250, provider: 'sumsub' },
  ] as const;
  const tokens: Record<string, string> = {};
  const caseIds: Record<string, string> = {};
  for (const investor of investors) {
    const session = await api.expect(201, 'POST', '/auth/register', {
      email: `${investor.name}@demo.gpu`,
      password,
    });
    const client = api.as(session.accessToken as string);
    const challenge = await client.expect(200, 'POST', '/wallets/nonce', {});
    const message = siweMessage(challenge, investor.wallet.address);
    await client.expect(201, 'POST', '/wallets', {
      message,
      signature: await investor.wallet.signMessage(message),
    });
    const kycCase = await client.expect(201, 'POST', '/kyc/cases', {
      provider: investor.provider,
      country: investor.country,
      ...(investor.provider === 'manual'
        ? {
            documents: [
              { type: 'passport', name: 'passport.pdf', sha256: id('alice passport').slice(2) },
            ],
          }
        : {}),
    });
    caseIds[investor.name] = kycCase.id as string;
    tokens[investor.name] = session.accessToken as string;
  }
  say.step('alice and bob registered and linked their wallets by signing EIP-4361 messages');

  const challenge = await api.expect(200, 'POST', '/auth/siwe/nonce', {});
  const message = siweMessage(challenge, investors[0].wallet.address);
  const signedIn = await api.expect(200, 'POST', '/auth/siwe', {
    message,
    signature: await investors[0].wallet.signMessage(message),
  });
  say.step(
    `alice signs in with her wallet alone (POST /auth/siwe): a session for ${(signedIn.user as { email: string }).email}`,
  );
  const replay = await api.post(
    '/auth/siwe',
    JSON.stringify({ message, signature: await investors[0].wallet.signMessage(message) }),
  );
  say.step(
    `the same signed message again: ${replay.status} ${String(replay.body.code)} (nonces are single-use)`,
  );

  say.section(
    'KYC: a compliance officer reviews alice, the provider reviews bob; approval reaches the chain',
  );
  await api.as(officer).expect(200, 'POST', `/kyc/cases/${caseIds.alice}/approve`, {
    country: 276,
    level: 'basic-kyc-level',
    reason: 'passport and proof of address checked',
  });
  say.step(
    'officer@demo.gpu approved alice, confirming her country from the documents (POST /kyc/cases/:id/approve)',
  );
  const applicantId = randomBytes(12).toString('hex');
  sumsub.applicants.set(applicantId, { externalUserId: caseIds.bob, country: 'FRA' });
  const webhook = JSON.stringify({
    applicantId,
    correlationId: `req-${randomBytes(8).toString('hex')}`,
    externalUserId: caseIds.bob,
    levelName: 'basic-kyc-level',
    type: 'applicantReviewed',
    reviewStatus: 'completed',
    reviewResult: { reviewAnswer: 'GREEN' },
    createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', ''),
  });
  const delivered = await api.raw('POST', '/kyc/webhooks/sumsub', webhook, {
    'x-payload-digest': createHmac('sha256', env.KYC_WEBHOOK_SECRET!).update(webhook).digest('hex'),
    'x-payload-digest-alg': 'HMAC_SHA256_HEX',
  });
  say.step(
    `the provider's signed applicantReviewed GREEN for bob: ${delivered.status} ${JSON.stringify(delivered.body)}; his country comes from the provider's applicant data`,
  );

  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  try {
    const registry = IdentityRegistry__factory.connect(
      deployment.contracts.IdentityRegistry.address,
      provider,
    );
    await waitFor(
      async () => {
        const states = await Promise.all(
          investors.map((i) => registry.isVerified(i.wallet.address)),
        );
        return states.every(Boolean) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'both wallets verified in the IdentityRegistry' },
    );
    const rows: string[][] = [];
    for (const investor of investors) {
      const kycCase = await api
        .as(tokens[investor.name])
        .expect(200, 'GET', `/kyc/cases/${caseIds[investor.name]}`);
      const [, country, expiry] = await registry.identityOf(investor.wallet.address);
      rows.push([
        investor.name,
        investor.wallet.address,
        `${kycCase.provider as string}: ${kycCase.status as string} by ${kycCase.decidedBy as string}`,
        String(await registry.isVerified(investor.wallet.address)),
        String(country),
        new Date(Number(expiry) * 1000).toISOString().slice(0, 10),
      ]);
    }
    say.table(
      ['investor', 'wallet', 'KYC case', 'isVerified on chain', 'country', 'KYC expiry'],
      rows,
    );
  } finally {
    provider.destroy();
  }
  return { admin, officer, alice: tokens.alice, bob: tokens.bob };
}

/** An operator lists a farm with its GPUs and documents; compliance reviews and approves it. */
interface Tokenized {
  farmId: string;
  token: string;
  /** The operator's access token. */
  operator: string;
}

async function showFarmOnboarding(
  say: Narrator,
  api: DemoClient,
  people: People,
  fleet: Fleet,
): Promise<Tokenized> {
  say.section(
    'An operator onboards a GPU farm; compliance approves the listing and the token request; it becomes a token',
  );
  const password = randomBytes(12).toString('hex');
  await api
    .as(people.admin)
    .expect(201, 'POST', '/users', { email: 'operator@demo.gpu', password, role: 'operator' });
  const operatorToken = await api.signIn('operator@demo.gpu', password);
  const operator = api.as(operatorToken);
  const farm = await operator.expect(201, 'POST', '/farms', {
    name: 'GPU Farm Reykjavik A100',
    legalEntity: 'Nordic Compute ehf.',
    jurisdiction: 352,
    siteLocation: 'Reykjavik, Iceland',
    valuation: '2500000000000',
    revenueShareBps: 7000,
    probeIntervalSeconds: 1,
    slaUptimeBps: 9900,
    ratePerGpuHour: '2000000',
    nodes: listingNodesOf(fleet.nodes),
    documents: [
      {
        type: 'valuation-report',
        uri: 'https://docs.example.com/reykjavik/valuation.pdf',
        sha256: id('valuation').slice(2),
      },
      {
        type: 'power-contract',
        uri: 'https://docs.example.com/reykjavik/power.pdf',
        sha256: id('power').slice(2),
      },
    ],
  });
  const farmId = farm.id as string;
  // One GPU of the second node is gone from its metrics from now on: the oracle will notice.
  fleet.setMode(1, 'missing-gpu');
  await operator.expect(200, 'POST', `/farms/${farmId}/submit`);
  const refused = await operator.raw(
    'PATCH',
    `/farms/${farmId}`,
    JSON.stringify({ name: 'renamed' }),
  );
  const approved = await api.as(people.officer).expect(200, 'POST', `/farms/${farmId}/approve`, {
    reason: 'title, valuation and power contract checked',
  });
  say.table(
    ['step', 'result'],
    [
      [
        'POST /farms (operator)',
        `draft with ${(farm.nodes as unknown[]).length} GPUs and ${(farm.documents as unknown[]).length} documents, valuation 2,500,000.00`,
      ],
      ['POST /farms/:id/submit', 'submitted for review'],
      ['PATCH after submission', `${refused.status} ${String(refused.body.code)}`],
      [
        'POST /farms/:id/approve (compliance)',
        `${String(approved.status)} by ${String(approved.decidedBy)}`,
      ],
    ],
  );
  const requested = await operator.expect(201, 'POST', `/farms/${farmId}/tokenization`, {
    symbol: 'GPUREY',
    totalFractions: '1000000',
    allowedCountries: [276, 250, 352],
    maxBalance: '250000',
    maxHolders: 2000,
    lockupEnd: new Date(Date.now() + 90 * 86_400_000).toISOString(),
  });
  if (requested.status !== 'requested' || requested.chainTxId !== null) {
    throw new Error(`the token request went ahead without compliance: ${String(requested.status)}`);
  }
  const officer = api.as(people.officer);
  const queues = await officer.expect(200, 'GET', '/reports/review-queues?limit=200');
  const waiting = (
    queues.tokenizations as {
      oldest: { farmId: string; symbol: string; requesterEmail: string; ageSeconds: number }[];
    }
  ).oldest.find((item) => item.farmId === farmId);
  if (!waiting) throw new Error('the token request is not in the review queue');
  const reason = 'symbol, fractions, countries and holder limits match the approved listing';
  const decided = await officer.expect(200, 'POST', `/farms/${farmId}/tokenization/approve`, {
    reason,
  });
  const token = await waitFor(
    async () => {
      const body = await operator.expect(200, 'GET', `/farms/${farmId}/token`);
      return body.status === 'confirmed' ? body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the farm token confirmed' },
  );
  const farmNow = await operator.expect(200, 'GET', `/farms/${farmId}`);
  say.table(
    ['step', 'result'],
    [
      [
        'POST /farms/:id/tokenization (operator)',
        `${String(requested.status)}: ${String(requested.symbol)}, ${String(requested.totalFractions)} fractions, token ${String(requested.tokenAddress)} (known before it exists); nothing sent to the chain`,
      ],
      [
        'GET /reports/review-queues (compliance)',
        `waiting: ${waiting.symbol} requested by ${waiting.requesterEmail}, ${waiting.ageSeconds} s ago`,
      ],
      [
        'POST /farms/:id/tokenization/approve (compliance)',
        `approved with the reason "${String(decided.decisionReason)}"; the factory transaction is ${String(decided.status)} in the outbox`,
      ],
      [
        'the factory transaction',
        `${String(token.status)} on chain; the farm is ${String(farmNow.status)}`,
      ],
    ],
  );
  return { farmId, token: token.tokenAddress as string, operator: operatorToken };
}

async function showAuditVerification(say: Narrator, officer: DemoClient): Promise<void> {
  say.section('A compliance officer verifies the audit log against its on-chain anchor');
  const result = await waitFor(
    async () => {
      const body = await officer.expect(200, 'GET', '/audit/verify');
      const anchors = body.anchors as { latest: { sequence: string } | null };
      const head = body.head as { sequence: string } | null;
      return anchors.latest && head && BigInt(anchors.latest.sequence) >= BigInt(head.sequence) - 5n
        ? body
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the audit head anchored on chain' },
  );
  const head = result.head as { sequence: string; hash: string };
  const anchors = result.anchors as {
    count: number;
    latest: { sequence: string; head: string; txHash: string; blockNumber: string };
    mismatches: unknown[];
  };
  say.table(
    ['check', 'result'],
    [
      [
        'hash chain',
        `${String(result.entries)} entries, head #${head.sequence} ${head.hash.slice(0, 16)}…`,
      ],
      [
        'latest on-chain anchor',
        `entry #${anchors.latest.sequence} in block ${anchors.latest.blockNumber} (tx ${anchors.latest.txHash.slice(0, 18)}…)`,
      ],
      ['anchors checked', `${anchors.count}, ${anchors.mismatches.length} mismatch(es)`],
      ['verdict', result.valid ? 'VALID' : 'BROKEN'],
    ],
  );
  if (!result.valid) throw new Error('the audit log does not verify');
}

/** Gas for a transfer sent without an estimate (a frozen wallet's, which the estimate refuses). */
const FROZEN_TRANSFER_GAS_LIMIT = 200_000n;

/** The custom error a call reverts with, as `Name(arg, ...)`; throws if the call succeeds. */
async function revertReason(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    const data = (error as { data?: string }).data;
    const parsed = data ? GpuFarmToken__factory.createInterface().parseError(data) : null;
    if (parsed) return `${parsed.name}(${parsed.args.join(', ')})`;
    throw error;
  }
  throw new Error('the call did not revert');
}

async function showCompliance(
  say: Narrator,
  api: DemoClient,
  people: People,
  stack: LocalStack,
  tokenized: Tokenized,
): Promise<void> {
  say.section('A compliance officer enforces on chain, looks back in time and reports');
  const officer = api.as(people.officer);
  const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
  const provider = createChainProvider(stack.env.RPC_URL, deployment.chainId, 10_000);
  const keys = wellKnownDevPrivateKeys();
  const [alice, bob, aliceSpare] = [keys[2], keys[3], keys[4]].map((k) => new Wallet(k, provider));
  const route = `/farms/${tokenized.farmId}/enforcement`;
  const act = async (path: string, body: Record<string, unknown>): Promise<Body> => {
    const key = `demo-${path}-${randomBytes(6).toString('hex')}`;
    const first = await officer.raw('POST', `${route}/${path}`, JSON.stringify(body), {
      'idempotency-key': key,
    });
    if (first.status !== 201) throw new Error(`${path} refused: ${JSON.stringify(first.body)}`);
    const action = await officer.waitFor(
      `/enforcement-actions/${String(first.body.id)}`,
      (body) => body.status !== 'pending',
      30_000,
    );
    // A refused action (a failed forced transfer, say) stops the demo: it shows nothing else.
    if (action.status !== 'confirmed') {
      throw new Error(
        `${path} ended ${String(action.status)} on chain: ${String(action.failure ?? 'no reason')}`,
      );
    }
    return action;
  };
  try {
    const token = GpuFarmToken__factory.connect(tokenized.token, provider);
    const frozen = await act('wallet-freezes', {
      wallet: bob.address,
      frozen: true,
      reason: 'sanctions screening hit, pending review',
    });
    // Bob tries anyway: a real transaction, with its gas limit fixed so that it is sent and mined
    // (no estimate, which would refuse it first), and reverts on chain.
    const bobHolds = await token.balanceOf(bob.address);
    const attempt = await token
      .connect(bob)
      .transfer(alice.address, 1n, { gasLimit: FROZEN_TRANSFER_GAS_LIMIT });
    const receipt = await waitForReceipt(provider, attempt.hash).then(
      (mined) => {
        throw new Error(`bob's transfer from a frozen wallet did not revert (${mined.hash})`);
      },
      (error: unknown) => {
        if (error instanceof TransactionRevertedError) return error.receipt;
        throw error;
      },
    );
    if (receipt.status !== 0) throw new Error(`bob's transfer ${receipt.hash} did not fail`);
    if ((await token.balanceOf(bob.address)) !== bobHolds) {
      throw new Error("bob's balance moved although his transfer reverted");
    }
    // The reason, as the chain gives it: the same call replayed at the end of that block.
    const refusal = await revertReason(() =>
      token.connect(bob).transfer.staticCall(alice.address, 1n, { blockTag: receipt.blockNumber }),
    );
    if (!refusal.startsWith('SenderFrozen(')) {
      throw new Error(`bob's transfer reverted with ${refusal}, not the freeze`);
    }
    say.step(
      `freeze bob's wallet (POST /farms/:id/enforcement/wallet-freezes, with a reason and an Idempotency-Key): ${String(frozen.status)} in ${String(frozen.txHash).slice(0, 14)}…; bob's own transfer ${receipt.hash.slice(0, 14)}… is mined in block ${receipt.blockNumber} and reverts (receipt status 0) with ${refusal}`,
    );

    const before = BigInt(await provider.getBlockNumber());
    const forced = await act('forced-transfers', {
      from: bob.address,
      to: alice.address,
      amount: '5',
      reason: 'court order 2026/118: 5 fractions to the claimant',
    });
    say.step(
      `forced transfer of 5 fractions from bob (still frozen) to alice: ${String(forced.status)}; the freeze stays`,
    );

    // Alice links a second wallet (SIWE); her KYC puts it in the registry, then she loses the first.
    const client = api.as(people.alice);
    const challenge = await client.expect(200, 'POST', '/wallets/nonce', {});
    const message = siweMessage(challenge, aliceSpare.address);
    await client.expect(201, 'POST', '/wallets', {
      message,
      signature: await aliceSpare.signMessage(message),
    });
    const registry = IdentityRegistry__factory.connect(
      deployment.contracts.IdentityRegistry.address,
      provider,
    );
    await waitFor(
      async () => ((await registry.isVerified(aliceSpare.address)) ? true : undefined),
      {
        what: "alice's second wallet verified on chain",
        timeoutMs: 30_000,
      },
    );
    const recovered = await act('recoveries', {
      lostWallet: alice.address,
      newWallet: aliceSpare.address,
      reason: 'alice lost her key; identity re-verified by video call',
    });
    say.step(
      `alice linked a second wallet, which her KYC put in the registry; her first is recovered to it (POST …/recoveries): ${String(recovered.status)}; balance, freezes and claimed revenue move`,
    );
    await officer.waitFor(
      `/farms/${tokenized.farmId}/cap-table`,
      (table) =>
        (table.items as Body[]).some((item) => item.wallet === aliceSpare.address.toLowerCase()),
      30_000,
    );
    const [then, now] = await Promise.all([
      officer.expect(200, 'GET', `/farms/${tokenized.farmId}/cap-table?block=${before}`),
      officer.expect(200, 'GET', `/farms/${tokenized.farmId}/cap-table`),
    ]);
    const names = new Map([
      [alice.address.toLowerCase(), 'alice (first wallet)'],
      [aliceSpare.address.toLowerCase(), 'alice (second wallet)'],
      [bob.address.toLowerCase(), 'bob'],
    ]);
    say.table(
      ['cap table', 'holder', 'fractions', 'share'],
      [
        ...(then.items as Body[]).map((item) => [
          `at block ${before}`,
          names.get(String(item.wallet)) ?? String(item.wallet),
          String(item.balance),
          `${String(item.percentage)} %`,
        ]),
        ...(now.items as Body[]).map((item) => [
          `now (block ${String(now.asOfBlock)})`,
          names.get(String(item.wallet)) ?? String(item.wallet),
          String(item.balance),
          `${String(item.percentage)} %`,
        ]),
      ],
    );
    const register = await officer.expect(
      200,
      'GET',
      `/reports/holder-register?farmId=${tokenized.farmId}`,
    );
    say.step('the holder register (GET /reports/holder-register, also as streamed CSV):');
    say.table(
      ['investor', 'country', 'KYC', 'expires', 'wallet', 'fractions'],
      (register.items as Body[]).map((row) => [
        String(row.email),
        String(row.country),
        String(row.kycStatus),
        String(row.kycExpiresAt).slice(0, 10),
        `${String(row.wallet).slice(0, 10)}…`,
        String(row.balance),
      ]),
    );
    const audit = await officer.expect(
      200,
      'GET',
      `/audit/entries?subject=farm:${tokenized.farmId}&limit=5`,
    );
    say.step(
      `the audit log, searched by subject (GET /audit/entries): ${(audit.items as Body[]).map((e) => String(e.action)).join(', ')}`,
    );
  } finally {
    provider.destroy();
  }
}

async function showRefusals(say: Narrator, api: DemoClient, people: People): Promise<void> {
  say.section('Bad or unauthorised requests get a clear 4xx with a stable code');
  const unknown = await api.get('/no/such/route');
  const malformed = await api.post('/chain/status', '{"not json');
  const anonymous = await api.get('/audit/verify');
  const investorAsAdmin = await api.as(people.alice).get('/users');
  const massAssignment = await api
    .as(people.bob)
    .raw(
      'POST',
      '/kyc/cases',
      JSON.stringify({ provider: 'manual', country: 250, status: 'approved' }),
    );
  const checks: [string, { status: number; body: Record<string, unknown> }, number][] = [
    ['GET /no/such/route', unknown, 404],
    ['POST /chain/status with broken JSON', malformed, 400],
    ['GET /audit/verify without a token', anonymous, 401],
    ['GET /users as investor alice', investorAsAdmin, 403],
    ['POST /kyc/cases with "status": "approved" (mass assignment)', massAssignment, 400],
  ];
  say.table(
    ['request', 'status', 'code'],
    checks.map(([what, response]) => [what, String(response.status), String(response.body.code)]),
  );
  if (checks.some(([, response, expected]) => response.status !== expected))
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

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`see ${path.relative(process.cwd(), WORK_DIR)}/api.log and worker.log`);
  process.exit(1);
});
