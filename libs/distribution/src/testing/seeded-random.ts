/** Seeded 32-bit PRNG (mulberry32): property tests that fail can be replayed. Tests only. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A random non-negative bigint of at most `bits` bits, built from 32-bit draws. */
export function randomBigInt(next: () => number, bits: number): bigint {
  let value = 0n;
  for (let produced = 0; produced < bits; produced += 32) value = (value << 32n) | BigInt(next());
  const excess = Math.ceil(bits / 32) * 32 - bits;
  return value >> BigInt(excess);
}
