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
import { User } from '@gpu/identity';
import { Offering } from './offering.entity';

/**
 * reserved -> paid -> settled; reserved -> expired (unpaid in time) or cancelled; paid -> failed
 * (settlement refused on chain: the payment is returned) or refundable (not settled by the
 * on-chain deadline: the investor takes the refund); failed and refundable -> refunded.
 */
export type OrderStatus =
  'reserved' | 'paid' | 'settled' | 'expired' | 'cancelled' | 'failed' | 'refundable' | 'refunded';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'reserved',
  'paid',
  'settled',
  'expired',
  'cancelled',
  'failed',
  'refundable',
  'refunded',
];

/** Orders that hold fractions of their offering. */
export const LIVE_ORDER_STATUSES: readonly OrderStatus[] = ['reserved', 'paid', 'settled'];

/** An investor's order of fractions in an offering, to one of their wallets. */
@Entity('investment_order')
@Check(
  'ck_investment_order_status',
  `"status" IN (${ORDER_STATUSES.map((s) => `'${s}'`).join(', ')})`,
)
@Check('ck_investment_order_fractions', `"fractions" > 0`)
@Check('ck_investment_order_amount', `"amount" = "fractions" * "price_per_fraction"`)
@Index('ix_investment_order_offering_investor', ['offeringId', 'investorId'])
@Index('ix_investment_order_investor', ['investorId', 'createdAt'])
@Index('ix_investment_order_token_wallet', ['tokenAddress', 'wallet'])
@Index('ix_investment_order_reserved_until', ['reservedUntil'], { where: `"status" = 'reserved'` })
@Index('ix_investment_order_settlement_deadline', ['settlementDeadline'], {
  where: `"status" = 'paid'`,
})
export class InvestmentOrder {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  offeringId: string;

  @ManyToOne(() => Offering, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'offering_id', foreignKeyConstraintName: 'fk_investment_order_offering' })
  private readonly offering?: Offering;

  @Column('uuid')
  investorId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'investor_id', foreignKeyConstraintName: 'fk_investment_order_investor' })
  private readonly investor?: User;

  /** The wallet that pays and receives the fractions (lower case). */
  @Column('character', { length: 42 })
  wallet: string;

  @Column('character', { length: 42 })
  tokenAddress: string;

  /** The PrimarySale's order id (bytes32). */
  @Column('character', { length: 66, unique: true })
  chainOrderId: string;

  @Column('bigint', { transformer: bigintTransformer })
  fractions: bigint;

  /** Stablecoin minor units, as the offering's price when the order was placed. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  pricePerFraction: bigint;

  /** fractions x pricePerFraction, stablecoin minor units. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  amount: bigint;

  @Column('text', { default: 'reserved' })
  status: OrderStatus;

  /** The payment must be seen on chain by then, else the fractions return. */
  @Column('timestamptz')
  reservedUntil: Date;

  @Column('timestamptz', { nullable: true })
  paidAt: Date | null;

  @Column('character', { length: 66, nullable: true })
  paymentTxHash: string | null;

  /** The PrimarySale's deadline for settlement; after it the investor may refund. */
  @Column('timestamptz', { nullable: true })
  settlementDeadline: Date | null;

  /** The outbox transaction that settles (or, after a failure, rejects) the order. */
  @Index()
  @Column('bigint', { nullable: true })
  chainTxId: string | null;

  @Column('timestamptz', { nullable: true })
  settledAt: Date | null;

  @Column('bigint', { nullable: true, transformer: bigintTransformer })
  settledBlock: bigint | null;

  @Column('character', { length: 66, nullable: true })
  settlementTxHash: string | null;

  @Column('text', { nullable: true })
  failureReason: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
