import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { Farm } from '@gpu/farms';

/**
 * draft: being prepared; opening: its setOffering transaction is on its way; open: orders are
 * taken between opensAt and closesAt; closed: no more orders (closed early, or past closesAt).
 */
export type OfferingStatus = 'draft' | 'opening' | 'open' | 'closed';

/**
 * A primary sale of a farm token's fractions at a fixed price. `remaining` is what orders can
 * still reserve: reservations take from it in one conditional update, and expired, cancelled or
 * failed orders give back; the CHECK makes an oversell impossible even for a faulty writer.
 */
@Entity('offering')
@Check('ck_offering_status', `"status" IN ('draft', 'opening', 'open', 'closed')`)
@Check('ck_offering_remaining', `"remaining" >= 0 AND "remaining" <= "fractions_offered"`)
@Check('ck_offering_price', `"price_per_fraction" > 0`)
@Check(
  'ck_offering_per_investor',
  `"min_per_investor" >= 1 AND "max_per_investor" >= "min_per_investor" AND "max_per_investor" <= "fractions_offered"`,
)
@Check('ck_offering_window', `"closes_at" > "opens_at"`)
@Index('uq_offering_live_per_token', ['tokenAddress'], {
  unique: true,
  where: `"status" IN ('opening', 'open')`,
})
export class Offering {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  farmId: string;

  @ManyToOne(() => Farm, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'farm_id', foreignKeyConstraintName: 'fk_offering_farm' })
  private readonly farm?: Farm;

  @Column('character', { length: 42 })
  tokenAddress: string;

  /** Stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  pricePerFraction: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  fractionsOffered: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  remaining: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  minPerInvestor: bigint;

  /** The most one investor may hold in orders of this offering, all orders together. */
  @Column('bigint', { transformer: bigintTransformer })
  maxPerInvestor: bigint;

  @Column('timestamptz')
  opensAt: Date;

  @Column('timestamptz')
  closesAt: Date;

  /** How long an order may wait for payment before its fractions return. */
  @Column('integer')
  paymentWindowSeconds: number;

  /** How long a paid order may wait for settlement before the investor may take a refund (on chain). */
  @Column('integer')
  settlementWindowSeconds: number;

  @Column('text', { default: 'draft' })
  status: OfferingStatus;

  /**
   * Raised by every change to what orders are weighed against (what is left, allocations, the
   * status), so that a reservation batch can tell whether its reads are current.
   */
  @Column('integer', { default: 0 })
  version: number;

  /** The latest setOffering transaction (opening or closing). */
  @Index()
  @Column('bigint', { nullable: true })
  chainTxId: string | null;

  @Column('text', { nullable: true })
  failureReason: string | null;

  @Column('uuid')
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { nullable: true })
  openedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;
}
