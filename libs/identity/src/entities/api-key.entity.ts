import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/** What an API key may do; a route that names no scope refuses API keys altogether. */
export const API_KEY_SCOPES = [
  'profile:read',
  'farms:read',
  'farms:write',
  'revenue:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * A key for an operator's own automation: `gpk_<id>_<secret>`, shown once. Only the SHA-256 of
 * the secret is kept (the secret is 256 random bits, so a fast hash is enough).
 */
@Entity('api_key')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_api_key_user' })
  private readonly user?: User;

  @Column('text')
  name: string;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  @Column('character', { length: 64 })
  secretHash: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
