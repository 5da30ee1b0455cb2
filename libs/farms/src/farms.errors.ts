import { DomainError } from '@gpu/common';

export enum FarmErrorCode {
  NOT_FOUND = 'FARM_NOT_FOUND',
  INVALID_TRANSITION = 'FARM_INVALID_TRANSITION',
  NOT_EDITABLE = 'FARM_NOT_EDITABLE',
  INCOMPLETE = 'FARM_INCOMPLETE',
  GPU_ALREADY_LISTED = 'FARM_GPU_ALREADY_LISTED',
  TOKENIZATION_REQUESTED = 'FARM_TOKENIZATION_REQUESTED',
  TOKENIZATION_NOT_PENDING = 'FARM_TOKENIZATION_NOT_PENDING',
  TOKENIZATION_OWN_REQUEST = 'FARM_TOKENIZATION_OWN_REQUEST',
  NOT_TOKENIZED = 'FARM_NOT_TOKENIZED',
  PROBE_INTERVAL_TOO_LONG = 'FARM_PROBE_INTERVAL_TOO_LONG',
}

export class FarmError extends DomainError {
  static notFound(): FarmError {
    return new FarmError(FarmErrorCode.NOT_FOUND, 'not_found', 'No such farm');
  }

  static invalidTransition(from: string, to: string): FarmError {
    return new FarmError(
      FarmErrorCode.INVALID_TRANSITION,
      'conflict',
      `A ${from} farm cannot become ${to}`,
      { from, to },
    );
  }

  static notEditable(status: string): FarmError {
    return new FarmError(
      FarmErrorCode.NOT_EDITABLE,
      'conflict',
      `A ${status} farm cannot be edited: only draft and rejected listings can`,
      { status },
    );
  }

  static incomplete(missing: string[]): FarmError {
    return new FarmError(
      FarmErrorCode.INCOMPLETE,
      'conflict',
      `A farm is submitted with at least one GPU node and one document; missing: ${missing.join(', ')}`,
      { missing },
    );
  }

  static tokenizationRequested(status: string): FarmError {
    return new FarmError(
      FarmErrorCode.TOKENIZATION_REQUESTED,
      'conflict',
      `The farm's token was requested already (${status})`,
      { status },
    );
  }

  static tokenizationNotPending(status: string): FarmError {
    return new FarmError(
      FarmErrorCode.TOKENIZATION_NOT_PENDING,
      'conflict',
      `The farm's token request is ${status}, not awaiting a decision`,
      { status },
    );
  }

  static ownTokenizationRequest(): FarmError {
    return new FarmError(
      FarmErrorCode.TOKENIZATION_OWN_REQUEST,
      'forbidden',
      'A tokenization request is decided by someone other than its requester',
    );
  }

  static notTokenized(): FarmError {
    return new FarmError(
      FarmErrorCode.NOT_TOKENIZED,
      'not_found',
      'No token was requested for this farm',
    );
  }

  static gpuAlreadyListed(): FarmError {
    return new FarmError(
      FarmErrorCode.GPU_ALREADY_LISTED,
      'conflict',
      'A GPU UUID of this farm is listed already (here or in another farm)',
    );
  }

  static probeIntervalTooLong(interval: number, epochSeconds: number): FarmError {
    return new FarmError(
      FarmErrorCode.PROBE_INTERVAL_TOO_LONG,
      'invalid',
      `A probe every ${interval} s leaves uptime epochs of ${epochSeconds} s without a probe`,
      { probeIntervalSeconds: interval, epochSeconds },
    );
  }
}
