import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { ReconciliationService } from './reconciliation.service';

/** Runs a reconciliation on schedule. */
@Injectable()
@JobHandler('chain.reconcile')
export class ReconcileProcessor implements JobHandlerOf<'chain.reconcile'>, OnApplicationBootstrap {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('chain.reconcile', this.config.RECONCILE_INTERVAL_MS, {});
  }

  async handle(): Promise<{ blockNumber: string | null; mismatches: number }> {
    const run = await this.reconciliation.run();
    return {
      blockNumber: run?.blockNumber.toString() ?? null,
      mismatches: run?.mismatchCount ?? 0,
    };
  }
}
