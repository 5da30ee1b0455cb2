import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '@gpu/observability';
import { MONITORED_STATUS_SQL } from './monitored-farms';

interface LatestSlot {
  farmId: string;
  slotAt: Date | null;
  ageSeconds: number | null;
}

/**
 * Per monitored farm, its newest probe slot, and its newest settled one: two intervals after a
 * slot starts, its last probes (which may start until an interval after they were due) are in.
 */
const LATEST_SLOTS_SQL = `
  SELECT f.id AS "farmId", settled.slot_at AS "slotAt",
         extract(epoch FROM now() - newest.slot_at)::float8 AS "ageSeconds"
    FROM farm f
    LEFT JOIN LATERAL (SELECT max(slot_at) AS slot_at FROM gpu_sample WHERE farm_id = f.id) newest
      ON true
    LEFT JOIN LATERAL (
      SELECT max(slot_at) AS slot_at FROM gpu_sample
       WHERE farm_id = f.id AND slot_at <= now() - 2 * f.probe_interval_seconds * interval '1 second'
    ) settled ON true
   WHERE f.status IN ${MONITORED_STATUS_SQL}`;

/** The oracle's probe results as Prometheus gauges, read from the database at scrape time. */
@Injectable()
export class OracleMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const dataSource = this.dataSource;
    new Gauge({
      name: 'gpu_oracle_gpus',
      help: "Monitored GPUs by their farm's latest settled probe slot: up, or the reason they were down",
      labelNames: ['result'] as const,
      registers,
      async collect() {
        const rows: { result: string; gpus: number }[] = await dataSource.query(
          `SELECT coalesce(s.reason, 'up') AS result, count(*)::int AS gpus
             FROM (${LATEST_SLOTS_SQL}) latest
             JOIN gpu_sample s ON s.farm_id = latest."farmId" AND s.slot_at = latest."slotAt"
            GROUP BY 1`,
        );
        this.reset();
        for (const { result, gpus } of rows) this.set({ result }, gpus);
      },
    });
    new Gauge({
      name: 'gpu_oracle_stalest_probe_seconds',
      help: 'Age of the newest probe slot of the monitored farm probed longest ago (a stalled oracle grows it)',
      registers,
      async collect() {
        const rows: LatestSlot[] = await dataSource.query(LATEST_SLOTS_SQL);
        const ages = rows.flatMap((row) => (row.ageSeconds === null ? [] : [row.ageSeconds]));
        this.set(ages.length ? Math.max(...ages) : 0);
      },
    });
  }
}
