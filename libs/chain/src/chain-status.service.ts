import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { DEPLOYMENT } from './chain.tokens';
import type { Deployment } from './deployment/deployment';
import { ChainHeartbeatRepository } from './chain-heartbeat.repository';
import type { ReconciliationRun } from './entities/reconciliation-run.entity';
import { IndexRepository } from './indexer/index.repository';
import { ChainTxRepository, type OutboxDepth } from './outbox/chain-tx.repository';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';

export interface ChainStatus {
  deployment: Deployment;
  head: {
    blockNumber: string;
    blockHash: string;
    blockTimestamp: string;
    firstSeenAt: string;
    lastSeenAt: string;
  } | null;
  indexer: {
    /** Every log up to this block is indexed; null before the first batch. */
    blockNumber: string | null;
    /** Final blocks not indexed yet, by the last head the worker saw; null until it has seen one. */
    lagBlocks: number | null;
    confirmations: number;
  };
  outbox: OutboxDepth;
}

/**
 * What the platform knows of its chain, from the database only (the API never calls the chain
 * for it): its contracts, the last head the worker saw, how far the indexer has read, and the
 * transactions still on their way.
 */
@Injectable()
export class ChainStatusService {
  constructor(
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly config: AppConfig,
    private readonly heartbeats: ChainHeartbeatRepository,
    private readonly index: IndexRepository,
    private readonly txs: ChainTxRepository,
    private readonly reconciliations: ReconciliationRepository,
  ) {}

  async status(): Promise<ChainStatus> {
    const [latest, indexer, outbox] = await Promise.all([
      this.heartbeats.latest(this.deployment.chainId),
      this.indexer(),
      this.txs.depth(),
    ]);
    return {
      deployment: this.deployment,
      head: latest && {
        blockNumber: latest.blockNumber.toString(),
        blockHash: latest.blockHash,
        blockTimestamp: latest.blockTimestamp.toISOString(),
        firstSeenAt: latest.firstSeenAt.toISOString(),
        lastSeenAt: latest.lastSeenAt.toISOString(),
      },
      indexer,
      outbox,
    };
  }

  async indexer(): Promise<ChainStatus['indexer']> {
    const [head, cursor] = await Promise.all([
      this.heartbeats.latest(this.deployment.chainId),
      this.index.cursor(this.deployment.chainId),
    ]);
    const confirmations = this.config.CHAIN_CONFIRMATIONS;
    const done = cursor?.blockNumber ?? BigInt(this.deployment.deployedAtBlock) - 1n;
    const lag = head ? head.blockNumber - BigInt(confirmations) + 1n - done : null;
    return {
      blockNumber: cursor?.blockNumber.toString() ?? null,
      lagBlocks: lag === null ? null : Number(lag > 0n ? lag : 0n),
      confirmations,
    };
  }

  outbox(): Promise<OutboxDepth> {
    return this.txs.depth();
  }

  latestReconciliation(): Promise<ReconciliationRun | null> {
    return this.reconciliations.latest();
  }
}
