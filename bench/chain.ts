import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDeploymentFile } from '@gpu/chain';
import { loadConfig, scriptEnvironment } from '@gpu/config';
import { dropDatabase, withDatabaseName } from '@gpu/database';
import { startLocalStack } from '../scripts/lib/local-stack';
import { Narrator } from '../scripts/lib/narrator';
import { deleteKeysWithPrefix } from '../scripts/lib/redis-keys';
import { type CatchUpFigures, type IndexerFigures, benchIndexer } from './lib/indexer-bench';
import type { RoundTrips } from './lib/io-counters';
import { type SenderFigures, benchSender } from './lib/sender-bench';

/**
 * `npm run bench:chain`: the chain pipeline of the worker on a fresh anvil (automine), Postgres
 * and Redis of its own.
 *
 * - txPerSec: registrations enqueued through ChainOutbox and confirmed by the in-process worker's
 *   sender (CHAIN_CONFIRMATIONS=1), from the first enqueue until every row is final.
 * - indexerLogsPerSec / indexerBlocksPerSec: a ChainIndexer catching up on 100,000 Transfer logs
 *   of one farm token (written while no indexer ran), from its first round until it is idle.
 *
 * Exits non-zero when a target is missed or a check fails (failed transactions, nonce gaps,
 * indexed balances that differ from the chain). Options: --batch-blocks N (INDEXER_BATCH_BLOCKS
 * of the reported catch-up, default 50), --sweep N,M (more catch-ups with other batch sizes,
 * default 10).
 */
const TARGETS = { txPerSec: 200, indexerLogsPerSec: 5_000 };

const SENDER = { intents: 1_000, perTransaction: 100, pollMs: 20, timeoutMs: 90_000 };
const WORKER_SETTINGS = {
  CHAIN_CONFIRMATIONS: '1',
  CHAIN_POLL_INTERVAL_MS: '20',
  TX_BATCH_SIZE: '200',
  RECONCILE_INTERVAL_MS: '3600000',
  LOG_LEVEL: 'silent',
};
/** `--name 1,2,3`: the numbers given, or `fallback`. */
function numbers(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const values = (process.argv[index + 1] ?? '').split(',').map(Number);
  if (!values.length || values.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`--${name} takes positive integers separated by commas`);
  return values;
}

/**
 * 99,000 mints (batchMints of 100, two to a block: 200 logs a block) to 2,000 holders and 1,000
 * transfers between 10 of them. INDEXER_BATCH_BLOCKS=50 reads about 10,000 logs per eth_getLogs.
 */
const INDEXER = {
  logs: 100_000,
  recipients: 2_000,
  mintsPerTx: 100,
  txsPerBlock: 2,
  mintsInARow: 5,
  transfers: 1_000,
  senders: 10,
  /** The first is reported; the others (`--sweep`) run after a rollback of the first. */
  batchBlocks: [...numbers('batch-blocks', [50]).slice(0, 1), ...numbers('sweep', [10])],
};

/** Steps that undo what the run created, last first; each runs once, even after a failure. */
class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private done?: Promise<void>;

  add(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.what} failed:`, error);
        }
      }
    })();
    return this.done;
  }
}

async function main(): Promise<number> {
  const say = new Narrator();
  const started = performance.now();
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const databaseUrl = withDatabaseName(base.DATABASE_URL, 'gpu_bench_chain');
  const queuePrefix = `gpu-bench-chain-${process.pid}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'gpu-bench-chain-'));
  const cleanup = new Cleanup();
  cleanup.add('temporary directory', async () => rmSync(dir, { recursive: true, force: true }));
  cleanup.add('Redis keys', () => deleteKeysWithPrefix(base.REDIS_URL, queuePrefix));
  cleanup.add('database', () => dropDatabase(databaseUrl));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }

  try {
    say.section('Stack: fresh database, anvil (automine) and deployment');
    const stack = await startLocalStack({
      databaseUrl,
      freshDatabase: true,
      redisUrl: base.REDIS_URL,
      queuePrefix,
      deploymentFile: path.join(dir, 'deployment.json'),
      log: (line) => say.step(line),
    });
    cleanup.add('anvil', () => stack.stop());
    const deployment = readDeploymentFile(stack.env.DEPLOYMENT_FILE);
    const config = loadConfig({
      ...scriptEnvironment(process.env),
      ...stack.env,
      ...WORKER_SETTINGS,
    });

    say.section('Sender: the worker in this process');
    const sender = await benchSender(config, SENDER, (line) => say.step(line));
    say.section('Indexer: generating the logs (no indexer running), then catching up');
    const indexer = await benchIndexer(config, deployment, INDEXER, (line) => say.step(line));

    const failures = report(say, sender, indexer);
    say.done();
    const main = indexer.runs[0];
    console.log(
      JSON.stringify({
        txPerSec: round1(sender.txPerSec),
        indexerLogsPerSec: Math.round(main.logsPerSec),
        indexerBlocksPerSec: Math.round(main.blocksPerSec),
        indexerBatchBlocks: main.batchBlocks,
        txIntents: sender.intents,
        txSeconds: round2(sender.allFinalMs / 1000),
        txEnqueueSeconds: round2(sender.enqueueMs / 1000),
        txFirstConfirmedSeconds: round2(sender.firstConfirmedMs / 1000),
        txBlocks: sender.blocks,
        txEventLoopMaxMs: Math.round(sender.eventLoopMaxMs),
        indexerLogs: main.logs,
        indexerBlocks: main.blocks,
        indexerBlocksWithLogs: indexer.blocksWithLogs,
        indexerRounds: main.rounds,
        indexerSeconds: round2(main.ms / 1000),
        indexerSweep: indexer.runs.map((run) => ({
          batchBlocks: run.batchBlocks,
          rounds: run.rounds,
          failedRounds: run.failedRounds,
          seconds: round2(run.ms / 1000),
          logsPerSec: Math.round(run.logsPerSec),
          blocksPerSec: Math.round(run.blocksPerSec),
          rollbackSeconds: run.rollbackMs === undefined ? null : round2(run.rollbackMs / 1000),
          eventLoopMaxMs: Math.round(run.eventLoopMaxMs),
        })),
        logSetupSeconds: round2(indexer.setupMs / 1000),
        logGenerationSeconds: round2(indexer.generateMs / 1000),
        benchSeconds: round1((performance.now() - started) / 1000),
        targets: TARGETS,
        problems: failures,
        targetsMet: failures.length === 0,
      }),
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanup.run();
  }
}

function report(say: Narrator, sender: SenderFigures, indexer: IndexerFigures): string[] {
  const failures: string[] = [];
  const main = indexer.runs[0];
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const senderOk = sender.txPerSec >= TARGETS.txPerSec;
  const indexerOk = main.logsPerSec >= TARGETS.indexerLogsPerSec;
  if (!senderOk) failures.push(`txPerSec ${round1(sender.txPerSec)} < ${TARGETS.txPerSec}`);
  if (!indexerOk)
    failures.push(
      `indexerLogsPerSec ${Math.round(main.logsPerSec)} < ${TARGETS.indexerLogsPerSec}`,
    );
  failures.push(...sender.problems.map((p) => `sender: ${p}`));
  for (const run of indexer.runs)
    failures.push(...run.problems.map((p) => `indexer (batch ${run.batchBlocks}): ${p}`));

  say.section(
    `Sender: ${sender.intents} IdentityRegistry.registerIdentity intents, ${SENDER.intents / SENDER.perTransaction} enqueuing transactions of ${SENDER.perTransaction}, one lane, automine, CHAIN_CONFIRMATIONS=1, TX_BATCH_SIZE=200, CHAIN_POLL_INTERVAL_MS=20`,
  );
  say.table(
    ['figure', 'value', 'target', 'verdict'],
    [
      [
        'txPerSec (first enqueue -> all confirmed)',
        round1(sender.txPerSec).toString(),
        `>= ${TARGETS.txPerSec}`,
        verdict(senderOk),
      ],
      ['enqueue (s)', round2(sender.enqueueMs / 1000).toString(), '', ''],
      ['first confirmed (s)', round2(sender.firstConfirmedMs / 1000).toString(), '', ''],
      ['all final (s)', round2(sender.allFinalMs / 1000).toString(), '', ''],
      ['confirmed / failed', `${sender.confirmed} / ${sender.failed}`, '', ''],
      ['blocks / attempts', `${sender.blocks} / ${sender.attempts}`, '', ''],
      ['longest event-loop stall (ms)', Math.round(sender.eventLoopMaxMs).toString(), '', ''],
      [
        'checks (nonces contiguous, chain nonce, registered on chain, no failure)',
        sender.problems.length ? sender.problems.join('; ') : 'all passed',
        '',
        verdict(sender.problems.length === 0),
      ],
    ],
  );
  say.section(
    "Where the sender's time goes (inclusive wall time in the worker over the window; concurrent calls add up)",
  );
  say.table(
    ['method', 'calls', 'total ms', 'ms per tx', '% of window'],
    sender.methods
      .sort((a, b) => b[1].totalMs - a[1].totalMs)
      .map(([name, f]) => [
        name,
        String(f.calls),
        Math.round(f.totalMs).toString(),
        (f.totalMs / sender.intents).toFixed(2),
        `${Math.round((100 * f.totalMs) / sender.allFinalMs)}%`,
      ]),
  );
  roundTrips(say, 'JSON-RPC calls of the worker over the window', sender.rpc, sender.intents, [
    `${sender.rpcRequests} HTTP requests`,
  ]);
  roundTrips(
    say,
    'SQL statements of the worker over the window (sender, indexer, heartbeat)',
    sender.sql,
    sender.intents,
  );

  say.section(
    `Indexer: catching up on ${INDEXER.logs.toLocaleString('en-US')} Transfer logs of one token in ${indexer.blocksWithLogs} blocks (${INDEXER.logs - INDEXER.transfers} mints, ${INDEXER.mintsPerTx * INDEXER.txsPerBlock} a block, to ${INDEXER.recipients} holders; ${INDEXER.transfers} transfers between holders), CHAIN_CONFIRMATIONS=1, RPC_TIMEOUT_MS=${indexer.rpcTimeoutMs}`,
  );
  say.table(
    [
      'INDEXER_BATCH_BLOCKS',
      'rounds (failed)',
      'blocks',
      'logs',
      's',
      'logs/s',
      'blocks/s',
      'rollback s',
      'max stall ms',
      'target',
      'checks',
    ],
    indexer.runs.map((run, i) => [
      String(run.batchBlocks) + (i === 0 ? ' (reported)' : ''),
      `${run.rounds} (${run.failedRounds})`,
      String(run.blocks),
      String(run.logs),
      round2(run.ms / 1000).toString(),
      Math.round(run.logsPerSec).toString(),
      Math.round(run.blocksPerSec).toString(),
      run.rollbackMs === undefined ? '' : round2(run.rollbackMs / 1000).toString(),
      Math.round(run.eventLoopMaxMs).toString(),
      i === 0 ? `>= ${TARGETS.indexerLogsPerSec} logs/s: ${verdict(indexerOk)}` : '',
      run.problems.length ? run.problems.join('; ') : 'ok',
    ]),
  );
  say.step(
    'checks: token_transfer rows = logs; sum(token_balance) = indexed total_supply = totalSupply(); every holder = balanceOf()',
  );
  say.step(
    'max stall: the longest the event loop was blocked (in the worker this would also hold up the sender and the queue)',
  );
  for (const run of indexer.runs.filter((r) => r.failure))
    say.step(`INDEXER_BATCH_BLOCKS=${run.batchBlocks}: first failed round: ${run.failure}`);
  for (const run of indexer.runs) indexerBreakdown(say, run);
  return failures;
}

function indexerBreakdown(say: Narrator, run: CatchUpFigures): void {
  say.section(
    `Where the indexer's time goes, INDEXER_BATCH_BLOCKS=${run.batchBlocks} (inclusive wall time, ${Math.round(run.ms)} ms in all)`,
  );
  say.table(
    ['method', 'calls', 'total ms', 'ms per 1000 logs', '% of window'],
    run.methods
      .sort((a, b) => b[1].totalMs - a[1].totalMs)
      .map(([name, f]) => [
        name,
        String(f.calls),
        Math.round(f.totalMs).toString(),
        ((1000 * f.totalMs) / Math.max(1, run.logs)).toFixed(1),
        `${Math.round((100 * f.totalMs) / run.ms)}%`,
      ]),
  );
  const list = (entries: [string, RoundTrips][]) =>
    entries
      .sort((a, b) => b[1].totalMs - a[1].totalMs)
      .map(([kind, t]) => `${kind} ${t.count}x ${Math.round(t.totalMs)} ms`)
      .join(', ');
  say.step(`RPC: ${list(run.rpc)}`);
  say.step(`SQL: ${list(run.sql)}`);
}

function roundTrips(
  say: Narrator,
  title: string,
  entries: [string, RoundTrips][],
  intents: number,
  notes: string[] = [],
): void {
  say.section(title);
  const total = entries.reduce((sum, [, t]) => sum + t.count, 0);
  say.table(
    ['kind', 'count', 'per tx', 'total ms', 'ms each'],
    [
      ...entries
        .sort((a, b) => b[1].totalMs - a[1].totalMs)
        .map(([kind, t]) => [
          kind,
          String(t.count),
          (t.count / intents).toFixed(2),
          Math.round(t.totalMs).toString(),
          (t.totalMs / t.count).toFixed(2),
        ]),
      ['(all)', String(total), (total / intents).toFixed(2), '', ''],
    ],
  );
  for (const note of notes) say.step(note);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
