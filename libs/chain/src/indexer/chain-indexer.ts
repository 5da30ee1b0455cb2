import type { Logger } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import type { Deployment } from '../deployment/deployment';
import type { IndexedContract, IndexedContractKind } from '../entities/indexed-contract.entity';
import { rpcBatch, rpcResult } from '../rpc-batch';
import type { IndexRepository } from './index.repository';
import { FARM_TOKEN_CREATED_TOPIC, type RpcLog, decodeLogs } from './log-decoder';

export interface ChainIndexerSettings {
  confirmations: number;
  batchBlocks: number;
  rpcTimeoutMs: number;
}

export interface IndexerRound {
  /** Blocks read in this round (0 when idle or after a rollback). */
  blocks: number;
  logs: number;
  rolledBackTo?: bigint;
}

const REORG_SEARCH_STEP = 64;

/** The deployment's contracts the indexer reads from the start. */
const DEPLOYED_KINDS: IndexedContractKind[] = [
  'IdentityRegistry',
  'GpuFarmTokenFactory',
  'PrimarySale',
  'UptimeOracle',
  'AuditAnchor',
];

/**
 * Reads the logs of every product contract, in block batches, up to `head - confirmations + 1`,
 * and stores what they say (transfers, balances, supplies, every other event) together with the
 * cursor, in one database transaction per batch. Before each batch it checks that the cursor's
 * block is still in the chain; if a reorg replaced it, it walks back to the newest block it still
 * agrees with and rolls back everything after it. Farm tokens created by the factory are read
 * from their first block on, in the same batch.
 */
export class ChainIndexer {
  private seeded = false;
  /** Blocks per eth_getLogs call: halved when a call fails (a provider's result cap), grown back slowly. */
  private batchBlocks: number;

  constructor(
    private readonly settings: ChainIndexerSettings,
    private readonly deployment: Deployment,
    private readonly provider: JsonRpcProvider,
    private readonly store: IndexRepository,
    private readonly logger: Logger,
  ) {
    this.batchBlocks = settings.batchBlocks;
  }

  async round(): Promise<IndexerRound> {
    const contracts = await this.knownContracts();
    const head = BigInt(await this.provider.send('eth_blockNumber', []));
    const safeHead = head - BigInt(this.settings.confirmations) + 1n;
    const cursor = await this.store.cursor(this.deployment.chainId);
    if (cursor) {
      const forkPoint = await this.forkPoint(cursor);
      if (forkPoint) {
        await this.store.rollbackAfter(this.deployment.chainId, forkPoint);
        this.logger.warn(
          `reorg: rolled back from block ${cursor.blockNumber} to ${forkPoint.blockNumber}`,
        );
        return { blocks: 0, logs: 0, rolledBackTo: forkPoint.blockNumber };
      }
    }
    const from = cursor ? cursor.blockNumber + 1n : BigInt(this.deployment.deployedAtBlock);
    if (from > safeHead) return { blocks: 0, logs: 0 };
    const to = min(safeHead, from + BigInt(this.batchBlocks) - 1n);

    // The batch's last block before and after the logs are read: if it kept its hash, so did
    // every block up to it (each hash commits to its parent), and the logs are of that chain.
    const before = await this.blockHashes([to]);
    let logs = await this.getLogs([...contracts.keys()], from, to);
    const created = this.createdTokens(logs, contracts);
    if (created.length > 0) {
      const first = created.reduce((a, t) => (t.fromBlock < a ? t.fromBlock : a), to);
      const more = await this.getLogs(
        created.map((t) => t.address),
        first,
        to,
      );
      logs = [...logs, ...more].sort(byPosition);
    }
    const blocks = new Map<bigint, string>();
    for (const log of logs) blocks.set(BigInt(log.blockNumber), log.blockHash.toLowerCase());
    const checks = [...new Set([...blocks.keys(), to, ...(cursor ? [cursor.blockNumber] : [])])];
    const headers = await this.blockHeaders(checks);
    const after = new Map([...headers].map(([n, header]) => [n, header.hash]));
    const changed =
      !before.get(to) ||
      after.get(to) !== before.get(to) ||
      (cursor && after.get(cursor.blockNumber) !== cursor.blockHash) ||
      [...blocks].some(([number, hash]) => after.get(number) !== hash);
    if (changed)
      throw new Error(`blocks ${from}-${to} changed while they were read; reading again`);
    blocks.set(to, after.get(to)!);

    const known = new Map([...contracts, ...created.map((t) => [t.address, t] as const)]);
    const { transfers, events } = decodeLogs(logs, (address) => known.get(address)?.kind);
    await this.store.write(this.deployment.chainId, {
      newContracts: created,
      events,
      transfers,
      blocks,
      blockTimes: new Map([...blocks.keys()].map((n) => [n, headers.get(n)!.time])),
      cursor: { blockNumber: to, blockHash: after.get(to)! },
    });
    return { blocks: Number(to - from + 1n), logs: logs.length };
  }

  /**
   * Undefined while the cursor's block is still in the chain. Otherwise the newest stored block
   * the chain still has (or the block before the deployment, if none).
   */
  private async forkPoint(cursor: {
    blockNumber: bigint;
    blockHash: string;
  }): Promise<{ blockNumber: bigint; blockHash: string } | undefined> {
    const current = await this.blockHashes([cursor.blockNumber]);
    if (current.get(cursor.blockNumber) === cursor.blockHash) return undefined;
    let below = cursor.blockNumber - 1n;
    for (;;) {
      const stored = await this.store.storedBlocks(below, REORG_SEARCH_STEP);
      if (stored.length === 0) break;
      const hashes = await this.blockHashes(stored.map((b) => b.blockNumber));
      const kept = stored.find((b) => hashes.get(b.blockNumber) === b.blockHash);
      if (kept) return kept;
      below = stored[stored.length - 1].blockNumber - 1n;
    }
    const start = BigInt(this.deployment.deployedAtBlock) - 1n;
    const [hash] = [...(await this.blockHashes([start])).values()];
    return { blockNumber: start, blockHash: hash };
  }

  /** Read from the database every round: a failed batch or another leader may have changed them. */
  private async knownContracts(): Promise<Map<string, IndexedContract>> {
    if (!this.seeded) {
      const deployed = DEPLOYED_KINDS.map((kind) => {
        const contract = this.deployment.contracts[kind];
        return {
          address: contract.address.toLowerCase(),
          kind,
          farmId: null,
          fromBlock: BigInt(contract.blockNumber),
          totalSupply: 0n,
        };
      });
      await this.store.addContracts(deployed);
      this.seeded = true;
    }
    return new Map((await this.store.contracts()).map((c) => [c.address, c]));
  }

  private createdTokens(logs: RpcLog[], known: Map<string, IndexedContract>): IndexedContract[] {
    const factory = this.deployment.contracts.GpuFarmTokenFactory.address.toLowerCase();
    return logs
      .filter(
        (log) =>
          log.address.toLowerCase() === factory && log.topics[0] === FARM_TOKEN_CREATED_TOPIC,
      )
      .map((log) => ({
        address: `0x${log.topics[2].slice(26)}`.toLowerCase(),
        kind: 'GpuFarmToken' as const,
        farmId: log.topics[1].toLowerCase(),
        fromBlock: BigInt(log.blockNumber),
        totalSupply: 0n,
      }))
      .filter((token) => !known.has(token.address));
  }

  private async getLogs(addresses: string[], from: bigint, to: bigint): Promise<RpcLog[]> {
    if (addresses.length === 0) return [];
    let logs: RpcLog[];
    try {
      logs = (await this.provider.send('eth_getLogs', [
        { address: addresses, fromBlock: hex(from), toBlock: hex(to) },
      ])) as RpcLog[];
    } catch (error) {
      this.batchBlocks = Math.max(1, Math.floor(this.batchBlocks / 2));
      throw error;
    }
    this.batchBlocks = Math.min(this.settings.batchBlocks, Math.ceil(this.batchBlocks * 1.25));
    return logs.filter((log) => !log.removed);
  }

  private async blockHashes(numbers: bigint[]): Promise<Map<bigint, string>> {
    const headers = await this.blockHeaders(numbers);
    return new Map([...headers].map(([n, header]) => [n, header.hash]));
  }

  /** Hash and time (Unix seconds) of each block the chain knows. */
  private async blockHeaders(
    numbers: bigint[],
  ): Promise<Map<bigint, { hash: string; time: number }>> {
    const answers = await rpcBatch<{ hash: string; timestamp: string } | null>(
      this.provider,
      numbers.map((n) => ({ method: 'eth_getBlockByNumber', params: [hex(n), false] })),
      this.settings.rpcTimeoutMs,
    );
    const headers = new Map<bigint, { hash: string; time: number }>();
    answers.forEach((answer, i) => {
      const block = rpcResult(answer, 'eth_getBlockByNumber');
      if (block) {
        headers.set(numbers[i], { hash: block.hash.toLowerCase(), time: Number(block.timestamp) });
      }
    });
    return headers;
  }
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function byPosition(a: RpcLog, b: RpcLog): number {
  const block = BigInt(a.blockNumber) - BigInt(b.blockNumber);
  if (block !== 0n) return block < 0n ? -1 : 1;
  return Number(BigInt(a.logIndex) - BigInt(b.logIndex));
}
