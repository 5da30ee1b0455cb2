import { INestApplicationContext } from '@nestjs/common';
import { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { ChainHeartbeat, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { loadConfig } from '@gpu/config';
import { startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import { waitFor } from '../../scripts/lib/wait-for';

/** A chain of its own: a block mined by another test's worker would move the head it watches. */
describe('worker: chain heartbeat job', () => {
  let iso: IsolatedStack;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let deployment: Deployment;
  let rpc: JsonRpcProvider;

  beforeAll(async () => {
    iso = await startIsolatedStack();
    rpc = new JsonRpcProvider(iso.env.RPC_URL);
    worker = await startWorker(loadConfig(iso.env));
    dataSource = worker.get(DataSource);
    deployment = worker.get<Deployment>(DEPLOYMENT);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    rpc?.destroy();
    await iso?.stop();
  });

  /** Straight from the node: ethers caches block tags for a moment. */
  async function latestBlock(): Promise<{ number: number; hash: string; timestamp: number }> {
    const block = await rpc.send('eth_getBlockByNumber', ['latest', false]);
    return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp) };
  }

  async function heartbeatAt(blockNumber: number): Promise<ChainHeartbeat | undefined> {
    const row = await dataSource
      .getRepository(ChainHeartbeat)
      .findOne({ where: { chainId: deployment.chainId, blockNumber: BigInt(blockNumber) } });
    return row ?? undefined;
  }

  it('records the block that the chain reports as its head', async () => {
    const head = await latestBlock();
    const row = await waitFor(() => heartbeatAt(head.number), { what: 'a heartbeat row' });
    expect(row.blockHash).toBe(head.hash);
    expect(row.blockTimestamp.getTime()).toBe(head.timestamp * 1000);
  });

  it('follows the chain as it grows, one row per block, seen again and again', async () => {
    await rpc.send('evm_mine', []);
    const head = await latestBlock();
    const first = await waitFor(() => heartbeatAt(head.number), { what: 'the mined block' });
    const later = await waitFor(
      async () => {
        const row = await heartbeatAt(head.number);
        return row && row.lastSeenAt > first.lastSeenAt ? row : undefined;
      },
      { what: 'a second sighting of the same head' },
    );
    expect(later.firstSeenAt).toEqual(first.firstSeenAt);
    const rows = await dataSource
      .getRepository(ChainHeartbeat)
      .countBy({ blockNumber: BigInt(head.number) });
    expect(rows).toBe(1);
  });
});
