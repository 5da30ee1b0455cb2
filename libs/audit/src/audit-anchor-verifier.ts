import type { DataSource } from 'typeorm';
import { type AnchoredHead, auditHeadBytes32 } from '@gpu/chain';
import { AuditAnchorRepository } from './audit-anchor.repository';
import { type AuditVerification, verifyAuditLog } from './audit-verifier';

/** An anchored head that the log no longer holds. */
export interface AuditAnchorMismatch {
  sequence: string;
  /** The head the chain recorded for `sequence` (0x-prefixed). */
  anchored: string;
  /** The log's hash at `sequence` today (0x-prefixed); null when the entry is gone. */
  stored: string | null;
  /** `index`: an AuditHeadAnchored event in chain_event; `contract`: the contract's lastHead, read from the chain. */
  source: 'index' | 'contract';
  txHash: string | null;
  blockNumber: string | null;
}

export interface AuditAnchorCheck {
  /** AuditHeadAnchored events in chain_event. */
  count: number;
  latest: { sequence: string; head: string; txHash: string; blockNumber: string } | null;
  /**
   * The contract's own last anchor, read from the chain: absent when it was not read, null before
   * the first anchor. It does not depend on the database, so a rewrite of chain_event cannot hide.
   */
  contract?: { sequence: string; head: string; blockNumber: string } | null;
  mismatches: AuditAnchorMismatch[];
}

/** The chain check of verifyAuditLog, plus every anchor checked against the log. */
export interface AnchoredAuditVerification extends AuditVerification {
  anchors: AuditAnchorCheck;
}

export interface VerifyAuditAnchorsOptions {
  /** The contract's last anchor as readAnchoredHead returned it; undefined: not read. */
  contractHead?: AnchoredHead | null;
}

const hex = (hash: string | null): string | null => (hash === null ? null : auditHeadBytes32(hash));

/**
 * Recomputes the hash chain (verifyAuditLog), then checks every head anchored on chain (the
 * indexed AuditHeadAnchored events and, when given, the contract's last anchor) against the
 * log's hash at that sequence. A rewrite that recomputed every later hash consistently passes the
 * chain check but not the anchors; so does a truncation below an anchored sequence. Valid only
 * when both pass. `firstProblem` names the chain's first broken entry or, when the chain holds,
 * the first anchored entry that no longer matches (and the last anchor that still did).
 */
export async function verifyAuditAnchors(
  dataSource: DataSource,
  options: VerifyAuditAnchorsOptions = {},
): Promise<AnchoredAuditVerification> {
  const repository = new AuditAnchorRepository(dataSource);
  const chain = await verifyAuditLog(dataSource);
  const indexed = await repository.indexedAnchors();

  const mismatches: AuditAnchorMismatch[] = indexed
    .filter((a) => hex(a.stored) !== a.head)
    .map((a) => ({
      sequence: a.sequence.toString(),
      anchored: a.head,
      stored: hex(a.stored),
      source: 'index',
      txHash: a.txHash,
      blockNumber: a.blockNumber.toString(),
    }));

  const anchors: AuditAnchorCheck = {
    count: indexed.length,
    latest: null,
    mismatches,
  };
  const last = indexed.at(-1);
  if (last) {
    anchors.latest = {
      sequence: last.sequence.toString(),
      head: last.head,
      txHash: last.txHash,
      blockNumber: last.blockNumber.toString(),
    };
  }

  const onChain = options.contractHead;
  if (onChain !== undefined) {
    anchors.contract = onChain && {
      sequence: onChain.sequence.toString(),
      head: onChain.head,
      blockNumber: onChain.blockNumber.toString(),
    };
    // Checked even when the index holds the same anchor: the index lives in the database too.
    if (onChain) {
      const stored = hex(await repository.hashAt(onChain.sequence));
      if (stored !== onChain.head) {
        mismatches.push({
          sequence: onChain.sequence.toString(),
          anchored: onChain.head,
          stored,
          source: 'contract',
          txHash: null,
          blockNumber: onChain.blockNumber.toString(),
        });
      }
    }
  }
  mismatches.sort((a, b) => compareSequences(a.sequence, b.sequence));

  const result: AnchoredAuditVerification = {
    ...chain,
    valid: chain.valid && mismatches.length === 0,
    anchors,
  };
  if (chain.valid && mismatches.length > 0) {
    result.firstProblem = anchorProblem(mismatches[0], indexed);
  }
  return result;
}

function compareSequences(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

function anchorProblem(
  mismatch: AuditAnchorMismatch,
  indexed: { sequence: bigint; head: string; stored: string | null }[],
): { sequence: string; problem: string } {
  const sequence = BigInt(mismatch.sequence);
  const where = mismatch.txHash
    ? `anchored on chain in tx ${mismatch.txHash} (block ${mismatch.blockNumber})`
    : `anchored on chain (the contract's last anchor, read at block ${mismatch.blockNumber})`;
  if (mismatch.stored === null) {
    return {
      sequence: mismatch.sequence,
      problem: `entry ${sequence}, ${where}, is missing: the log was cut back below an anchored entry`,
    };
  }
  const lastGood = indexed
    .filter((a) => a.sequence < sequence && hex(a.stored) === a.head)
    .reduce<bigint | undefined>(
      (max, a) => (max === undefined || a.sequence > max ? a.sequence : max),
      undefined,
    );
  const since =
    lastGood === undefined
      ? `at or before entry ${sequence}`
      : `after entry ${lastGood} (anchored and still matching) and at or before entry ${sequence}`;
  return {
    sequence: mismatch.sequence,
    problem: `entry ${sequence} does not match the head ${where}: the log was rewritten ${since}`,
  };
}
