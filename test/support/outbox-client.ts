import { Wallet, id } from 'ethers';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@gpu/database';
// Deep imports on purpose: a producer process boots in a second instead of loading all of Nest.
import { type Deployment, readDeploymentFile } from '../../libs/chain/src/deployment/deployment';
import { ChainTxAttempt } from '../../libs/chain/src/entities/chain-tx-attempt.entity';
import { ChainTx } from '../../libs/chain/src/entities/chain-tx.entity';
import { IdentityRegistry__factory } from '../../libs/chain/src/generated/factories/IdentityRegistry__factory';
import { type ChainIntent, encodeCall } from '../../libs/chain/src/outbox/chain-intent';
import { type ChainOutbox, chainOutboxFor } from '../../libs/chain/src/outbox/chain-outbox.service';

export interface OutboxClient {
  dataSource: DataSource;
  outbox: ChainOutbox;
  deployment: Deployment;
  close(): Promise<void>;
}

/** The outbox as a use case in another process sees it: its own pool, no worker. */
export async function openOutbox(env: Record<string, string | undefined>): Promise<OutboxClient> {
  const dataSource = new DataSource(
    dataSourceOptions({
      url: env.DATABASE_URL!,
      entities: [ChainTx, ChainTxAttempt],
      applicationName: 'gpu-test-outbox',
    }),
  );
  await dataSource.initialize();
  const deployment = readDeploymentFile(env.DEPLOYMENT_FILE!);
  const outbox = chainOutboxFor(dataSource, deployment);
  return { dataSource, outbox, deployment, close: () => dataSource.destroy() };
}

const registry = IdentityRegistry__factory.createInterface();

/** Registers `wallet` in the IdentityRegistry (country DE, a year of KYC): an effect the chain shows once. */
export function registerIdentityIntent(
  deployment: Deployment,
  wallet: string,
  key: string,
): ChainIntent {
  return {
    to: deployment.contracts.IdentityRegistry.address,
    ...encodeCall('IdentityRegistry', registry, 'registerIdentity', [
      wallet,
      '0x' + id(`investor:${wallet}`).slice(2, 52) + '0'.repeat(14),
      276,
      Math.floor(Date.now() / 1000) + 365 * 24 * 3600,
    ]),
    reference: `test-wallet:${wallet}`,
    idempotencyKey: key,
  };
}

export const randomWallet = (): string => Wallet.createRandom().address;
