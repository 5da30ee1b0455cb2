import { type Interface, type LogDescription, id } from 'ethers';
import {
  AuditAnchor__factory,
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  PrimarySale__factory,
  UptimeOracle__factory,
} from '../generated';
import type { IndexedContractKind } from '../entities/indexed-contract.entity';

/** A log as eth_getLogs returns it. */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
}

export interface DecodedTransfer {
  token: string;
  from: string;
  to: string;
  amount: bigint;
  blockNumber: bigint;
  txHash: string;
  logIndex: number;
}

export interface DecodedEvent {
  address: string;
  contract: IndexedContractKind;
  name: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  blockHash: string;
  txHash: string;
  logIndex: number;
}

export const TRANSFER_TOPIC = id('Transfer(address,address,uint256)');
export const FARM_TOKEN_CREATED_TOPIC = id(
  'FarmTokenCreated(bytes32,address,string,address,address,address)',
);

const INTERFACES: Record<IndexedContractKind, Interface> = {
  IdentityRegistry: IdentityRegistry__factory.createInterface(),
  GpuFarmTokenFactory: GpuFarmTokenFactory__factory.createInterface(),
  GpuFarmToken: GpuFarmToken__factory.createInterface(),
  PrimarySale: PrimarySale__factory.createInterface(),
  UptimeOracle: UptimeOracle__factory.createInterface(),
  AuditAnchor: AuditAnchor__factory.createInterface(),
};

const topicAddress = (topic: string): string => `0x${topic.slice(26)}`.toLowerCase();

/** Integers as decimal strings, addresses and hashes in lower case, structs as objects. */
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value.startsWith('0x') ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

function argsOf(description: LogDescription): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  description.fragment.inputs.forEach((input, i) => {
    args[input.name || `arg${i}`] = toJson(description.args[i]);
  });
  return args;
}

/**
 * Splits a batch of logs into token transfers (decoded by hand: they are most of the volume)
 * and every other product event (decoded with the contract's ABI). Logs of unknown contracts
 * or unknown events are skipped.
 */
export function decodeLogs(
  logs: readonly RpcLog[],
  kindOf: (address: string) => IndexedContractKind | undefined,
): { transfers: DecodedTransfer[]; events: DecodedEvent[] } {
  const transfers: DecodedTransfer[] = [];
  const events: DecodedEvent[] = [];
  for (const log of logs) {
    const address = log.address.toLowerCase();
    const kind = kindOf(address);
    if (!kind) continue;
    const blockNumber = BigInt(log.blockNumber);
    const logIndex = Number(BigInt(log.logIndex));
    const txHash = log.transactionHash.toLowerCase();
    if (kind === 'GpuFarmToken' && log.topics[0] === TRANSFER_TOPIC && log.topics.length === 3) {
      transfers.push({
        token: address,
        from: topicAddress(log.topics[1]),
        to: topicAddress(log.topics[2]),
        amount: BigInt(log.data),
        blockNumber,
        txHash,
        logIndex,
      });
      continue;
    }
    const description = INTERFACES[kind].parseLog({ topics: log.topics, data: log.data });
    if (!description) continue;
    events.push({
      address,
      contract: kind,
      name: description.name,
      args: argsOf(description),
      blockNumber,
      blockHash: log.blockHash.toLowerCase(),
      txHash,
      logIndex,
    });
  }
  return { transfers, events };
}
