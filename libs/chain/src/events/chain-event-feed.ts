import type { EntityManager } from 'typeorm';
import type { IndexedContractKind } from '../entities/indexed-contract.entity';

export interface FedEvent {
  id: string;
  name: string;
  address: string;
  txHash: string;
  blockNumber: bigint;
  args: Record<string, string>;
}

/**
 * Reads indexed events in order, once per consumer: `next` locks the consumer's cursor for the
 * caller's transaction (one reader at a time) and returns the events after it; the caller acts
 * on them and `advance`s in the same transaction, so a crash re-reads, never skips. Only the
 * indexer writes chain_event, one batch per transaction, so ids are committed in order.
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
    const [cursor] = await manager.query<{ last_event_id: string }[]>(
      `SELECT last_event_id FROM chain_event_consumer WHERE name = $1 FOR UPDATE`,
      [consumer],
    );
    const rows = await manager.query<
      {
        id: string;
        name: string;
        address: string;
        tx_hash: string;
        block_number: string;
        args: Record<string, string>;
      }[]
    >(
      `SELECT id, name, address, tx_hash, block_number, args FROM chain_event
        WHERE id > $1 AND contract = $2 AND name = ANY($3) ORDER BY id LIMIT $4`,
      [cursor.last_event_id, filter.contract, filter.names, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      address: row.address,
      txHash: row.tx_hash,
      blockNumber: BigInt(row.block_number),
      args: row.args,
    }));
  },

  async advance(manager: EntityManager, consumer: string, lastEventId: string): Promise<void> {
    await manager.query(
      `UPDATE chain_event_consumer SET last_event_id = $2, updated_at = now() WHERE name = $1`,
      [consumer, lastEventId],
    );
  },
};
