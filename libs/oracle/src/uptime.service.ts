import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere, In } from 'typeorm';
import { AppConfig } from '@gpu/config';
import { Farm, FarmError } from '@gpu/farms';
import { GpuEpoch } from './entities/gpu-epoch.entity';
import { UptimeEpoch } from './entities/uptime-epoch.entity';
import { epochBounds } from './epochs/epoch-math';
import { MONITORED_FARM_STATUSES } from './monitored-farms';
import { OracleError } from './oracle.errors';
import {
  EPOCH_SAMPLES_FROM_SQL,
  EPOCH_SAMPLES_ORDER,
  SAMPLE_CSV_HEADER,
  SAMPLE_CSV_LINE_SQL,
} from './samples/sample-export';

/** Who asks: operators see their own farms, investors the monitored ones, staff all. */
export interface UptimeViewer {
  userId: string;
  role: string;
}

export interface GpuStatus {
  gpuNodeId: string;
  gpuUuid: string;
  gpuModel: string;
  host: string;
  slotAt: Date | null;
  probedAt: Date | null;
  up: boolean | null;
  reason: string | null;
  detail: string | null;
  utilization: number | null;
  temperatureC: number | null;
  powerMw: number | null;
  memoryUsedMb: number | null;
}

export interface FarmUptimeStatus {
  farm: Farm;
  gpus: GpuStatus[];
}

export type SampleFormat = 'csv' | 'ndjson';

const EXPORT_PAGE = 5000;

/** Uptime as the oracle recorded it: per GPU now, per epoch, and the samples behind each report. */
@Injectable()
export class UptimeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async status(viewer: UptimeViewer, farmId: string): Promise<FarmUptimeStatus> {
    const farm = await this.farmFor(viewer, farmId);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT n.id AS "gpuNodeId", n.gpu_uuid AS "gpuUuid", n.gpu_model AS "gpuModel", n.host,
          s.slot_at AS "slotAt", s.probed_at AS "probedAt", s.up, s.reason, s.detail,
          s.utilization, s.temperature_c AS "temperatureC", s.power_mw AS "powerMw",
          s.memory_used_mb AS "memoryUsedMb"
        FROM gpu_node n
        LEFT JOIN LATERAL (SELECT * FROM gpu_sample x WHERE x.gpu_node_id = n.id
          ORDER BY x.slot_at DESC LIMIT 1) s ON true
        WHERE n.farm_id = $1 ORDER BY n.gpu_uuid COLLATE "C"`,
      [farmId],
    );
    return { farm, gpus: rows as unknown as GpuStatus[] };
  }

  async epochs(
    viewer: UptimeViewer,
    farmId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: UptimeEpoch[]; total: number }> {
    await this.farmFor(viewer, farmId);
    const [items, total] = await this.dataSource.getRepository(UptimeEpoch).findAndCount({
      where: { farmId },
      order: { epoch: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }

  async epoch(
    viewer: UptimeViewer,
    farmId: string,
    epoch: bigint,
  ): Promise<{ report: UptimeEpoch; gpus: (GpuEpoch & { gpuUuid: string })[] }> {
    await this.farmFor(viewer, farmId);
    const report = await this.dataSource.getRepository(UptimeEpoch).findOneBy({ farmId, epoch });
    if (!report) throw OracleError.epochNotReported(epoch);
    const gpus: (GpuEpoch & { gpuUuid: string })[] = await this.dataSource.query(
      `SELECT g.gpu_node_id AS "gpuNodeId", n.gpu_uuid AS "gpuUuid", g.expected_samples AS "expectedSamples",
          g.up_samples AS "upSamples", g.uptime_bps AS "uptimeBps",
          g.gpu_hours_available::text AS "gpuHoursAvailable", g.gpu_hours_used::text AS "gpuHoursUsed"
        FROM gpu_epoch g JOIN gpu_node n ON n.id = g.gpu_node_id
        WHERE g.farm_id = $1 AND g.epoch = $2 ORDER BY n.gpu_uuid COLLATE "C"`,
      [farmId, epoch.toString()],
    );
    return { report, gpus };
  }

  /**
   * The samples of the farm's epoch, in canonical order, as text chunks: the CSV is the canonical
   * export whose SHA-256 is the report's samplesHash; NDJSON carries the same fields and the detail.
   */
  async exportSamples(
    viewer: UptimeViewer,
    farmId: string,
    epoch: bigint,
    format: SampleFormat,
  ): Promise<AsyncGenerator<string>> {
    await this.farmFor(viewer, farmId);
    const { startsAt, endsAt } = epochBounds(epoch, this.config.ORACLE_EPOCH_SECONDS);
    return this.sampleChunks(farmId, startsAt, endsAt, format);
  }

  private async *sampleChunks(
    farmId: string,
    startsAt: Date,
    endsAt: Date,
    format: SampleFormat,
  ): AsyncGenerator<string> {
    if (format === 'csv') yield SAMPLE_CSV_HEADER;
    let after: { uuid: string; slotAt: Date } | null = null;
    for (;;) {
      const rows: {
        uuid: string;
        slot_at: Date;
        line: string;
        up: boolean;
        reason: string | null;
        detail: string | null;
        utilization: number | null;
        temperature_c: number | null;
        power_mw: number | null;
        memory_used_mb: number | null;
      }[] = await this.dataSource.query(
        `SELECT n.gpu_uuid AS uuid, s.slot_at, ${SAMPLE_CSV_LINE_SQL} AS line, s.up, s.reason,
            s.detail, s.utilization, s.temperature_c, s.power_mw, s.memory_used_mb
          ${EPOCH_SAMPLES_FROM_SQL}
          ${after ? `AND (n.gpu_uuid COLLATE "C", s.slot_at) > ($4 COLLATE "C", $5)` : ''}
          ORDER BY ${EPOCH_SAMPLES_ORDER} LIMIT ${EXPORT_PAGE}`,
        after ? [farmId, startsAt, endsAt, after.uuid, after.slotAt] : [farmId, startsAt, endsAt],
      );
      if (rows.length === 0) return;
      yield format === 'csv'
        ? rows.map((row) => row.line).join('')
        : rows
            .map((row) =>
              JSON.stringify({
                gpuUuid: row.uuid,
                slot: Math.floor(row.slot_at.getTime() / 1000),
                up: row.up,
                reason: row.reason,
                utilization: row.utilization,
                temperatureC: row.temperature_c,
                powerMw: row.power_mw,
                memoryUsedMb: row.memory_used_mb,
                detail: row.detail,
              }),
            )
            .join('\n') + '\n';
      if (rows.length < EXPORT_PAGE) return;
      const last = rows[rows.length - 1];
      after = { uuid: last.uuid, slotAt: last.slot_at };
    }
  }

  private async farmFor(viewer: UptimeViewer, farmId: string): Promise<Farm> {
    const where: FindOptionsWhere<Farm> = { id: farmId };
    if (viewer.role === 'operator') where.operatorId = viewer.userId;
    if (viewer.role === 'investor') where.status = In([...MONITORED_FARM_STATUSES, 'retired']);
    const farm = await this.dataSource.getRepository(Farm).findOneBy(where);
    if (!farm) throw FarmError.notFound();
    return farm;
  }
}
