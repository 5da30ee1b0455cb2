import { INestApplicationContext } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { ChainTx, ChainTxAttempt, ChainTxState } from '@gpu/chain';
import { loadConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import {
  type OutboxClient,
  directProvider,
  identityRegistrations,
  laneNonce,
  openOutbox,
  randomWallet,
  registerIdentityIntent,
} from '../support/outbox-client';
import { type RpcProxy, startRpcProxy } from '../../scripts/lib/rpc-proxy';
import { waitFor } from '../../scripts/lib/wait-for';

/**
 * One chain and database for the file; each test runs its own in-process worker with the
 * settings it needs, and stops it before the next.
 */
describe('chain sender: outages, stuck transactions and reorgs', () => {
  let iso: IsolatedStack;
  let proxy: RpcProxy;
  let client: OutboxClient;
  let rpc: JsonRpcProvider;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    iso = await startIsolatedStack();
    proxy = await startRpcProxy(iso.env.RPC_URL);
    client = await openOutbox(iso.env);
    rpc = directProvider(iso.env.RPC_URL);
  }, 60_000);

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    proxy.up();
    await rpc.send('evm_setAutomine', [true]);
  });

  afterAll(async () => {
    await client?.close();
    rpc?.destroy();
    await proxy?.close();
    await iso?.stop();
  });

  async function startSender(env: Record<string, string> = {}): Promise<void> {
    worker = await startWorker(
      loadConfig({ ...iso.env, RPC_URL: proxy.url, RPC_TIMEOUT_MS: '1000', ...env }),
    );
  }

  async function enqueue(wallets: string[], label: string): Promise<ChainTx[]> {
    return inTransaction(client.dataSource, async (manager) => {
      const rows: ChainTx[] = [];
      for (const wallet of wallets) {
        rows.push(
          await client.outbox.enqueue(
            manager,
            registerIdentityIntent(client.deployment, wallet, `${label}:${wallet}`),
          ),
        );
      }
      return rows;
    });
  }

  const chainNonce = () => laneNonce(rpc);
  const registrations = (wallet: string) => identityRegistrations(rpc, client.deployment, wallet);

  const row = (id: string) => client.dataSource.getRepository(ChainTx).findOneByOrFail({ id });
  const attempts = (chainTxId: string) =>
    client.dataSource
      .getRepository(ChainTxAttempt)
      .find({ where: { chainTxId }, order: { createdAt: 'ASC' } });

  it('the RPC endpoint unreachable for a while: nothing lost, nothing duplicated, all done once it is back', async () => {
    await startSender();
    const nonceBefore = await chainNonce();
    const early = await enqueue([randomWallet(), randomWallet()], 'before-outage');
    for (const tx of early) await client.outbox.waitForOutcome(tx.id, { timeoutMs: 20_000 });

    proxy.down();
    const wallets = Array.from({ length: 10 }, randomWallet);
    const during = await enqueue(wallets, 'during-outage');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const waiting = await Promise.all(during.map((tx) => row(tx.id)));
    expect(waiting.filter((tx) => tx.state === ChainTxState.Failed)).toEqual([]);
    expect(waiting.some((tx) => tx.lastError !== null)).toBe(true);

    proxy.up();
    const outcomes = await Promise.all(
      during.map((tx) => client.outbox.waitForOutcome(tx.id, { timeoutMs: 30_000 })),
    );
    expect(outcomes.map((o) => o.state)).toEqual(during.map(() => ChainTxState.Confirmed));
    expect(await chainNonce()).toBe(nonceBefore + 12n);
    for (const wallet of wallets) expect(await registrations(wallet)).toBe(1);
    expect(
      (await Promise.all(during.map((tx) => row(tx.id)))).every((tx) => tx.lastError === null),
    ).toBe(true);
  });

  it('a transaction stuck in the mempool is replaced with both fees bumped; only one of the two takes effect', async () => {
    await rpc.send('evm_setAutomine', [false]);
    await startSender({ TX_STUCK_AFTER_MS: '1000', TX_FEE_BUMP_PERCENT: '15' });
    const nonceBefore = await chainNonce();
    const wallet = randomWallet();
    const [tx] = await enqueue([wallet], 'stuck');

    const [first, second] = await waitFor(
      async () => {
        const found = await attempts(tx.id);
        return found.length >= 2 ? found : undefined;
      },
      { what: 'a replacement attempt', timeoutMs: 15_000 },
    );
    expect(second.nonce).toBe(first.nonce);
    expect(second.maxFeePerGas * 100n).toBeGreaterThanOrEqual(first.maxFeePerGas * 115n);
    expect(second.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(
      first.maxPriorityFeePerGas * 115n,
    );
    expect(first.replacedAt).not.toBeNull();
    expect((await row(tx.id)).state).toBe(ChainTxState.Broadcast);

    await rpc.send('evm_mine', []);
    const outcome = await client.outbox.waitForOutcome(tx.id, { timeoutMs: 15_000 });
    const all = await attempts(tx.id);
    const winner = all[all.length - 1];
    expect(outcome).toMatchObject({ state: ChainTxState.Confirmed, txHash: winner.hash });
    const receipts = await Promise.all(
      all.map((a) => rpc.send('eth_getTransactionReceipt', [a.hash])),
    );
    expect(receipts.filter((r) => r !== null)).toHaveLength(1);
    expect(await chainNonce()).toBe(nonceBefore + 1n);
    expect(await registrations(wallet)).toBe(1);
  });

  it('a reorg that drops a mined transaction sends it back to broadcast; it is mined again and confirmed once', async () => {
    await startSender({ CHAIN_CONFIRMATIONS: '3' });
    const nonceBefore = await chainNonce();
    const snapshot = await rpc.send('evm_snapshot', []);
    const wallet = randomWallet();
    const [tx] = await enqueue([wallet], 'reorged');
    const mined = await waitFor(
      async () => {
        const current = await row(tx.id);
        return current.state === ChainTxState.Mined ? current : undefined;
      },
      { what: 'the transaction to be mined' },
    );

    await rpc.send('evm_revert', [snapshot]);
    expect(await rpc.send('eth_getTransactionReceipt', [mined.txHash])).toBeNull();
    await rpc.send('evm_mine', []);
    await rpc.send('evm_mine', []);
    await rpc.send('evm_mine', []);

    const remined = await waitFor(
      async () => {
        const current = await row(tx.id);
        return current.state === ChainTxState.Mined && current.blockHash !== mined.blockHash
          ? current
          : undefined;
      },
      { what: 'the transaction to be mined again in the new chain' },
    );
    expect(remined.txHash).toBe(mined.txHash);
    await rpc.send('evm_mine', []);
    await rpc.send('evm_mine', []);
    const outcome = await client.outbox.waitForOutcome(tx.id, { timeoutMs: 15_000 });
    expect(outcome).toMatchObject({ state: ChainTxState.Confirmed, txHash: mined.txHash });
    expect(await chainNonce()).toBe(nonceBefore + 1n);
    expect(await registrations(wallet)).toBe(1);
  });
});
