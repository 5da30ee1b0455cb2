import { INestApplicationContext } from '@nestjs/common';
import { type JsonRpcProvider, Wallet, id } from 'ethers';
import { DataSource } from 'typeorm';
import {
  type ChainIntent,
  ChainOutbox,
  ChainTx,
  ChainTxState,
  type Deployment,
  DEPLOYMENT,
  IndexCursor,
  IndexedContract,
  ReconciliationService,
  SignerLanes,
  TokenBalance,
  TokenTransfer,
  encodeCall,
  waitForReceipt,
} from '@gpu/chain';
import { loadConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import {
  GpuFarmTokenFactory__factory,
  GpuFarmToken__factory,
} from '../../libs/chain/src/generated';
import { startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import {
  createFarmTokenIntent,
  directProvider,
  registerIdentityIntent,
} from '../support/outbox-client';
import { waitFor } from '../../scripts/lib/wait-for';

const tokenAbi = GpuFarmToken__factory.createInterface();

describe('chain indexer and reconciliation', () => {
  let iso: IsolatedStack;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let outbox: ChainOutbox;
  let deployment: Deployment;
  let rpc: JsonRpcProvider;
  let token: string;
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(
    (name) => new Wallet(id(`indexer-test:${name}`)),
  );

  beforeAll(async () => {
    iso = await startIsolatedStack();
    worker = await startWorker(loadConfig(iso.env));
    dataSource = worker.get(DataSource);
    outbox = worker.get(ChainOutbox);
    deployment = worker.get<Deployment>(DEPLOYMENT);
    rpc = directProvider(iso.env.RPC_URL);
    for (const wallet of [alice, bob, carol]) {
      await rpc.send('anvil_setBalance', [wallet.address, '0x56bc75e2d63100000']);
    }
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    rpc?.destroy();
    await iso?.stop();
  });

  /** Enqueues calls as the platform agent and waits until all are confirmed. */
  async function viaOutbox(intents: ChainIntent[]): Promise<void> {
    const rows = await inTransaction(dataSource, async (manager) => {
      const out: ChainTx[] = [];
      for (const intent of intents) out.push(await outbox.enqueue(manager, intent));
      return out;
    });
    for (const row of rows) {
      const outcome = await outbox.waitForOutcome(row.id, { timeoutMs: 20_000 });
      expect(outcome).toMatchObject({ state: ChainTxState.Confirmed });
    }
  }

  const head = async () => Number(await rpc.send('eth_blockNumber', []));

  async function indexedUpTo(block: number): Promise<IndexCursor> {
    return waitFor(
      async () => {
        const cursor = await dataSource
          .getRepository(IndexCursor)
          .findOneBy({ chainId: deployment.chainId });
        if (!cursor || cursor.blockNumber < BigInt(block)) return undefined;
        const onChain = await rpc.send('eth_getBlockByNumber', [
          `0x${cursor.blockNumber.toString(16)}`,
          false,
        ]);
        return onChain?.hash === cursor.blockHash ? cursor : undefined;
      },
      { what: `the indexer to reach block ${block}` },
    );
  }

  async function derivedBalances(): Promise<Record<string, bigint>> {
    const rows = await dataSource.getRepository(TokenBalance).findBy({ token });
    return Object.fromEntries(rows.filter((r) => r.balance > 0n).map((r) => [r.holder, r.balance]));
  }

  async function chainBalances(): Promise<Record<string, bigint>> {
    const contract = GpuFarmToken__factory.connect(token, rpc);
    const out: Record<string, bigint> = {};
    for (const wallet of [alice, bob, carol]) {
      const balance = await contract.balanceOf(wallet.address);
      if (balance > 0n) out[wallet.address.toLowerCase()] = balance;
    }
    return out;
  }

  async function transfer(from: Wallet, to: Wallet, amount: bigint): Promise<string> {
    const response = await GpuFarmToken__factory.connect(token, from.connect(rpc)).transfer(
      to.address,
      amount,
    );
    await waitForReceipt(rpc, response.hash);
    return response.hash.toLowerCase();
  }

  it('picks up a farm token the factory creates and derives transfers, balances and supply', async () => {
    const agent = worker.get(SignerLanes).address('platform');
    const farmId = id('farm:indexer-test');
    await viaOutbox([
      ...[alice, bob, carol].map((w) =>
        registerIdentityIntent(deployment, w.address, `id:${w.address}`),
      ),
      createFarmTokenIntent(deployment, farmId, agent, 'IDX'),
    ]);
    token = (
      await GpuFarmTokenFactory__factory.connect(
        deployment.contracts.GpuFarmTokenFactory.address,
        rpc,
      ).tokenOf(farmId)
    ).toLowerCase();
    await viaOutbox([
      {
        to: token,
        ...encodeCall('GpuFarmToken', tokenAbi, 'batchMint', [
          [alice.address, bob.address],
          [1000n, 500n],
        ]),
        reference: 'mint',
        idempotencyKey: 'indexer-test:mint',
      },
    ]);
    await transfer(alice, carol, 120n);
    await indexedUpTo(await head());

    const contract = await dataSource
      .getRepository(IndexedContract)
      .findOneByOrFail({ address: token });
    expect(contract).toMatchObject({
      kind: 'GpuFarmToken',
      farmId: farmId.toLowerCase(),
      totalSupply: 1500n,
    });
    expect(await derivedBalances()).toEqual(await chainBalances());
    expect(await derivedBalances()).toEqual({
      [alice.address.toLowerCase()]: 880n,
      [bob.address.toLowerCase()]: 500n,
      [carol.address.toLowerCase()]: 120n,
    });
    expect(await dataSource.getRepository(TokenTransfer).countBy({ token })).toBe(3);
    const run = await worker.get(ReconciliationService).run();
    expect(run).toMatchObject({ tokens: 1, accounts: 3, mismatchCount: 0 });
  });

  it('reconciliation reports every difference between the index and the chain', async () => {
    const holder = bob.address.toLowerCase();
    await dataSource.query(
      `UPDATE token_balance SET balance = balance + 7 WHERE token = $1 AND holder = $2`,
      [token, holder],
    );
    try {
      const run = await worker.get(ReconciliationService).run();
      expect(run!.mismatches).toEqual(
        expect.arrayContaining([
          { token, kind: 'balance', holder, indexed: '507', onChain: '500' },
          { token, kind: 'balances', holder: null, indexed: '1507', onChain: '1500' },
        ]),
      );
      expect(run!.mismatchCount).toBe(2);
    } finally {
      await dataSource.query(
        `UPDATE token_balance SET balance = balance - 7 WHERE token = $1 AND holder = $2`,
        [token, holder],
      );
    }
  });

  it('rolls back a reorged transfer and indexes the blocks that replaced it', async () => {
    const snapshot = await rpc.send('evm_snapshot', []);
    const dropped = await transfer(alice, bob, 5n);
    await rpc.send('evm_mine', []);
    await indexedUpTo(await head());
    expect(await dataSource.getRepository(TokenTransfer).countBy({ txHash: dropped })).toBe(1);
    const before = await head();

    await rpc.send('evm_revert', [snapshot]);
    const replacing = await transfer(alice, carol, 7n);
    while ((await head()) < before + 2) await rpc.send('evm_mine', []);
    await indexedUpTo(await head());

    expect(await dataSource.getRepository(TokenTransfer).countBy({ txHash: dropped })).toBe(0);
    expect(await dataSource.getRepository(TokenTransfer).countBy({ txHash: replacing })).toBe(1);
    expect(await derivedBalances()).toEqual(await chainBalances());
    expect((await derivedBalances())[carol.address.toLowerCase()]).toBe(127n);
    const run = await worker.get(ReconciliationService).run();
    expect(run!.mismatchCount).toBe(0);
  });
});
