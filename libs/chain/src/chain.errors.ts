import { DomainError } from '@gpu/common';

export enum ChainErrorCode {
  UNAVAILABLE = 'CHAIN_UNAVAILABLE',
  WRONG_CHAIN = 'CHAIN_WRONG_CHAIN_ID',
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
}
