import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult, Network } from 'ethers';
import { TimeoutError } from '@gpu/common';

/**
 * JSON-RPC over Node's own `fetch`, every request abandoned (socket included) after `timeoutMs`.
 * ethers' default Node transport re-copies the body for each chunk it receives and decodes
 * UTF-8 in JavaScript: a 10,000-log eth_getLogs answer took seconds and blocked the event loop,
 * and its timeout only fired while the connection was idle, never while data trickled in.
 */
class FetchJsonRpcProvider extends JsonRpcProvider {
  constructor(
    private readonly url: string,
    network: Network,
    private readonly timeoutMs: number,
  ) {
    super(url, network, {
      staticNetwork: network,
      batchMaxCount: 1,
      polling: false,
      cacheTimeout: -1,
    });
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const method = Array.isArray(payload) ? `batch of ${payload.length}` : payload.method;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') {
        throw new TimeoutError(`RPC ${method}`, this.timeoutMs);
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`RPC ${method}: HTTP ${response.status}, not a JSON-RPC answer`);
    }
    // Error answers travel in the same array; ethers reads them by their `error` field.
    return (Array.isArray(body) ? body : [body]) as JsonRpcResult[];
  }
}

/**
 * A JSON-RPC provider pinned to the deployment's chain id, so it never probes the network
 * behind our back, with every request bounded by `timeoutMs`, and without ethers' 250 ms
 * answer cache (which hands out stale heads and reused nonces).
 */
export function createChainProvider(
  rpcUrl: string,
  chainId: number,
  timeoutMs: number,
): JsonRpcProvider {
  return new FetchJsonRpcProvider(rpcUrl, Network.from(chainId), timeoutMs);
}
