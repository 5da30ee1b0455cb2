import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { type CloseRound, CloseEpochs } from '../epochs/close-epochs';

/** Reports ended epochs on schedule. */
@Injectable()
@JobHandler('oracle.close-epochs')
export class CloseEpochsProcessor
  implements JobHandlerOf<'oracle.close-epochs'>, OnApplicationBootstrap
{
  constructor(
    private readonly closeEpochs: CloseEpochs,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('oracle.close-epochs', this.config.ORACLE_EPOCH_CHECK_INTERVAL_MS, {});
  }

  handle(): Promise<CloseRound> {
    return this.closeEpochs.execute();
  }
}
