import { DomainError } from '@gpu/common';
import { isUniqueViolation } from '@gpu/database';

export enum KycErrorCode {
  CASE_NOT_FOUND = 'KYC_CASE_NOT_FOUND',
  CASE_ALREADY_PENDING = 'KYC_CASE_ALREADY_PENDING',
  INVALID_TRANSITION = 'KYC_INVALID_TRANSITION',
  SEPARATION_OF_DUTIES = 'KYC_SEPARATION_OF_DUTIES',
  CONCURRENT_DECISION = 'KYC_CONCURRENT_DECISION',
  NOT_AN_INVESTOR = 'KYC_NOT_AN_INVESTOR',
  WEBHOOK_NOT_CONFIGURED = 'KYC_WEBHOOK_NOT_CONFIGURED',
  WEBHOOK_SIGNATURE_INVALID = 'KYC_WEBHOOK_SIGNATURE_INVALID',
  WEBHOOK_PAYLOAD_INVALID = 'KYC_WEBHOOK_PAYLOAD_INVALID',
  WEBHOOK_EVENT_CONFLICT = 'KYC_WEBHOOK_EVENT_CONFLICT',
  PROVIDER_NOT_CONFIGURED = 'KYC_PROVIDER_NOT_CONFIGURED',
  PROVIDER_UNAVAILABLE = 'KYC_PROVIDER_UNAVAILABLE',
  COUNTRY_UNVERIFIED = 'KYC_COUNTRY_UNVERIFIED',
}

export class KycError extends DomainError {
  static caseNotFound(): KycError {
    return new KycError(KycErrorCode.CASE_NOT_FOUND, 'not_found', 'No such KYC case');
  }

  static alreadyPending(caseId?: string): KycError {
    return new KycError(
      KycErrorCode.CASE_ALREADY_PENDING,
      'conflict',
      'The investor already has a KYC case under review',
      caseId ? { caseId } : undefined,
    );
  }

  static invalidTransition(from: string, to: string): KycError {
    return new KycError(
      KycErrorCode.INVALID_TRANSITION,
      'conflict',
      `A ${from} KYC case cannot become ${to}`,
      { from, to },
    );
  }

  static concurrentDecision(): KycError {
    return new KycError(
      KycErrorCode.CONCURRENT_DECISION,
      'conflict',
      "Another of the investor's cases was approved at the same moment; try again",
    );
  }

  /** Maps a lost race between two approvals of one investor (a unique index) to a 409. */
  static fromApprovalRace(error: unknown): never {
    if (isUniqueViolation(error, 'uq_kyc_case_one_approved')) throw KycError.concurrentDecision();
    throw error;
  }

  static separationOfDuties(): KycError {
    return new KycError(
      KycErrorCode.SEPARATION_OF_DUTIES,
      'forbidden',
      'Nobody may decide a KYC case they opened',
    );
  }

  static notAnInvestor(): KycError {
    return new KycError(
      KycErrorCode.NOT_AN_INVESTOR,
      'invalid',
      'KYC cases are opened for investor accounts only',
    );
  }

  static webhookNotConfigured(): KycError {
    return new KycError(
      KycErrorCode.WEBHOOK_NOT_CONFIGURED,
      'unavailable',
      'The KYC webhook is not configured (KYC_WEBHOOK_SECRET)',
    );
  }

  static webhookSignatureInvalid(): KycError {
    return new KycError(
      KycErrorCode.WEBHOOK_SIGNATURE_INVALID,
      'unauthorized',
      'The payload digest is missing, uses another algorithm or does not match the body',
    );
  }

  static providerNotConfigured(): KycError {
    return new KycError(
      KycErrorCode.PROVIDER_NOT_CONFIGURED,
      'unavailable',
      'The Sumsub API is not configured (SUMSUB_APP_TOKEN, SUMSUB_SECRET_KEY)',
    );
  }

  static providerUnavailable(problem: string): KycError {
    return new KycError(
      KycErrorCode.PROVIDER_UNAVAILABLE,
      'unavailable',
      `The KYC provider could not be read: ${problem}`,
    );
  }

  static countryUnverified(): KycError {
    return new KycError(
      KycErrorCode.COUNTRY_UNVERIFIED,
      'invalid',
      'An approval needs the country the reviewer verified',
    );
  }

  static webhookEventConflict(eventId: string): KycError {
    return new KycError(
      KycErrorCode.WEBHOOK_EVENT_CONFLICT,
      'conflict',
      'An event with this id was received with another body',
      { eventId },
    );
  }

  static webhookPayloadInvalid(problem: string): KycError {
    return new KycError(
      KycErrorCode.WEBHOOK_PAYLOAD_INVALID,
      'invalid',
      `The webhook payload is not valid: ${problem}`,
    );
  }
}
