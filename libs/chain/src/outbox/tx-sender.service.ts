import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { AppConfig } from '@gpu/config';
import { JobQueue } from '@gpu/queue';
import { CHAIN_PROVIDER, DEPLOYMENT } from '../chain.tokens';
import type { Deployment } from '../deployment/deployment';
import { LeaderLoop } from '../leader-loop';
import { ChainTxRepository } from './chain-tx.repository';
import { LaneSender } from './lane-sender';
import { SignerLanes } from './signer-lanes';

const NOTIFY_BATCH = 500;
/** An outcome not taken by its listener within this long is looked for in the queue again. */
const NOTIFY_CHECK_AFTER_SECONDS = 30;
/** A listener's job that failed for good is run again after this long. */
const NOTIFY_RETRY_FAILED_AFTER_MS = 10 * 60_000;

/** Runs one LaneSender per signer lane, in whichever worker process holds the lane's lock. */
@Injectable()
export class TxSenderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TxSenderService.name);
  private readonly loops: LeaderLoop[] = [];

  constructor(
    private readonly config: AppConfig,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    private readonly lanes: SignerLanes,
    private readonly txs: ChainTxRepository,
    private readonly jobs: JobQueue,
  ) {}

  onApplicationBootstrap(): void {
    for (const lane of this.lanes.lanes) {
      const sender = new LaneSender(
        {
          chainId: this.deployment.chainId,
          lane,
          confirmations: this.config.CHAIN_CONFIRMATIONS,
          stuckAfterMs: this.config.TX_STUCK_AFTER_MS,
          feeBumpPercent: this.config.TX_FEE_BUMP_PERCENT,
          maxFeePerGas: BigInt(this.config.TX_MAX_FEE_PER_GAS_WEI),
          batchSize: this.config.TX_BATCH_SIZE,
          rpcTimeoutMs: this.config.RPC_TIMEOUT_MS,
        },
        this.lanes.wallet(lane),
        this.provider,
        this.txs,
        this.logger,
      );
      let registered = false;
      const loop = new LeaderLoop({
        lockName: `chain-sender:${this.deployment.chainId}:${lane}`,
        databaseUrl: this.config.DATABASE_URL,
        idleMs: this.config.CHAIN_POLL_INTERVAL_MS,
        logger: this.logger,
        round: async () => {
          if (!registered) {
            await sender.register();
            registered = true;
          }
          try {
            return await sender.round();
          } finally {
            await this.notifyOutcomes();
          }
        },
      });
      loop.start();
      this.loops.push(loop);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /**
   * Hands final outcomes to their topic's listener, a job each; the job marks the row notified
   * once the listener has taken it. An outcome still not taken NOTIFY_CHECK_AFTER_SECONDS later
   * is looked for in the queue: a job that is waiting or running is left alone, one that is gone
   * (Redis lost it, or this process died between claiming the row and adding the job) or that
   * completed without the row being marked is run again, and one that failed for good is run
   * again NOTIFY_RETRY_FAILED_AFTER_MS later. At least once, so listeners are idempotent.
   */
  private async notifyOutcomes(): Promise<void> {
    const claimed = await this.txs.claimUnnotified(NOTIFY_BATCH, NOTIFY_CHECK_AFTER_SECONDS);
    for (const id of claimed) {
      await this.jobs.ensure(
        'chain.tx-outcome',
        { chainTxId: id },
        `chain-tx-outcome-${id}`,
        NOTIFY_RETRY_FAILED_AFTER_MS,
      );
    }
  }
}
