import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { type JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { DataSource } from 'typeorm';
import {
  ChainEvent,
  ChainOutbox,
  ChainTx,
  ChainTxAttempt,
  ChainTxListener,
  type ChainTxListenerOf,
  type ChainTxOutcome,
  ChainTxState,
  type ChainIntent,
  type Deployment,
  DEPLOYMENT,
} from '@gpu/chain';
import { loadConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { IdentityRegistry__factory } from '../../libs/chain/src/generated';
import { directProvider, registerIdentityIntent } from '../support/outbox-client';
import { startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import { waitFor } from '../../scripts/lib/wait-for';

@Injectable()
@ChainTxListener('test.identity')
class RecordingListener implements ChainTxListenerOf {
  static readonly told: ChainTxOutcome[] = [];
  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    RecordingListener.told.push(outcome);
  }
}

@Module({ providers: [RecordingListener] })
class ListenerModule {}

describe('chain outbox and sender (one lane, automine)', () => {
  let iso: IsolatedStack;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let outbox: ChainOutbox;
  let deployment: Deployment;
  let rpc: JsonRpcProvider;

  beforeAll(async () => {
    iso = await startIsolatedStack();
    worker = await startWorker(loadConfig(iso.env), [ListenerModule]);
    dataSource = worker.get(DataSource);
    outbox = worker.get(ChainOutbox);
    deployment = worker.get<Deployment>(DEPLOYMENT);
    rpc = directProvider(iso.env.RPC_URL);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    rpc?.destroy();
    await iso?.stop();
  });

  function registerIntent(
    wallet: string,
    key: string,
    extra: Partial<{ topic: string; gasLimit: bigint }> = {},
  ): ChainIntent {
    return { ...registerIdentityIntent(deployment, wallet, key), ...extra };
  }

  async function enqueue(intent: ChainIntent): Promise<ChainTx> {
    return inTransaction(dataSource, (manager) => outbox.enqueue(manager, intent));
  }

  it('sends what a business transaction enqueued, in nonce order, and the chain shows the effect once', async () => {
    const wallets = Array.from({ length: 12 }, () => Wallet.createRandom().address);
    const rows = await inTransaction(dataSource, async (manager) => {
      const enqueued: ChainTx[] = [];
      for (const w of wallets)
        enqueued.push(await outbox.enqueue(manager, registerIntent(w, `happy:${w}`)));
      return enqueued;
    });
    const outcomes = await Promise.all(
      rows.map((row) => outbox.waitForOutcome(row.id, { timeoutMs: 20_000 })),
    );
    expect(outcomes.map((o) => o.state)).toEqual(wallets.map(() => ChainTxState.Confirmed));
    const final = await dataSource
      .getRepository(ChainTx)
      .findBy({ reference: `test-wallet:${wallets[0]}` });
    expect(final[0].txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const verified = IdentityRegistry__factory.connect(
      deployment.contracts.IdentityRegistry.address,
      rpc,
    );
    for (const wallet of wallets) expect(await verified.isVerified(wallet)).toBe(true);
    const nonces = (
      await dataSource.getRepository(ChainTx).findBy({ state: ChainTxState.Confirmed })
    )
      .map((row) => row.nonce!)
      .sort((a, b) => (a < b ? -1 : 1));
    nonces.forEach((nonce, i) => i > 0 && expect(nonce).toBe(nonces[i - 1] + 1n));
    const indexed = await waitFor(
      async () => {
        const events = await dataSource
          .getRepository(ChainEvent)
          .findBy({ name: 'IdentityRegistered' });
        const seen = new Set(events.map((e) => getAddress(e.args.wallet as string)));
        return wallets.every((w) => seen.has(w)) ? events : undefined;
      },
      { what: 'the indexer to record every registration' },
    );
    expect(
      indexed.filter((e) => wallets.includes(getAddress(e.args.wallet as string))),
    ).toHaveLength(wallets.length);
  });

  it('enqueues nothing when the business transaction rolls back', async () => {
    const wallet = Wallet.createRandom().address;
    await expect(
      inTransaction(dataSource, async (manager) => {
        await outbox.enqueue(manager, registerIntent(wallet, `rolled-back:${wallet}`));
        throw new Error('the business write failed');
      }),
    ).rejects.toThrow('the business write failed');
    expect(
      await dataSource.getRepository(ChainTx).countBy({ idempotencyKey: `rolled-back:${wallet}` }),
    ).toBe(0);
  });

  it('is idempotent by key: the same call returns the first row, another call with the key is refused', async () => {
    const wallet = Wallet.createRandom().address;
    const first = await enqueue(registerIntent(wallet, `idem:${wallet}`));
    const again = await enqueue(registerIntent(wallet, `idem:${wallet}`));
    expect(again.id).toBe(first.id);
    const other = Wallet.createRandom().address;
    await expect(enqueue(registerIntent(other, `idem:${wallet}`))).rejects.toMatchObject({
      code: 'CHAIN_IDEMPOTENCY_CONFLICT',
    });
    await outbox.waitForOutcome(first.id, { timeoutMs: 20_000 });
    expect(
      await dataSource.getRepository(ChainTx).countBy({ idempotencyKey: `idem:${wallet}` }),
    ).toBe(1);
  });

  it('fails a call that would revert before it takes a nonce, with the decoded custom error', async () => {
    const wallet = Wallet.createRandom().address;
    const first = await enqueue(registerIntent(wallet, `dup-1:${wallet}`));
    expect((await outbox.waitForOutcome(first.id, { timeoutMs: 20_000 })).state).toBe('confirmed');
    const second = await enqueue(registerIntent(wallet, `dup-2:${wallet}`));
    const outcome = await outbox.waitForOutcome(second.id, { timeoutMs: 20_000 });
    expect(outcome.state).toBe(ChainTxState.Failed);
    expect(outcome.failureReason).toBe(
      `IdentityRegistry.IdentityAlreadyRegistered(${wallet.toLowerCase()})`,
    );
    const row = await outbox.get(second.id);
    expect(row.nonce).toBeNull();
    expect(await dataSource.getRepository(ChainTxAttempt).countBy({ chainTxId: second.id })).toBe(
      0,
    );
  });

  it('fails a transaction that reverted on chain with the replayed reason, and the lane goes on', async () => {
    const wallet = Wallet.createRandom().address;
    await outbox.waitForOutcome((await enqueue(registerIntent(wallet, `pre:${wallet}`))).id, {
      timeoutMs: 20_000,
    });
    const reverting = await enqueue(
      registerIntent(wallet, `onchain:${wallet}`, { gasLimit: 200_000n }),
    );
    const next = Wallet.createRandom().address;
    const after = await enqueue(registerIntent(next, `after:${next}`));
    const outcome = await outbox.waitForOutcome(reverting.id, { timeoutMs: 20_000 });
    expect(outcome.state).toBe(ChainTxState.Failed);
    expect(outcome.txHash).toMatch(/^0x/);
    expect(outcome.failureReason).toBe(
      `IdentityRegistry.IdentityAlreadyRegistered(${wallet.toLowerCase()})`,
    );
    const receipt = await rpc.getTransactionReceipt(outcome.txHash!);
    expect(receipt?.status).toBe(0);
    expect((await outbox.waitForOutcome(after.id, { timeoutMs: 20_000 })).state).toBe('confirmed');
  });

  it('tells the topic listener each final outcome', async () => {
    const wallet = Wallet.createRandom().address;
    const row = await enqueue(
      registerIntent(wallet, `listen:${wallet}`, { topic: 'test.identity' }),
    );
    const told = await waitFor(async () => RecordingListener.told.find((o) => o.id === row.id), {
      what: 'the listener to be told',
    });
    expect(told).toMatchObject({ state: 'confirmed', reference: `test-wallet:${wallet}` });
    // Marked once the listener has returned: a moment after it was told.
    const marked = await waitFor(async () => (await outbox.get(row.id)).notifiedAt ?? undefined, {
      what: 'the outcome marked as told',
      timeoutMs: 5000,
    });
    expect(marked.getTime()).toBeGreaterThan(0);
  });

  it('keeps an outcome nobody has taken (no listener for its topic) to hand it over again', async () => {
    const wallet = Wallet.createRandom().address;
    const row = await enqueue(
      registerIntent(wallet, `orphan:${wallet}`, { topic: 'nobody.listens' }),
    );
    await outbox.waitForOutcome(row.id, { timeoutMs: 20_000 });
    const handed = await waitFor(
      async () => {
        const current = await outbox.get(row.id);
        return current.notifyEnqueuedAt ? current : undefined;
      },
      { what: 'the outcome to be handed to the queue' },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await outbox.get(row.id)).notifiedAt).toBeNull();
    expect(handed.notifyEnqueuedAt).not.toBeNull();
  });

  it('the database refuses to move a transaction backwards or to change a signed one', async () => {
    const [row] = await dataSource
      .getRepository(ChainTx)
      .find({ where: { state: ChainTxState.Confirmed }, take: 1 });
    await expect(
      dataSource.query(`UPDATE chain_tx SET state = 'broadcast' WHERE id = $1`, [row.id]),
    ).rejects.toThrow(/is final/);
    await expect(
      dataSource.query(`UPDATE chain_tx SET data = '0x00' WHERE id = $1`, [row.id]),
    ).rejects.toThrow(/never change/);
    await expect(
      dataSource.query(`DELETE FROM chain_tx_attempt WHERE chain_tx_id = $1`, [row.id]),
    ).rejects.toThrow(/never changed or deleted/);
  });
});
