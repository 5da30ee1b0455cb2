import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@gpu/config';
import { ChainClient } from './chain-client.service';
import { createChainProvider } from './chain-provider';
import { ChainStatusService } from './chain-status.service';
import { CHAIN_PROVIDER, DEPLOYMENT } from './chain.tokens';
import { ChainHealth } from './chain.health';
import { type Deployment, readDeploymentFile } from './deployment/deployment';
import { ChainHeartbeat } from './entities/chain-heartbeat.entity';
import { ChainHeartbeatProcessor } from './heartbeat/chain-heartbeat.processor';
import { ChainHeartbeatRepository } from './heartbeat/chain-heartbeat.repository';
import { ChainHeartbeatScheduler } from './heartbeat/chain-heartbeat.scheduler';

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
    ChainClient,
    ChainHealth,
    ChainHeartbeatRepository,
    ChainStatusService,
  ],
  exports: [
    DEPLOYMENT,
    CHAIN_PROVIDER,
    ChainClient,
    ChainHealth,
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
