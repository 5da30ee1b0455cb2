import { randomBytes } from 'node:crypto';
import type { JsonRpcProvider } from 'ethers';
import type { DataSource } from 'typeorm';

/**
 * An oracle epoch report of `farmId`, written straight to the table the oracle fills (the oracle's
 * own tests prove how it is made): what a revenue report is checked against and where its
 * snapshot ends.
 */
export async function insertUptimeEpoch(
  dataSource: DataSource,
  report: {
    farmId: string;
    epoch: bigint;
    endsAt: Date;
    revenue: bigint;
    uptimeBps?: number;
    slaUptimeBps?: number;
    /** The oracle report's on-chain state; `accepted` (confirmed) by default. */
    status?: 'signed' | 'submitted' | 'accepted' | 'failed';
  },
): Promise<void> {
  const uptimeBps = report.uptimeBps ?? 10_000;
  const slaUptimeBps = report.slaUptimeBps ?? 9_900;
  await dataSource.query(
    `INSERT INTO uptime_epoch (farm_id, epoch, starts_at, ends_at, probe_interval_seconds, gpus,
        sample_count, revenue, rate_per_gpu_hour, sla_uptime_bps, sla_met, samples_hash, digest,
        signatures, status, expected_samples, up_samples, uptime_bps, gpu_hours_available, gpu_hours_used)
     VALUES ($1, $2, $3::timestamptz - interval '1 hour', $3, 60, 1, 60, $4, 1, $5, $6, $7, $8,
        '[]'::jsonb, $10, 60, 60, $9, 1000, 1000)`,
    [
      report.farmId,
      report.epoch.toString(),
      report.endsAt,
      report.revenue.toString(),
      slaUptimeBps,
      uptimeBps >= slaUptimeBps,
      `0x${randomBytes(32).toString('hex')}`,
      `0x${randomBytes(32).toString('hex')}`,
      uptimeBps,
      report.status ?? 'accepted',
    ],
  );
}

/** Mines a block at exactly `timestamp` (Unix seconds) on anvil and returns its number. */
export async function mineAt(provider: JsonRpcProvider, timestamp: number): Promise<bigint> {
  await provider.send('evm_mine', [timestamp]);
  return BigInt(await provider.getBlockNumber());
}

/** The time of the chain's latest block, Unix seconds. */
export async function latestBlockTime(provider: JsonRpcProvider): Promise<number> {
  const block = await provider.getBlock('latest');
  if (!block) throw new Error('no latest block');
  return block.timestamp;
}

export interface EpochEnd {
  /** The epoch's last block, mined at `endsAt` - 5 s: its snapshot. */
  inside: bigint;
  /** The next block, mined at `endsAt` + 5 s. */
  after: bigint;
  endsAt: Date;
}

/**
 * An epoch end 105 s past the chain's time, between two adjacent blocks mined 5 s either side of
 * it. A transaction the app's workers send between the two would land inside the epoch and make
 * the pair not adjacent; then another pair is mined.
 */
export async function mineEpochEnd(provider: JsonRpcProvider): Promise<EpochEnd> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const from = await provider.getBlockNumber();
    const t = (await latestBlockTime(provider)) + 100;
    await provider.send('evm_mine', [t]);
    await provider.send('evm_mine', [t + 10]);
    const to = await provider.getBlockNumber();
    let previous: number | undefined;
    for (let number = from + 1; number <= to; number++) {
      const timestamp = (await provider.getBlock(number))!.timestamp;
      if (previous === t && timestamp === t + 10) {
        return {
          inside: BigInt(number - 1),
          after: BigInt(number),
          endsAt: new Date((t + 5) * 1000),
        };
      }
      previous = timestamp;
    }
  }
  throw new Error('other transactions kept landing between the blocks of an epoch end');
}
