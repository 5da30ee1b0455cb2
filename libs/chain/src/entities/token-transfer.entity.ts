import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** An ERC-20 Transfer of a farm token (mints from, burns to, the zero address). */
@Entity('token_transfer')
@Unique('uq_token_transfer_log', ['txHash', 'logIndex'])
@Index('ix_token_transfer_token_block', ['token', 'blockNumber'])
@Index('ix_token_transfer_block', ['blockNumber'])
export class TokenTransfer {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('character', { length: 42 })
  token: string;

  @Column('character', { length: 42 })
  fromAddress: string;

  @Column('character', { length: 42 })
  toAddress: string;

  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  amount: bigint;

  @Column('bigint', { transformer: bigintTransformer })
  blockNumber: bigint;

  @Column('character', { length: 66 })
  txHash: string;

  @Column('integer')
  logIndex: number;
}
