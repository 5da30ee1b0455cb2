import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool behind a TypeORM DataSource. Hot paths use it for named prepared statements
 * (`{ name, text, values }`), which Postgres plans once per connection instead of on every call.
 */
export function pgPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
