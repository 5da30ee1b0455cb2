import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@gpu/database';
import { ENTITIES } from '../../migrations/entities';
import { MIGRATIONS } from '../../migrations/index';

/** Applies every pending migration; returns the names it applied. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(
    dataSourceOptions({ url: databaseUrl, entities: ENTITIES, migrations: MIGRATIONS }),
  );
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
