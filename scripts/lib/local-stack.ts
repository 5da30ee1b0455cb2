import { existsSync } from 'node:fs';
import { JsonRpcProvider } from 'ethers';
import {
  DEPLOYMENT_SETTINGS,
  deployContracts,
  deploymentOptions,
  readDeploymentFile,
  writeDeploymentFile,
} from '@gpu/chain';
import { type AppConfig, loadConfig } from '@gpu/config';
import { dropDatabase, ensureDatabase } from '@gpu/database';
import { buildContracts } from '../contracts/build-contracts';
import { type AnvilInstance, startAnvil } from './anvil';
import { runMigrations } from './migrate';

export interface LocalStackOptions {
  /** Database to use; created if missing. */
  databaseUrl: string;
  /** Drop and recreate the database first. */
  freshDatabase: boolean;
  redisUrl: string;
  queuePrefix: string;
  /** Where the deployment file goes. */
  deploymentFile: string;
  /** An existing chain; when absent a new anvil is started. */
  rpcUrl?: string;
  /** Deployment settings (deployer key, stablecoin, reporters...); local defaults when absent. */
  config?: AppConfig;
  /** anvil's block time; instant mining when absent. */
  blockTimeSeconds?: number;
  /** anvil's port; a free one when absent. */
  anvilPort?: number;
  /** Keep an existing deployment file whose contracts are live on the chain. */
  reuseDeployment?: boolean;
  log?: (line: string) => void;
}

export interface LocalStack {
  /** The settings the apps need to run against this stack. */
  env: Record<string, string>;
  anvil?: AnvilInstance;
  stop(): Promise<void>;
}

/**
 * Brings up what the apps run on: a migrated database, a chain (a fresh anvil unless one is
 * given) with the product's contracts deployed, and a deployment file. Used by `npm run dev`,
 * `npm run demo` and the test tiers, so that all three start the same way.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  if (options.freshDatabase) await dropDatabase(options.databaseUrl);
  if (await ensureDatabase(options.databaseUrl))
    log(`created database ${new URL(options.databaseUrl).pathname.slice(1)}`);
  const applied = await runMigrations(options.databaseUrl);
  log(`migrations applied: ${applied.length ? applied.join(', ') : 'none pending'}`);

  const build = await buildContracts();
  log(
    `contracts: ${build.cached ? 'up to date' : 'compiled'} (${build.contracts.map((c) => c.name).join(', ')})`,
  );

  const anvil = options.rpcUrl
    ? undefined
    : await startAnvil({
        blockTimeSeconds: options.blockTimeSeconds,
        port: options.anvilPort,
        silent: true,
      });
  const rpcUrl = options.rpcUrl ?? anvil!.rpcUrl;
  if (anvil) log(`started anvil at ${rpcUrl}`);
  try {
    if (options.reuseDeployment && (await isLive(rpcUrl, options.deploymentFile))) {
      log(`reusing the deployment in ${options.deploymentFile}`);
    } else {
      await deploy(rpcUrl, options, log);
    }
  } catch (error) {
    await anvil?.stop();
    throw error;
  }

  return {
    env: {
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: options.queuePrefix,
      RPC_URL: rpcUrl,
      DEPLOYMENT_FILE: options.deploymentFile,
    },
    anvil,
    stop: async () => {
      await anvil?.stop();
    },
  };
}

async function deploy(
  rpcUrl: string,
  options: LocalStackOptions,
  log: (line: string) => void,
): Promise<void> {
  const config = options.config ?? loadConfig({}, { only: [...DEPLOYMENT_SETTINGS] });
  const deployment = await deployContracts(deploymentOptions(config, rpcUrl));
  writeDeploymentFile(options.deploymentFile, deployment);
  log(
    `deployed ${Object.keys(deployment.contracts).length} contracts to chain ${deployment.chainId}`,
  );
}

/** True when the file's chain is the one at `rpcUrl` and every contract in it has code there. */
async function isLive(rpcUrl: string, deploymentFile: string): Promise<boolean> {
  if (!existsSync(deploymentFile)) return false;
  const deployment = readDeploymentFile(deploymentFile);
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
  try {
    if (Number((await provider.getNetwork()).chainId) !== deployment.chainId) return false;
    const codes = await Promise.all(
      Object.values(deployment.contracts).map((contract) => provider.getCode(contract.address)),
    );
    return codes.every((code) => code !== '0x');
  } finally {
    provider.destroy();
  }
}
