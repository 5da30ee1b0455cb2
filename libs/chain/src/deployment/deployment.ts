import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAddress, isHexString } from 'ethers';

/** Every contract a deployment file records; new contracts are appended here. */
export const CONTRACT_NAMES = [
  'Stablecoin',
  'IdentityRegistry',
  'GpuFarmToken',
  'GpuFarmTokenFactory',
  'PrimarySale',
  'UptimeOracle',
  'AuditAnchor',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface DeployedContract {
  address: string;
  /** Block of the deploying transaction; for a contract that already existed, the block it was adopted at. */
  blockNumber: number;
  /** The deploying transaction; null for a contract that already existed (a real stablecoin). */
  txHash: string | null;
}

export type Deployment = {
  chainId: number;
  /** The first block of the product's contracts: where indexing starts. */
  deployedAtBlock: number;
  deployer: string;
  createdAt: string;
  /** True when Stablecoin is the MockStablecoin (local chains only). */
  mockStablecoin: boolean;
  contracts: Record<ContractName, DeployedContract>;
};

type Check = (value: unknown) => string | undefined;

const positiveInteger: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'must be a positive integer';
const blockNumber: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer';
const address: Check = (v) =>
  typeof v === 'string' && isAddress(v) ? undefined : 'must be a 0x-prefixed 20-byte address';
const txHash: Check = (v) =>
  v === null || isHexString(v, 32)
    ? undefined
    : 'must be a 0x-prefixed 32-byte transaction hash or null';
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const isoTimestamp: Check = (v) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))
    ? undefined
    : 'must be an ISO 8601 timestamp';

/**
 * Checks that `value` has exactly the shape of a Deployment (no missing, extra or malformed
 * fields) and returns it typed. Errors name `source` (usually the file) and the bad field.
 */
export function parseDeployment(value: unknown, source: string): Deployment {
  const fail = (field: string, problem: string): never => {
    throw new Error(`Invalid deployment file ${source}: ${field} ${problem}`);
  };
  const record = (v: unknown, field: string, keys: readonly string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return fail(field, 'must be an object');
    const obj = v as Record<string, unknown>;
    const extra = Object.keys(obj).find((key) => !keys.includes(key));
    if (extra !== undefined) fail(`${field}.${extra}`, 'is not a known field');
    const missing = keys.find((key) => !(key in obj));
    if (missing !== undefined) fail(`${field}.${missing}`, 'is missing');
    return obj;
  };
  const check = (v: unknown, field: string, rule: Check): void => {
    const problem = rule(v);
    if (problem) fail(field, problem);
  };

  const root = record(value, '(root)', [
    'chainId',
    'deployedAtBlock',
    'deployer',
    'createdAt',
    'mockStablecoin',
    'contracts',
  ]);
  check(root.chainId, 'chainId', positiveInteger);
  check(root.deployedAtBlock, 'deployedAtBlock', blockNumber);
  check(root.deployer, 'deployer', address);
  check(root.createdAt, 'createdAt', isoTimestamp);
  check(root.mockStablecoin, 'mockStablecoin', boolean);
  const contracts = record(root.contracts, 'contracts', CONTRACT_NAMES);
  for (const name of CONTRACT_NAMES) {
    const field = `contracts.${name}`;
    const entry = record(contracts[name], field, ['address', 'blockNumber', 'txHash']);
    check(entry.address, `${field}.address`, address);
    check(entry.blockNumber, `${field}.blockNumber`, blockNumber);
    check(entry.txHash, `${field}.txHash`, txHash);
  }
  return value as Deployment;
}

/** Reads and strictly validates a deployment file. */
export function readDeploymentFile(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read deployment file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Invalid deployment file ${file}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseDeployment(json, file);
}

/** Validates and writes a deployment file atomically (temp file in the same folder + rename). */
export function writeDeploymentFile(file: string, deployment: Deployment): void {
  parseDeployment(deployment, file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(temp, `${JSON.stringify(deployment, null, 2)}\n`);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
