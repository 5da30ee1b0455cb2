import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '@gpu/identity';

export const KYC_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const KYC_PROVIDERS = ['manual', 'sumsub'] as const;
export type KycProviderName = (typeof KYC_PROVIDERS)[number];

/** Evidence a manual review rests on: metadata and a hash, never the file itself. */
export interface KycDocument {
  type: string;
  name: string;
  sha256: string;
}

/**
 * One KYC review of an investor: pending -> approved (with expiry and level) / rejected (with
 * labels) -> expired. A later review may reject an approved case (revocation). An investor has
 * at most one pending and one approved case (partial unique indexes).
 */
@Entity('kyc_case')
@Check('ck_kyc_case_status', `"status" IN ('pending', 'approved', 'rejected', 'expired')`)
@Check('ck_kyc_case_provider', `"provider" IN ('manual', 'sumsub')`)
@Check('ck_kyc_case_country', `"country" BETWEEN 1 AND 999`)
@Check('ck_kyc_case_approved_expiry', `"status" <> 'approved' OR "expires_at" IS NOT NULL`)
@Index('uq_kyc_case_one_pending', ['investorId'], { unique: true, where: `"status" = 'pending'` })
@Index('uq_kyc_case_one_approved', ['investorId'], { unique: true, where: `"status" = 'approved'` })
export class KycCase {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  investorId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'investor_id', foreignKeyConstraintName: 'fk_kyc_case_investor' })
  private readonly investor?: User;

  @Column('text')
  provider: KycProviderName;

  @Column('text', { default: 'pending' })
  status: KycStatus;

  /** ISO 3166-1 numeric code of the investor's country of residence. */
  @Column('smallint')
  country: number;

  @Column('text', { nullable: true })
  level: string | null;

  @Column('jsonb')
  documents: KycDocument[];

  /** Why it was rejected, in the provider's labels (e.g. `DOCUMENT_EXPIRED`). */
  @Column('text', { array: true, default: () => `'{}'` })
  rejectLabels: string[];

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  /** The user who opened it: the investor, or a compliance officer on their behalf. */
  @Column('uuid')
  requestedBy: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'fk_kyc_case_requested_by' })
  private readonly requester?: User;

  /** Who decided: `user:<id>` of the reviewing officer, or `provider:<name>`. */
  @Column('text', { nullable: true })
  decidedBy: string | null;

  @Column('timestamptz', { nullable: true })
  decidedAt: Date | null;

  /** Creation time of the newest provider event applied: older events arriving later are not applied. */
  @Column('timestamptz', { nullable: true })
  providerEventAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
