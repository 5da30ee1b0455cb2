import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { FarmUptimeStatus, GpuEpoch, GpuStatus, UptimeEpoch } from '@gpu/oracle';
import { DOWN_REASONS, UPTIME_EPOCH_STATUSES } from '@gpu/oracle';

export class SampleExportQuery {
  @ApiProperty({ enum: ['csv', 'ndjson'], required: false, default: 'csv' })
  @IsOptional()
  @IsIn(['csv', 'ndjson'])
  format: 'csv' | 'ndjson' = 'csv';
}

export class GpuStatusResponse {
  @ApiProperty() gpuNodeId: string;
  @ApiProperty() gpuUuid: string;
  @ApiProperty() gpuModel: string;
  @ApiProperty() host: string;
  @ApiProperty({ nullable: true, type: Boolean, description: 'null: not probed yet' })
  up: boolean | null;
  @ApiProperty({ nullable: true, enum: DOWN_REASONS }) reason: string | null;
  @ApiProperty({ nullable: true, type: String }) detail: string | null;
  @ApiProperty({ nullable: true, type: String }) slotAt: string | null;
  @ApiProperty({ nullable: true, type: String }) probedAt: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Percent' }) utilization: number | null;
  @ApiProperty({ nullable: true, type: Number }) temperatureC: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Milliwatts' }) powerMw: number | null;
  @ApiProperty({ nullable: true, type: Number }) memoryUsedMb: number | null;
}

export class FarmUptimeResponse {
  @ApiProperty() farmId: string;
  @ApiProperty() probeIntervalSeconds: number;
  @ApiProperty() slaUptimeBps: number;
  @ApiProperty({ nullable: true, type: String, description: 'Latest epoch under the SLA' })
  slaBreachEpoch: string | null;
  @ApiProperty() gpus: number;
  @ApiProperty() up: number;
  @ApiProperty() down: number;
  @ApiProperty() notProbed: number;
  @ApiProperty({ type: [GpuStatusResponse] }) items: GpuStatusResponse[];
}

export class ReportSignatureResponse {
  @ApiProperty() signer: string;
  @ApiProperty() signature: string;
}

export class UptimeEpochResponse {
  @ApiProperty() farmId: string;
  @ApiProperty({ description: 'floor(start / epoch length)' }) epoch: string;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty() probeIntervalSeconds: number;
  @ApiProperty() gpus: number;
  @ApiProperty({ description: 'Slots x GPUs; a slot without a sample counts as down' })
  expectedSamples: number;
  @ApiProperty() sampleCount: number;
  @ApiProperty() upSamples: number;
  @ApiProperty() uptimeBps: number;
  @ApiProperty({ description: 'Thousandths of a GPU-hour' }) gpuHoursAvailable: string;
  @ApiProperty({ description: 'Thousandths of a GPU-hour' }) gpuHoursUsed: string;
  @ApiProperty({ description: 'gpuHoursUsed x rate, stablecoin minor units' }) revenue: string;
  @ApiProperty() ratePerGpuHour: string;
  @ApiProperty() slaUptimeBps: number;
  @ApiProperty() slaMet: boolean;
  @ApiProperty({ description: 'SHA-256 of the canonical CSV export' }) samplesHash: string;
  @ApiProperty({ description: 'EIP-712 digest the reporters signed' }) digest: string;
  @ApiProperty({ type: [ReportSignatureResponse] }) signatures: ReportSignatureResponse[];
  @ApiProperty({ enum: UPTIME_EPOCH_STATUSES }) status: string;
  @ApiProperty({ nullable: true, type: String }) txHash: string | null;
  @ApiProperty({ nullable: true, type: String }) failure: string | null;
}

export class UptimeEpochPage {
  @ApiProperty({ type: [UptimeEpochResponse] }) items: UptimeEpochResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class GpuEpochResponse {
  @ApiProperty() gpuNodeId: string;
  @ApiProperty() gpuUuid: string;
  @ApiProperty() expectedSamples: number;
  @ApiProperty() upSamples: number;
  @ApiProperty() uptimeBps: number;
  @ApiProperty() gpuHoursAvailable: string;
  @ApiProperty() gpuHoursUsed: string;
}

export class UptimeEpochDetailResponse extends UptimeEpochResponse {
  @ApiProperty({ type: [GpuEpochResponse] }) gpuEpochs: GpuEpochResponse[];
}

export function toFarmUptimeResponse({ farm, gpus }: FarmUptimeStatus): FarmUptimeResponse {
  const up = gpus.filter((gpu) => gpu.up === true).length;
  const notProbed = gpus.filter((gpu) => gpu.up === null).length;
  return {
    farmId: farm.id,
    probeIntervalSeconds: farm.probeIntervalSeconds,
    slaUptimeBps: farm.slaUptimeBps,
    slaBreachEpoch: farm.slaBreachEpoch?.toString() ?? null,
    gpus: gpus.length,
    up,
    down: gpus.length - up - notProbed,
    notProbed,
    items: gpus.map(toGpuStatusResponse),
  };
}

function toGpuStatusResponse(gpu: GpuStatus): GpuStatusResponse {
  return {
    ...gpu,
    slotAt: gpu.slotAt?.toISOString() ?? null,
    probedAt: gpu.probedAt?.toISOString() ?? null,
  };
}

export function toUptimeEpochResponse(report: UptimeEpoch): UptimeEpochResponse {
  return {
    farmId: report.farmId,
    epoch: report.epoch.toString(),
    startsAt: report.startsAt.toISOString(),
    endsAt: report.endsAt.toISOString(),
    probeIntervalSeconds: report.probeIntervalSeconds,
    gpus: report.gpus,
    expectedSamples: report.expectedSamples,
    sampleCount: report.sampleCount,
    upSamples: report.upSamples,
    uptimeBps: report.uptimeBps,
    gpuHoursAvailable: report.gpuHoursAvailable.toString(),
    gpuHoursUsed: report.gpuHoursUsed.toString(),
    revenue: report.revenue.toString(),
    ratePerGpuHour: report.ratePerGpuHour.toString(),
    slaUptimeBps: report.slaUptimeBps,
    slaMet: report.slaMet,
    samplesHash: report.samplesHash,
    digest: report.digest,
    signatures: report.signatures,
    status: report.status,
    txHash: report.txHash,
    failure: report.failure,
  };
}

export function toGpuEpochResponse(gpu: GpuEpoch & { gpuUuid: string }): GpuEpochResponse {
  return {
    gpuNodeId: gpu.gpuNodeId,
    gpuUuid: gpu.gpuUuid,
    expectedSamples: gpu.expectedSamples,
    upSamples: gpu.upSamples,
    uptimeBps: gpu.uptimeBps,
    gpuHoursAvailable: String(gpu.gpuHoursAvailable),
    gpuHoursUsed: String(gpu.gpuHoursUsed),
  };
}
