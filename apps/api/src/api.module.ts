import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChainMetrics, ChainModule } from '@gpu/chain';
import { AppConfig, ConfigModule } from '@gpu/config';
import { DatabaseModule } from '@gpu/database';
import { ObservabilityModule } from '@gpu/observability';
import { QueueModule, RedisHealth } from '@gpu/queue';
import { ChainController } from './chain/chain.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';

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
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController, ChainController],
      providers: [RedisHealth, ChainMetrics],
    };
  }
}
