import { FetchRequest, JsonRpcProvider, Network } from 'ethers';

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
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, Network.from(chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    polling: false,
    cacheTimeout: -1,
  });
}
