import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere, In } from 'typeorm';
import { Farm, FarmError } from '@gpu/farms';
import { GpuEpoch } from './entities/gpu-epoch.entity';
import type { SampleReadings } from './entities/gpu-sample.entity';
import { UptimeEpoch } from './entities/uptime-epoch.entity';
import { MONITORED_FARM_STATUSES } from './monitored-farms';
import { OracleError } from './oracle.errors';
import {
  EPOCH_SAMPLES_SQL,
  type ExportedSample,
  SAMPLE_CSV_HEADER,
  SAMPLE_PAGE_ROWS,
} from './samples/sample-export';
import { snapshotPages } from '@gpu/database';

/** Who asks: operators see their own farms, investors the monitored ones, staff all. */
export interface UptimeViewer {
  userId: string;
  role: string;
}

/** A GPU and its latest sample (all null before its first probe). */
export type GpuStatus = {
  gpuNodeId: string;
  gpuUuid: string;
  gpuModel: string;
  host: string;
  slotAt: Date | null;
  probedAt: Date | null;
} & { [K in keyof SampleReadings]: SampleReadings[K] | null };

export interface FarmUptimeStatus {
  farm: Farm;
  gpus: GpuStatus[];
}

export type SampleFormat = 'csv' | 'ndjson';

/** Uptime as the oracle recorded it: per GPU now, per epoch, and the samples behind each report. */
@Injectable()
export class UptimeService {
  constructor(private readonly dataSource: DataSource) {}

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
   * The samples of the farm's reported epoch, in canonical order, as text chunks: the CSV is the
   * canonical export whose SHA-256 is the report's samplesHash; NDJSON carries the same fields and
   * the detail. Read in one read-only snapshot through a cursor; the report must exist.
   */
  async exportSamples(
    viewer: UptimeViewer,
    farmId: string,
    epoch: bigint,
    format: SampleFormat,
  ): Promise<AsyncGenerator<string>> {
    await this.farmFor(viewer, farmId);
    const report = await this.dataSource.getRepository(UptimeEpoch).findOneBy({ farmId, epoch });
    if (!report) throw OracleError.epochNotReported(epoch);
    return this.sampleChunks(report, format);
  }

  private async *sampleChunks(report: UptimeEpoch, format: SampleFormat): AsyncGenerator<string> {
    if (format === 'csv') yield SAMPLE_CSV_HEADER;
    const pages = snapshotPages<ExportedSample>(
      this.dataSource,
      EPOCH_SAMPLES_SQL,
      [report.farmId, report.startsAt, report.endsAt],
      SAMPLE_PAGE_ROWS,
    );
    for await (const page of pages) {
      yield format === 'csv'
        ? page.map((sample) => sample.line).join('')
        : page.map((sample) => JSON.stringify(toRecord(sample))).join('\n') + '\n';
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

/** A sample as NDJSON carries it. */
function toRecord(sample: ExportedSample) {
  return {
    gpuUuid: sample.gpuUuid,
    slot: Number(sample.slot),
    up: sample.up,
    reason: sample.reason,
    utilization: sample.utilization,
    temperatureC: sample.temperatureC,
    powerMw: sample.powerMw,
    memoryUsedMb: sample.memoryUsedMb,
    detail: sample.detail,
  };
}
