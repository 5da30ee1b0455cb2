import { Wallet } from 'ethers';
import {
  type AppConfig,
  LOCAL_CHAIN_IDS,
  deployerPrivateKey,
  platformAgentPrivateKey,
  localReporterKeys,
} from '@gpu/config';
import type { DeployContractsOptions } from './deploy-contracts';

/** The deployment the settings describe, for `rpcUrl`. */
export function deploymentOptions(config: AppConfig, rpcUrl: string): DeployContractsOptions {
  return {
    rpcUrl,
    deployerPrivateKey: (chainId) => deployerPrivateKey(config, chainId),
    stablecoinAddress: config.STABLECOIN_ADDRESS,
    platformAgent: (chainId) =>
      config.PLATFORM_AGENT_ADDRESS ?? new Wallet(platformAgentPrivateKey(config, chainId)).address,
    oracleReporters: (chainId) =>
      config.ORACLE_REPORTERS?.split(',') ??
      (LOCAL_CHAIN_IDS.includes(chainId)
        ? localReporterKeys().map((key) => new Wallet(key).address)
        : []),
    oracleThreshold: config.ORACLE_THRESHOLD,
    adminTransferDelaySeconds: config.ADMIN_TRANSFER_DELAY_SECONDS,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
  };
}

/** The settings a deployment reads (for loadConfig's `only`). */
export const DEPLOYMENT_SETTINGS = [
  'NODE_ENV',
  'DEPLOYER_PRIVATE_KEY',
  'STABLECOIN_ADDRESS',
  'PLATFORM_AGENT_ADDRESS',
  'PLATFORM_AGENT_PRIVATE_KEY',
  'ORACLE_REPORTERS',
  'ORACLE_THRESHOLD',
  'ADMIN_TRANSFER_DELAY_SECONDS',
  'RPC_TIMEOUT_MS',
] as const satisfies readonly (keyof AppConfig)[];
