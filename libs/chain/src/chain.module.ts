import { ChainEventConsumer } from './entities/chain-event-consumer.entity';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
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
import { ChainEvent } from './entities/chain-event.entity';
import { ChainHeartbeat } from './entities/chain-heartbeat.entity';
import { ChainSigner } from './entities/chain-signer.entity';
import { ChainTxAttempt } from './entities/chain-tx-attempt.entity';
import { ChainTx } from './entities/chain-tx.entity';
import { IndexCursor } from './entities/index-cursor.entity';
import { IndexedBlock } from './entities/indexed-block.entity';
import { IndexedContract } from './entities/indexed-contract.entity';
import { ReconciliationRun } from './entities/reconciliation-run.entity';
import { TokenBalance } from './entities/token-balance.entity';
import { TokenTransfer } from './entities/token-transfer.entity';
import { IndexRepository } from './indexer/index.repository';
import { IndexerService } from './indexer/indexer.service';
import { ChainHeartbeatProcessor } from './jobs/chain-heartbeat.processor';
import { ChainHeartbeatScheduler } from './jobs/chain-heartbeat.scheduler';
import { ChainOutbox } from './outbox/chain-outbox.service';
import { ChainTxOutcomeProcessor } from './outbox/chain-tx-outcome.processor';
import { ChainTxRepository } from './outbox/chain-tx.repository';
import { SignerLanes } from './outbox/signer-lanes';
import { TxSenderService } from './outbox/tx-sender.service';
import { ReconcileProcessor } from './reconciliation/reconcile.processor';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';
import { ReconciliationService } from './reconciliation/reconciliation.service';

export const CHAIN_ENTITIES = [
  ChainHeartbeat,
  ChainSigner,
  ChainTx,
  ChainTxAttempt,
  IndexCursor,
  IndexedBlock,
  IndexedContract,
  ChainEvent,
  TokenTransfer,
  TokenBalance,
  ReconciliationRun,
  ChainEventConsumer,
];

/** Closes the provider's sockets and timers when the app stops. */
@Injectable()
class ChainProviderCloser implements OnApplicationShutdown {
  constructor(@Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider) {}

  onApplicationShutdown(): void {
    this.provider.destroy();
  }
}

/**
 * Chain access for both apps: the deployment, a provider, read-only queries, status and health,
 * the outbox (to enqueue transactions) and the indexed state.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CHAIN_ENTITIES)],
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
    ChainTxRepository,
    ChainOutbox,
    IndexRepository,
    ReconciliationRepository,
  ],
  exports: [
    DEPLOYMENT,
    CHAIN_PROVIDER,
    ChainClient,
    ChainHealthIndicator,
    ChainStatusService,
    ChainHeartbeatRepository,
    ChainOutbox,
    ChainTxRepository,
    IndexRepository,
    ReconciliationRepository,
  ],
})
export class ChainModule {}

/** The chain's background work (heartbeat, sender, indexer, reconciliation); only the worker app imports it. */
@Module({
  imports: [ChainModule, DiscoveryModule],
  providers: [
    ChainHeartbeatProcessor,
    ChainHeartbeatScheduler,
    SignerLanes,
    TxSenderService,
    ChainTxOutcomeProcessor,
    IndexerService,
    ReconciliationService,
    ReconcileProcessor,
  ],
})
export class ChainWorkerModule {}
