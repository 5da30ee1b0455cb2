import type { EntityManager } from 'typeorm';
import type { IndexedContractKind } from '../entities/indexed-contract.entity';

export interface FedEvent {
  name: string;
  address: string;
  txHash: string;
  blockNumber: bigint;
  logIndex: number;
  args: Record<string, string>;
}

/**
 * Reads indexed events in chain order, once per consumer: `next` locks the consumer's cursor for
 * the caller's transaction (one reader at a time) and returns the events after it, up to the
 * indexer's cursor only (the indexer commits a block's events and its cursor together, so every
 * event at or below it is there: none can appear behind the consumer later). The caller acts on
 * them and `advance`s in the same transaction, so a crash re-reads, never skips.
 */
export const ChainEventFeed = {
  async next(
    manager: EntityManager,
    consumer: string,
    filter: { contract: IndexedContractKind; names: readonly string[] },
    limit: number,
  ): Promise<FedEvent[]> {
    await manager.query(
      `INSERT INTO chain_event_consumer (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`,
      [consumer],
    );
    const [cursor] = await manager.query<{ last_block: string; last_log_index: number }[]>(
      `SELECT last_block, last_log_index FROM chain_event_consumer WHERE name = $1 FOR UPDATE`,
      [consumer],
    );
    const rows = await manager.query<
      {
        name: string;
        address: string;
        tx_hash: string;
        block_number: string;
        log_index: number;
        args: Record<string, string>;
      }[]
    >(
      `SELECT name, address, tx_hash, block_number, log_index, args FROM chain_event
        WHERE contract = $1 AND name = ANY($2)
          AND (block_number, log_index) > ($3::bigint, $4::integer)
          AND block_number <= (SELECT coalesce(max(block_number), 0) FROM index_cursor)
        ORDER BY block_number, log_index LIMIT $5`,
      [filter.contract, filter.names, cursor.last_block, cursor.last_log_index, limit],
    );
    return rows.map((row) => ({
      name: row.name,
      address: row.address,
      txHash: row.tx_hash,
      blockNumber: BigInt(row.block_number),
      logIndex: row.log_index,
      args: row.args,
    }));
  },

  async advance(manager: EntityManager, consumer: string, last: FedEvent): Promise<void> {
    await manager.query(
      `UPDATE chain_event_consumer SET last_block = $2, last_log_index = $3, updated_at = now()
        WHERE name = $1`,
      [consumer, last.blockNumber.toString(), last.logIndex],
    );
  },
};
