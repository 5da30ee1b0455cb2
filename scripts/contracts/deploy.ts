import * as path from 'node:path';
import {
  DEPLOYMENT_SETTINGS,
  deployContracts,
  deploymentOptions,
  writeDeploymentFile,
} from '@gpu/chain';
import { loadConfig, scriptEnvironment } from '@gpu/config';

/**
 * `npm run contracts:deploy`: deploys the product's contracts to RPC_URL and writes
 * DEPLOYMENT_FILE, which the apps read. See the README's configuration table.
 */
async function main(): Promise<void> {
  const config = loadConfig(scriptEnvironment(process.env), {
    only: ['RPC_URL', 'DEPLOYMENT_FILE', ...DEPLOYMENT_SETTINGS],
  });
  const deployment = await deployContracts(deploymentOptions(config, config.RPC_URL));
  writeDeploymentFile(config.DEPLOYMENT_FILE, deployment);
  console.log(`Deployed on chain ${deployment.chainId} by ${deployment.deployer}:`);
  for (const [name, contract] of Object.entries(deployment.contracts)) {
    const origin = contract.txHash
      ? `block ${contract.blockNumber}, tx ${contract.txHash}`
      : 'existing';
    console.log(`  ${name.padEnd(20)} ${contract.address} (${origin})`);
  }
  console.log(`Wrote ${path.relative(process.cwd(), path.resolve(config.DEPLOYMENT_FILE))}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
