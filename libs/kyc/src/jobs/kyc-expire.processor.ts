import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@gpu/config';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { ExpireKycCases } from '../use-cases/expire-kyc-cases';

/** Expires run-out KYC approvals on schedule. */
@Injectable()
@JobHandler('kyc.expire')
export class KycExpireProcessor implements JobHandlerOf<'kyc.expire'>, OnApplicationBootstrap {
  constructor(
    private readonly expire: ExpireKycCases,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('kyc.expire', this.config.KYC_EXPIRY_INTERVAL_MS, {});
  }

  async handle(): Promise<{ expired: number }> {
    return { expired: await this.expire.execute() };
  }
}
