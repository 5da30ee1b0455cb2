import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KycError } from '../kyc.errors';
import type { KycReview } from './kyc-review';

export const SUMSUB_DIGEST_HEADER = 'x-payload-digest';
export const SUMSUB_ALGORITHM_HEADER = 'x-payload-digest-alg';
const ALGORITHM = 'HMAC_SHA256_HEX';

/** A verified webhook delivery: its id (for de-duplication), type, time and, when it decides, the review. */
export interface SumsubEvent {
  id: string;
  type: string;
  occurredAt: Date;
  externalUserId: string | null;
  applicantId: string | null;
  /** Without the country: the webhook carries none, it is read from the applicant's data. */
  review: Omit<KycReview, 'caseId' | 'country'> | null;
  payloadDigest: string;
}

/**
 * Checks the HMAC-SHA256 of the exact raw body against `X-Payload-Digest`, in constant time.
 * Any other algorithm is refused, so a sender cannot downgrade to SHA-1.
 */
export function verifySumsubSignature(
  rawBody: Buffer,
  digest: string | undefined,
  algorithm: string | undefined,
  secret: string,
): void {
  if (algorithm !== undefined && algorithm !== ALGORITHM) throw KycError.webhookSignatureInvalid();
  if (!digest || !/^[0-9a-fA-F]{64}$/.test(digest)) throw KycError.webhookSignatureInvalid();
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(digest, 'hex')))
    throw KycError.webhookSignatureInvalid();
}

/**
 * Sumsub's `createdAtMs` is "2024-05-01 10:00:00.123" in UTC (ISO with a T and Z is accepted too).
 */
function parseCreatedAt(value: unknown): Date {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z?$/.test(value)
  )
    throw KycError.webhookPayloadInvalid('createdAtMs must be "YYYY-MM-DD HH:MM:SS.mmm" (UTC)');
  const date = new Date(`${value.replace(' ', 'T').replace(/Z$/, '')}Z`);
  if (Number.isNaN(date.getTime()))
    throw KycError.webhookPayloadInvalid('createdAtMs is not a date');
  return date;
}

const text = (value: unknown, max = 200): string | null =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : null;

/** Parses a verified body. `applicantReviewed` with GREEN or RED carries a review; other types none. */
export function parseSumsubEvent(rawBody: Buffer): SumsubEvent {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw KycError.webhookPayloadInvalid('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw KycError.webhookPayloadInvalid('the body is not a JSON object');
  const payload = body as Record<string, unknown>;
  const type = text(payload.type, 100);
  if (!type) throw KycError.webhookPayloadInvalid('type is missing');
  const id = text(payload.correlationId);
  if (!id) throw KycError.webhookPayloadInvalid('correlationId is missing');
  const occurredAt = parseCreatedAt(payload.createdAtMs);
  const externalUserId = text(payload.externalUserId);
  const applicantId =
    typeof payload.applicantId === 'string' && /^[0-9A-Za-z]{1,64}$/.test(payload.applicantId)
      ? payload.applicantId
      : null;
  const payloadDigest = createHash('sha256').update(rawBody).digest('hex');
  if (type !== 'applicantReviewed')
    return { id, type, occurredAt, externalUserId, applicantId, review: null, payloadDigest };

  const result = payload.reviewResult as Record<string, unknown> | undefined;
  const answer = result && typeof result === 'object' ? result.reviewAnswer : undefined;
  if (answer !== 'GREEN' && answer !== 'RED')
    throw KycError.webhookPayloadInvalid('reviewResult.reviewAnswer must be GREEN or RED');
  const labels = Array.isArray(result!.rejectLabels)
    ? result!.rejectLabels.filter((label): label is string => text(label, 100) !== null)
    : [];
  return {
    id,
    type,
    occurredAt,
    externalUserId,
    applicantId,
    payloadDigest,
    review: {
      provider: 'sumsub',
      answer: answer === 'GREEN' ? 'approved' : 'rejected',
      level: text(payload.levelName),
      labels: answer === 'RED' ? labels : [],
      // moderationComment is written for the applicant; clientComment (internal) is never kept.
      reason: text(result!.moderationComment, 2000),
      occurredAt,
    },
  };
}
