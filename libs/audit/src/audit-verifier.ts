import type { DataSource } from 'typeorm';
import { GENESIS_HASH, entryHash } from './audit-hash';
import { AuditEntry } from './entities/audit-entry.entity';

export interface AuditVerification {
  valid: boolean;
  /** Entries read. */
  entries: number;
  /** The last entry that checked out. */
  head: { sequence: string; hash: string } | null;
  /** The first broken link, when there is one. */
  firstProblem?: { sequence: string; problem: string };
}

const PAGE = 5000;

/**
 * Recomputes the whole chain in sequence order and names the first entry that breaks it: a
 * missing sequence (a deletion), an entry that does not link to the one before (a reordering
 * or a deletion hidden by renumbering), or one whose hash no longer matches its fields (an edit).
 */
export async function verifyAuditLog(dataSource: DataSource): Promise<AuditVerification> {
  const rows = dataSource.getRepository(AuditEntry);
  let expected = 1n;
  let previousHash = GENESIS_HASH;
  let head: AuditVerification['head'] = null;
  let entries = 0;
  for (;;) {
    const page = await rows
      .createQueryBuilder('e')
      .where('e.sequence >= :from', { from: expected.toString() })
      .orderBy('e.sequence', 'ASC')
      .limit(PAGE)
      .getMany();
    for (const entry of page) {
      entries += 1;
      const fail = (problem: string): AuditVerification => ({
        valid: false,
        entries,
        head,
        firstProblem: { sequence: expected.toString(), problem },
      });
      if (entry.sequence !== expected) {
        return fail(`entry ${expected} is missing (the next one is ${entry.sequence})`);
      }
      if (entry.previousHash !== previousHash) {
        return fail(
          `entry ${expected} does not follow entry ${expected - 1n}: the order was changed or an entry removed`,
        );
      }
      const { hash, ...fields } = entry;
      if (entryHash(fields) !== hash)
        return fail(`entry ${expected} was altered after it was written`);
      previousHash = hash;
      head = { sequence: entry.sequence.toString(), hash };
      expected += 1n;
    }
    if (page.length < PAGE) return { valid: true, entries, head };
  }
}
