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

/** The lock a farm's sample writes share (record_gpu_samples takes it by the same key) and its epoch close takes alone. */
export const FARM_SAMPLES_LOCK_SQL = `hashtextextended('uptime-samples:' || $1, 0)`;

const MAX_ROWS_PER_STATEMENT = 5000;

/** See migrations/1795840000000-RecordGpuSamplesByProbe.ts: the farms' locks and the insert, in one round trip. */
const RECORD_SQL = `SELECT record_gpu_samples($1::text[], $2::uuid[], $3::timestamptz[],
    $4::timestamptz[], $5::int4[], $6::uuid[], $7::text[], $8::text[], $9::int2[], $10::int2[],
    $11::int4[], $12::int4[], $13)`;

interface Waiting {
  rows: SampleRow[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes samples in batches: rows handed in while a batch is written go together in the next
 * one; each caller's promise settles when its rows are committed. A sample already stored (a
 * probe delivered twice) is skipped, and so is one whose epoch is already reported: each statement
 * (at most 5,000 rows) holds its farms' shared lock, which an epoch's close takes exclusively.
 * A batch cut short by an error may have committed its first statements: the callers retry, and
 * what is stored is skipped.
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

  /** Each statement is a transaction of its own: its rows are committed when it returns. */
  private async insert(rows: SampleRow[]): Promise<void> {
    const pool = pgPool(this.dataSource);
    for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + MAX_ROWS_PER_STATEMENT);
      // What consecutive rows share (a probe's farm and times) is written once, and each row
      // refers to it by its 1-based place.
      const probes: SampleRow[] = [];
      const probeOfRow = chunk.map((row) => {
        const last = probes[probes.length - 1];
        if (
          !last ||
          last.farmId !== row.farmId ||
          last.slotAt.getTime() !== row.slotAt.getTime() ||
          last.probedAt.getTime() !== row.probedAt.getTime()
        ) {
          probes.push(row);
        }
        return probes.length;
      });
      await pool.query(RECORD_SQL, [
        [...new Set(probes.map((probe) => probe.farmId))].sort(),
        probes.map((probe) => probe.farmId),
        probes.map((probe) => probe.slotAt.toISOString()),
        probes.map((probe) => probe.probedAt.toISOString()),
        probeOfRow,
        chunk.map((row) => row.gpuNodeId),
        chunk.map((row) => row.reason),
        chunk.map((row) => row.detail),
        chunk.map((row) => row.utilization),
        chunk.map((row) => row.temperatureC),
        chunk.map((row) => row.powerMw),
        chunk.map((row) => row.memoryUsedMb),
        this.config.ORACLE_EPOCH_SECONDS,
      ]);
    }
  }
}
