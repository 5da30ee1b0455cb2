import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';
import { ChainTx } from './chain-tx.entity';

/**
 * One signed transaction for a ChainTx, stored before it is broadcast. A fee bump adds an
 * attempt with the same nonce and marks the previous one replaced; at most one is ever mined.
 */
@Entity('chain_tx_attempt')
@Index('ix_chain_tx_attempt_chain_tx', ['chainTxId'])
export class ChainTxAttempt {
  @PrimaryColumn('character', { length: 66 })
  hash: string;

  @Column('bigint')
  chainTxId: string;

  @ManyToOne(() => ChainTx, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'chain_tx_id', foreignKeyConstraintName: 'fk_chain_tx_attempt_chain_tx' })
  chainTx?: ChainTx;

  @Column('bigint', { transformer: bigintTransformer })
  nonce: bigint;

  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  maxFeePerGas: bigint;

  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  maxPriorityFeePerGas: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  gasLimit: bigint;

  /** The signed raw transaction: what is (re)broadcast, byte for byte. */
  @Column('text')
  raw: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  replacedAt: Date | null;
}
