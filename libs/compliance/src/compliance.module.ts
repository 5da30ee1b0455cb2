import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { EnforcementService } from './enforcement.service';
import { ReportsService } from './reports.service';
import { ReviewQueueService } from './review-queue.service';
import { EnforcementAction } from './entities/enforcement-action.entity';
import { EnforcementOutcomeListener } from './jobs/enforcement-outcome.listener';

export const COMPLIANCE_ENTITIES = [EnforcementAction];

/** Enforcement requests and reads: what the API serves. */
@Module({
  imports: [TypeOrmModule.forFeature(COMPLIANCE_ENTITIES), ChainModule],
  providers: [EnforcementService, ReportsService, ReviewQueueService],
  exports: [EnforcementService, ReportsService, ReviewQueueService],
})
export class ComplianceModule {}

/** Enforcement outcomes from the chain; only the worker imports it. */
@Module({
  imports: [TypeOrmModule.forFeature(COMPLIANCE_ENTITIES)],
  providers: [EnforcementOutcomeListener],
})
export class ComplianceWorkerModule {}
