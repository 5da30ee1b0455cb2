import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '@gpu/database';

/**
 * One entry of the append-only audit log. `hash` covers every other field and the previous
 * entry's hash, so an edit, a deletion or a reordering breaks the chain where it happened.
 * A trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity('audit_entry')
// Audit search: by actor, subject or action, newest first, and by time.
@Index('ix_audit_entry_actor', ['actor', 'sequence'])
@Index('ix_audit_entry_subject', ['subject', 'sequence'])
@Index('ix_audit_entry_action', ['action', 'sequence'])
@Index('ix_audit_entry_occurred_at', ['occurredAt'])
export class AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  @PrimaryColumn('bigint', { transformer: bigintTransformer })
  sequence: bigint;

  @Column('timestamptz')
  occurredAt: Date;

  /** Who: a user id, or a machine identity such as `worker`. */
  @Column('text')
  actor: string;

  @Column('text')
  role: string;

  /** What, e.g. `kyc.approve`. */
  @Column('text')
  action: string;

  /** On what, e.g. `kyc-case:42`. */
  @Column('text')
  subject: string;

  @Column('text', { nullable: true })
  requestId: string | null;

  /** SHA-256 of the canonical JSON of the change. */
  @Column('character', { length: 64 })
  changeDigest: string;

  @Column('character', { length: 64 })
  previousHash: string;

  @Column('character', { length: 64 })
  hash: string;
}
