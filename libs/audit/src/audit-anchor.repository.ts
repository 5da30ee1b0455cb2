import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AUDIT_HEAD_ANCHORED } from '@gpu/chain';

/** The newest entry of the audit log. */
export interface AuditHead {
  sequence: bigint;
  /** 64 hex characters, as audit_entry stores it. */
  hash: string;
}

/** An AuditHeadAnchored event the indexer stored, with the hash the log holds at its sequence. */
export interface IndexedAuditAnchor {
  sequence: bigint;
  /** 0x-prefixed, lower case. */
  head: string;
  txHash: string;
  blockNumber: bigint;
  /** The hash of audit_entry `sequence` today; null when the log has no such entry. */
  stored: string | null;
}

/** The audit log's head and the anchors of it that the chain indexer stored in chain_event. */
@Injectable()
export class AuditAnchorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async head(manager: EntityManager = this.dataSource.manager): Promise<AuditHead | null> {
    const [row] = await manager.query<{ sequence: string; hash: string }[]>(
      `SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1`,
    );
    return row ? { sequence: BigInt(row.sequence), hash: row.hash } : null;
  }

  /** The hash of entry `sequence`, or null when there is none. */
  async hashAt(sequence: bigint): Promise<string | null> {
    const [row] = await this.dataSource.query<{ hash: string }[]>(
      `SELECT hash FROM audit_entry WHERE sequence = $1`,
      [sequence.toString()],
    );
    return row?.hash ?? null;
  }

  /** The highest sequence anchored on chain as far as the indexer has read; 0 when none. */
  async lastIndexedAnchor(manager: EntityManager = this.dataSource.manager): Promise<bigint> {
    const [row] = await manager.query<{ sequence: string | null }[]>(
      `SELECT max((args->>'sequence')::bigint) AS sequence FROM chain_event
        WHERE name = $1 AND contract = $2`,
      [AUDIT_HEAD_ANCHORED.name, AUDIT_HEAD_ANCHORED.contract],
    );
    return BigInt(row?.sequence ?? 0);
  }

  /** Every indexed anchor in chain order, each with the hash the log holds at its sequence. */
  async indexedAnchors(): Promise<IndexedAuditAnchor[]> {
    const rows = await this.dataSource.query<
      {
        sequence: string;
        head: string;
        tx_hash: string;
        block_number: string;
        stored: string | null;
      }[]
    >(
      `SELECT e.args->>'sequence' AS sequence, e.args->>'head' AS head, e.tx_hash, e.block_number,
              a.hash AS stored
         FROM chain_event e
         LEFT JOIN audit_entry a ON a.sequence = (e.args->>'sequence')::bigint
        WHERE e.name = $1 AND e.contract = $2
        ORDER BY e.block_number, e.log_index`,
      [AUDIT_HEAD_ANCHORED.name, AUDIT_HEAD_ANCHORED.contract],
    );
    return rows.map((row) => ({
      sequence: BigInt(row.sequence),
      head: row.head.toLowerCase(),
      txHash: row.tx_hash,
      blockNumber: BigInt(row.block_number),
      stored: row.stored,
    }));
  }
}
