import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { pgPool } from '@gpu/database';
import type { GpuVerdict } from '../probe/judge-node';

export interface SampleRow extends GpuVerdict {
  farmId: string;
  slotAt: Date;
  probedAt: Date;
}

/** The lock a farm's sample writes share and its epoch close takes alone. */
export const FARM_SAMPLES_LOCK_SQL = `hashtextextended('uptime-samples:' || $1, 0)`;

const MAX_ROWS_PER_STATEMENT = 5000;

const INSERT_SQL = `INSERT INTO gpu_sample (gpu_node_id, slot_at, farm_id, probed_at, up, reason, detail,
    utilization, temperature_c, power_mw, memory_used_mb)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::timestamptz[], $5::bool[],
    $6::text[], $7::text[], $8::int2[], $9::int2[], $10::int4[], $11::int4[])
    AS s(gpu_node_id, slot_at, farm_id, probed_at, up, reason, detail, utilization, temperature_c,
      power_mw, memory_used_mb)
  WHERE NOT EXISTS (SELECT 1 FROM uptime_epoch e
    WHERE e.farm_id = s.farm_id AND e.epoch = floor(extract(epoch from s.slot_at) / $12)::bigint)
  ON CONFLICT (gpu_node_id, slot_at) DO NOTHING`;

interface Waiting {
  rows: SampleRow[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes samples in batches: rows handed in while a batch is written go together in the next
 * one; each caller's promise settles when its rows are committed. A sample already stored (a
 * probe delivered twice) is skipped, and so is one whose epoch is already reported: each batch
 * holds its farms' shared lock, which an epoch's close takes exclusively.
 */
@Injectable()
export class SampleWriter {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  write(rows: SampleRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (!this.writing) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          await this.insert(batch.flatMap((waiting) => waiting.rows));
          batch.forEach((waiting) => waiting.resolve());
        } catch (error) {
          batch.forEach((waiting) => waiting.reject(error));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async insert(rows: SampleRow[]): Promise<void> {
    const client = await pgPool(this.dataSource).connect();
    try {
      await client.query('BEGIN');
      const farms = [...new Set(rows.map((row) => row.farmId))].sort();
      await client.query(
        `SELECT pg_advisory_xact_lock_shared(${FARM_SAMPLES_LOCK_SQL.replace('$1', 'f')}) FROM unnest($1::text[]) f`,
        [farms],
      );
      // Rows of one probe share their times: each is written out once, not once a row.
      const isoOf = new Map<number, string>();
      const iso = (at: Date): string => {
        const ms = at.getTime();
        let text = isoOf.get(ms);
        if (text === undefined) isoOf.set(ms, (text = at.toISOString()));
        return text;
      };
      for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + MAX_ROWS_PER_STATEMENT);
        await client.query(INSERT_SQL, [
          chunk.map((row) => row.gpuNodeId),
          chunk.map((row) => iso(row.slotAt)),
          chunk.map((row) => row.farmId),
          chunk.map((row) => iso(row.probedAt)),
          chunk.map((row) => row.up),
          chunk.map((row) => row.reason),
          chunk.map((row) => row.detail),
          chunk.map((row) => row.utilization),
          chunk.map((row) => row.temperatureC),
          chunk.map((row) => row.powerMw),
          chunk.map((row) => row.memoryUsedMb),
          this.config.ORACLE_EPOCH_SECONDS,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
