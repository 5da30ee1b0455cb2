import { Column } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** The figures a farm's epoch report and each of its GPUs' shares have in common. */
export abstract class EpochFigureColumns {
  /** Probe slots in the epoch (times GPUs, for a farm): a slot without a sample counts as down. */
  @Column('integer')
  expectedSamples: number;

  @Column('integer')
  upSamples: number;

  @Column('integer')
  uptimeBps: number;

  /** Thousandths of a GPU-hour. */
  @Column('bigint', { transformer: bigintTransformer })
  gpuHoursAvailable: bigint;

  /** Thousandths of a GPU-hour. */
  @Column('bigint', { transformer: bigintTransformer })
  gpuHoursUsed: bigint;
}
