import { Check, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** A chain head the worker saw: one row per block, with when it was first and last seen. */
@Entity('chain_heartbeat')
@Unique('uq_chain_heartbeat_block', ['chainId', 'blockNumber'])
@Check('ck_chain_heartbeat_block_number', '"block_number" >= 0')
export class ChainHeartbeat {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('integer')
  chainId: number;

  @Column('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('char', { length: 66 })
  blockHash: string;

  @Column('timestamptz')
  blockTimestamp: Date;

  @Column('timestamptz', { default: () => 'now()' })
  firstSeenAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  lastSeenAt: Date;
}
