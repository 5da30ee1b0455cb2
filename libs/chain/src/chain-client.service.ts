import { Inject, Injectable } from '@nestjs/common';
import { JsonRpcProvider } from 'ethers';
import { AppConfig } from '@gpu/config';
import { withTimeout } from '@gpu/common';
import { CHAIN_PROVIDER } from './chain.tokens';
import { ChainError } from './chain.errors';

export interface ChainHead {
  chainId: number;
  blockNumber: bigint;
  blockHash: string;
  timestamp: Date;
}

/** Read-only questions to the chain, each bounded by RPC_TIMEOUT_MS. */
@Injectable()
export class ChainClient {
  constructor(
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    private readonly config: AppConfig,
  ) {}

  /** The chain id the RPC endpoint itself reports (not the one we expect). */
  async reportedChainId(): Promise<number> {
    const hex = await this.call<string>('eth_chainId', []);
    return Number(BigInt(hex));
  }

  async head(): Promise<ChainHead> {
    const [chainId, block] = await Promise.all([
      this.reportedChainId(),
      withTimeout(
        this.provider.getBlock('latest'),
        this.config.RPC_TIMEOUT_MS,
        'RPC eth_getBlockByNumber',
      ),
    ]);
    if (!block?.hash) throw ChainError.unavailable('the RPC endpoint returned no latest block');
    return {
      chainId,
      blockNumber: BigInt(block.number),
      blockHash: block.hash,
      timestamp: new Date(block.timestamp * 1000),
    };
  }

  private call<T>(method: string, params: unknown[]): Promise<T> {
    return withTimeout(
      this.provider.send(method, params) as Promise<T>,
      this.config.RPC_TIMEOUT_MS,
      `RPC ${method}`,
    );
  }
}
