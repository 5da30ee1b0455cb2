import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@gpu/audit';
import { ChainModule } from '@gpu/chain';
import { type AppConfig, ConfigModule } from '@gpu/config';
import { DatabaseModule } from '@gpu/database';
import {
  ComputeDistributions,
  DISTRIBUTION_ENTITIES,
  Distribution,
  DistributionPublisher,
  DistributionsService,
} from '@gpu/distribution';
import type { Principal } from '@gpu/identity';
import { Narrator } from '../scripts/lib/narrator';
import { type InProcessStack, startInProcessStack } from './lib/in-process-stack';
import { option } from './lib/options';
import { RssSampler } from './lib/proc-stats';

/**
 * One distribution over `--holders` holders (default 1,000,000): `npm run bench:distribution`.
 * Synthetic indexed balances (one mint per holder in token_transfer, the table the indexer
 * fills), then the real computation in this process: snapshot from the transfers, floor
 * pro-rata entitlements, cumulative amounts, the Merkle tree, and the persistence of every
 * entitlement line and tree node. Then `--lookups` claims with proofs (default 2,000) of random
 * holders, as the API serves them.
 */
const WORK_DIR = path.resolve('.tmp/bench');
const BENCH_DATABASE = 'gpu_rwa_bench_distribution';
const TOKEN = `0x${'d'.repeat(40)}`;
const GROSS = 987_654_321_987n;

@Module({})
class DistributionBenchModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DistributionBenchModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot('gpu-bench-distribution'),
        AuditModule,
        ChainModule,
        TypeOrmModule.forFeature(DISTRIBUTION_ENTITIES),
      ],
      providers: [DistributionPublisher, ComputeDistributions, DistributionsService],
    };
  }
}

const WARM_UP_LOOKUPS = 200;

/** A full garbage collection (V8's gc(), exposed for this call only). */
function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

const holderAddress = (i: number): string => `0x${i.toString(16).padStart(40, '0')}`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const holders = option('holders', 1_000_000);
  const lookups = option('lookups', 2_000);
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  let stack: InProcessStack | undefined;
  try {
    say.section(`Set-up: ${holders.toLocaleString('en')} holders of one farm token`);
    let started = Date.now();
    stack = await startInProcessStack({
      name: 'distribution',
      database: BENCH_DATABASE,
      workDir: WORK_DIR,
      module: (config) => DistributionBenchModule.forRoot(config),
    });
    const { app, dataSource } = stack;
    // The computation logs how long each phase took.
    Logger.overrideLogger(['error', 'warn', 'log']);

    const farmId = randomUUID();
    const [operator] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO app_user (email, password_hash, role) VALUES ('bench-operator@example.com', 'x', 'operator') RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO farm (id, operator_id, name, legal_entity, jurisdiction, site_location, valuation, revenue_share_bps, status)
       VALUES ($1, $2, 'Bench farm', 'Bench ehf.', 352, 'Reykjavik', 1000000, 7000, 'active')`,
      [farmId, operator.id],
    );
    // One mint per holder, balances 1..1000 fractions, as the indexer writes Transfer logs.
    await dataSource.query(
      `INSERT INTO token_transfer (token, from_address, to_address, amount, block_number, tx_hash, log_index)
       SELECT $1, '0x0000000000000000000000000000000000000000',
              '0x' || lpad(to_hex(i), 40, '0'), (i::bigint * 7919) % 1000 + 1, 100 + i / 1000,
              '0x' || lpad(to_hex(i), 64, '0'), 0
         FROM generate_series(1, $2::integer) i`,
      [TOKEN, holders],
    );
    await dataSource.query(`ANALYZE token_transfer`);
    // The index has read past the mints, as the indexer records it.
    const indexedTo = 100 + Math.floor(holders / 1000) + 1;
    await dataSource.query(
      `INSERT INTO index_cursor (chain_id, block_number, block_hash) VALUES (31337, $1, $2)
       ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number`,
      [indexedTo, `0x${'0'.repeat(64)}`],
    );
    const reportId = randomUUID();
    const holdersShare = GROSS - GROSS / 50n - ((GROSS - GROSS / 50n) * 3000n) / 10_000n;
    const platformFee = GROSS / 50n;
    const operatorFee = GROSS - platformFee - holdersShare;
    const draft = await dataSource.getRepository(Distribution).save({
      farmId,
      token: TOKEN,
      epoch: 1n,
      revenueReportId: reportId,
      status: 'draft',
      gross: GROSS,
      platformFeeBps: 200,
      platformFee,
      revenueShareBps: 7000,
      operatorShare: operatorFee,
      uptimeBps: 10_000,
      slaUptimeBps: 9_900,
      slaMet: true,
      slaPenaltyBps: 5_000,
      slaPenalty: 0n,
      operatorFee,
      holdersShare,
      // Past the last mint: the snapshot block is already known.
      snapshotBlock: BigInt(indexedTo),
    });
    say.step(
      `stack up and ${holders.toLocaleString('en')} indexed mints written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    say.section('Computation: snapshot, entitlements, tree, persistence');
    const rss = new RssSampler({ bench: process.pid }, 100);
    rss.start();
    started = Date.now();
    const outcome = await app.get(ComputeDistributions).compute(draft.id);
    const seconds = (Date.now() - started) / 1000;
    rss.stop();
    if (outcome !== 'computed') throw new Error(`the computation ended ${outcome}`);
    const done = await dataSource.getRepository(Distribution).findOneByOrFail({ id: draft.id });
    const [rows] = await dataSource.query<{ lines: number; nodes: number }[]>(
      `SELECT (SELECT count(*)::int FROM distribution_entitlement WHERE distribution_id = $1) AS lines,
              (SELECT (sum(length(nodes)) / 32)::int FROM distribution_tree_chunk WHERE distribution_id = $1) AS nodes`,
      [draft.id],
    );
    const exact = done.paid! + done.dustOut! === done.distributable;
    say.table(
      [
        'holders',
        'seconds',
        'peak RSS MB',
        'lines',
        'tree nodes',
        'distributable',
        'paid',
        'dust',
        'exact',
      ],
      [
        [
          String(done.holders),
          seconds.toFixed(1),
          rss.peak('bench').toFixed(0),
          String(rows.lines),
          String(rows.nodes),
          String(done.distributable),
          String(done.paid),
          String(done.dustOut),
          String(exact),
        ],
      ],
    );
    if (!exact || rows.lines !== holders || rows.nodes !== 2 * holders - 1)
      throw new Error('the distribution is not complete or not exact');

    say.section(
      `Proof lookups: ${lookups} claims of random holders (the API's query; after ${WARM_UP_LOOKUPS} to warm up)`,
    );
    await dataSource.query(`UPDATE distribution SET status = 'published' WHERE id = $1`, [
      draft.id,
    ]);
    const service = app.get(DistributionsService);
    const officer: Principal = { userId: randomUUID(), role: 'compliance', via: 'access-token' };
    // The computation's garbage is not the API's: collect it, and warm the caches as a running API has them.
    collectGarbage();
    for (let i = 0; i < WARM_UP_LOOKUPS; i++) {
      await service.claim(officer, farmId, holderAddress(1 + Math.floor(Math.random() * holders)));
    }
    const times: number[] = [];
    let proofLength = 0;
    for (let i = 0; i < lookups; i++) {
      const wallet = holderAddress(1 + Math.floor(Math.random() * holders));
      const at = process.hrtime.bigint();
      const claim = await service.claim(officer, farmId, wallet);
      times.push(Number(process.hrtime.bigint() - at) / 1e6);
      proofLength = claim.proof.length;
      if (BigInt(claim.cumulative) === 0n && claim.proof.length === 0)
        throw new Error(`no entitlement for ${wallet}`);
    }
    times.sort((a, b) => a - b);
    say.table(
      ['lookups', 'proof length', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          String(lookups),
          String(proofLength),
          percentile(times, 50).toFixed(2),
          percentile(times, 99).toFixed(2),
          times[times.length - 1].toFixed(2),
        ],
      ],
    );
    say.done();
    console.log(
      JSON.stringify({
        holders: done.holders,
        seconds: Number(seconds.toFixed(1)),
        peakRssMb: Math.round(rss.peak('bench')),
        proofLookupP99Ms: Number(percentile(times, 99).toFixed(2)),
      }),
    );
  } finally {
    await stack?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
