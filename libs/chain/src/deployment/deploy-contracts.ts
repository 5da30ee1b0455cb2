import {
  type ContractFactory,
  FetchRequest,
  type JsonRpcProvider,
  type TransactionReceipt,
  type TransactionRequest,
  Wallet,
  id as roleId,
} from 'ethers';
import { withTimeout } from '@gpu/common';
import { LOCAL_CHAIN_IDS } from '@gpu/config';
import { createChainProvider } from '../chain-provider';
import {
  AuditAnchor__factory,
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
  PrimarySale__factory,
  UptimeOracle__factory,
} from '../generated';
import { waitForReceipt } from '../tx/wait-for-receipt';
import type { ContractName, DeployedContract, Deployment } from './deployment';

export interface DeployContractsOptions {
  rpcUrl: string;
  /** The deployer's key, or how to choose it once the chain id is known. */
  deployerPrivateKey: string | ((chainId: number) => string);
  /** The payment stablecoin; when absent a MockStablecoin is deployed, on local chains only. */
  stablecoinAddress?: string;
  /** Receives the platform's agent roles (registry agent, tokenizer, sale agent, oracle admin, audit anchorer), or how to choose it once the chain id is known; default: the deployer. */
  platformAgent?: string | ((chainId: number) => string);
  /** Uptime reporters (or how to choose them once the chain id is known) and how many must sign. */
  oracleReporters?: string[] | ((chainId: number) => string[]);
  oracleThreshold?: number;
  /** Seconds an admin hand-over must wait before it can be accepted. */
  adminTransferDelaySeconds?: number;
  rpcTimeoutMs?: number;
}

/** A missing stablecoin on a chain that is not local: the mock is for development only. */
export class MockStablecoinRefusedError extends Error {
  constructor(readonly chainId: number) {
    super(
      `refusing to deploy MockStablecoin to chain ${chainId}, which is not a local chain (${LOCAL_CHAIN_IDS.join(', ')}); set STABLECOIN_ADDRESS`,
    );
    this.name = 'MockStablecoinRefusedError';
  }
}

/**
 * Deploys the product's contracts in order, grants the platform agent its roles and registers
 * the oracle's reporters. Every transaction is confirmed by polling its receipt, never tx.wait().
 */
export async function deployContracts(options: DeployContractsOptions): Promise<Deployment> {
  const chainId = await readChainId(options.rpcUrl, options.rpcTimeoutMs ?? 10_000);
  const provider = createChainProvider(options.rpcUrl, chainId, options.rpcTimeoutMs ?? 10_000);
  try {
    const key =
      typeof options.deployerPrivateKey === 'string'
        ? options.deployerPrivateKey
        : options.deployerPrivateKey(chainId);
    const deployer = new Wallet(key, provider);
    if (!options.stablecoinAddress && !LOCAL_CHAIN_IDS.includes(chainId))
      throw new MockStablecoinRefusedError(chainId);
    const agent =
      typeof options.platformAgent === 'function'
        ? options.platformAgent(chainId)
        : (options.platformAgent ?? deployer.address);
    const delay = options.adminTransferDelaySeconds ?? 0;
    const send = (request: Promise<TransactionRequest>) =>
      sendAndConfirm(deployer, provider, request);
    const deploy = async (
      factory: ContractFactory,
      ...args: unknown[]
    ): Promise<DeployedContract> => {
      const receipt = await send(factory.getDeployTransaction(...args));
      return {
        address: receipt.contractAddress!,
        blockNumber: receipt.blockNumber,
        txHash: receipt.hash,
      };
    };

    const stablecoin: DeployedContract = options.stablecoinAddress
      ? {
          address: options.stablecoinAddress,
          blockNumber: await provider.getBlockNumber(),
          txHash: null,
        }
      : await deploy(new MockStablecoin__factory(deployer));
    const registry = await deploy(new IdentityRegistry__factory(deployer), deployer.address, delay);
    const implementation = await deploy(
      new GpuFarmToken__factory(deployer),
      registry.address,
      stablecoin.address,
    );
    const factory = await deploy(
      new GpuFarmTokenFactory__factory(deployer),
      deployer.address,
      delay,
      implementation.address,
    );
    const sale = await deploy(
      new PrimarySale__factory(deployer),
      deployer.address,
      delay,
      stablecoin.address,
    );
    const oracle = await deploy(new UptimeOracle__factory(deployer), deployer.address, delay);
    const auditAnchor = await deploy(new AuditAnchor__factory(deployer), deployer.address, delay);

    const grants: [string, string][] = [
      [registry.address, 'AGENT_ROLE'],
      [factory.address, 'TOKENIZER_ROLE'],
      [sale.address, 'SALE_AGENT_ROLE'],
      [oracle.address, 'ORACLE_ADMIN_ROLE'],
      [auditAnchor.address, 'ANCHOR_ROLE'],
    ];
    for (const [target, roleName] of grants) {
      const contract = IdentityRegistry__factory.connect(target, deployer);
      await send(contract.grantRole.populateTransaction(roleId(roleName), agent));
    }
    const oracleContract = UptimeOracle__factory.connect(oracle.address, deployer);
    const reporters =
      typeof options.oracleReporters === 'function'
        ? options.oracleReporters(chainId)
        : (options.oracleReporters ?? []);
    if (reporters.length) {
      if (agent !== deployer.address) {
        await send(
          oracleContract.grantRole.populateTransaction(
            roleId('ORACLE_ADMIN_ROLE'),
            deployer.address,
          ),
        );
      }
      await send(oracleContract.addReporters.populateTransaction(reporters));
      const threshold = Math.min(options.oracleThreshold ?? reporters.length, reporters.length);
      await send(oracleContract.setThreshold.populateTransaction(threshold));
      if (agent !== deployer.address) {
        // The deployer needed the role only to register the reporters.
        await send(
          oracleContract.renounceRole.populateTransaction(
            roleId('ORACLE_ADMIN_ROLE'),
            deployer.address,
          ),
        );
      }
    }

    const contracts: Record<ContractName, DeployedContract> = {
      Stablecoin: stablecoin,
      IdentityRegistry: registry,
      GpuFarmToken: implementation,
      GpuFarmTokenFactory: factory,
      PrimarySale: sale,
      UptimeOracle: oracle,
      AuditAnchor: auditAnchor,
    };
    const deployedBlocks = Object.values(contracts)
      .filter((c) => c.txHash)
      .map((c) => c.blockNumber);
    return {
      chainId,
      deployedAtBlock: Math.min(...deployedBlocks),
      deployer: deployer.address,
      createdAt: new Date().toISOString(),
      mockStablecoin: !options.stablecoinAddress,
      contracts,
    };
  } finally {
    provider.destroy();
  }
}

async function sendAndConfirm(
  signer: Wallet,
  provider: JsonRpcProvider,
  request: Promise<TransactionRequest>,
): Promise<TransactionReceipt> {
  const response = await signer.sendTransaction(await request);
  return waitForReceipt(provider, response.hash);
}

/** eth_chainId with a deadline, before any provider is pinned to a network. */
async function readChainId(rpcUrl: string, timeoutMs: number): Promise<number> {
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  request.setHeader('content-type', 'application/json');
  request.body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] });
  const response = await withTimeout(request.send(), timeoutMs, 'RPC eth_chainId');
  response.assertOk();
  const { result } = response.bodyJson as { result?: string };
  if (typeof result !== 'string') throw new Error('the RPC endpoint did not answer eth_chainId');
  return Number(BigInt(result));
}
