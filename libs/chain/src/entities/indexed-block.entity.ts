import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** The hash of a block the indexer read logs from: how a reorg is recognised. */
@Entity('indexed_block')
export class IndexedBlock {
  @PrimaryColumn('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('character', { length: 66 })
  blockHash: string;
}
