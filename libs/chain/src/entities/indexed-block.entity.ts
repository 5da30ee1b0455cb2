import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** The hash of a block the indexer read logs from: how a reorg is recognised. */
@Entity('indexed_block')
@Index('ix_indexed_block_time', ['blockTime'])
export class IndexedBlock {
  @PrimaryColumn('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('character', { length: 66 })
  blockHash: string;

  /** The block's time: a time is resolved to the last indexed block at or before it. */
  @Column('timestamptz', { nullable: true })
  blockTime: Date | null;
}
