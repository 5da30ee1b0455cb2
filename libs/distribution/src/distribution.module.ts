import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { ComputeDistributions } from './compute/compute-distributions';
import { DistributionPublisher } from './compute/publish-distribution';
import { DistributionsService } from './distributions.service';
import { DistributionEntitlement } from './entities/distribution-entitlement.entity';
import { DistributionTreeChunk } from './entities/distribution-tree-chunk.entity';
import { Distribution } from './entities/distribution.entity';
import { RevenueReport } from './entities/revenue-report.entity';
import { ComputeDistributionsProcessor } from './jobs/compute-distributions.processor';
import { PublishOutcomeListener } from './jobs/publish-outcome.listener';
import { RevenueReportsService } from './revenue-reports.service';

export const DISTRIBUTION_ENTITIES = [
  RevenueReport,
  Distribution,
  DistributionEntitlement,
  DistributionTreeChunk,
];

/** Revenue reports, distributions, claims and statements: what the API serves. */
@Module({
  imports: [TypeOrmModule.forFeature(DISTRIBUTION_ENTITIES), ChainModule],
  providers: [RevenueReportsService, DistributionsService, DistributionPublisher],
  exports: [RevenueReportsService, DistributionsService],
})
export class DistributionModule {}

/** Computing and publishing distributions; only the worker imports it. */
@Module({
  imports: [TypeOrmModule.forFeature(DISTRIBUTION_ENTITIES), ChainModule],
  providers: [
    DistributionPublisher,
    ComputeDistributions,
    ComputeDistributionsProcessor,
    PublishOutcomeListener,
  ],
  exports: [ComputeDistributions],
})
export class DistributionWorkerModule {}
