import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** How far the indexer has read the chain: every log up to and including this block. */
@Entity('index_cursor')
export class IndexCursor {
  @PrimaryColumn('integer')
  chainId: number;

  @Column('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('character', { length: 66 })
  blockHash: string;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt: Date;
}
