import * as path from 'node:path';
import { deployContracts, writeDeploymentFile } from '@gpu/chain';
import { deployerPrivateKey, environmentWithFiles, loadConfig } from '@gpu/config';
import { ARTIFACTS_DIR } from './build-contracts';

/**
 * `npm run contracts:deploy`: deploys the product's contracts to RPC_URL with
 * DEPLOYER_PRIVATE_KEY and writes DEPLOYMENT_FILE, which the apps read.
 */
async function main(): Promise<void> {
  const config = loadConfig(environmentWithFiles(['.env'], process.env), {
    only: ['RPC_URL', 'DEPLOYER_PRIVATE_KEY', 'DEPLOYMENT_FILE', 'NODE_ENV'],
  });
  const deployment = await deployContracts({
    rpcUrl: config.RPC_URL,
    deployerPrivateKey: deployerPrivateKey(config),
    artifactsDir: ARTIFACTS_DIR,
  });
  writeDeploymentFile(config.DEPLOYMENT_FILE, deployment);
  console.log(`Deployed on chain ${deployment.chainId} by ${deployment.deployer}:`);
  for (const [name, contract] of Object.entries(deployment.contracts)) {
    console.log(
      `  ${name} ${contract.address} (block ${contract.blockNumber}, tx ${contract.txHash})`,
    );
  }
  console.log(`Wrote ${path.relative(process.cwd(), path.resolve(config.DEPLOYMENT_FILE))}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
