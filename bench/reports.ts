import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@gpu/audit';
import { ChainModule } from '@gpu/chain';
import { ComplianceModule, ReportsService } from '@gpu/compliance';
import { type AppConfig, ConfigModule } from '@gpu/config';
import { DatabaseModule } from '@gpu/database';
import { FarmsModule } from '@gpu/farms';
import { HoldingsService, IssuanceModule } from '@gpu/issuance';
import { ObservabilityModule } from '@gpu/observability';
import { QueueModule } from '@gpu/queue';
import { Narrator } from '../scripts/lib/narrator';
import { type InProcessStack, startInProcessStack } from './lib/in-process-stack';
import { option } from './lib/options';
import { RssSampler } from './lib/proc-stats';

/**
 * Compliance reports at scale: `npm run bench:reports`. One farm token with `--holders` holders
 * (default 100,000, each an investor with a wallet and an approved KYC case) and `--transfers`
 * indexed transfers in all (default 1,000,000: a mint per holder, then transfers between them),
 * written straight into the tables the indexer and the API fill. Then, in this process, through
 * the API's services: the cap table at a past block (`capTableMs`, the first page of 100 and the
 * totals, best and worst of `--runs`) and the whole holder register as CSV, streamed
 * (`holderRegisterCsvMs`, with the process's memory while it streams).
 */
const WORK_DIR = path.resolve('.tmp/bench');
const BENCH_DATABASE = 'gpu_rwa_bench_reports';
const TOKEN = `0x${'e'.repeat(40)}`;
const COUNTRY = 276;

@Module({})
class ReportsBenchModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ReportsBenchModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule.forRoot('gpu-bench-reports'),
        QueueModule,
        AuditModule,
        ChainModule,
        FarmsModule,
        IssuanceModule,
        ComplianceModule,
      ],
    };
  }
}

async function main(): Promise<void> {
  const holders = option('holders', 100_000);
  const transfers = option('transfers', 1_000_000);
  const runs = option('runs', 5);
  if (transfers < holders)
    throw new Error('--transfers must be at least --holders (one mint each)');
  const say = new Narrator();
  mkdirSync(WORK_DIR, { recursive: true });
  let stack: InProcessStack | undefined;
  try {
    say.section(
      `Set-up: ${holders.toLocaleString('en')} holders, ${transfers.toLocaleString('en')} transfers of one farm token`,
    );
    let started = Date.now();
    stack = await startInProcessStack({
      name: 'reports',
      database: BENCH_DATABASE,
      workDir: WORK_DIR,
      module: (config) => ReportsBenchModule.forRoot(config),
    });
    const { app, dataSource } = stack;

    const farmId = randomUUID();
    const officerId = randomUUID();
    const moves = transfers - holders;
    const lastBlock = 1_000 + Math.ceil(moves / 100);
    await dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO app_user (id, email, password_hash, role) VALUES ($1, 'officer@bench.gpu', 'x', 'compliance')`,
        [officerId],
      );
      await m.query(
        `INSERT INTO farm (id, operator_id, name, legal_entity, jurisdiction, site_location, valuation, revenue_share_bps, status)
         VALUES ($1, $2, 'Bench farm', 'Bench ehf.', 352, 'Reykjavik', 1000000, 7000, 'active')`,
        [farmId, officerId],
      );
      await m.query(
        `INSERT INTO farm_token (farm_id, chain_farm_id, token_address, name, symbol, total_fractions,
            max_balance, max_holders, allowed_countries, requested_by, chain_tx_id, status)
         VALUES ($1, $2, $3, 'Bench farm', 'BENCH', 1000000000000, 0, 0, '{${COUNTRY}}', $4, 0, 'confirmed')`,
        [farmId, `0x${'1'.repeat(64)}`, TOKEN, officerId],
      );
      // Investors, each with one wallet and an approved KYC case.
      await m.query(
        `INSERT INTO app_user (id, email, password_hash, role)
         SELECT md5('investor' || i)::uuid, 'investor' || i || '@bench.gpu', 'x', 'investor'
           FROM generate_series(1, $1::integer) i`,
        [holders],
      );
      await m.query(
        `INSERT INTO wallet (user_id, address, chain_id, registry_expiry)
         SELECT md5('investor' || i)::uuid, '0x' || lpad(to_hex(i), 40, '0'), 31337, now() + interval '1 year'
           FROM generate_series(1, $1::integer) i`,
        [holders],
      );
      await m.query(
        `INSERT INTO kyc_case (investor_id, requested_by, provider, status, country, documents, expires_at, decided_at)
         SELECT md5('investor' || i)::uuid, md5('investor' || i)::uuid, 'manual', 'approved', ${COUNTRY}, '[]',
                now() + interval '1 year', now()
           FROM generate_series(1, $1::integer) i`,
        [holders],
      );
      // A mint of 1,000,000 per holder, then transfers of 1 to 5 fractions between holders.
      await m.query(
        `INSERT INTO token_transfer (token, from_address, to_address, amount, block_number, tx_hash, log_index)
         SELECT $1, '0x0000000000000000000000000000000000000000', '0x' || lpad(to_hex(i), 40, '0'),
                1000000, 100 + i / 1000, '0x' || lpad(to_hex(i), 64, '0'), 0
           FROM generate_series(1, $2::integer) i`,
        [TOKEN, holders],
      );
      await m.query(
        `INSERT INTO token_transfer (token, from_address, to_address, amount, block_number, tx_hash, log_index)
         SELECT $1, '0x' || lpad(to_hex(k % $3 + 1), 40, '0'),
                '0x' || lpad(to_hex((k % $3 + 1 + (k::bigint * 7919) % ($3 - 1)) % $3 + 1), 40, '0'),
                1 + k % 5, 1000 + k / 100, '0x' || lpad(to_hex($3 + k), 64, '0'), 0
           FROM generate_series(1, $2::integer) k`,
        [TOKEN, moves, holders],
      );
      // What the indexer derives: balances, the supply and its cursor.
      await m.query(
        `INSERT INTO token_balance (token, holder, balance)
         SELECT $1, account, sum(delta) FROM (
             SELECT to_address AS account, amount AS delta FROM token_transfer WHERE token = $1
             UNION ALL SELECT from_address, -amount FROM token_transfer WHERE token = $1) moves
          WHERE account <> '0x0000000000000000000000000000000000000000'
          GROUP BY account`,
        [TOKEN],
      );
      await m.query(
        `INSERT INTO indexed_contract (address, kind, from_block, total_supply)
         VALUES ($1, 'GpuFarmToken', 100, $2::numeric * 1000000)`,
        [TOKEN, holders],
      );
      await m.query(
        `INSERT INTO index_cursor (chain_id, block_number, block_hash) VALUES (31337, $1, $2)
         ON CONFLICT (chain_id) DO UPDATE SET block_number = EXCLUDED.block_number`,
        [lastBlock, `0x${'0'.repeat(64)}`],
      );
    });
    await dataSource.query('ANALYZE');
    say.step(`data written in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    say.section(
      'Cap table at past blocks (10 %, 50 % and 90 % through the transfers): first page of 100 and the totals',
    );
    const holdings = app.get(HoldingsService);
    const viewer = { userId: officerId, operatorOnly: false };
    const now = await holdings.capTable(viewer, farmId, { limit: 100, offset: 0 });
    const rows: string[][] = [];
    let worst = 0;
    for (const share of [0.1, 0.5, 0.9]) {
      const block = BigInt(1_000 + Math.floor((moves * share) / 100));
      const times: number[] = [];
      let table: Awaited<ReturnType<HoldingsService['capTable']>> | undefined;
      for (let run = 0; run < runs; run++) {
        started = Date.now();
        table = await holdings.capTable(viewer, farmId, { limit: 100, offset: 0 }, { block });
        times.push(Date.now() - started);
      }
      if (table!.holders !== holders || table!.totalSupply !== now.totalSupply) {
        throw new Error(`the cap table at block ${block} is not complete`);
      }
      const [upTo] = await dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM token_transfer WHERE token = $1 AND block_number <= $2`,
        [TOKEN, block.toString()],
      );
      times.sort((x, y) => x - y);
      worst = Math.max(worst, times[times.length - 1]);
      rows.push([
        String(block),
        String(upTo.n),
        String(table!.holders),
        table!.totalSupply,
        String(table!.items.length),
        String(times[0]),
        String(times[times.length - 1]),
      ]);
    }
    say.table(
      ['at block', 'transfers up to it', 'holders', 'supply', 'first page', 'best ms', 'worst ms'],
      rows,
    );

    say.section('Holder register as CSV, streamed');
    const reports = app.get(ReportsService);
    const rss = new RssSampler({ bench: process.pid }, 50);
    rss.start();
    const before = rss.peak('bench');
    started = Date.now();
    let bytes = 0;
    let lines = 0;
    for await (const chunk of reports.csv(reports.holderRegister({ farmId }))) {
      bytes += Buffer.byteLength(chunk);
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    }
    const csvMs = Date.now() - started;
    rss.stop();
    const peak = rss.peak('bench');
    say.table(
      ['rows', 'MB', 'ms', 'RSS before MB', 'RSS peak MB'],
      [
        [
          String(lines - 1),
          (bytes / 1e6).toFixed(1),
          String(csvMs),
          before.toFixed(0),
          peak.toFixed(0),
        ],
      ],
    );
    if (lines - 1 !== holders)
      throw new Error(`the register has ${lines - 1} rows, not ${holders}`);
    say.done();
    console.log(
      JSON.stringify({
        holders,
        transfers,
        capTableMs: worst,
        holderRegisterCsvMs: csvMs,
        holderRegisterCsvMb: Number((bytes / 1e6).toFixed(1)),
        csvRssGrowthMb: Math.round(peak - before),
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
