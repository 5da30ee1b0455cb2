import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { withTimeout } from '@gpu/common';
import { ChainClient } from './chain-client.service';
import { DEPLOYMENT } from './chain.tokens';
import type { Deployment } from './deployment/deployment';

export interface ChainHealthReport {
  up: boolean;
  chainId?: number;
  latestBlock?: string;
  error?: string;
}

@Injectable()
export class ChainHealth {
  constructor(
    private readonly chain: ChainClient,
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async check(): Promise<ChainHealthReport> {
    try {
      const head = await withTimeout(this.chain.head(), this.config.HEALTH_TIMEOUT_MS, 'chain');
      const report = { chainId: head.chainId, latestBlock: head.blockNumber.toString() };
      if (head.chainId !== this.deployment.chainId) {
        return { up: false, ...report, error: `expected chain ${this.deployment.chainId}` };
      }
      return { up: true, ...report };
    } catch (error) {
      return { up: false, error: (error as Error).message };
    }
  }
}
