import type { DataSourceOptions } from 'typeorm';
import type { MixedList } from 'typeorm/common/MixedList';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseSettings {
  url: string;
  entities: MixedList<Function>;
  migrations?: MixedList<Function>;
  applicationName?: string;
}

/** The one place that shapes a DataSource. The schema only ever comes from migrations. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities,
    migrations: settings.migrations ?? [],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: settings.applicationName,
    extra: { max: 10, connectionTimeoutMillis: 5000 },
  };
}
