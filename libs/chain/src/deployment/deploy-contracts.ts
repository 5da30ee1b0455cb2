import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContractFactory, type InterfaceAbi, JsonRpcProvider, Wallet } from 'ethers';
import { waitForReceipt } from '../tx/wait-for-receipt';
import type { ContractName, DeployedContract, Deployment } from './deployment';

export interface DeployContractsOptions {
  rpcUrl: string;
  deployerPrivateKey: string;
  /** Folder with the build's `<ContractName>.json` artifacts; defaults to `<cwd>/artifacts`. */
  artifactsDir?: string;
}

interface DeployArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

function readArtifact(artifactsDir: string, name: ContractName): DeployArtifact {
  const file = path.join(artifactsDir, `${name}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `Artifact ${file} not found; build the contracts first (scripts/contracts/build.ts)`,
    );
  }
  const artifact = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DeployArtifact>;
  if (!Array.isArray(artifact.abi) || !/^0x[0-9a-fA-F]+$/.test(artifact.bytecode ?? '')) {
    throw new Error(`Artifact ${file} has no abi or no creation bytecode`);
  }
  return artifact as DeployArtifact;
}

/**
 * Deploys the platform contracts with `deployerPrivateKey` and returns the deployment record.
 * Every transaction is confirmed with waitForReceipt, never with tx.wait().
 */
export async function deployContracts(options: DeployContractsOptions): Promise<Deployment> {
  const artifactsDir = path.resolve(options.artifactsDir ?? 'artifacts');
  const provider = new JsonRpcProvider(options.rpcUrl);
  try {
    const chainId = Number((await provider.getNetwork()).chainId);
    const deployer = new Wallet(options.deployerPrivateKey, provider);

    const deploy = async (name: ContractName, args: unknown[] = []): Promise<DeployedContract> => {
      const { abi, bytecode } = readArtifact(artifactsDir, name);
      const request = await new ContractFactory(abi, bytecode, deployer).getDeployTransaction(
        ...args,
      );
      const tx = await deployer.sendTransaction(request);
      const receipt = await waitForReceipt(provider, tx.hash);
      if (!receipt.contractAddress) {
        throw new Error(`Deployment of ${name} (tx ${tx.hash}) produced no contract address`);
      }
      return {
        address: receipt.contractAddress,
        blockNumber: receipt.blockNumber,
        txHash: tx.hash,
      };
    };

    const contracts: Record<ContractName, DeployedContract> = {
      MockStablecoin: await deploy('MockStablecoin'),
    };
    return {
      chainId,
      deployedAtBlock: Math.min(...Object.values(contracts).map((c) => c.blockNumber)),
      deployer: deployer.address,
      createdAt: new Date().toISOString(),
      contracts,
    };
  } finally {
    provider.destroy();
  }
}
