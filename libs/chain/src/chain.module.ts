import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { JsonRpcProvider } from 'ethers';
import { AppConfig } from '@gpu/config';
import { ChainClient } from './chain-client.service';
import { ChainHealthIndicator } from './chain-health.indicator';
import { ChainHeartbeatRepository } from './chain-heartbeat.repository';
import { createChainProvider } from './chain-provider';
import { ChainStatusService } from './chain-status.service';
import { CHAIN_PROVIDER, DEPLOYMENT } from './chain.tokens';
import { type Deployment, readDeploymentFile } from './deployment/deployment';
import { ChainHeartbeat } from './entities/chain-heartbeat.entity';
import { ChainHeartbeatProcessor } from './jobs/chain-heartbeat.processor';
import { ChainHeartbeatScheduler } from './jobs/chain-heartbeat.scheduler';

/** Closes the provider's sockets and timers when the app stops. */
@Injectable()
class ChainProviderCloser implements OnApplicationShutdown {
  constructor(@Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider) {}

  onApplicationShutdown(): void {
    this.provider.destroy();
  }
}

/** Chain access for both apps: the deployment, a provider, read-only queries, status and health. */
@Module({
  imports: [TypeOrmModule.forFeature([ChainHeartbeat])],
  providers: [
    {
      provide: DEPLOYMENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => readDeploymentFile(config.DEPLOYMENT_FILE),
    },
    {
      provide: CHAIN_PROVIDER,
      inject: [AppConfig, DEPLOYMENT],
      useFactory: (config: AppConfig, deployment: Deployment) =>
        createChainProvider(config.RPC_URL, deployment.chainId, config.RPC_TIMEOUT_MS),
    },
    ChainProviderCloser,
    ChainClient,
    ChainHealthIndicator,
    ChainHeartbeatRepository,
    ChainStatusService,
  ],
  exports: [
    DEPLOYMENT,
    CHAIN_PROVIDER,
    ChainClient,
    ChainHealthIndicator,
    ChainStatusService,
    ChainHeartbeatRepository,
  ],
})
export class ChainModule {}

/** The chain's jobs; only the worker app imports it. */
@Module({
  imports: [ChainModule],
  providers: [ChainHeartbeatProcessor, ChainHeartbeatScheduler],
})
export class ChainWorkerModule {}

export const CHAIN_ENTITIES = [ChainHeartbeat];
