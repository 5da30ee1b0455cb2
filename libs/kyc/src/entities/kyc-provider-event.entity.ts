import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { KycCase } from './kyc-case.entity';

export type KycEventOutcome = 'applied' | 'stale' | 'ignored' | 'unknown-case';

/**
 * Every webhook event received, once: its id is the primary key, so a redelivery is recognised
 * and answered without a second effect. `outcome` says what it did.
 */
@Entity('kyc_provider_event')
@Check(
  'ck_kyc_provider_event_outcome',
  `"outcome" IN ('applied', 'stale', 'ignored', 'unknown-case')`,
)
export class KycProviderEvent {
  /** `<provider>:<event id>`. */
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  provider: string;

  @Column('text')
  type: string;

  @Index()
  @Column('uuid', { nullable: true })
  caseId: string | null;

  @ManyToOne(() => KycCase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_kyc_provider_event_case' })
  private readonly kycCase?: KycCase;

  /** When the provider created it. */
  @Column('timestamptz')
  occurredAt: Date;

  @Column('timestamptz', { default: () => 'now()' })
  receivedAt: Date;

  @Column('text')
  outcome: KycEventOutcome;

  /** SHA-256 of the raw body. */
  @Column('character', { length: 64 })
  payloadDigest: string;
}
