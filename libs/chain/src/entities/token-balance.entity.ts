import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/** A holder's balance of a farm token, derived from its indexed transfers. */
@Entity('token_balance')
@Check('ck_token_balance_not_negative', '"balance" >= 0')
@Index('ix_token_balance_holders', ['token'], { where: '"balance" > 0' })
export class TokenBalance {
  @PrimaryColumn('character', { length: 42 })
  token: string;

  @PrimaryColumn('character', { length: 42 })
  holder: string;

  @Column('numeric', { precision: 78, scale: 0, transformer: bigintTransformer })
  balance: bigint;
}
