import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AuditAnchorModule,
  AuditEntry,
  AuditLog,
  AuditVerificationService,
  type AuditRecord,
  entryHash,
  verifyAuditAnchors,
  verifyAuditLog,
} from '@gpu/audit';
import { ChainEvent, ChainTx, ChainTxState } from '@gpu/chain';
import { loadConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { startWorker } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';
import { waitFor } from '../../scripts/lib/wait-for';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The worker's `audit.anchor` job anchors the audit log's head on chain through the outbox, the
 * indexer stores the AuditHeadAnchored event, and verification checks the log against it: a
 * database rewrite the hash chain cannot see (every later hash recomputed) or a truncation below
 * an anchored entry is caught by the anchors.
 */
describe('audit log anchored on chain', () => {
  let iso: IsolatedStack;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let verification: AuditVerificationService;
  const log = new AuditLog();

  beforeAll(async () => {
    iso = await startIsolatedStack({ AUDIT_ANCHOR_INTERVAL_MS: '1000' });
    worker = await startWorker(loadConfig(iso.env), [AuditAnchorModule]);
    dataSource = worker.get(DataSource);
    verification = worker.get(AuditVerificationService);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await iso?.stop();
  });

  const record = (n: number): AuditRecord => ({
    actor: `user:${n % 2}`,
    role: 'compliance',
    action: 'kyc.approve',
    subject: `kyc-case:${n}`,
    requestId: `req-${n}`,
    change: { status: { from: 'pending', to: 'approved' }, n },
  });

  /** Appends entries `from` to `to` in one transaction, so that the job sees the head jump at once. */
  async function append(from: number, to: number): Promise<void> {
    await inTransaction(dataSource, async (manager) => {
      for (let n = from; n <= to; n++) await log.append(manager, record(n));
    });
  }

  const hashOf = async (sequence: number): Promise<string> =>
    (await dataSource.getRepository(AuditEntry).findOneByOrFail({ sequence: BigInt(sequence) }))
      .hash;

  /** The indexed AuditHeadAnchored event of entry `sequence`, once the worker anchored it. */
  async function anchoredEvent(sequence: number): Promise<ChainEvent> {
    return waitFor(
      async () =>
        (await dataSource
          .getRepository(ChainEvent)
          .createQueryBuilder('e')
          .where(`e.name = 'AuditHeadAnchored' AND e.args->>'sequence' = :sequence`, {
            sequence: String(sequence),
          })
          .getOne()) ?? undefined,
      { timeoutMs: 20_000, what: `entry ${sequence} to be anchored and indexed` },
    );
  }

  const anchorTxs = () =>
    dataSource.getRepository(ChainTx).find({ where: { method: 'AuditAnchor.anchor' } });

  /** `npm run audit:verify` against this stack's database and chain: its exit code and output. */
  async function auditVerifyScript(): Promise<{ code: number; stdout: string }> {
    const args = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...args, 'scripts/audit-verify.ts'],
        { cwd: ROOT, env: iso.env, timeout: 60_000 },
      );
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
    }
  }

  /** What a superuser could do: switch the append-only trigger off, run `sql`, switch it on. */
  async function tamper(...statements: [string, unknown[]?][]): Promise<void> {
    await dataSource.query(`ALTER TABLE audit_entry DISABLE TRIGGER tr_audit_entry_append_only`);
    try {
      for (const [sql, params] of statements) await dataSource.query(sql, params);
    } finally {
      await dataSource.query(`ALTER TABLE audit_entry ENABLE TRIGGER tr_audit_entry_append_only`);
    }
  }

  it('anchors the head through the outbox; the indexed anchor and the contract match the log', async () => {
    await append(1, 3);

    const event = await anchoredEvent(3);

    const head3 = `0x${await hashOf(3)}`;
    expect(event).toMatchObject({ contract: 'AuditAnchor', args: { sequence: '3', head: head3 } });
    // The indexer may read the block before the sender has counted its confirmations.
    const [tx] = await waitFor(
      async () => {
        const txs = await anchorTxs();
        return txs[0]?.state === ChainTxState.Confirmed ? txs : undefined;
      },
      { what: 'the anchor transaction confirmed' },
    );
    expect(tx).toMatchObject({
      idempotencyKey: 'audit-anchor-3',
      reference: 'audit:3',
      lane: 'platform',
      state: ChainTxState.Confirmed,
      txHash: event.txHash,
    });
    const result = await verification.verify();
    expect(result).toMatchObject({
      valid: true,
      entries: 3,
      head: { sequence: '3' },
      anchors: {
        count: 1,
        latest: {
          sequence: '3',
          head: head3,
          txHash: event.txHash,
          blockNumber: event.blockNumber.toString(),
        },
        contract: { sequence: '3', head: head3 },
        mismatches: [],
      },
    });
    expect(result.firstProblem).toBeUndefined();
    const script = await auditVerifyScript();
    expect(script.stdout).toContain(`contract's last anchor: entry 3, head ${head3}`);
    expect(script.stdout).toContain('the audit log verifies, and matches its anchors on chain');
    expect(script.code).toBe(0);
  });

  it('anchors again only when the head moved, and never audits the anchor itself', async () => {
    // Several runs of the job (every second) with the head where it was.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await anchorTxs()).toHaveLength(1);
    expect(await dataSource.getRepository(AuditEntry).count()).toBe(3);

    await append(4, 5);
    await anchoredEvent(5);

    expect((await anchorTxs()).map((tx) => tx.idempotencyKey).sort()).toEqual([
      'audit-anchor-3',
      'audit-anchor-5',
    ]);
    expect(await dataSource.getRepository(AuditEntry).count()).toBe(5);
    expect(await verification.verify()).toMatchObject({
      valid: true,
      entries: 5,
      anchors: { count: 2, latest: { sequence: '5' }, contract: { sequence: '5' }, mismatches: [] },
    });
  });

  it('catches a truncation below an anchored entry, which the hash chain alone cannot see', async () => {
    const head5 = `0x${await hashOf(5)}`;
    await tamper(
      [`CREATE TABLE audit_entry_kept AS SELECT * FROM audit_entry WHERE sequence > 3`],
      [`DELETE FROM audit_entry WHERE sequence > 3`],
    );
    try {
      expect(await verifyAuditLog(dataSource)).toMatchObject({ valid: true, entries: 3 });

      const result = await verification.verify();

      expect(result).toMatchObject({
        valid: false,
        entries: 3,
        firstProblem: { sequence: '5', problem: expect.stringMatching(/entry 5.*is missing/) },
      });
      expect(result.anchors.mismatches).toEqual([
        expect.objectContaining({ sequence: '5', anchored: head5, stored: null, source: 'index' }),
        expect.objectContaining({
          sequence: '5',
          anchored: head5,
          stored: null,
          source: 'contract',
        }),
      ]);
    } finally {
      await dataSource.query(`INSERT INTO audit_entry SELECT * FROM audit_entry_kept`);
      await dataSource.query(`DROP TABLE audit_entry_kept`);
    }
    expect(await verification.verify()).toMatchObject({ valid: true, entries: 5 });
  });

  it('catches a rewrite that recomputed every later hash: the chain verifies, the anchors do not', async () => {
    const anchored = { 3: `0x${await hashOf(3)}`, 5: `0x${await hashOf(5)}` };
    const entries = await dataSource.getRepository(AuditEntry).find({ order: { sequence: 'ASC' } });
    // Entry 2 gets another actor; entries 2 to 5 get new, consistent hashes.
    const statements: [string, unknown[]][] = [];
    let previousHash = entries[0].hash;
    for (const entry of entries.slice(1)) {
      const { hash: _old, ...fields } = entry;
      if (entry.sequence === 2n) fields.actor = 'user:someone-else';
      fields.previousHash = previousHash;
      previousHash = entryHash(fields);
      statements.push([
        `UPDATE audit_entry SET actor = $1, previous_hash = $2, hash = $3 WHERE sequence = $4`,
        [fields.actor, fields.previousHash, previousHash, entry.sequence.toString()],
      ]);
    }
    await tamper(...statements);

    expect(await verifyAuditLog(dataSource)).toMatchObject({
      valid: true,
      entries: 5,
      head: { sequence: '5', hash: previousHash },
    });

    const result = await verification.verify();

    expect(result).toMatchObject({
      valid: false,
      entries: 5,
      firstProblem: {
        sequence: '3',
        problem: expect.stringMatching(/entry 3 does not match.*rewritten at or before entry 3/),
      },
    });
    expect(result.anchors.mismatches).toEqual([
      expect.objectContaining({ sequence: '3', anchored: anchored[3], source: 'index' }),
      expect.objectContaining({
        sequence: '5',
        anchored: anchored[5],
        stored: `0x${previousHash}`,
        source: 'index',
      }),
      expect.objectContaining({ sequence: '5', anchored: anchored[5], source: 'contract' }),
    ]);
    const script = await auditVerifyScript();
    expect(script.stdout).toContain(`ANCHOR MISMATCH at entry 3: ${anchored[3]} anchored in tx`);
    expect(script.stdout).toMatch(/BROKEN at entry 3: entry 3 does not match/);
    expect(script.code).toBe(1);
    // From the database alone (no chain access), the indexed anchors still catch it.
    const indexOnly = await verifyAuditAnchors(dataSource);
    expect(indexOnly).toMatchObject({ valid: false, firstProblem: { sequence: '3' } });
    expect(indexOnly.anchors).not.toHaveProperty('contract');
    expect(indexOnly.anchors.mismatches.map((m) => m.sequence)).toEqual(['3', '5']);
  });
});
