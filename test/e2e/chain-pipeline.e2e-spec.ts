import { INestApplicationContext } from '@nestjs/common';
import { type JsonRpcProvider, Wallet, id } from 'ethers';
import { loadConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { GpuFarmTokenFactory__factory } from '../../libs/chain/src/generated';
import { type SignedIn, signInStaff } from '../support/api-client';
import { type RunningApi, startApi, startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import {
  type OutboxClient,
  createFarmTokenIntent,
  directProvider,
  openOutbox,
  randomWallet,
  registerIdentityIntent,
} from '../support/outbox-client';
import { waitFor } from '../../scripts/lib/wait-for';

describe('API over HTTP: the chain pipeline (status, reconciliation, metrics)', () => {
  let iso: IsolatedStack;
  let api: RunningApi;
  let worker: INestApplicationContext;
  let client: OutboxClient;
  let rpc: JsonRpcProvider;
  let officer: SignedIn;

  beforeAll(async () => {
    // This test counts the outbox's transactions: the officer's sign-in is audited, and anchoring
    // the audit log is a transaction of its own, so it happens once at start and not again.
    iso = await startIsolatedStack({
      RECONCILE_INTERVAL_MS: '1000',
      AUDIT_ANCHOR_INTERVAL_MS: '3600000',
    });
    const config = loadConfig(iso.env);
    api = await startApi(config);
    officer = await signInStaff(api, 'compliance');
    worker = await startWorker(config);
    client = await openOutbox(iso.env);
    rpc = directProvider(iso.env.RPC_URL);
    // The worker's first anchoring runs at once (the sign-in left entries); wait until it is final.
    await waitFor(
      async () => {
        const rows: unknown[] = await client.dataSource.query(
          `SELECT 1 FROM chain_tx WHERE method = 'AuditAnchor.anchor' AND state = 'confirmed'`,
        );
        const { outbox } = await get('/chain/status');
        const idle = Object.values(outbox.byState).every((count) => count === 0);
        return rows.length > 0 && idle ? true : undefined;
      },
      { what: 'the first anchor confirmed and an idle outbox' },
    );
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await client?.close();
    rpc?.destroy();
    await iso?.stop();
  });

  const get = async (path: string): Promise<any> => (await officer.client.get(path)).body;
  const metric = async (name: string): Promise<number | undefined> => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('shows a stuck transaction in the outbox depth and its age, and the indexer catching up once it is mined', async () => {
    await rpc.send('evm_setAutomine', [false]);
    try {
      const [tx] = await inTransaction(client.dataSource, async (manager) => [
        await client.outbox.enqueue(
          manager,
          registerIdentityIntent(client.deployment, randomWallet(), 'e2e:stuck'),
        ),
      ]);
      const status = await waitFor(
        async () => {
          const body = await get('/chain/status');
          return body.outbox.byState.broadcast === 1 ? body : undefined;
        },
        { what: 'the transaction to be broadcast' },
      );
      expect(status.outbox.byState).toEqual({ queued: 0, signed: 0, broadcast: 1, mined: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await metric('gpu_chain_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(1);
      expect(await metric('gpu_chain_outbox_transactions{state="broadcast"}')).toBe(1);

      await rpc.send('evm_mine', []);
      const outcome = await client.outbox.waitForOutcome(tx.id, { timeoutMs: 15_000 });
      const done = await waitFor(
        async () => {
          const body = await get('/chain/status');
          return body.indexer.blockNumber !== null &&
            BigInt(body.indexer.blockNumber) >= BigInt(outcome.blockNumber!)
            ? body
            : undefined;
        },
        { what: 'the indexer to pass the block' },
      );
      expect(done.outbox.byState).toEqual({ queued: 0, signed: 0, broadcast: 0, mined: 0 });
      expect(done.outbox.oldestPendingSeconds).toBe(0);
      expect(done.indexer.confirmations).toBe(1);
      expect(await metric('gpu_chain_indexer_lag_blocks')).toBeGreaterThanOrEqual(0);
    } finally {
      await rpc.send('evm_setAutomine', [true]);
    }
  });

  it('GET /chain/reconciliation shows the scheduled comparison, and a difference once the index is wrong', async () => {
    const agent = new Wallet(id('unused')).address;
    const farmId = id('farm:e2e-pipeline');
    const [created] = await inTransaction(client.dataSource, async (manager) => [
      await client.outbox.enqueue(
        manager,
        createFarmTokenIntent(client.deployment, farmId, agent, 'E2E'),
      ),
    ]);
    const outcome = await client.outbox.waitForOutcome(created.id, { timeoutMs: 15_000 });
    const clean = await waitFor(
      async () => {
        const body = await get('/chain/reconciliation');
        return body.latest && BigInt(body.latest.blockNumber) >= BigInt(outcome.blockNumber!)
          ? body.latest
          : undefined;
      },
      { what: 'a reconciliation that includes the new token' },
    );
    expect(clean).toMatchObject({ tokens: 1, accounts: 0, mismatchCount: 0, mismatches: [] });

    const token = (
      await GpuFarmTokenFactory__factory.connect(
        client.deployment.contracts.GpuFarmTokenFactory.address,
        rpc,
      ).tokenOf(farmId)
    ).toLowerCase();
    await client.dataSource.query(
      `UPDATE indexed_contract SET total_supply = 5 WHERE address = $1`,
      [token],
    );
    const wrong = await waitFor(
      async () => {
        const body = await get('/chain/reconciliation');
        return body.latest.mismatchCount > 0 ? body.latest : undefined;
      },
      { what: 'a reconciliation that sees the difference' },
    );
    expect(wrong.mismatches).toEqual([
      { token, kind: 'supply', holder: null, indexed: '5', onChain: '0' },
    ]);
    expect(await metric('gpu_chain_reconciliation_mismatches')).toBe(1);
    expect(await metric('gpu_chain_reconciliation_age_seconds')).toBeLessThan(60);
  });
});
