import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one database transaction. Business rows, audit rows and outbox rows that a
 * use case writes through `manager` commit together or not at all.
 */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction('READ COMMITTED', work);
}
