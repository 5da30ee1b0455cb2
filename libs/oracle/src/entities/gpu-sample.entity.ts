import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One GPU's sample from one probe slot: up or down (with the reason), and its readings when up. */
@Entity('gpu_sample')
@Index('ix_gpu_sample_farm_slot', ['farmId', 'slotAt'])
@Check('ck_gpu_sample_readings', `"up" = ("utilization" IS NOT NULL) AND "up" = ("reason" IS NULL)`)
export class GpuSample {
  @PrimaryColumn('uuid')
  gpuNodeId: string;

  /** The start of the probe slot (a multiple of the farm's probe interval since 1970). */
  @PrimaryColumn('timestamptz')
  slotAt: Date;

  @Column('uuid')
  farmId: string;

  /** When the node answered (or failed). */
  @Column('timestamptz')
  probedAt: Date;

  @Column('boolean')
  up: boolean;

  /** A DownReason code when down. */
  @Column('text', { nullable: true })
  reason: string | null;

  /** What exactly went wrong, for people; not part of the sample set's hash. */
  @Column('text', { nullable: true })
  detail: string | null;

  /** Percent, 0 to 100. */
  @Column('smallint', { nullable: true })
  utilization: number | null;

  @Column('smallint', { nullable: true })
  temperatureC: number | null;

  @Column('integer', { nullable: true })
  powerMw: number | null;

  @Column('integer', { nullable: true })
  memoryUsedMb: number | null;
}

/** What a sample says of its GPU. */
export type SampleReadings = Pick<
  GpuSample,
  'up' | 'reason' | 'detail' | 'utilization' | 'temperatureC' | 'powerMw' | 'memoryUsedMb'
>;
