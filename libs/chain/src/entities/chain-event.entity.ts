import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/**
 * A decoded event of a product contract (token transfers live in token_transfer). Arguments are
 * JSON with integers as decimal strings and addresses in lower case.
 */
@Entity('chain_event')
@Unique('uq_chain_event_log', ['txHash', 'logIndex'])
@Index('ix_chain_event_name', ['name', 'address', 'blockNumber'])
@Index('ix_chain_event_block', ['blockNumber'])
// Expression indexes, made by hand in the migrations: registry entries by wallet, freezes and revenue claims by account.
@Index('ix_chain_event_registry_wallet', { synchronize: false })
@Index('ix_chain_event_frozen_account', { synchronize: false })
@Index('ix_chain_event_revenue_claim', { synchronize: false })
export class ChainEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('character', { length: 66 })
  blockHash: string;

  @Column('character', { length: 66 })
  txHash: string;

  @Column('integer')
  logIndex: number;

  @Column('character', { length: 42 })
  address: string;

  @Column('text')
  contract: string;

  @Column('text')
  name: string;

  @Column('jsonb')
  args: Record<string, unknown>;
}
