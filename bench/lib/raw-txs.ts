/**
 * Writing many transactions to a local anvil fast. ethers spends most of its time on large
 * payloads in pure-JS UTF-8 and hex handling (about 10 ms to sign a 6.5 kB call, 4 ms to
 * ABI-encode a 100-entry batchMint), so this talks JSON-RPC with fetch, lets anvil sign
 * (`anvil_impersonateAccount`) and encodes the one bulk call by hand.
 */

export interface RpcCallSpec {
  method: string;
  params: unknown[];
}

interface RpcAnswer<T> {
  id: number;
  result?: T;
  error?: { code: number; message: string; data?: unknown };
}

/** One JSON-RPC call over fetch; an RPC error throws. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []) {
  const [result] = await rpcMany<T>(url, [{ method, params }]);
  return result;
}

/** Calls as JSON-RPC batches of `chunk`; results in order; any RPC error throws. */
export async function rpcMany<T = unknown>(
  url: string,
  calls: RpcCallSpec[],
  chunk = 200,
): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < calls.length; start += chunk) {
    const part = calls.slice(start, start + chunk);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(part.map((call, i) => ({ jsonrpc: '2.0', id: i, ...call }))),
      signal: AbortSignal.timeout(120_000),
    });
    const answers = (await response.json()) as RpcAnswer<T>[];
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    part.forEach((call, i) => {
      const answer = byId.get(i);
      if (!answer) throw new Error(`RPC ${call.method}: no answer`);
      if (answer.error) throw new Error(`RPC ${call.method}: ${answer.error.message}`);
      results.push(answer.result as T);
    });
  }
  return results;
}

export interface Call {
  to: string;
  data: string;
  gasLimit: bigint;
}

const hex = (n: bigint | number): string => `0x${n.toString(16)}`;

/**
 * Sends `calls` from `from` (an anvil dev account or an impersonated one: anvil signs) with
 * consecutive nonces from `firstNonce` (default: its pending nonce), without waiting for them to
 * be mined. Fees are far above anything the base
 * fee reaches here, so no transaction is ever dropped as underpriced when blocks fill up.
 */
export async function sendFrom(
  url: string,
  from: string,
  calls: Call[],
  firstNonce?: number,
): Promise<string[]> {
  const nonce =
    firstNonce ?? Number(await rpc<string>(url, 'eth_getTransactionCount', [from, 'pending']));
  return rpcMany<string>(
    url,
    calls.map((call, i) => ({
      method: 'eth_sendTransaction',
      params: [
        {
          from,
          to: call.to,
          data: call.data,
          gas: hex(call.gasLimit),
          nonce: hex(nonce + i),
          maxFeePerGas: hex(1_000_000_000_000n),
          maxPriorityFeePerGas: hex(1_000_000_000n),
        },
      ],
    })),
    50,
  );
}

interface Receipt {
  status: string;
  blockNumber: string;
  logs: unknown[];
}

/** Waits for every receipt and checks that each transaction succeeded; returns them. */
export async function receiptsOf(
  url: string,
  hashes: string[],
  what: string,
  timeoutMs = 60_000,
): Promise<Receipt[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipts = await rpcMany<Receipt | null>(
      url,
      hashes.map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] })),
      100,
    );
    if (receipts.every((r) => r !== null)) {
      const failed = receipts.filter((r) => BigInt(r!.status) !== 1n).length;
      if (failed > 0) throw new Error(`${what}: ${failed} of ${hashes.length} reverted`);
      return receipts as Receipt[];
    }
    if (Date.now() > deadline) {
      const missing = hashes.filter((_, i) => receipts[i] === null);
      const pool = await rpc(url, 'txpool_status');
      const known = await rpc(url, 'eth_getTransactionByHash', [missing[0]]);
      throw new Error(
        `${what}: ${missing.length} of ${hashes.length} not mined after ${timeoutMs} ms (pool ${JSON.stringify(pool)}; #${hashes.indexOf(missing[0])} ${missing[0]} ${known ? 'known to the node' : 'unknown to the node'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Mines blocks until the pool is empty (automine off); returns how many. With `gasLimit` set,
 * each block holds at most that much gas, which decides how many transactions share a block.
 */
export async function mineAll(url: string, maxBlocks = 10_000): Promise<number> {
  for (let blocks = 0; blocks < maxBlocks; blocks++) {
    const status = await rpc<{ pending: string; queued: string }>(url, 'txpool_status');
    if (BigInt(status.pending) === 0n) {
      if (BigInt(status.queued) !== 0n) throw new Error('transactions stuck behind a nonce gap');
      return blocks;
    }
    await rpc(url, 'evm_mine');
  }
  throw new Error(`pool not empty after ${maxBlocks} blocks`);
}

const word = (value: bigint | number): string => value.toString(16).padStart(64, '0');

/**
 * Call data of `batchMint(address[] to, uint256[] amounts)` (selector given), ABI-encoded by
 * hand: two offsets, then each array as its length and its words.
 */
export function encodeBatchMint(selector: string, to: string[], amounts: bigint[]): string {
  const n = to.length;
  const head = word(64) + word(64 + 32 * (n + 1));
  const addresses = word(n) + to.map((a) => a.slice(2).toLowerCase().padStart(64, '0')).join('');
  const values = word(n) + amounts.map(word).join('');
  return selector + head + addresses + values;
}
