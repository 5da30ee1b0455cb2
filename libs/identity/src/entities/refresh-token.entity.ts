import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * A refresh token, kept only as its SHA-256. Each use replaces it with a new token of the same
 * family; presenting a token that was already used revokes the whole family (a stolen token is
 * then worthless to thief and owner alike, and the owner signs in again).
 */
@Entity('refresh_token')
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_refresh_token_user' })
  private readonly user?: User;

  /** Every token descended from one sign-in. */
  @Index()
  @Column('uuid')
  familyId: string;

  @Column('character', { length: 64, unique: true })
  tokenHash: string;

  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;

  /** Set when it was exchanged for its successor. */
  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
