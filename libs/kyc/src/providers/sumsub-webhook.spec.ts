import { createHmac } from 'node:crypto';
import { KycErrorCode } from '../kyc.errors';
import { parseSumsubEvent, verifySumsubSignature } from './sumsub-webhook';

const SECRET = 'a-shared-secret-for-tests';
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const digest = (raw: Buffer, secret = SECRET) =>
  createHmac('sha256', secret).update(raw).digest('hex');

const reviewed = {
  applicantId: '5cb56e8e0a975a35f333cb83',
  correlationId: 'req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4',
  externalUserId: '7d9f3a52-4f0e-4c07-9d9a-35f6a8f0c111',
  levelName: 'basic-kyc-level',
  type: 'applicantReviewed',
  reviewStatus: 'completed',
  reviewResult: { reviewAnswer: 'GREEN' },
  createdAtMs: '2026-11-27 10:00:00.123',
};

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('verifySumsubSignature', () => {
  const raw = body(reviewed);

  it('accepts the HMAC-SHA256 of the exact bytes, in either hex case', () => {
    expect(() => verifySumsubSignature(raw, digest(raw), 'HMAC_SHA256_HEX', SECRET)).not.toThrow();
    expect(() =>
      verifySumsubSignature(raw, digest(raw).toUpperCase(), undefined, SECRET),
    ).not.toThrow();
  });

  it.each([
    ['another secret', () => verifySumsubSignature(raw, digest(raw, 'other'), undefined, SECRET)],
    [
      'one changed byte',
      () =>
        verifySumsubSignature(
          Buffer.concat([raw, Buffer.from(' ')]),
          digest(raw),
          undefined,
          SECRET,
        ),
    ],
    ['no digest', () => verifySumsubSignature(raw, undefined, undefined, SECRET)],
    [
      'a short digest',
      () => verifySumsubSignature(raw, digest(raw).slice(0, 62), undefined, SECRET),
    ],
    ['a non-hex digest', () => verifySumsubSignature(raw, 'z'.repeat(64), undefined, SECRET)],
    ['SHA-1 requested', () => verifySumsubSignature(raw, digest(raw), 'HMAC_SHA1_HEX', SECRET)],
  ])('refuses %s', (_, work) => {
    expect(codeOf(work)).toBe(KycErrorCode.WEBHOOK_SIGNATURE_INVALID);
  });
});

describe('parseSumsubEvent', () => {
  it('turns GREEN into an approval at the provider time (UTC), with the level', () => {
    const event = parseSumsubEvent(body(reviewed));
    expect(event).toMatchObject({
      id: reviewed.correlationId,
      type: 'applicantReviewed',
      externalUserId: reviewed.externalUserId,
      occurredAt: new Date('2026-11-27T10:00:00.123Z'),
      review: { answer: 'approved', level: 'basic-kyc-level', labels: [], provider: 'sumsub' },
    });
    expect(event.payloadDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('turns RED into a rejection with its labels and comment', () => {
    const event = parseSumsubEvent(
      body({
        ...reviewed,
        reviewResult: {
          reviewAnswer: 'RED',
          rejectLabels: ['FORGERY', 42, 'SELFIE_MISMATCH'],
          reviewRejectType: 'FINAL',
          moderationComment: 'forged passport',
        },
      }),
    );
    expect(event.review).toMatchObject({
      answer: 'rejected',
      labels: ['FORGERY', 'SELFIE_MISMATCH'],
      reason: 'forged passport',
    });
  });

  it('carries no review for other event types', () => {
    expect(parseSumsubEvent(body({ ...reviewed, type: 'applicantPending' })).review).toBeNull();
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['an array', body([reviewed])],
    ['no type', body({ ...reviewed, type: undefined })],
    ['no correlationId', body({ ...reviewed, correlationId: '' })],
    ['a bad time', body({ ...reviewed, createdAtMs: 'yesterday' })],
    ['an impossible date', body({ ...reviewed, createdAtMs: '2026-13-45 10:00:00' })],
    ['another answer', body({ ...reviewed, reviewResult: { reviewAnswer: 'YELLOW' } })],
    ['no result', body({ ...reviewed, reviewResult: null })],
  ])('refuses %s with a payload error', (_, raw) => {
    expect(codeOf(() => parseSumsubEvent(raw))).toBe(KycErrorCode.WEBHOOK_PAYLOAD_INVALID);
  });
});
