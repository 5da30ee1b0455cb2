import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** One GPU's share of a farm's epoch report. */
@Entity('gpu_epoch')
@Index('ix_gpu_epoch_farm_epoch', ['farmId', 'epoch'])
export class GpuEpoch {
  @PrimaryColumn('uuid')
  gpuNodeId: string;

  @PrimaryColumn('bigint', { transformer: bigintTransformer })
  epoch: bigint;

  @Column('uuid')
  farmId: string;

  @Column('integer')
  expectedSamples: number;

  @Column('integer')
  upSamples: number;

  @Column('integer')
  uptimeBps: number;

  /** Thousandths of a GPU-hour. */
  @Column('bigint', { transformer: bigintTransformer })
  gpuHoursAvailable: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  gpuHoursUsed: bigint;
}
