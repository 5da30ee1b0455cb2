import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { safeErrorMessage, withTimeout } from '@gpu/common';
import { ChainClient } from './chain-client.service';
import { DEPLOYMENT } from './chain.tokens';
import type { Deployment } from './deployment/deployment';

export interface ChainHealthReport {
  up: boolean;
  chainId?: number;
  latestBlock?: string;
  error?: string;
}

/** Answers from one RPC round at most this often, however often /health is asked. */
const FRESH_FOR_MS = 1000;

/**
 * The chain's health: its reported chain id must be the deployment's and it must answer with a
 * head in time. One check is shared by concurrent callers and reused for a second, so a busy
 * /health never multiplies calls to a metered RPC provider. Error texts never carry the RPC URL.
 */
@Injectable()
export class ChainHealthIndicator {
  private inFlight?: Promise<ChainHealthReport>;
  private last?: { at: number; report: ChainHealthReport };

  constructor(
    private readonly chain: ChainClient,
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  check(): Promise<ChainHealthReport> {
    if (this.last && Date.now() - this.last.at < FRESH_FOR_MS)
      return Promise.resolve(this.last.report);
    this.inFlight ??= this.probe().then((report) => {
      this.last = { at: Date.now(), report };
      this.inFlight = undefined;
      return report;
    });
    return this.inFlight;
  }

  private async probe(): Promise<ChainHealthReport> {
    try {
      const head = await withTimeout(this.chain.head(), this.config.HEALTH_TIMEOUT_MS, 'chain');
      const report = { chainId: head.chainId, latestBlock: head.blockNumber.toString() };
      if (head.chainId !== this.deployment.chainId) {
        return { up: false, ...report, error: `expected chain ${this.deployment.chainId}` };
      }
      return { up: true, ...report };
    } catch (error) {
      return { up: false, error: safeErrorMessage(error) };
    }
  }
}
