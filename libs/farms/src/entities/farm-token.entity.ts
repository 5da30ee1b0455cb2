import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
} from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { Farm } from './farm.entity';

export type FarmTokenStatus = 'pending' | 'confirmed' | 'failed';

/**
 * A farm's token: the terms it was requested with, its address (known before it exists: the
 * factory clones deterministically) and the factory transaction that creates it.
 */
@Entity('farm_token')
@Check('ck_farm_token_status', `"status" IN ('pending', 'confirmed', 'failed')`)
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

  @Column('text', { default: 'pending' })
  status: FarmTokenStatus;

  /** The outbox transaction of the latest attempt. */
  @Column('bigint')
  chainTxId: string;

  /** Raised by each new attempt after a failure; part of the outbox key. */
  @Column('integer', { default: 1 })
  attempt: number;

  @Column('text', { nullable: true })
  failureReason: string | null;

  @Column('uuid')
  requestedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt: Date;

  @Column('timestamptz', { nullable: true })
  confirmedAt: Date | null;
}
