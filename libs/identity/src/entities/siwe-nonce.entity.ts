import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

export type SiwePurpose = 'link' | 'sign-in';

/**
 * A Sign-In with Ethereum nonce: issued by the server, good once, until it expires. A `link`
 * nonce belongs to the signed-in investor who asked for it; a `sign-in` nonce to nobody yet.
 */
@Entity('siwe_nonce')
@Check('ck_siwe_nonce_purpose', `"purpose" IN ('link', 'sign-in')`)
@Check('ck_siwe_nonce_link_owner', `"purpose" <> 'link' OR "user_id" IS NOT NULL`)
export class SiweNonce {
  @PrimaryColumn('text')
  nonce: string;

  @Column('text')
  purpose: SiwePurpose;

  @Column('uuid', { nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_siwe_nonce_user' })
  private readonly user?: User;

  @Column('timestamptz')
  issuedAt: Date;

  @Index()
  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;
}
