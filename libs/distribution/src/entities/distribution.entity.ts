import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { bigintTransformer } from '@gpu/database';

export const DISTRIBUTION_STATUSES = ['draft', 'computed', 'published'] as const;
export type DistributionStatus = (typeof DISTRIBUTION_STATUSES)[number];

const money = { precision: 78, scale: 0, transformer: bigintTransformer } as const;
const laterMoney = { ...money, nullable: true } as const;

/**
 * One farm's revenue for one epoch on its way to the holders: how gross revenue becomes the
 * distributable amount (every figure kept), the snapshot it is shared by, the Merkle root over
 * cumulative entitlements, and the transaction that publishes and funds it.
 * draft (figures known) -> computed (snapshot, entitlements, root) -> published (confirmed on chain).
 */
@Entity('distribution')
@Unique('uq_distribution_farm_epoch', ['farmId', 'epoch'])
@Unique('uq_distribution_report', ['revenueReportId'])
@Index('ix_distribution_status', ['status'])
@Check(
  'ck_distribution_split',
  `"platform_fee" + "operator_fee" + "holders_share" = "gross" AND "operator_fee" + "sla_penalty" = "operator_share" AND "holders_share" >= 0`,
)
@Check('ck_distribution_dust', `"paid" IS NULL OR "paid" + "dust_out" = "distributable"`)
export class Distribution {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  farmId: string;

  @Column('character', { length: 42 })
  token: string;

  @Column('bigint', { transformer: bigintTransformer })
  epoch: bigint;

  @Column('uuid')
  revenueReportId: string;

  @Column('text', { default: 'draft' })
  status: DistributionStatus;

  // ---- breakdown: gross -> platform fee -> operator's share (less any SLA penalty) -> holders

  @Column('numeric', money)
  gross: bigint;

  @Column('integer')
  platformFeeBps: number;

  @Column('numeric', money)
  platformFee: bigint;

  /** The holders' share of revenue after the platform fee (the farm's term). */
  @Column('integer')
  revenueShareBps: number;

  /** The operator's share before any SLA penalty. */
  @Column('numeric', money)
  operatorShare: bigint;

  @Column('integer')
  uptimeBps: number;

  @Column('integer')
  slaUptimeBps: number;

  @Column('boolean')
  slaMet: boolean;

  @Column('integer')
  slaPenaltyBps: number;

  /** What the operator gives up to the holders for an epoch under the SLA. */
  @Column('numeric', money)
  slaPenalty: bigint;

  /** The operator's share less the SLA penalty. */
  @Column('numeric', money)
  operatorFee: bigint;

  /** gross - platform fee - operator fee. */
  @Column('numeric', money)
  holdersShare: bigint;

  // ---- computation

  /** The dust the farm's previous distribution carried over. */
  @Column('numeric', laterMoney)
  dustIn: bigint | null;

  /** holders' share + dust in: what the entitlements share. */
  @Column('numeric', laterMoney)
  distributable: bigint | null;

  /** The last block before the epoch's end: holders are counted at it. */
  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  snapshotBlock: bigint | null;

  @Column('timestamptz', { nullable: true })
  snapshotBlockTime: Date | null;

  @Column('numeric', laterMoney)
  supply: bigint | null;

  /** Accounts holding at the snapshot. */
  @Column('integer', { nullable: true })
  holders: number | null;

  /** Accounts in the tree: holders now and earlier holders with an entitlement. */
  @Column('integer', { nullable: true })
  accounts: number | null;

  /** Entitlement rows written so far (the computation's progress). */
  @Column('integer', { default: 0 })
  processedAccounts: number;

  /** Sum of this epoch's entitlements. */
  @Column('numeric', laterMoney)
  paid: bigint | null;

  /** distributable - paid: carried into the farm's next distribution. */
  @Column('numeric', laterMoney)
  dustOut: bigint | null;

  @Column('text', { nullable: true })
  root: string | null;

  /** Sum of every account's cumulative entitlement: what the token must have been funded with in all. */
  @Column('numeric', laterMoney)
  totalCumulative: bigint | null;

  /** totalCumulative less the previous published total: what this publication funds. */
  @Column('numeric', laterMoney)
  funding: bigint | null;

  @Column('timestamptz', { nullable: true })
  computedAt: Date | null;

  // ---- publication

  @Column('integer', { default: 0 })
  publishAttempts: number;

  /** The outbox transaction (chain_tx.id) of the latest publication attempt. */
  @Column('bigint', { nullable: true })
  publishTxId: string | null;

  @Column('text', { nullable: true })
  publishTxHash: string | null;

  @Column('text', { nullable: true })
  publishFailure: string | null;

  @Column('timestamptz', { nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
