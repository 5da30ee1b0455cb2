import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** A signer lane: one key, its address, and the next nonce it will use, allocated in order. */
@Entity('chain_signer')
export class ChainSigner {
  @PrimaryColumn('integer')
  chainId: number;

  @PrimaryColumn('text')
  lane: string;

  @Column('character', { length: 42 })
  address: string;

  @Column('bigint', { transformer: bigintTransformer })
  nextNonce: bigint;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt: Date;
}
