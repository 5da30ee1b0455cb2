import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one database transaction (READ COMMITTED, Postgres's default, so no extra
 * statement is sent to set it). Business rows, audit rows and outbox rows that a use case writes
 * through `manager` commit together or not at all.
 */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(work);
}
