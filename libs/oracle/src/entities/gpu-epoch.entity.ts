import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { EpochFigureColumns } from './epoch-figure-columns';

/** One GPU's share of a farm's epoch report. */
@Entity('gpu_epoch')
@Index('ix_gpu_epoch_farm_epoch', ['farmId', 'epoch'])
export class GpuEpoch extends EpochFigureColumns {
  @PrimaryColumn('uuid')
  gpuNodeId: string;

  @PrimaryColumn('bigint', { transformer: bigintTransformer })
  epoch: bigint;

  @Column('uuid')
  farmId: string;
}
