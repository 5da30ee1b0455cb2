import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type JsonRpcProvider, getAddress, hexlify } from 'ethers';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  CHAIN_PROVIDER,
  ChainOutbox,
  type ChainIntent,
  type Deployment,
  DEPLOYMENT,
  encodeCall,
  registryInvestorId,
  rpcBatch,
  rpcResult,
} from '@gpu/chain';
import type { AppConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { IdentityRegistry__factory } from '../../libs/chain/src/generated';
import { ChainTxRepository } from '../../libs/chain/src/outbox/chain-tx.repository';
import { LaneSender } from '../../libs/chain/src/outbox/lane-sender';
import { TxSenderService } from '../../libs/chain/src/outbox/tx-sender.service';
import { waitFor } from '../../scripts/lib/wait-for';
import { RpcCounter, type RoundTrips, SqlCounter } from './io-counters';
import { MethodTimer } from './method-timer';

export interface SenderBenchOptions {
  intents: number;
  /** Intents per enqueuing database transaction. */
  perTransaction: number;
  pollMs: number;
  timeoutMs: number;
}

export interface SenderFigures {
  intents: number;
  confirmed: number;
  failed: number;
  enqueueMs: number;
  firstConfirmedMs: number;
  allFinalMs: number;
  /** The longest the worker's (this process's) event loop was blocked in the window. */
  eventLoopMaxMs: number;
  txPerSec: number;
  blocks: number;
  attempts: number;
  /** Problems found by the checks; empty when all is well. */
  problems: string[];
  methods: [string, { calls: number; totalMs: number }][];
  rpc: [string, RoundTrips][];
  rpcRequests: number;
  sql: [string, RoundTrips][];
}

const YEAR = 365 * 24 * 3600;
const registry = IdentityRegistry__factory.createInterface();

/** Methods of the sender whose wall time the benchmark reports (inclusive, see MethodTimer). */
const SENDER_METHODS = [
  'round',
  'broadcastWhileSimulating',
  'broadcastSigned',
  'simulateQueued',
  'estimateAll',
  'signReady',
  'trackBroadcast',
  'finalizeMined',
  'signAttempt',
  'receipts',
  'marketFees',
  'chainNonce',
];
const REPOSITORY_METHODS = [
  'inStates',
  'queued',
  'countInStates',
  'currentAttempts',
  'attemptsOf',
  'signQueued',
  'markBroadcast',
  'markMined',
  'confirm',
  'finalize',
  'noteError',
  'claimUnnotified',
];

/**
 * Intents confirmed per second through the worker's sender: the worker runs in this process (as
 * `startWorker` in the tests builds it), `options.intents` registrations of random wallets are
 * enqueued through ChainOutbox in transactions of `perTransaction`, and the clock runs from the
 * first enqueue until every row is final (one COUNT query every `pollMs`).
 */
export async function benchSender(
  config: AppConfig,
  options: SenderBenchOptions,
  log: (line: string) => void,
): Promise<SenderFigures> {
  const timer = new MethodTimer();
  timer.wrap(LaneSender.prototype, 'sender', SENDER_METHODS);
  timer.wrap(ChainTxRepository.prototype, 'repo', REPOSITORY_METHODS);
  timer.wrap(TxSenderService.prototype, 'service', ['notifyOutcomes']);
  if (timer.missing.length) log(`not timed (no such method any more): ${timer.missing.join(', ')}`);
  const sql = new SqlCounter();
  const poller = new Client({ connectionString: config.DATABASE_URL });
  sql.ignore.add(poller);
  let worker: INestApplicationContext | undefined;
  let rpc: RpcCounter | undefined;
  try {
    await poller.connect();
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
      logger: false,
    });
    await worker.init();
    const dataSource = worker.get(DataSource);
    const outbox = worker.get(ChainOutbox);
    const deployment = worker.get<Deployment>(DEPLOYMENT);
    const provider = worker.get<JsonRpcProvider>(CHAIN_PROVIDER);

    // The worker is ready when its lane is registered and its indexer has read the deployment.
    await waitFor(
      async () => {
        const { rows } = await poller.query(`SELECT 1 FROM chain_signer WHERE lane = 'platform'`);
        return rows.length ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'the sender lane to register' },
    );
    const head = Number(await provider.send('eth_blockNumber', []));
    await waitFor(
      async () => {
        const { rows } = await poller.query<{ block_number: string }>(
          `SELECT block_number FROM index_cursor`,
        );
        return rows.length && Number(rows[0].block_number) >= head ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'the indexer to read the deployment' },
    );

    const expiry = Math.floor(Date.now() / 1000) + YEAR;
    const run = hexlify(randomBytes(4));
    const wallets = Array.from({ length: options.intents }, () =>
      getAddress(hexlify(randomBytes(20))),
    );
    const intents: ChainIntent[] = wallets.map((wallet, i) => ({
      to: deployment.contracts.IdentityRegistry.address,
      ...encodeCall('IdentityRegistry', registry, 'registerIdentity', [
        wallet,
        registryInvestorId(wallet),
        276,
        expiry,
      ]),
      reference: `bench:${i}`,
      idempotencyKey: `bench-chain:${run}:${i}`,
    }));

    timer.reset();
    sql.reset();
    rpc = new RpcCounter(provider);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    let enqueueMs = 0;
    const enqueuing = (async () => {
      for (let start = 0; start < intents.length; start += options.perTransaction) {
        const chunk = intents.slice(start, start + options.perTransaction);
        await inTransaction(dataSource, async (manager) => {
          for (const intent of chunk) await outbox.enqueue(manager, intent);
        });
      }
      enqueueMs = performance.now() - started;
    })();

    let firstConfirmedMs = 0;
    let counts = { confirmed: 0, failed: 0 };
    for (;;) {
      const { rows } = await poller.query<{ confirmed: string; failed: string }>(
        `SELECT count(*) FILTER (WHERE state = 'confirmed') AS confirmed,
                count(*) FILTER (WHERE state = 'failed') AS failed FROM chain_tx`,
      );
      counts = { confirmed: Number(rows[0].confirmed), failed: Number(rows[0].failed) };
      if (counts.confirmed > 0 && !firstConfirmedMs) firstConfirmedMs = performance.now() - started;
      if (counts.confirmed + counts.failed >= options.intents) break;
      if (performance.now() - started > options.timeoutMs) {
        throw new Error(
          `sender: only ${counts.confirmed} of ${options.intents} confirmed (${counts.failed} failed) after ${options.timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    const allFinalMs = performance.now() - started;
    loopDelay.disable();
    await enqueuing;
    const methods = timer.entries();
    const rpcCalls = [...rpc.calls.entries()];
    const rpcRequests = rpc.requests;
    const statements = [...sql.statements.entries()];
    log(
      `${options.intents} intents enqueued in ${(enqueueMs / 1000).toFixed(2)} s, all final after ${(allFinalMs / 1000).toFixed(2)} s`,
    );

    const problems: string[] = [];
    if (counts.failed > 0) problems.push(`${counts.failed} transaction(s) failed`);
    const { rows } = await poller.query<{
      nonce: string | null;
      state: string;
      block_number: string | null;
      failure_reason: string | null;
    }>(`SELECT nonce, state, block_number, failure_reason FROM chain_tx ORDER BY nonce`);
    if (rows.length !== options.intents)
      problems.push(`${rows.length} chain_tx rows, expected ${options.intents}`);
    const failure = rows.find((row) => row.failure_reason);
    if (failure) problems.push(`a failure: ${failure.failure_reason}`);
    const nonces = rows.map((row) => Number(row.nonce));
    const gap = nonces.findIndex((nonce, i) => i > 0 && nonce !== nonces[i - 1] + 1);
    if (nonces.some(Number.isNaN)) problems.push('a transaction has no nonce');
    if (gap > 0) problems.push(`nonces not contiguous at ${nonces[gap - 1]} -> ${nonces[gap]}`);
    const agent = (await poller.query<{ address: string }>(`SELECT address FROM chain_signer`))
      .rows[0].address;
    const chainNonce = Number(await provider.send('eth_getTransactionCount', [agent, 'latest']));
    if (chainNonce !== nonces[nonces.length - 1] + 1)
      problems.push(`chain nonce ${chainNonce}, last sent ${nonces[nonces.length - 1]}`);
    const attempts = Number(
      (await poller.query<{ n: string }>(`SELECT count(*) AS n FROM chain_tx_attempt`)).rows[0].n,
    );
    if (attempts !== options.intents) problems.push(`${attempts} attempts (replacements?)`);
    const verified = await rpcBatch<string>(
      provider,
      wallets.map((wallet) => ({
        method: 'eth_call',
        params: [
          {
            to: deployment.contracts.IdentityRegistry.address,
            data: registry.encodeFunctionData('isVerified', [wallet]),
          },
          'latest',
        ],
      })),
      30_000,
    );
    const notVerified = verified.filter((a) => BigInt(rpcResult(a, 'eth_call')) !== 1n).length;
    if (notVerified > 0) problems.push(`${notVerified} wallet(s) not registered on chain`);

    return {
      intents: options.intents,
      confirmed: counts.confirmed,
      failed: counts.failed,
      enqueueMs,
      firstConfirmedMs,
      allFinalMs,
      eventLoopMaxMs: loopDelay.max / 1e6,
      txPerSec: counts.confirmed / (allFinalMs / 1000),
      blocks: new Set(rows.map((row) => row.block_number)).size,
      attempts,
      problems,
      methods,
      rpc: rpcCalls,
      rpcRequests,
      sql: statements,
    };
  } finally {
    rpc?.restore();
    await worker?.close();
    await poller.end().catch(() => undefined);
    sql.restore();
    timer.restore();
  }
}
