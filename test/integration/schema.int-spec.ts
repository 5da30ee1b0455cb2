import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@gpu/database';
import { ENTITIES } from '../../migrations/entities';
import { MIGRATIONS } from '../../migrations/index';
import { testConfig } from '../support/apps';

describe('database schema', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const config = testConfig();
    dataSource = new DataSource(
      dataSourceOptions({ url: config.DATABASE_URL, entities: ENTITIES, migrations: MIGRATIONS }),
    );
    await dataSource.initialize();
  });

  afterAll(() => dataSource.destroy());

  it('has every migration applied', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('matches the entities exactly: migration:generate would find nothing to write', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('refuses a negative block number in chain_heartbeat', async () => {
    await expect(
      dataSource.query(
        `INSERT INTO chain_heartbeat (chain_id, block_number, block_hash, block_timestamp) VALUES (1, -1, $1, now())`,
        ['0x' + '0'.repeat(64)],
      ),
    ).rejects.toThrow(/ck_chain_heartbeat_block_number/);
  });
});
