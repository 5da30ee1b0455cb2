import { GENESIS_HASH, canonicalJson, changeDigest, entryHash } from './audit-hash';

describe('audit hashing', () => {
  it('gives the same text for the same value, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2n, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":["2",{"y":2,"z":1}]},"b":1}',
    );
    expect(changeDigest({ x: 1, y: 2 })).toBe(changeDigest({ y: 2, x: 1 }));
    expect(changeDigest({ x: 1 })).not.toBe(changeDigest({ x: 2 }));
  });

  it('changes the entry hash when any field changes', () => {
    const fields = {
      sequence: 1n,
      occurredAt: new Date('2026-11-27T00:00:00Z'),
      actor: 'user:1',
      role: 'compliance',
      action: 'kyc.approve',
      subject: 'kyc-case:1',
      requestId: null,
      changeDigest: changeDigest({ status: 'approved' }),
      previousHash: GENESIS_HASH,
    };
    const hash = entryHash(fields);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    for (const [key, value] of Object.entries({
      sequence: 2n,
      occurredAt: new Date('2026-11-27T00:00:01Z'),
      actor: 'user:2',
      role: 'admin',
      action: 'kyc.reject',
      subject: 'kyc-case:2',
      requestId: 'r',
      changeDigest: changeDigest({ status: 'rejected' }),
      previousHash: '1'.repeat(64),
    })) {
      expect(entryHash({ ...fields, [key]: value })).not.toBe(hash);
    }
  });
});
