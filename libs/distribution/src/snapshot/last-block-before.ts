import type { JsonRpcProvider } from 'ethers';

export interface BlockMark {
  number: bigint;
  /** Unix seconds. */
  timestamp: bigint;
}

/** The block's number and time, through any EVM JSON-RPC. */
export type BlockTime = (block: bigint) => Promise<BlockMark>;

export function rpcBlockTime(provider: JsonRpcProvider): BlockTime {
  return async (block) => {
    const answer = (await provider.send('eth_getBlockByNumber', [
      `0x${block.toString(16)}`,
      false,
    ])) as { timestamp: string } | null;
    if (!answer) throw new Error(`block ${block} is not known to the RPC`);
    return { number: block, timestamp: BigInt(answer.timestamp) };
  };
}

/**
 * The last block at or below `high` whose time is before `end` (unix seconds), by binary search
 * over [low, high]: block times never decrease. Null while block `high` is still before `end` (a
 * later block may yet belong before it). Block `low - 1` when even block `low` is at or after `end`.
 */
export async function lastBlockBefore(
  blockTime: BlockTime,
  end: bigint,
  low: bigint,
  high: bigint,
): Promise<BlockMark | null> {
  if (low < 1n) throw new RangeError('low must be at least 1');
  if (high < low || (await blockTime(high)).timestamp < end) return null;
  let before: BlockMark | null = null;
  let lo = low;
  let hi = high;
  // Invariant: block hi is at or after end; every block below lo is before it.
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    const mark = await blockTime(mid);
    if (mark.timestamp < end) {
      before = mark;
      lo = mid + 1n;
    } else {
      hi = mid;
    }
  }
  if (before && before.number === lo - 1n) return before;
  return blockTime(lo - 1n);
}
