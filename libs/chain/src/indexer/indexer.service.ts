import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { AppConfig } from '@gpu/config';
import { CHAIN_PROVIDER, DEPLOYMENT } from '../chain.tokens';
import type { Deployment } from '../deployment/deployment';
import { LeaderLoop } from '../leader-loop';
import { ChainIndexer } from './chain-indexer';
import { IndexRepository } from './index.repository';

/** Runs the ChainIndexer in whichever worker process holds the indexer's lock. */
@Injectable()
export class IndexerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IndexerService.name);
  private loop?: LeaderLoop;

  constructor(
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    private readonly store: IndexRepository,
  ) {}

  onApplicationBootstrap(): void {
    const indexer = new ChainIndexer(
      {
        confirmations: this.config.CHAIN_CONFIRMATIONS,
        batchBlocks: this.config.INDEXER_BATCH_BLOCKS,
        rpcTimeoutMs: this.config.RPC_TIMEOUT_MS,
      },
      this.deployment,
      this.provider,
      this.store,
      this.logger,
    );
    this.loop = new LeaderLoop({
      lockName: `chain-indexer:${this.deployment.chainId}`,
      databaseUrl: this.config.DATABASE_URL,
      idleMs: this.config.CHAIN_POLL_INTERVAL_MS,
      logger: this.logger,
      round: async () => {
        const round = await indexer.round();
        return round.blocks > 0 || round.rolledBackTo !== undefined;
      },
    });
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }
}
