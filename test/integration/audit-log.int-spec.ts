import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AUDIT_ENTITIES, AuditLog, type AuditRecord, verifyAuditLog } from '@gpu/audit';
import {
  dataSourceOptions,
  dropDatabase,
  ensureDatabase,
  inTransaction,
  withDatabaseName,
} from '@gpu/database';
import { runMigrations } from '../../scripts/lib/migrate';

/** Each test gets a fresh, migrated database: tampering with the log must not leak into others. */
describe('audit log: append-only, hash-chained, verifiable', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  const log = new AuditLog();

  beforeEach(async () => {
    databaseUrl = withDatabaseName(
      process.env.DATABASE_URL!,
      `gpu_test_audit_${randomBytes(4).toString('hex')}`,
    );
    await ensureDatabase(databaseUrl);
    await runMigrations(databaseUrl);
    dataSource = new DataSource(dataSourceOptions({ url: databaseUrl, entities: AUDIT_ENTITIES }));
    await dataSource.initialize();
  });

  afterEach(async () => {
    await dataSource?.destroy();
    await dropDatabase(databaseUrl);
  });

  const record = (n: number): AuditRecord => ({
    actor: `user:${n % 3}`,
    role: 'compliance',
    action: 'kyc.approve',
    subject: `kyc-case:${n}`,
    requestId: `req-${n}`,
    change: { status: { from: 'pending', to: 'approved' }, n },
  });

  async function appendMany(count: number): Promise<void> {
    for (let n = 1; n <= count; n++)
      await inTransaction(dataSource, (manager) => log.append(manager, record(n)));
  }

  /** What a superuser could do: switch the append-only trigger off, run `sql`, switch it on. */
  async function tamper(sql: string): Promise<void> {
    await dataSource.query(`ALTER TABLE audit_entry DISABLE TRIGGER tr_audit_entry_append_only`);
    try {
      await dataSource.query(sql);
    } finally {
      await dataSource.query(`ALTER TABLE audit_entry ENABLE TRIGGER tr_audit_entry_append_only`);
    }
  }

  it('links every entry to the one before, without gaps, even when appended concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inTransaction(dataSource, (manager) => log.append(manager, record(i + 1))),
      ),
    );
    const result = await verifyAuditLog(dataSource);
    expect(result).toMatchObject({ valid: true, entries: 20, head: { sequence: '20' } });
    expect(result.firstProblem).toBeUndefined();
  });

  it('commits an entry with its change or not at all', async () => {
    await appendMany(2);
    await expect(
      inTransaction(dataSource, async (manager) => {
        await log.append(manager, record(3));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await verifyAuditLog(dataSource)).toMatchObject({ valid: true, entries: 2 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await appendMany(2);
    await expect(
      dataSource.query(`UPDATE audit_entry SET actor = 'x' WHERE sequence = 1`),
    ).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM audit_entry WHERE sequence = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`TRUNCATE audit_entry`)).rejects.toThrow(/append-only/);
  });

  it('names the first edited entry', async () => {
    await appendMany(5);
    await tamper(`UPDATE audit_entry SET actor = 'someone-else' WHERE sequence = 3`);
    expect(await verifyAuditLog(dataSource)).toMatchObject({
      valid: false,
      head: { sequence: '2' },
      firstProblem: { sequence: '3', problem: expect.stringMatching(/altered/) },
    });
  });

  it('names a deleted entry', async () => {
    await appendMany(5);
    await tamper(`DELETE FROM audit_entry WHERE sequence = 4`);
    expect(await verifyAuditLog(dataSource)).toMatchObject({
      valid: false,
      firstProblem: { sequence: '4', problem: expect.stringMatching(/missing/) },
    });
  });

  it('names the first entry out of order', async () => {
    await appendMany(5);
    await tamper(`UPDATE audit_entry SET sequence = -sequence WHERE sequence IN (2, 3)`);
    await tamper(
      `UPDATE audit_entry SET sequence = CASE sequence WHEN -2 THEN 3 ELSE 2 END WHERE sequence < 0`,
    );
    expect(await verifyAuditLog(dataSource)).toMatchObject({
      valid: false,
      head: { sequence: '1' },
      firstProblem: { sequence: '2', problem: expect.stringMatching(/does not follow/) },
    });
  });
});
