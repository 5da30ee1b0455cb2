import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { Farm } from './farm.entity';

/** One GPU of a farm, as its node's metrics endpoint reports it (dcgm-exporter). */
@Entity('gpu_node')
@Check('ck_gpu_node_memory', `"memory_mb" > 0`)
export class GpuNode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  farmId: string;

  @ManyToOne('Farm', 'nodes', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'farm_id', foreignKeyConstraintName: 'fk_gpu_node_farm' })
  farm?: Farm;

  /** e.g. `NVIDIA H100 80GB HBM3`. */
  @Column('text')
  gpuModel: string;

  /** The GPU's UUID (`GPU-…`): one GPU belongs to one farm. */
  @Column('text', { unique: true })
  gpuUuid: string;

  @Column('integer')
  memoryMb: number;

  /** The host the GPU sits in. */
  @Column('text')
  host: string;

  /** Where the node serves its metrics (Prometheus text, dcgm-exporter format). */
  @Column('text')
  metricsUrl: string;
}
