const BPS = 10_000n;

export interface RevenueTerms {
  platformFeeBps: number;
  /** The holders' share of what is left after the platform fee. */
  revenueShareBps: number;
  slaMet: boolean;
  /** The part of the operator's share that goes to the holders when the SLA is missed. */
  slaPenaltyBps: number;
}

export interface RevenueSplit {
  gross: bigint;
  platformFee: bigint;
  operatorShare: bigint;
  slaPenalty: bigint;
  operatorFee: bigint;
  holdersShare: bigint;
}

function bps(name: string, value: number): bigint {
  if (!Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new RangeError(`${name} must be an integer from 0 to 10000 basis points`);
  }
  return BigInt(value);
}

/**
 * Splits gross revenue in integers: the platform fee is rounded down on gross, the operator's
 * share and its fee after an SLA penalty are rounded down on what is left, so the holders never
 * get less than their exact share of it, and platform fee + operator fee + holders' share = gross.
 */
export function splitRevenue(gross: bigint, terms: RevenueTerms): RevenueSplit {
  if (gross < 0n) throw new RangeError('gross revenue cannot be negative');
  const platformFee = (gross * bps('platformFeeBps', terms.platformFeeBps)) / BPS;
  const afterPlatform = gross - platformFee;
  const operatorShare =
    (afterPlatform * (BPS - bps('revenueShareBps', terms.revenueShareBps))) / BPS;
  const keptBps = BPS - bps('slaPenaltyBps', terms.slaPenaltyBps);
  const operatorFee = terms.slaMet ? operatorShare : (operatorShare * keptBps) / BPS;
  const slaPenalty = operatorShare - operatorFee;
  return {
    gross,
    platformFee,
    operatorShare,
    slaPenalty,
    operatorFee,
    holdersShare: gross - platformFee - operatorFee,
  };
}

/**
 * How far a reported amount is from the expected one, in basis points of the expected, rounded
 * up (so a deviation just over the tolerance is never rounded into it). Null: nothing was expected
 * but something was reported, an infinite deviation.
 */
export function deviationBps(reported: bigint, expected: bigint): bigint | null {
  if (reported < 0n || expected < 0n) throw new RangeError('amounts cannot be negative');
  const difference = reported > expected ? reported - expected : expected - reported;
  if (expected === 0n) return difference === 0n ? 0n : null;
  return (difference * BPS + expected - 1n) / expected;
}

export function withinTolerance(deviation: bigint | null, toleranceBps: number): boolean {
  return deviation !== null && deviation <= BigInt(toleranceBps);
}
