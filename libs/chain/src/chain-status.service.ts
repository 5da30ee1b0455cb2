import { Inject, Injectable } from '@nestjs/common';
import { DEPLOYMENT } from './chain.tokens';
import type { Deployment } from './deployment/deployment';
import { ChainHeartbeatRepository } from './chain-heartbeat.repository';

export interface ChainStatus {
  deployment: Deployment;
  head: {
    blockNumber: string;
    blockHash: string;
    blockTimestamp: string;
    firstSeenAt: string;
    lastSeenAt: string;
  } | null;
}

/** What the platform knows of its chain: where its contracts are, and the last head the worker saw. */
@Injectable()
export class ChainStatusService {
  constructor(
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly heartbeats: ChainHeartbeatRepository,
  ) {}

  async status(): Promise<ChainStatus> {
    const latest = await this.heartbeats.latest(this.deployment.chainId);
    return {
      deployment: this.deployment,
      head: latest && {
        blockNumber: latest.blockNumber.toString(),
        blockHash: latest.blockHash,
        blockTimestamp: latest.blockTimestamp.toISOString(),
        firstSeenAt: latest.firstSeenAt.toISOString(),
        lastSeenAt: latest.lastSeenAt.toISOString(),
      },
    };
  }
}
