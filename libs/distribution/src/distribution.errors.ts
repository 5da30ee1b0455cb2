import { DomainError } from '@gpu/common';

export enum DistributionErrorCode {
  REVENUE_ALREADY_REPORTED = 'REVENUE_ALREADY_REPORTED',
  REVENUE_EPOCH_SUPERSEDED = 'REVENUE_EPOCH_SUPERSEDED',
  REVENUE_EPOCH_NOT_CONFIRMED = 'REVENUE_EPOCH_NOT_CONFIRMED',
  REVENUE_REVIEW_PENDING = 'REVENUE_REVIEW_PENDING',
  REVENUE_REPORT_NOT_FOUND = 'REVENUE_REPORT_NOT_FOUND',
  REVENUE_REPORT_NOT_PENDING = 'REVENUE_REPORT_NOT_PENDING',
  REVENUE_OWN_REPORT = 'REVENUE_OWN_REPORT',
  REVENUE_AMOUNT_INVALID = 'REVENUE_AMOUNT_INVALID',
  DISTRIBUTION_NOT_FOUND = 'DISTRIBUTION_NOT_FOUND',
  DISTRIBUTION_NOT_REPUBLISHABLE = 'DISTRIBUTION_NOT_REPUBLISHABLE',
  NO_PUBLISHED_DISTRIBUTION = 'NO_PUBLISHED_DISTRIBUTION',
  WALLET_NOT_FOUND = 'WALLET_NOT_FOUND',
}

export class DistributionError extends DomainError {
  static alreadyReported(epoch: bigint): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_ALREADY_REPORTED,
      'conflict',
      `Revenue of epoch ${epoch} was already reported with other figures`,
      { epoch: epoch.toString() },
    );
  }

  static epochSuperseded(epoch: bigint, latest: bigint): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_EPOCH_SUPERSEDED,
      'conflict',
      `Revenue is reported in epoch order: epoch ${latest} was reported, so epoch ${epoch} can no longer be`,
      { epoch: epoch.toString(), latestEpoch: latest.toString() },
    );
  }

  static epochNotConfirmed(epoch: bigint): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_EPOCH_NOT_CONFIRMED,
      'conflict',
      `The oracle's report of epoch ${epoch} is not confirmed on chain (yet)`,
      { epoch: epoch.toString() },
    );
  }

  static reviewPending(epoch: bigint): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_REVIEW_PENDING,
      'conflict',
      `The report of epoch ${epoch} awaits compliance review; later epochs wait for it`,
      { epoch: epoch.toString() },
    );
  }

  static reportNotFound(): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_REPORT_NOT_FOUND,
      'not_found',
      'No such revenue report',
    );
  }

  static notPending(status: string): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_REPORT_NOT_PENDING,
      'conflict',
      `The report is ${status}, not pending review`,
      { status },
    );
  }

  static ownReport(): DistributionError {
    return new DistributionError(
      DistributionErrorCode.REVENUE_OWN_REPORT,
      'forbidden',
      'A report is reviewed by someone other than its reporter',
    );
  }

  static amountInvalid(reason: string): DistributionError {
    return new DistributionError(DistributionErrorCode.REVENUE_AMOUNT_INVALID, 'invalid', reason);
  }

  static notFound(): DistributionError {
    return new DistributionError(
      DistributionErrorCode.DISTRIBUTION_NOT_FOUND,
      'not_found',
      'No such distribution',
    );
  }

  static notRepublishable(reason: string): DistributionError {
    return new DistributionError(
      DistributionErrorCode.DISTRIBUTION_NOT_REPUBLISHABLE,
      'conflict',
      reason,
    );
  }

  static nothingPublished(): DistributionError {
    return new DistributionError(
      DistributionErrorCode.NO_PUBLISHED_DISTRIBUTION,
      'not_found',
      'No distribution of this farm is published on chain yet',
    );
  }

  static walletNotFound(): DistributionError {
    return new DistributionError(
      DistributionErrorCode.WALLET_NOT_FOUND,
      'not_found',
      'No such wallet among yours',
    );
  }
}
