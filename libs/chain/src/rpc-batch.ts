import type { JsonRpcProvider } from 'ethers';
import { withTimeout } from '@gpu/common';

export interface RpcCall {
  method: string;
  params: unknown[];
}

export type RpcOutcome<T = unknown> =
  { result: T } | { error: { code: number; message: string; data?: string } };

const CHUNK = 100;

/**
 * Sends many JSON-RPC calls as batch requests (CHUNK calls per HTTP request), in order, each
 * request bounded by `timeoutMs`. Answers come back in the order of `calls`; a call's own error
 * is returned, a transport failure throws.
 */
export async function rpcBatch<T = unknown>(
  provider: JsonRpcProvider,
  calls: readonly RpcCall[],
  timeoutMs: number,
): Promise<RpcOutcome<T>[]> {
  const outcomes: RpcOutcome<T>[] = [];
  for (let start = 0; start < calls.length; start += CHUNK) {
    const chunk = calls.slice(start, start + CHUNK);
    const payload = chunk.map((call, i) => ({
      jsonrpc: '2.0' as const,
      id: i,
      method: call.method,
      params: call.params,
    }));
    const answers = await withTimeout(
      provider._send(payload),
      timeoutMs,
      `RPC batch of ${chunk.length}`,
    );
    const byId = new Map(answers.map((answer) => [Number(answer.id), answer]));
    chunk.forEach((call, i) => {
      const answer = byId.get(i) as
        { result?: T; error?: { code: number; message: string; data?: string } } | undefined;
      if (!answer) throw new Error(`RPC batch: no answer to ${call.method}`);
      outcomes.push(answer.error ? { error: answer.error } : { result: answer.result as T });
    });
  }
  return outcomes;
}

/** The result of a batch answer, or a thrown Error carrying the RPC error's message. */
export function rpcResult<T>(outcome: RpcOutcome<T>, what: string): T {
  if ('error' in outcome) throw new Error(`RPC ${what}: ${outcome.error.message}`);
  return outcome.result;
}
