import type { KycProviderName } from '../entities/kyc-case.entity';

/** A decision on a KYC case, whoever made it: both providers produce these. */
export interface KycReview {
  caseId: string;
  provider: KycProviderName;
  answer: 'approved' | 'rejected';
  level: string | null;
  labels: string[];
  /** ISO 3166-1 numeric country the reviewer verified: required to approve, null to reject. */
  country: number | null;
  reason: string | null;
  /** When the decision was made: the provider's creation time, or the officer's clock. */
  occurredAt: Date;
}
