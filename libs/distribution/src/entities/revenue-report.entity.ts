import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

export const REVENUE_REPORT_STATUSES = [
  'accepted',
  'pending_review',
  'approved',
  'rejected',
] as const;
export type RevenueReportStatus = (typeof REVENUE_REPORT_STATUSES)[number];

/** Statuses whose report is distributed. */
export const DISTRIBUTED_REPORT_STATUSES: readonly RevenueReportStatus[] = ['accepted', 'approved'];

/**
 * What an operator says a farm earned in one oracle epoch, and how it compares with the oracle's
 * GPU-hours used x the farm's rate. Within the tolerance it is accepted at once; beyond it,
 * compliance approves or rejects it. A rejected report may be followed by a corrected one.
 */
@Entity('revenue_report')
@Index('uq_revenue_report_farm_epoch', ['farmId', 'epoch'], {
  unique: true,
  where: `"status" <> 'rejected'`,
})
@Check('ck_revenue_report_amount', `"amount" >= 0`)
export class RevenueReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  farmId: string;

  @Column('bigint', { transformer: bigintTransformer })
  epoch: bigint;

  /** Gross revenue, stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  amount: bigint;

  /** Where the evidence is: an invoice number, a document URI, a payout reference. */
  @Column('text')
  evidenceRef: string;

  @Column('uuid')
  reportedBy: string;

  /** The oracle's revenue for the epoch: GPU-hours used x the farm's rate. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  expectedAmount: bigint;

  /** |amount - expected| / expected in basis points, rounded up; null when expected is 0 and amount is not. */
  @Column('numeric', { precision: 78, scale: 0, nullable: true, transformer: bigintTransformer })
  deviationBps: bigint | null;

  @Column('integer')
  toleranceBps: number;

  /** Epochs the oracle reported between the farm's previous report and this one; any needs review. */
  @Column('integer', { default: 0 })
  skippedEpochs: number;

  @Column('text')
  status: RevenueReportStatus;

  @Column('uuid', { nullable: true })
  reviewedBy: string | null;

  @Column('text', { nullable: true })
  reviewReason: string | null;

  @Column('timestamptz', { nullable: true })
  reviewedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
