import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { GENESIS_HASH, changeDigest, entryHash } from './audit-hash';
import type { Actor } from './actor';
import { AuditEntry } from './entities/audit-entry.entity';

export interface AuditRecord {
  actor: string;
  role: string;
  action: string;
  subject: string;
  requestId?: string | null;
  /** What changed (before/after, the command...): only its digest is kept in the entry. */
  change: unknown;
}

/**
 * Appends to the hash-chained audit log, with the manager of the caller's own database
 * transaction: the entry commits with the change it records, or not at all. Appends are
 * serialised by a transaction-scoped advisory lock, so sequences have no gaps and each entry
 * links to the one before.
 */
@Injectable()
export class AuditLog {
  async append(manager: EntityManager, record: AuditRecord): Promise<AuditEntry> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit_entry', 0))`);
    const [last] = await manager.query<{ sequence: string; hash: string }[]>(
      `SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1`,
    );
    const fields = {
      sequence: last ? BigInt(last.sequence) + 1n : 1n,
      occurredAt: new Date(),
      actor: record.actor,
      role: record.role,
      action: record.action,
      subject: record.subject,
      requestId: record.requestId ?? null,
      changeDigest: changeDigest(record.change),
      previousHash: last?.hash ?? GENESIS_HASH,
    };
    const entry = manager.create(AuditEntry, { ...fields, hash: entryHash(fields) });
    await manager.insert(AuditEntry, entry);
    return entry;
  }

  /** `append` for an actor: what `actor` did (`action`) to `subject`, and the change. */
  record(
    manager: EntityManager,
    actor: Actor,
    action: string,
    subject: string,
    change: unknown,
  ): Promise<AuditEntry> {
    return this.append(manager, {
      actor: actor.id,
      role: actor.role,
      requestId: actor.requestId ?? null,
      action,
      subject,
      change,
    });
  }
}
