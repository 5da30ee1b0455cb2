import { JsonRpcProvider, Wallet, id, zeroPadValue } from 'ethers';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@gpu/database';
import { wellKnownDevPrivateKeys } from '../../libs/config/src/dev-keys';
// Deep imports on purpose: a producer process boots in a second instead of loading all of Nest.
import { type Deployment, readDeploymentFile } from '../../libs/chain/src/deployment/deployment';
import { ChainTxAttempt } from '../../libs/chain/src/entities/chain-tx-attempt.entity';
import { ChainTx } from '../../libs/chain/src/entities/chain-tx.entity';
import { GpuFarmTokenFactory__factory } from '../../libs/chain/src/generated/factories/GpuFarmTokenFactory__factory';
import { IdentityRegistry__factory } from '../../libs/chain/src/generated/factories/IdentityRegistry__factory';
import { registryInvestorId } from '../../libs/chain/src/identity/investor-id';
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
      registryInvestorId(wallet),
      276,
      Math.floor(Date.now() / 1000) + 365 * 24 * 3600,
    ]),
    reference: `test-wallet:${wallet}`,
    idempotencyKey: key,
  };
}

export const randomWallet = (): string => Wallet.createRandom().address;

/** Tokenizes farm `farmId` with `agent` holding every role (minter included), no transfer limits, Germany allowed. */
export function createFarmTokenIntent(
  deployment: Deployment,
  farmId: string,
  agent: string,
  symbol: string,
): ChainIntent {
  return {
    to: deployment.contracts.GpuFarmTokenFactory.address,
    ...encodeCall(
      'GpuFarmTokenFactory',
      GpuFarmTokenFactory__factory.createInterface(),
      'createFarmToken',
      [
        farmId,
        {
          name: `Farm ${symbol}`,
          symbol,
          admin: agent,
          agent,
          minter: agent,
          treasury: agent,
          maxBalance: 0n,
          maxHolders: 0,
          lockupEnd: 0,
          allowedCountries: [276],
        },
      ],
    ),
    reference: `test-farm:${symbol}`,
    idempotencyKey: `test-farm:${farmId}`,
  };
}

/** A provider straight to the node, without ethers' answer cache. */
export const directProvider = (url: string): JsonRpcProvider =>
  new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });

/** The platform lane's address on a local chain (anvil key #1). */
export const PLATFORM_AGENT = new Wallet(wellKnownDevPrivateKeys()[1]).address;

/** How many transactions the platform lane has mined. */
export async function laneNonce(rpc: JsonRpcProvider): Promise<bigint> {
  return BigInt(await rpc.send('eth_getTransactionCount', [PLATFORM_AGENT, 'latest']));
}

const IDENTITY_REGISTERED = id('IdentityRegistered(address,bytes32,uint16,uint40)');

/** How many times the chain registered `wallet` (IdentityRegistered logs): an effect happened once, or not. */
export async function identityRegistrations(
  rpc: JsonRpcProvider,
  deployment: Deployment,
  wallet: string,
): Promise<number> {
  const logs = (await rpc.send('eth_getLogs', [
    {
      address: deployment.contracts.IdentityRegistry.address,
      fromBlock: '0x0',
      toBlock: 'latest',
      topics: [IDENTITY_REGISTERED, zeroPadValue(wallet, 32)],
    },
  ])) as unknown[];
  return logs.length;
}
