import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Wallet } from 'ethers';
import { ChainModule, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { AppConfig, oracleReporterPrivateKeys } from '@gpu/config';
import { GpuEpoch } from './entities/gpu-epoch.entity';
import { GpuSample } from './entities/gpu-sample.entity';
import { MonitoredFarm } from './entities/monitored-farm.entity';
import { UptimeEpoch } from './entities/uptime-epoch.entity';
import { CloseEpochs } from './epochs/close-epochs';
import { CloseEpochsProcessor } from './jobs/close-epochs.processor';
import { PlanProbesProcessor } from './jobs/plan-probes.processor';
import { ProbeNodeProcessor } from './jobs/probe-node.processor';
import { ProbeSchedulesProcessor } from './jobs/probe-schedules.processor';
import { UptimeReportListener } from './jobs/uptime-report.listener';
import { REPORTER_WALLETS } from './oracle.tokens';
import { SampleWriter } from './samples/sample-writer';
import { UptimeService } from './uptime.service';

export const ORACLE_ENTITIES = [GpuSample, UptimeEpoch, GpuEpoch, MonitoredFarm];

/** Uptime reads: status now, history, epoch reports, sample exports. */
@Module({
  imports: [TypeOrmModule.forFeature(ORACLE_ENTITIES)],
  providers: [UptimeService],
  exports: [UptimeService],
})
export class OracleModule {}

/** Probing, sampling and epoch reports; only the worker imports it. */
@Module({
  imports: [TypeOrmModule.forFeature(ORACLE_ENTITIES), ChainModule],
  providers: [
    {
      provide: REPORTER_WALLETS,
      inject: [AppConfig, DEPLOYMENT],
      useFactory: (config: AppConfig, deployment: Deployment) =>
        oracleReporterPrivateKeys(config, deployment.chainId).map((key) => new Wallet(key)),
    },
    SampleWriter,
    CloseEpochs,
    ProbeSchedulesProcessor,
    PlanProbesProcessor,
    ProbeNodeProcessor,
    CloseEpochsProcessor,
    UptimeReportListener,
  ],
})
export class OracleWorkerModule {}
