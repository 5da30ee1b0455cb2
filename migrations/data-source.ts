import { DataSource } from 'typeorm';
import { scriptEnvironment, loadConfig } from '@gpu/config';
import { dataSourceOptions } from '@gpu/database';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './index';

/** For the TypeORM CLI (npm run migration:run / migration:generate / migration:revert). */
const config = loadConfig(scriptEnvironment(process.env), { only: ['DATABASE_URL'] });

export default new DataSource(
  dataSourceOptions({ url: config.DATABASE_URL, entities: ENTITIES, migrations: MIGRATIONS }),
);
