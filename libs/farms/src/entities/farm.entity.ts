import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { User } from '@gpu/identity';
import { FarmDocument } from './farm-document.entity';
import { GpuNode } from './gpu-node.entity';

export const FARM_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'tokenized',
  'active',
  'suspended',
  'retired',
] as const;
export type FarmStatus = (typeof FARM_STATUSES)[number];

/**
 * A GPU farm an operator lists: what it is, where, what it is worth and what share of its revenue
 * goes to the token holders; its GPU nodes and the documents that prove it.
 */
@Entity('farm')
@Check(
  'ck_farm_status',
  `"status" IN ('draft', 'submitted', 'approved', 'rejected', 'tokenized', 'active', 'suspended', 'retired')`,
)
@Check('ck_farm_valuation', `"valuation" > 0`)
@Check('ck_farm_revenue_share', `"revenue_share_bps" BETWEEN 1 AND 10000`)
@Check('ck_farm_jurisdiction', `"jurisdiction" BETWEEN 1 AND 999`)
@Check('ck_farm_probe_interval', `"probe_interval_seconds" BETWEEN 1 AND 3600`)
@Check('ck_farm_sla_uptime', `"sla_uptime_bps" BETWEEN 0 AND 10000`)
@Check('ck_farm_rate_per_gpu_hour', `"rate_per_gpu_hour" >= 0 AND "rate_per_gpu_hour" < 1e30`)
export class Farm {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  operatorId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operator_id', foreignKeyConstraintName: 'fk_farm_operator' })
  private readonly operator?: User;

  @Column('text')
  name: string;

  /** The company that owns the farm and issues the revenue rights. */
  @Column('text')
  legalEntity: string;

  /** ISO 3166-1 numeric country whose law governs the legal entity. */
  @Column('smallint')
  jurisdiction: number;

  /** Where the GPUs stand, e.g. "Reykjavik, Iceland". */
  @Column('text')
  siteLocation: string;

  /** In stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  valuation: bigint;

  /** The holders' share of the farm's revenue, in basis points. */
  @Column('integer')
  revenueShareBps: number;

  /** How often the uptime oracle probes the farm's GPUs. */
  @Column('integer', { default: 60 })
  probeIntervalSeconds: number;

  /** The uptime the operator promises per epoch, in basis points; below it the epoch breaches the SLA. */
  @Column('integer', { default: 9900 })
  slaUptimeBps: number;

  /** What one GPU-hour of use earns under the farm's contracts, in stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, default: 0, transformer: bigintTransformer })
  ratePerGpuHour: bigint;

  /** The latest epoch whose uptime was under the SLA; set by the oracle. */
  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  slaBreachEpoch: bigint | null;

  @Index()
  @Column('text', { default: 'draft' })
  status: FarmStatus;

  /** Why compliance rejected it (the latest rejection). */
  @Column('text', { nullable: true })
  rejectionReason: string | null;

  @Column('timestamptz', { nullable: true })
  submittedAt: Date | null;

  /** `user:<id>` of the compliance officer who approved or rejected it. */
  @Column('text', { nullable: true })
  decidedBy: string | null;

  @Column('timestamptz', { nullable: true })
  decidedAt: Date | null;

  @OneToMany(() => GpuNode, (node) => node.farm)
  nodes?: GpuNode[];

  @OneToMany(() => FarmDocument, (document) => document.farm)
  documents?: FarmDocument[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
