import { Inject, Injectable } from '@nestjs/common';
import { JobHandler, JobHandlerOf } from '@gpu/queue';
import { ChainClient } from '../chain-client.service';
import { ChainError } from '../chain.errors';
import { DEPLOYMENT } from '../chain.tokens';
import type { Deployment } from '../deployment/deployment';
import { ChainHeartbeatRepository } from '../chain-heartbeat.repository';

/** Records the chain head, refusing a chain other than the deployment's. */
@Injectable()
@JobHandler('chain.heartbeat')
export class ChainHeartbeatProcessor implements JobHandlerOf<'chain.heartbeat'> {
  constructor(
    private readonly chain: ChainClient,
    private readonly heartbeats: ChainHeartbeatRepository,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async handle(): Promise<{ blockNumber: string }> {
    const head = await this.chain.head();
    if (head.chainId !== this.deployment.chainId) {
      throw ChainError.wrongChain(this.deployment.chainId, head.chainId);
    }
    await this.heartbeats.record(head);
    return { blockNumber: head.blockNumber.toString() };
  }
}
