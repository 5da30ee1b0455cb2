import { Client } from 'pg';
import { type AnvilInstance, startAnvil } from '../../scripts/lib/anvil';
import type { AppExit } from '../../scripts/lib/app-process';
import { waitFor } from '../../scripts/lib/wait-for';
import { type RpcProxy, startRpcProxy } from '../../scripts/lib/rpc-proxy';
import { startWorkerProcess } from '../support/worker-process';

/** One JSON-RPC request through the global fetch (undici: keep-alive sockets, as ethers' are). */
async function rpc(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(5_000),
  });
  return response.json();
}

const call = (method: string, params: unknown[] = []) => ({
  jsonrpc: '2.0',
  id: 1,
  method,
  params,
});

/** Whether `promise` is still pending after `ms`. */
async function pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timeout = new Promise((resolve) => setTimeout(() => resolve('pending'), ms));
  return (
    (await Promise.race([
      promise.then(
        () => 'settled',
        () => 'settled',
      ),
      timeout,
    ])) === 'pending'
  );
}

describe('test support: the RPC proxy', () => {
  let anvil: AnvilInstance;
  let proxy: RpcProxy;

  beforeAll(async () => {
    anvil = await startAnvil({ silent: true });
    proxy = await startRpcProxy(anvil.rpcUrl);
  });

  afterAll(async () => {
    await proxy?.close();
    await anvil?.stop();
  });

  it('forwards calls and counts them', async () => {
    expect(await rpc(proxy.url, call('eth_blockNumber'))).toMatchObject({ result: '0x0' });
    expect(proxy.calls('eth_blockNumber')).toBe(1);
  });

  it('fails fast while down, keep-alive sockets included, and serves again after up()', async () => {
    await rpc(proxy.url, call('eth_blockNumber')); // leaves an idle keep-alive socket in the pool
    proxy.down();
    const started = Date.now();
    await expect(
      rpc(proxy.url, call('eth_blockNumber'), AbortSignal.timeout(2_000)),
    ).rejects.toThrow('fetch failed');
    expect(Date.now() - started).toBeLessThan(2_000);
    proxy.up();
    expect(await rpc(proxy.url, call('eth_blockNumber'))).toMatchObject({ result: '0x0' });
  });

  it('holds a method, alone or in a batch, while other calls go through', async () => {
    proxy.hold('eth_chainId');
    const abort = new AbortController();
    const held = rpc(proxy.url, call('eth_chainId', ['alone']), abort.signal);
    expect(await proxy.nextHeld('eth_chainId')).toEqual(['alone']);
    const before = proxy.calls('eth_blockNumber');
    expect(await rpc(proxy.url, call('eth_blockNumber'))).toMatchObject({ result: '0x0' });
    const batch = rpc(
      proxy.url,
      [call('eth_blockNumber'), call('eth_chainId', ['batch'])],
      abort.signal,
    );
    expect(await proxy.nextHeld('eth_chainId')).toEqual(['batch']);
    expect(await pendingAfter(Promise.all([held, batch]), 300)).toBe(true);
    expect(proxy.calls('eth_blockNumber')).toBe(before + 1);
    abort.abort();
    await Promise.allSettled([held, batch]);
    proxy.release('eth_chainId');
    expect(await rpc(proxy.url, call('eth_chainId'))).toMatchObject({ result: '0x7a69' });
  });
});

describe('test support: the worker as a child process', () => {
  it('boots from sources, records heartbeats, and dies on SIGKILL', async () => {
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const proxy = await startRpcProxy(process.env.RPC_URL ?? '');
    try {
      const { rows } = await db.query<{ now: Date }>('SELECT now() AS now');
      const worker = startWorkerProcess({ RPC_URL: proxy.url });
      let exit: AppExit | undefined;
      void worker.exited.then((e) => (exit = e));
      try {
        // An early exit (a boot error) ends the wait at once, with what the worker printed.
        const outcome = await waitFor(
          async () => {
            if (exit) return 'exited';
            const found = await db.query(
              'SELECT 1 FROM chain_heartbeat WHERE last_seen_at > $1 LIMIT 1',
              [rows[0].now],
            );
            return found.rowCount ? 'heartbeat' : undefined;
          },
          // ts-node compiles the worker first: over 15 s once, with the rest of the suite running.
          { timeoutMs: 45_000, what: 'a heartbeat row from the worker process' },
        ).catch((error: Error) => error.message);
        if (outcome !== 'heartbeat') {
          throw new Error(`no heartbeat (${outcome}); worker output:\n${worker.output()}`);
        }
        expect(proxy.calls('eth_chainId')).toBeGreaterThan(0);
        expect(await worker.kill('SIGKILL')).toMatchObject({ code: null, signal: 'SIGKILL' });
      } finally {
        await worker.kill('SIGKILL');
      }
    } finally {
      await proxy.close();
      await db.end();
    }
  }, 60_000);
});
