import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobQueue } from '@gpu/queue';

/** Keeps one repeating heartbeat job, however many workers run. */
@Injectable()
export class ChainHeartbeatScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('chain.heartbeat', this.config.CHAIN_HEARTBEAT_INTERVAL_MS, {});
  }
}
