import { DataSource, type EntityManager } from 'typeorm';
import { ChainEventFeed } from '@gpu/chain';
import { dataSourceOptions } from '@gpu/database';
import { testConfig } from '../support/apps';

/** Runs `work` in a transaction that is always rolled back: the shared database keeps nothing. */
async function rolledBack(dataSource: DataSource, work: (m: EntityManager) => Promise<void>) {
  await dataSource
    .transaction(async (manager) => {
      await work(manager);
      throw new RollBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
}
class RollBack extends Error {}

describe('ChainEventFeed: indexed events in chain order, once, never behind the indexer', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource(
      dataSourceOptions({ url: testConfig().DATABASE_URL, entities: [] }),
    );
    await dataSource.initialize();
  });

  afterAll(() => dataSource.destroy());

  it('returns events up to the indexer cursor in block and log order, and each once', async () => {
    await rolledBack(dataSource, async (manager) => {
      const [{ block }] = await manager.query<{ block: string }[]>(
        `SELECT coalesce(max(block_number), 0)::text AS block FROM index_cursor`,
      );
      const indexed = BigInt(block);
      const insert = (blockNumber: bigint, logIndex: number, tag: string) =>
        manager.query(
          `INSERT INTO chain_event (block_number, block_hash, tx_hash, log_index, address, contract, name, args)
           VALUES ($1, $2, $3, $4, $5, 'UptimeOracle', 'FeedTestEvent', $6::jsonb)`,
          [
            blockNumber.toString(),
            `0x${'1'.repeat(64)}`,
            `0x${tag.padStart(64, '0')}`,
            logIndex,
            `0x${'2'.repeat(40)}`,
            JSON.stringify({ tag }),
          ],
        );
      // Inserted out of order; one beyond the indexer's cursor.
      await insert(indexed, 7, 'b');
      await insert(indexed + 1000n, 0, 'c');
      await insert(indexed, 3, 'a');
      const filter = { contract: 'UptimeOracle' as const, names: ['FeedTestEvent'] };
      const consumer = `feed-test-${process.pid}`;

      const first = await ChainEventFeed.next(manager, consumer, filter, 1);
      expect(first.map((e) => e.args.tag)).toEqual(['a']);
      await ChainEventFeed.advance(manager, consumer, first[0]);
      const rest = await ChainEventFeed.next(manager, consumer, filter, 10);
      expect(rest.map((e) => e.args.tag)).toEqual(['b']);
      await ChainEventFeed.advance(manager, consumer, rest[0]);
      expect(await ChainEventFeed.next(manager, consumer, filter, 10)).toEqual([]);
    });
  });
});
