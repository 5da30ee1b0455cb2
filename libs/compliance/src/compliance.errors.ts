import { DomainError } from '@gpu/common';

export enum ComplianceErrorCode {
  IDEMPOTENCY_KEY_REQUIRED = 'IDEMPOTENCY_KEY_REQUIRED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  ENFORCEMENT_INVALID = 'ENFORCEMENT_INVALID',
  ENFORCEMENT_NOT_FOUND = 'ENFORCEMENT_NOT_FOUND',
  RECOVERY_NOT_SAME_INVESTOR = 'RECOVERY_NOT_SAME_INVESTOR',
  RECOVERY_WALLET_NOT_VERIFIED = 'RECOVERY_WALLET_NOT_VERIFIED',
}

export class ComplianceError extends DomainError {
  static idempotencyKeyRequired(): ComplianceError {
    return new ComplianceError(
      ComplianceErrorCode.IDEMPOTENCY_KEY_REQUIRED,
      'invalid',
      'An Idempotency-Key header (1 to 100 of A-Z a-z 0-9 . _ : -) is required',
    );
  }

  static keyReused(): ComplianceError {
    return new ComplianceError(
      ComplianceErrorCode.IDEMPOTENCY_KEY_REUSED,
      'unprocessable',
      'This Idempotency-Key was used for another request',
    );
  }

  static invalid(reason: string): ComplianceError {
    return new ComplianceError(ComplianceErrorCode.ENFORCEMENT_INVALID, 'invalid', reason);
  }

  static notFound(): ComplianceError {
    return new ComplianceError(
      ComplianceErrorCode.ENFORCEMENT_NOT_FOUND,
      'not_found',
      'No such enforcement action',
    );
  }

  static notSameInvestor(): ComplianceError {
    return new ComplianceError(
      ComplianceErrorCode.RECOVERY_NOT_SAME_INVESTOR,
      'conflict',
      'A wallet is recovered only to another linked wallet of the same investor',
    );
  }

  static newWalletNotVerified(): ComplianceError {
    return new ComplianceError(
      ComplianceErrorCode.RECOVERY_WALLET_NOT_VERIFIED,
      'conflict',
      'The new wallet is not verified in the identity registry (KYC approved and synced)',
    );
  }
}
