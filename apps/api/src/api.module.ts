import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AuditModule, AuditVerificationModule } from '@gpu/audit';
import { ChainMetrics, ChainModule } from '@gpu/chain';
import { AppConfig, ConfigModule } from '@gpu/config';
import { DatabaseModule } from '@gpu/database';
import { FarmsModule } from '@gpu/farms';
import { IdentityModule } from '@gpu/identity';
import { IssuanceModule } from '@gpu/issuance';
import { OracleMetrics, OracleModule } from '@gpu/oracle';
import { ComplianceModule } from '@gpu/compliance';
import { DistributionModule } from '@gpu/distribution';
import { EnforcementController } from './compliance/enforcement.controller';
import { ReportsController } from './compliance/reports.controller';
import { DistributionsController } from './distributions/distributions.controller';
import { RevenueReportsController } from './distributions/revenue-reports.controller';
import { UptimeController } from './uptime/uptime.controller';
import { KycModule } from '@gpu/kyc';
import { ObservabilityModule } from '@gpu/observability';
import { QueueMetrics, QueueModule, RedisHealth } from '@gpu/queue';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuditController } from './audit/audit.controller';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { RateLimitGuard } from './http/rate-limit';
import { ChainController } from './chain/chain.controller';
import { FarmsController } from './farms/farms.controller';
import { HealthController } from './health/health.controller';
import { KycWebhookController } from './kyc/kyc-webhook.controller';
import { KycController } from './kyc/kyc.controller';
import { MetricsController } from './metrics/metrics.controller';
import { OfferingsController } from './offerings/offerings.controller';
import { OrdersController } from './offerings/orders.controller';
import { UsersController } from './users/users.controller';
import { WalletsController } from './wallets/wallets.controller';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule.forRoot('gpu-api'),
        QueueModule,
        ChainModule,
        AuditModule,
        AuditVerificationModule,
        IdentityModule,
        KycModule,
        FarmsModule,
        IssuanceModule,
        OracleModule,
        DistributionModule,
        ComplianceModule,
        DiscoveryModule,
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ChainController,
        AuthController,
        UsersController,
        ApiKeysController,
        WalletsController,
        KycController,
        KycWebhookController,
        AuditController,
        FarmsController,
        OfferingsController,
        OrdersController,
        UptimeController,
        RevenueReportsController,
        DistributionsController,
        EnforcementController,
        ReportsController,
      ],
      providers: [
        RedisHealth,
        ChainMetrics,
        QueueMetrics,
        OracleMetrics,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
