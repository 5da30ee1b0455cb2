/** The two EIP-1559 fees of a transaction, in wei. */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** What nodes demand of a replacement: both fees at least this much (percent) higher. */
export const NODE_MIN_BUMP_PERCENT = 10n;

const raise = (value: bigint, percent: bigint): bigint => {
  const raised = value + (value * percent + 99n) / 100n;
  return raised > value ? raised : value + 1n;
};
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Fees for a first attempt: the tip the node suggests, and room for the base fee to double. */
export function initialFees(baseFeePerGas: bigint, suggestedTip: bigint, cap: bigint): Fees {
  const maxFeePerGas = min(2n * baseFeePerGas + suggestedTip, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(suggestedTip, maxFeePerGas) };
}

/**
 * Fees for a replacement: both raised by `percent` (and never below today's market), capped.
 * Null when the cap leaves no room for a raise the node would accept: then the transaction
 * waits at its fees, and the stuck metric shows it.
 */
export function bumpedFees(
  previous: Fees,
  market: Fees,
  percent: number,
  cap: bigint,
): Fees | null {
  const step = BigInt(percent);
  const maxFeePerGas = min(max(raise(previous.maxFeePerGas, step), market.maxFeePerGas), cap);
  const maxPriorityFeePerGas = min(
    max(raise(previous.maxPriorityFeePerGas, step), market.maxPriorityFeePerGas),
    maxFeePerGas,
  );
  const accepted =
    maxFeePerGas >= raise(previous.maxFeePerGas, NODE_MIN_BUMP_PERCENT) &&
    maxPriorityFeePerGas >= raise(previous.maxPriorityFeePerGas, NODE_MIN_BUMP_PERCENT);
  return accepted ? { maxFeePerGas, maxPriorityFeePerGas } : null;
}
