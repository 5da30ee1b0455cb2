import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows of `sql` in pages of `pageRows`, through a server-side cursor named `name` in the
 * caller's transaction: memory stays flat however many rows there are.
 */
export async function* cursorPages<Row>(
  manager: EntityManager,
  name: string,
  sql: string,
  params: unknown[],
  pageRows: number,
): AsyncGenerator<Row[]> {
  await manager.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const rows: Row[] = await manager.query(`FETCH ${pageRows} FROM ${name}`);
      if (rows.length === 0) return;
      yield rows;
    }
  } finally {
    await manager.query(`CLOSE ${name}`);
  }
}

/**
 * `cursorPages` on a connection of its own, in a read-only REPEATABLE READ transaction: one
 * consistent snapshot for a long export, released when the consumer stops early too.
 */
export async function* snapshotPages<Row>(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
  pageRows: number,
): AsyncGenerator<Row[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    // A reader that stalls gives its connection and snapshot back.
    await runner.query(`SET LOCAL idle_in_transaction_session_timeout = '60s'`);
    await runner.query(`SET LOCAL statement_timeout = '60s'`);
    yield* cursorPages<Row>(runner.manager, 'export_rows', sql, params, pageRows);
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}
