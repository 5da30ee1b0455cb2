import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { ProcessSaleEvents } from '../use-cases/process-sale-events';

/** Reads the sale's new events on schedule: payments settle, stray payments go back. */
@Injectable()
@JobHandler('issuance.sale-events')
export class SaleEventsProcessor
  implements JobHandlerOf<'issuance.sale-events'>, OnApplicationBootstrap
{
  constructor(
    private readonly process: ProcessSaleEvents,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('issuance.sale-events', this.config.SALE_EVENTS_INTERVAL_MS, {});
  }

  async handle(): Promise<{ events: number }> {
    let events = 0;
    for (let read = await this.process.execute(); read > 0; read = await this.process.execute())
      events += read;
    return { events };
  }
}
