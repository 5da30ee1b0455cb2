import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { Farm } from './farm.entity';

/**
 * requested (waits for compliance) -> rejected (with a reason; the operator may request again)
 * or pending (approved: the factory transaction is in the outbox) -> confirmed or failed (the
 * operator may request again).
 */
export const FARM_TOKEN_STATUSES = [
  'requested',
  'rejected',
  'pending',
  'confirmed',
  'failed',
] as const;
export type FarmTokenStatus = (typeof FARM_TOKEN_STATUSES)[number];

/**
 * A farm's token: the terms it was requested with, compliance's decision on them, its address
 * (known before it exists: the factory clones deterministically) and the factory transaction
 * that creates it.
 */
@Entity('farm_token')
@Check(
  'ck_farm_token_status',
  `"status" IN ('requested', 'rejected', 'pending', 'confirmed', 'failed')`,
)
@Check(
  'ck_farm_token_chain_tx',
  `"status" IN ('requested', 'rejected') OR "chain_tx_id" IS NOT NULL`,
)
@Check('ck_farm_token_rejection_reason', `"status" <> 'rejected' OR "decision_reason" IS NOT NULL`)
@Check('ck_farm_token_total_fractions', `"total_fractions" > 0`)
@Check('ck_farm_token_max_balance', `"max_balance" >= 0`)
@Check('ck_farm_token_max_holders', `"max_holders" >= 0`)
export class FarmToken {
  @PrimaryColumn('uuid')
  farmId: string;

  @OneToOne(() => Farm, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'farm_id', foreignKeyConstraintName: 'fk_farm_token_farm' })
  private readonly farm?: Farm;

  /** The factory's farm id (bytes32). */
  @Column('character', { length: 66 })
  chainFarmId: string;

  @Column('character', { length: 42, unique: true })
  tokenAddress: string;

  @Column('text')
  name: string;

  @Column('text')
  symbol: string;

  /** How many fractions the farm is divided into: the most all offerings together may sell. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  totalFractions: bigint;

  /** 0: no limit. */
  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  maxBalance: bigint;

  /** 0: no limit. */
  @Column('integer')
  maxHolders: number;

  @Column('timestamptz', { nullable: true })
  lockupEnd: Date | null;

  @Column('smallint', { array: true })
  allowedCountries: number[];

  @Column('text', { default: 'requested' })
  status: FarmTokenStatus;

  /** The outbox transaction of the approved request; null until compliance approves it. */
  @Column('bigint', { nullable: true })
  chainTxId: string | null;

  /** Raised by each request after a rejection or a failure; part of the outbox key. */
  @Column('integer', { default: 1 })
  attempt: number;

  @Column('text', { nullable: true })
  failureReason: string | null;

  /** The operator who requested the token (a request again after a rejection or failure too). */
  @Column('uuid')
  requestedBy: string;

  /** When the latest request was made. */
  @Column('timestamptz', { default: () => 'now()' })
  requestedAt: Date;

  /** The compliance officer who approved or rejected the latest request. */
  @Column('uuid', { nullable: true })
  decidedBy: string | null;

  @Column('timestamptz', { nullable: true })
  decidedAt: Date | null;

  @Column('text', { nullable: true })
  decisionReason: string | null;

  @Column('timestamptz', { nullable: true })
  confirmedAt: Date | null;
}
