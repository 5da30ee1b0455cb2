import { DomainError } from '@gpu/common';

export enum OracleErrorCode {
  EPOCH_NOT_REPORTED = 'UPTIME_EPOCH_NOT_REPORTED',
}

export class OracleError extends DomainError {
  static epochNotReported(epoch: bigint): OracleError {
    return new OracleError(
      OracleErrorCode.EPOCH_NOT_REPORTED,
      'not_found',
      `Epoch ${epoch} of this farm has no report (yet)`,
      { epoch: epoch.toString() },
    );
  }
}
