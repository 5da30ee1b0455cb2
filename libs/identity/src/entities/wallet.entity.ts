import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from './user.entity';

/**
 * A wallet an investor proved to control by signing a Sign-In with Ethereum message. A wallet
 * belongs to one investor; an investor may link several.
 */
@Entity('wallet')
@Check('ck_wallet_address', `"address" ~ '^0x[0-9a-f]{40}$'`)
export class Wallet {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_wallet_user' })
  private readonly user?: User;

  /** Lower-case hex; unique. */
  @Column('text', { unique: true })
  address: string;

  @Column('integer')
  chainId: number;

  @Column('timestamptz', { default: () => 'now()' })
  linkedAt: Date;

  /**
   * What the platform last asked the IdentityRegistry to hold for this wallet: the KYC expiry it
   * registered, or null when it asked for none (never registered, or removed).
   */
  @Column('timestamptz', { nullable: true })
  registryExpiry: Date | null;

  /** The country registered with it (ISO 3166-1 numeric), null when none is. */
  @Column('smallint', { nullable: true })
  registryCountry: number | null;

  /** Raised each time the platform asks the registry for a change: it keys the outbox intent. */
  @Column('integer', { default: 0 })
  registryVersion: number;
}
