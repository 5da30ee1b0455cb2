import { DomainError } from '@gpu/common';

export enum ChainErrorCode {
  UNAVAILABLE = 'CHAIN_UNAVAILABLE',
  WRONG_CHAIN = 'CHAIN_WRONG_CHAIN_ID',
  INVALID_INTENT = 'CHAIN_INVALID_INTENT',
  IDEMPOTENCY_CONFLICT = 'CHAIN_IDEMPOTENCY_CONFLICT',
  TX_NOT_FOUND = 'CHAIN_TX_NOT_FOUND',
  OUTCOME_TIMEOUT = 'CHAIN_OUTCOME_TIMEOUT',
}

export class ChainError extends DomainError {
  static unavailable(message: string): ChainError {
    return new ChainError(ChainErrorCode.UNAVAILABLE, 'unavailable', message);
  }

  static wrongChain(expected: number, actual: number): ChainError {
    return new ChainError(
      ChainErrorCode.WRONG_CHAIN,
      'unavailable',
      `the RPC endpoint serves chain ${actual}, the deployment is on chain ${expected}`,
      { expected, actual },
    );
  }

  static invalidIntent(problems: string[]): ChainError {
    return new ChainError(
      ChainErrorCode.INVALID_INTENT,
      'invalid',
      `invalid chain intent: ${problems.join('; ')}`,
      { problems },
    );
  }

  static idempotencyConflict(idempotencyKey: string): ChainError {
    return new ChainError(
      ChainErrorCode.IDEMPOTENCY_CONFLICT,
      'conflict',
      'this idempotency key already names a different transaction',
      { idempotencyKey },
    );
  }

  static txNotFound(id: string): ChainError {
    return new ChainError(ChainErrorCode.TX_NOT_FOUND, 'not_found', `no chain transaction ${id}`, {
      id,
    });
  }

  static outcomeTimeout(id: string, state: string, timeoutMs: number): ChainError {
    return new ChainError(
      ChainErrorCode.OUTCOME_TIMEOUT,
      'unavailable',
      `chain transaction ${id} is still ${state} after ${timeoutMs} ms`,
      { id, state },
    );
  }
}
