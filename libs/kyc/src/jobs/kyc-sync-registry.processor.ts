import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WORKER_ACTOR } from '@gpu/audit';
import { JobHandler, type JobHandlerOf, type JobPayloads } from '@gpu/queue';
import { IdentityRegistrySync } from '../identity-registry-sync';

/** Registers a newly linked wallet of an approved investor (or whatever else the registry lacks). */
@Injectable()
@JobHandler('kyc.sync-registry')
export class KycSyncRegistryProcessor implements JobHandlerOf<'kyc.sync-registry'> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: IdentityRegistrySync,
  ) {}

  async handle(payload: JobPayloads['kyc.sync-registry']): Promise<{ wallets: number }> {
    const wallets = await this.dataSource.transaction((manager) =>
      this.registry.sync(manager, payload.userId, WORKER_ACTOR),
    );
    return { wallets };
  }
}
