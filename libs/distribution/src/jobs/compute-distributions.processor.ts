import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { ComputeDistributions, type ComputeRound } from '../compute/compute-distributions';

/** Computes due distributions on schedule. */
@Injectable()
@JobHandler('distribution.compute')
export class ComputeDistributionsProcessor
  implements JobHandlerOf<'distribution.compute'>, OnApplicationBootstrap
{
  constructor(
    private readonly computeDistributions: ComputeDistributions,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule(
      'distribution.compute',
      this.config.DISTRIBUTION_CHECK_INTERVAL_MS,
      {},
    );
  }

  handle(): Promise<ComputeRound> {
    return this.computeDistributions.execute();
  }
}
