import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { IdentityModule } from '@gpu/identity';
import { KycCase } from './entities/kyc-case.entity';
import { KycProviderEvent } from './entities/kyc-provider-event.entity';
import { IdentityRegistrySync } from './identity-registry-sync';
import { IdentityRegistryOutcomeListener } from './jobs/identity-registry-outcome.listener';
import { KycExpireProcessor } from './jobs/kyc-expire.processor';
import { KycSyncRegistryProcessor } from './jobs/kyc-sync-registry.processor';
import { KycService } from './kyc.service';
import { SumsubApiClient } from './providers/sumsub-api.client';
import { ApplyKycReview } from './use-cases/apply-kyc-review';
import { DecideKycCase } from './use-cases/decide-kyc-case';
import { ExpireKycCases } from './use-cases/expire-kyc-cases';
import { OpenKycCase } from './use-cases/open-kyc-case';
import { ReceiveSumsubWebhook } from './use-cases/receive-sumsub-webhook';

export const KYC_ENTITIES = [KycCase, KycProviderEvent];

/** KYC cases, both providers and the registry sync, for the API. */
@Module({
  imports: [TypeOrmModule.forFeature(KYC_ENTITIES), ChainModule, IdentityModule],
  providers: [
    IdentityRegistrySync,
    ApplyKycReview,
    OpenKycCase,
    DecideKycCase,
    ReceiveSumsubWebhook,
    ExpireKycCases,
    KycService,
    SumsubApiClient,
  ],
  exports: [
    OpenKycCase,
    DecideKycCase,
    ReceiveSumsubWebhook,
    ExpireKycCases,
    KycService,
    IdentityRegistrySync,
  ],
})
export class KycModule {}

/** The KYC jobs (expiry sweep, registry sync, registry outcomes); only the worker imports it. */
@Module({
  imports: [KycModule, ChainModule, IdentityModule],
  providers: [KycExpireProcessor, KycSyncRegistryProcessor, IdentityRegistryOutcomeListener],
})
export class KycWorkerModule {}
