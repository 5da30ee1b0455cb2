import { concat, getCreate2Address, id, keccak256 } from 'ethers';
import type { Deployment } from '../deployment/deployment';
import { GpuFarmTokenFactory__factory } from '../generated';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

const factory = GpuFarmTokenFactory__factory.createInterface();

/** The token terms the factory initialises a farm's token with. */
export interface FarmTokenParams {
  name: string;
  symbol: string;
  admin: string;
  agent: string;
  minter: string;
  treasury: string;
  /** 0: no limit. */
  maxBalance: bigint;
  /** 0: no limit. */
  maxHolders: number;
  /** Unix seconds; 0: no lock-up. */
  lockupEnd: number;
  /** ISO 3166-1 numeric. */
  allowedCountries: number[];
}

/** The on-chain id of a farm known off chain by its UUID: the factory's salt, one token per farm. */
export function chainFarmId(farmUuid: string): string {
  return id(`farm:${farmUuid}`);
}

/**
 * Where the factory will clone the farm's token (OpenZeppelin Clones: CREATE2 of the EIP-1167
 * proxy of the implementation, salted with the farm id), known before the transaction is sent.
 */
export function predictFarmTokenAddress(deployment: Deployment, farmId: string): string {
  const implementation = deployment.contracts.GpuFarmToken.address.toLowerCase().slice(2);
  const initCode = concat([
    '0x3d602d80600a3d3981f3363d3d373d3d3d363d73',
    `0x${implementation}`,
    '0x5af43d82803e903d91602b57fd5bf3',
  ]);
  return getCreate2Address(
    deployment.contracts.GpuFarmTokenFactory.address,
    farmId,
    keccak256(initCode),
  );
}

/** `GpuFarmTokenFactory.createFarmToken(farmId, params)` of the deployment. */
export function createFarmTokenCall(
  deployment: Deployment,
  farmId: string,
  params: FarmTokenParams,
): Pick<ChainIntent, 'to' | 'method' | 'data'> {
  return {
    to: deployment.contracts.GpuFarmTokenFactory.address,
    ...encodeCall('GpuFarmTokenFactory', factory, 'createFarmToken', [farmId, params]),
  };
}
