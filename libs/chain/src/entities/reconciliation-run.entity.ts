import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

export interface ReconciliationMismatch {
  token: string;
  /** `supply`: the derived supply; `balances`: the sum of derived balances; `balance`: one holder's. */
  kind: 'supply' | 'balances' | 'balance';
  holder: string | null;
  /** What the index says and what the chain says, as decimal strings. */
  indexed: string;
  onChain: string;
}

/** One comparison of the indexed balances and supplies with the chain, at one block. */
@Entity('reconciliation_run')
export class ReconciliationRun {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** The block both sides were read at (the indexer's cursor). */
  @Column('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('integer')
  tokens: number;

  @Column('integer')
  accounts: number;

  @Column('integer')
  mismatchCount: number;

  @Column('jsonb')
  mismatches: ReconciliationMismatch[];

  @Column('timestamptz')
  startedAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  finishedAt: Date;
}
