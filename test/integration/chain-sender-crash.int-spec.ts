import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type JsonRpcProvider, Transaction } from 'ethers';
import { ChainTx, ChainTxAttempt, ChainTxState } from '@gpu/chain';
import { inTransaction } from '@gpu/database';
import { IdentityRegistry__factory } from '../../libs/chain/src/generated';
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
import { type WorkerProcess, startWorkerProcess } from '../support/worker-process';
import { waitFor } from '../../scripts/lib/wait-for';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe('chain sender: crashes and concurrent producers (worker processes)', () => {
  let iso: IsolatedStack;
  let proxy: RpcProxy;
  let client: OutboxClient;
  let rpc: JsonRpcProvider;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    iso = await startIsolatedStack();
    proxy = await startRpcProxy(iso.env.RPC_URL);
    client = await openOutbox(iso.env);
    rpc = directProvider(iso.env.RPC_URL);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
    await client?.close();
    rpc?.destroy();
    await proxy?.close();
    await iso?.stop();
  });

  function worker(env: Record<string, string> = {}): WorkerProcess {
    const started = startWorkerProcess({ ...iso.env, RPC_URL: proxy.url, ...env });
    workers.push(started);
    return started;
  }

  const chainNonce = () => laneNonce(rpc);
  const registrations = (wallet: string) => identityRegistrations(rpc, client.deployment, wallet);

  it('a sender killed between signing and broadcasting: after restart the SAME transaction is sent, once', async () => {
    proxy.hold('eth_sendRawTransaction');
    const nonceBefore = await chainNonce();
    const first = worker();
    const wallet = randomWallet();
    const row = await inTransaction(client.dataSource, (manager) =>
      client.outbox.enqueue(
        manager,
        registerIdentityIntent(client.deployment, wallet, `crash:${wallet}`),
      ),
    );
    const [raw] = (await proxy.nextHeld('eth_sendRawTransaction', 30_000)) as [string];
    const signed = await client.outbox.get(row.id);
    expect(signed.state).toBe(ChainTxState.Signed);
    expect(signed.txHash).toBe(Transaction.from(raw).hash);

    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    expect(await rpc.send('eth_getTransactionByHash', [signed.txHash])).toBeNull();
    proxy.release('eth_sendRawTransaction');

    const second = worker();
    const outcome = await client.outbox
      .waitForOutcome(row.id, { timeoutMs: 30_000 })
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nworker output:\n${second.output()}`);
      });
    expect(outcome).toMatchObject({ state: ChainTxState.Confirmed, txHash: signed.txHash });
    expect(
      await client.dataSource.getRepository(ChainTxAttempt).countBy({ chainTxId: row.id }),
    ).toBe(1);
    expect(await chainNonce()).toBe(nonceBefore + 1n);
    expect(await registrations(wallet)).toBe(1);
    await second.stop();
  });

  it('200 intents enqueued at once by four processes, sent by two competing workers: all confirmed, contiguous nonces, no duplicate', async () => {
    const nonceBefore = await chainNonce();
    worker();
    worker();
    const producers = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        run(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            '-r',
            'tsconfig-paths/register',
            'test/support/enqueue-intents.ts',
          ],
          { cwd: ROOT, env: { ...process.env, ...iso.env, COUNT: '50', LABEL: `producer-${n}` } },
        ),
      ),
    );
    const wallets = producers.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect(new Set(wallets).size).toBe(200);
    const references = wallets.map((wallet) => `test-wallet:${wallet}`);

    const rows = await waitFor(
      async () => {
        const found = await client.dataSource
          .getRepository(ChainTx)
          .createQueryBuilder('t')
          .where('t.reference IN (:...references)', { references })
          .getMany();
        return found.length === 200 &&
          found.every((r) => r.state === ChainTxState.Confirmed || r.state === ChainTxState.Failed)
          ? found
          : undefined;
      },
      { what: '200 transactions to be final', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(rows.filter((r) => r.state !== ChainTxState.Confirmed)).toEqual([]);
    const nonces = rows.map((r) => r.nonce!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(nonces).toEqual(Array.from({ length: 200 }, (_, i) => nonceBefore + BigInt(i)));
    expect(new Set(rows.map((r) => r.txHash)).size).toBe(200);
    expect(await chainNonce()).toBe(nonceBefore + 200n);
    const registry = IdentityRegistry__factory.connect(
      client.deployment.contracts.IdentityRegistry.address,
      rpc,
    );
    const verified = await Promise.all(wallets.map((wallet) => registry.isVerified(wallet)));
    expect(verified.every(Boolean)).toBe(true);
  }, 90_000);
});
