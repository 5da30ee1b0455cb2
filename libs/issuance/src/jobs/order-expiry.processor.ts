import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { type ExpiryRound, ExpireOrders } from '../use-cases/expire-orders';

/** Expires unpaid reservations and closes ended offerings on schedule. */
@Injectable()
@JobHandler('issuance.expire-orders')
export class OrderExpiryProcessor
  implements JobHandlerOf<'issuance.expire-orders'>, OnApplicationBootstrap
{
  constructor(
    private readonly expire: ExpireOrders,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('issuance.expire-orders', this.config.ORDER_EXPIRY_INTERVAL_MS, {});
  }

  handle(): Promise<ExpiryRound> {
    return this.expire.execute();
  }
}
