import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type SiwePurpose = 'link' | 'sign-in';

/**
 * A Sign-In with Ethereum nonce: issued by the server, good once, until it expires. A `link`
 * nonce belongs to the signed-in investor who asked for it; a `sign-in` nonce to nobody yet.
 */
@Entity('siwe_nonce')
@Check('ck_siwe_nonce_purpose', `"purpose" IN ('link', 'sign-in')`)
export class SiweNonce {
  @PrimaryColumn('text')
  nonce: string;

  @Column('text')
  purpose: SiwePurpose;

  @Column('uuid', { nullable: true })
  userId: string | null;

  @Column('timestamptz')
  issuedAt: Date;

  @Index()
  @Column('timestamptz')
  expiresAt: Date;

  @Column('timestamptz', { nullable: true })
  usedAt: Date | null;
}
