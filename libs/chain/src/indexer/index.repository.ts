import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction } from '@gpu/database';
import { IndexCursor } from '../entities/index-cursor.entity';
import { IndexedContract } from '../entities/indexed-contract.entity';
import type { DecodedEvent, DecodedTransfer } from './log-decoder';

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export interface IndexBatch {
  newContracts: IndexedContract[];
  events: DecodedEvent[];
  transfers: DecodedTransfer[];
  /** Hash of every block the batch read logs from, and of its last block. */
  blocks: Map<bigint, string>;
  /** Their times (Unix seconds): what a time is resolved to a block with. */
  blockTimes?: Map<bigint, number>;
  cursor: { blockNumber: bigint; blockHash: string };
}

/** Adds each transfer's amount to the receiver and takes it from the sender; mints and burns move the supply. */
const APPLY_TRANSFER_DELTAS = `
  deltas AS (
    SELECT token, holder, sum(delta) AS delta FROM (
      SELECT token, from_address AS holder, -amount AS delta FROM moved WHERE from_address <> '${ZERO_ADDRESS}'
      UNION ALL
      SELECT token, to_address, amount FROM moved WHERE to_address <> '${ZERO_ADDRESS}'
    ) d GROUP BY token, holder
  ),
  updated AS (
    UPDATE token_balance b SET balance = b.balance + d.delta
      FROM deltas d WHERE b.token = d.token AND b.holder = d.holder
    RETURNING b.token, b.holder
  ),
  created AS (
    INSERT INTO token_balance (token, holder, balance)
    SELECT d.token, d.holder, d.delta FROM deltas d
     WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.token = d.token AND u.holder = d.holder)
    RETURNING 1
  ),
  supply AS (
    SELECT token,
           sum(CASE WHEN from_address = '${ZERO_ADDRESS}' THEN amount ELSE 0 END)
         - sum(CASE WHEN to_address = '${ZERO_ADDRESS}' THEN amount ELSE 0 END) AS delta
      FROM moved GROUP BY token
  )
  UPDATE indexed_contract c SET total_supply = c.total_supply + s.delta
    FROM supply s WHERE c.address = s.token AND s.delta <> 0`;

/** All SQL of the indexer. A batch and a rollback each commit as one database transaction. */
@Injectable()
export class IndexRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  cursor(chainId: number): Promise<IndexCursor | null> {
    return this.dataSource.getRepository(IndexCursor).findOneBy({ chainId });
  }

  contracts(): Promise<IndexedContract[]> {
    return this.dataSource.getRepository(IndexedContract).find();
  }

  async addContracts(rows: IndexedContract[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(IndexedContract)
      .values(rows)
      .orIgnore()
      .execute();
  }

  /** Stored block hashes at or below `atOrBelow`, newest first. */
  async storedBlocks(
    atOrBelow: bigint,
    limit: number,
  ): Promise<{ blockNumber: bigint; blockHash: string }[]> {
    const rows = await this.dataSource.query<{ block_number: string; block_hash: string }[]>(
      `SELECT block_number, block_hash FROM indexed_block WHERE block_number <= $1
        ORDER BY block_number DESC LIMIT $2`,
      [atOrBelow.toString(), limit],
    );
    return rows.map((row) => ({
      blockNumber: BigInt(row.block_number),
      blockHash: row.block_hash,
    }));
  }

  async write(chainId: number, batch: IndexBatch): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      if (batch.newContracts.length) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(IndexedContract)
          .values(batch.newContracts)
          .orIgnore()
          .execute();
      }
      await this.insertEvents(manager, batch.events);
      await this.insertTransfers(manager, batch.transfers);
      const blocks = [...batch.blocks.entries()];
      await manager.query(
        `INSERT INTO indexed_block (block_number, block_hash, block_time)
         SELECT b, h, to_timestamp(t) FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(b, h, t)
         ON CONFLICT (block_number)
         DO UPDATE SET block_hash = EXCLUDED.block_hash,
                       block_time = coalesce(EXCLUDED.block_time, indexed_block.block_time)`,
        [
          blocks.map(([n]) => n.toString()),
          blocks.map(([, h]) => h),
          blocks.map(([n]) => batch.blockTimes?.get(n) ?? null),
        ],
      );
      await this.saveCursor(manager, chainId, batch.cursor);
    });
  }

  /** Undoes everything indexed above `block` (a reorg replaced those blocks) and moves the cursor back. */
  async rollbackAfter(
    chainId: number,
    block: { blockNumber: bigint; blockHash: string },
  ): Promise<void> {
    const above = block.blockNumber.toString();
    await inTransaction(this.dataSource, async (manager) => {
      await manager.query(
        `WITH moved AS (
           DELETE FROM token_transfer WHERE block_number > $1
           RETURNING token, to_address AS from_address, from_address AS to_address, amount
         ), ${APPLY_TRANSFER_DELTAS}`,
        [above],
      );
      await manager.query(`DELETE FROM chain_event WHERE block_number > $1`, [above]);
      await manager.query(`DELETE FROM indexed_block WHERE block_number > $1`, [above]);
      await manager.query(
        `DELETE FROM token_balance b USING indexed_contract c
                            WHERE b.token = c.address AND c.from_block > $1`,
        [above],
      );
      await manager.query(`DELETE FROM indexed_contract WHERE from_block > $1`, [above]);
      await this.saveCursor(manager, chainId, block);
    });
  }

  private async saveCursor(
    manager: EntityManager,
    chainId: number,
    cursor: { blockNumber: bigint; blockHash: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO index_cursor (chain_id, block_number, block_hash) VALUES ($1, $2, $3)
       ON CONFLICT (chain_id) DO UPDATE
         SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_at = now()`,
      [chainId, cursor.blockNumber.toString(), cursor.blockHash],
    );
  }

  private async insertEvents(manager: EntityManager, events: DecodedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await manager.query(
      `INSERT INTO chain_event (block_number, block_hash, tx_hash, log_index, address, contract, name, args)
       SELECT b, bh, t, l, a, c, n, g::jsonb
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[])
           AS e(b, bh, t, l, a, c, n, g)
       ON CONFLICT ON CONSTRAINT uq_chain_event_log DO NOTHING`,
      [
        events.map((e) => e.blockNumber.toString()),
        events.map((e) => e.blockHash),
        events.map((e) => e.txHash),
        events.map((e) => e.logIndex),
        events.map((e) => e.address),
        events.map((e) => e.contract),
        events.map((e) => e.name),
        events.map((e) => JSON.stringify(e.args)),
      ],
    );
  }

  /** Transfers already stored (same tx hash and log index) are skipped and move no balance. */
  private async insertTransfers(
    manager: EntityManager,
    transfers: DecodedTransfer[],
  ): Promise<void> {
    const CHUNK = 20_000;
    for (let start = 0; start < transfers.length; start += CHUNK) {
      const chunk = transfers.slice(start, start + CHUNK);
      await manager.query(
        `WITH moved AS (
           INSERT INTO token_transfer (token, from_address, to_address, amount, block_number, tx_hash, log_index)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::bigint[], $6::text[], $7::int[])
           ON CONFLICT ON CONSTRAINT uq_token_transfer_log DO NOTHING
           RETURNING token, from_address, to_address, amount
         ), ${APPLY_TRANSFER_DELTAS}`,
        [
          chunk.map((t) => t.token),
          chunk.map((t) => t.from),
          chunk.map((t) => t.to),
          chunk.map((t) => t.amount.toString()),
          chunk.map((t) => t.blockNumber.toString()),
          chunk.map((t) => t.txHash),
          chunk.map((t) => t.logIndex),
        ],
      );
    }
  }
}
