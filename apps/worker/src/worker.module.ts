import { DynamicModule, Module } from '@nestjs/common';
import { AuditAnchorModule, AuditModule } from '@gpu/audit';
import { ChainWorkerModule } from '@gpu/chain';
import { AppConfig, ConfigModule } from '@gpu/config';
import { ComplianceWorkerModule } from '@gpu/compliance';
import { DatabaseModule } from '@gpu/database';
import { DistributionWorkerModule } from '@gpu/distribution';
import { FarmsWorkerModule } from '@gpu/farms';
import { IssuanceWorkerModule } from '@gpu/issuance';
import { KycWorkerModule } from '@gpu/kyc';
import { OracleWorkerModule } from '@gpu/oracle';
import { ObservabilityModule } from '@gpu/observability';
import { QueueModule, QueueWorkerModule } from '@gpu/queue';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule.forRoot('gpu-worker'),
        QueueModule,
        QueueWorkerModule,
        ChainWorkerModule,
        AuditModule,
        AuditAnchorModule,
        KycWorkerModule,
        FarmsWorkerModule,
        IssuanceWorkerModule,
        OracleWorkerModule,
        DistributionWorkerModule,
        ComplianceWorkerModule,
      ],
    };
  }
}
