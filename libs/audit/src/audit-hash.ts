import { createHash } from 'node:crypto';

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  sequence: bigint;
  occurredAt: Date;
  actor: string;
  role: string;
  action: string;
  subject: string;
  requestId: string | null;
  changeDigest: string;
  previousHash: string;
}

/**
 * JSON with object keys sorted at every level, bigints as decimal strings and dates in ISO
 * form: the same value always gives the same text, whoever computes it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The digest of a change: SHA-256 of its canonical JSON. */
export const changeDigest = (change: unknown): string => sha256Hex(canonicalJson(change ?? null));

/** An entry's hash: SHA-256 of the canonical JSON of all its other fields. */
export const entryHash = (fields: HashedFields): string => sha256Hex(canonicalJson(fields));
