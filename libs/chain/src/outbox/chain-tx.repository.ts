import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { inTransaction } from '@gpu/database';
import { ChainTxAttempt } from '../entities/chain-tx-attempt.entity';
import { ChainTx, ChainTxState, PENDING_CHAIN_TX_STATES } from '../entities/chain-tx.entity';
import type { Fees } from './fee-policy';

export interface NewAttempt extends Fees {
  chainTxId: string;
  hash: string;
  nonce: bigint;
  gasLimit: bigint;
  raw: string;
}

export interface MinedReceipt {
  hash: string;
  blockNumber: bigint;
  blockHash: string;
  succeeded: boolean;
  gasUsed: bigint;
}

export interface OutboxDepth {
  /** Transactions not yet final, by state. */
  byState: Record<ChainTxState, number>;
  /** Age in seconds of the oldest transaction not yet final; 0 when there is none. */
  oldestPendingSeconds: number;
}

/**
 * All SQL of the outbox. Every state change is a conditional update from the states it may
 * leave, so a second worker, a retry or a stale view can never move a transaction backwards.
 */
@Injectable()
export class ChainTxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts the intent unless its idempotency key exists; returns the stored row either way. */
  async insertIntent(
    manager: EntityManager,
    row: Pick<
      ChainTx,
      | 'chainId'
      | 'lane'
      | 'idempotencyKey'
      | 'reference'
      | 'topic'
      | 'method'
      | 'target'
      | 'data'
      | 'gasLimit'
    >,
  ): Promise<{ tx: ChainTx; created: boolean }> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(ChainTx)
      .values(row)
      .orIgnore()
      .returning('*')
      .execute();
    const generated = inserted.generatedMaps[0];
    if (generated && Object.keys(generated).length > 0) {
      return { tx: manager.create(ChainTx, { ...row, ...generated }), created: true };
    }
    const tx = await manager.findOneByOrFail(ChainTx, { idempotencyKey: row.idempotencyKey });
    return { tx, created: false };
  }

  find(id: string): Promise<ChainTx | null> {
    return this.dataSource.getRepository(ChainTx).findOneBy({ id });
  }

  attempts(chainTxId: string): Promise<ChainTxAttempt[]> {
    return this.dataSource
      .getRepository(ChainTxAttempt)
      .find({ where: { chainTxId }, order: { createdAt: 'ASC' } });
  }

  /**
   * The lane's signer row, created at `chainNonce` the first time. A new key restarts the lane at
   * its own nonce, but only once nothing of the old key is in flight (their nonces are the old
   * key's), else it refuses.
   */
  async ensureSigner(
    chainId: number,
    lane: string,
    address: string,
    chainNonce: bigint,
  ): Promise<void> {
    const [current] = await this.dataSource.query<{ address: string }[]>(
      `SELECT address FROM chain_signer WHERE chain_id = $1 AND lane = $2`,
      [chainId, lane],
    );
    if (current && current.address !== address.toLowerCase()) {
      const inFlight = await this.countInStates(chainId, lane, [
        ChainTxState.Signed,
        ChainTxState.Broadcast,
        ChainTxState.Mined,
      ]);
      if (inFlight > 0) {
        throw new Error(
          `signer lane ${lane}: the key changed (was ${current.address}) while ${inFlight} transaction(s) signed with the old key are not final; let them finish with the old key first`,
        );
      }
    }
    await this.dataSource.query(
      `INSERT INTO chain_signer (chain_id, lane, address, next_nonce) VALUES ($1, $2, $3, $4)
       ON CONFLICT (chain_id, lane) DO UPDATE
         SET address = EXCLUDED.address, next_nonce = EXCLUDED.next_nonce, updated_at = now()
         WHERE chain_signer.address <> EXCLUDED.address`,
      [chainId, lane, address.toLowerCase(), chainNonce.toString()],
    );
  }

  queued(chainId: number, lane: string, limit: number): Promise<ChainTx[]> {
    return this.dataSource.getRepository(ChainTx).find({
      where: { chainId, lane, state: ChainTxState.Queued },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /** Transactions of the lane in `states`, in nonce order (queued ones have none: id order). */
  inStates(
    chainId: number,
    lane: string,
    states: ChainTxState[],
    limit = 10_000,
  ): Promise<ChainTx[]> {
    return this.dataSource.getRepository(ChainTx).find({
      where: { chainId, lane, state: In(states) },
      order: { nonce: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  async countInStates(chainId: number, lane: string, states: ChainTxState[]): Promise<number> {
    return this.dataSource.getRepository(ChainTx).countBy({ chainId, lane, state: In(states) });
  }

  /** The current (latest, not replaced) attempt of each transaction. */
  async currentAttempts(chainTxIds: string[]): Promise<Map<string, ChainTxAttempt>> {
    if (chainTxIds.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(ChainTxAttempt).find({
      where: { chainTxId: In(chainTxIds) },
      order: { createdAt: 'ASC' },
    });
    const current = new Map<string, ChainTxAttempt>();
    for (const row of rows) current.set(row.chainTxId, row);
    return current;
  }

  /** Every attempt of each transaction. */
  async attemptsOf(chainTxIds: string[]): Promise<Map<string, ChainTxAttempt[]>> {
    const byTx = new Map<string, ChainTxAttempt[]>();
    if (chainTxIds.length === 0) return byTx;
    const rows = await this.dataSource
      .getRepository(ChainTxAttempt)
      .find({ where: { chainTxId: In(chainTxIds) }, order: { createdAt: 'ASC' } });
    for (const row of rows) byTx.set(row.chainTxId, [...(byTx.get(row.chainTxId) ?? []), row]);
    return byTx;
  }

  /**
   * Signs queued transactions in one database transaction: the lane's signer row is locked, each
   * transaction takes the next nonce, and its signed raw form is stored before anyone can
   * broadcast it. `sign` turns (row, nonce) into the attempt; rows no longer queued are skipped.
   */
  async signQueued(
    chainId: number,
    lane: string,
    rows: ChainTx[],
    chainNonce: bigint,
    sign: (row: ChainTx, nonce: bigint) => Promise<NewAttempt>,
  ): Promise<NewAttempt[]> {
    return inTransaction(this.dataSource, async (manager) => {
      const [signer] = await manager.query<{ next_nonce: string }[]>(
        `SELECT next_nonce FROM chain_signer WHERE chain_id = $1 AND lane = $2 FOR UPDATE`,
        [chainId, lane],
      );
      if (!signer) throw new Error(`signer lane ${lane} is not registered`);
      let nonce = BigInt(signer.next_nonce);
      if (chainNonce > nonce) nonce = chainNonce;
      const still = await manager.getRepository(ChainTx).find({
        where: { id: In(rows.map((r) => r.id)), state: ChainTxState.Queued },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      const attempts: NewAttempt[] = [];
      for (const row of still) {
        const attempt = await sign(row, nonce);
        attempts.push(attempt);
        nonce += 1n;
      }
      if (attempts.length === 0) return attempts;
      await manager.insert(ChainTxAttempt, attempts);
      await manager.query(
        `UPDATE chain_tx t SET state = 'signed', nonce = a.nonce, tx_hash = a.hash,
                gas_limit = coalesce(t.gas_limit, a.gas_limit), last_error = NULL, updated_at = now()
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[]) AS a(id, nonce, hash, gas_limit)
          WHERE t.id = a.id AND t.state = 'queued'`,
        [
          attempts.map((a) => a.chainTxId),
          attempts.map((a) => a.nonce.toString()),
          attempts.map((a) => a.hash),
          attempts.map((a) => a.gasLimit.toString()),
        ],
      );
      await manager.query(
        `UPDATE chain_signer SET next_nonce = $3, updated_at = now() WHERE chain_id = $1 AND lane = $2`,
        [chainId, lane, nonce.toString()],
      );
      return attempts;
    });
  }

  async markBroadcast(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE chain_tx SET state = 'broadcast', broadcast_at = now(), last_error = NULL, updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state = 'signed'`,
      [ids],
    );
  }

  /** Stores a replacement (same nonce, higher fees) and makes it current; the old one is marked replaced. */
  async addReplacement(attempt: NewAttempt): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      const [row] = await manager.query<{ id: string }[]>(
        `SELECT id FROM chain_tx WHERE id = $1 AND state IN ('signed', 'broadcast') AND nonce = $2 FOR UPDATE`,
        [attempt.chainTxId, attempt.nonce.toString()],
      );
      if (!row) return false;
      await manager.query(
        `UPDATE chain_tx_attempt SET replaced_at = now() WHERE chain_tx_id = $1 AND replaced_at IS NULL`,
        [attempt.chainTxId],
      );
      await manager.insert(ChainTxAttempt, attempt);
      await manager.query(
        `UPDATE chain_tx SET tx_hash = $2, broadcast_at = now(), updated_at = now() WHERE id = $1`,
        [attempt.chainTxId, attempt.hash],
      );
      return true;
    });
  }

  /** Records the receipts of attempts that were mined; any other attempt of theirs lost its nonce. */
  async markMined(mined: (MinedReceipt & { chainTxId: string })[]): Promise<void> {
    if (mined.length === 0) return;
    await inTransaction(this.dataSource, async (manager) => {
      await manager.query(
        `UPDATE chain_tx t SET state = 'mined', tx_hash = m.hash, block_number = m.block_number,
                block_hash = m.block_hash, succeeded = m.succeeded, gas_used = m.gas_used,
                last_error = NULL, updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::boolean[], $6::numeric[])
             AS m(id, hash, block_number, block_hash, succeeded, gas_used)
          WHERE t.id = m.id AND t.state = 'broadcast'`,
        [
          mined.map((m) => m.chainTxId),
          mined.map((m) => m.hash),
          mined.map((m) => m.blockNumber.toString()),
          mined.map((m) => m.blockHash),
          mined.map((m) => m.succeeded),
          mined.map((m) => m.gasUsed.toString()),
        ],
      );
      await manager.query(
        `UPDATE chain_tx_attempt a SET replaced_at = now()
           FROM unnest($1::bigint[], $2::text[]) AS m(id, hash)
          WHERE a.chain_tx_id = m.id AND a.hash <> m.hash AND a.replaced_at IS NULL`,
        [mined.map((m) => m.chainTxId), mined.map((m) => m.hash)],
      );
    });
  }

  /** A reorg took the block away: the transaction is pending again. */
  async unmine(chainTxId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE chain_tx SET state = 'broadcast', block_number = NULL, block_hash = NULL,
              succeeded = NULL, gas_used = NULL, broadcast_at = now(), updated_at = now()
        WHERE id = $1 AND state = 'mined'`,
      [chainTxId],
    );
  }

  /** Final: confirmed, or failed with the reason. Only from mined (or queued, for a call that cannot succeed). */
  async finalize(
    chainTxId: string,
    state: ChainTxState.Confirmed | ChainTxState.Failed,
    failureReason?: string,
  ): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE chain_tx SET state = $2, failure_reason = $3, last_error = NULL, updated_at = now()
        WHERE id = $1 AND (state = 'mined' OR ($2 = 'failed' AND state IN ('queued', 'broadcast')))`,
      [chainTxId, state, failureReason ?? null],
    );
    return result[1] > 0;
  }

  /** Mined deep enough and still in the chain: final. */
  async confirm(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE chain_tx SET state = 'confirmed', last_error = NULL, updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state = 'mined'`,
      [ids],
    );
  }

  async noteError(ids: string[], message: string): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE chain_tx SET last_error = $2, updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state NOT IN ('confirmed', 'failed')`,
      [ids, message.slice(0, 500)],
    );
  }

  /**
   * Claims final transactions whose listener has not taken the outcome: never handed to the
   * queue, or handed more than `retryAfterSeconds` ago (its job may be late, lost or failed).
   */
  async claimUnnotified(limit: number, retryAfterSeconds: number): Promise<string[]> {
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE chain_tx SET notify_enqueued_at = now()
        WHERE id IN (
          SELECT id FROM chain_tx
           WHERE state IN ('confirmed', 'failed') AND topic IS NOT NULL AND notified_at IS NULL
             AND (notify_enqueued_at IS NULL OR notify_enqueued_at < now() - make_interval(secs => $2))
           ORDER BY id LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [limit, retryAfterSeconds],
    );
    return rows.map((row) => row.id);
  }

  /** The listener took the outcome. */
  async markNotified(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE chain_tx SET notified_at = now() WHERE id = $1 AND notified_at IS NULL`,
      [id],
    );
  }

  async depth(): Promise<OutboxDepth> {
    const rows = await this.dataSource.query<
      { state: ChainTxState; count: string; oldest: string | null }[]
    >(
      `SELECT state, count(*) AS count,
              extract(epoch FROM now() - min(created_at)) AS oldest
         FROM chain_tx WHERE state NOT IN ('confirmed', 'failed') GROUP BY state`,
    );
    const byState = Object.fromEntries(
      PENDING_CHAIN_TX_STATES.map((state) => [state, 0]),
    ) as Record<ChainTxState, number>;
    let oldestPendingSeconds = 0;
    for (const row of rows) {
      byState[row.state] = Number(row.count);
      if (row.oldest) oldestPendingSeconds = Math.max(oldestPendingSeconds, Number(row.oldest));
    }
    return { byState, oldestPendingSeconds };
  }
}
