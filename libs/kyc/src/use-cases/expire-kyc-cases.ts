import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { IdentityRegistrySync } from '../identity-registry-sync';

const BATCH = 500;

/**
 * Approvals whose expiry has passed become `expired`, and their wallets leave the registry.
 * Batches lock with SKIP LOCKED, so two workers never expire the same case twice. Wallets of
 * disabled accounts still registered are removed too (whatever became of the job the disabling
 * enqueued).
 */
@Injectable()
export class ExpireKycCases {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly registry: IdentityRegistrySync,
  ) {}

  async execute(): Promise<number> {
    await this.removeDisabled();
    let total = 0;
    for (;;) {
      const expired = await this.dataSource.transaction(async (manager) => {
        const [rows]: [{ id: string; investor_id: string; expires_at: Date }[], number] =
          await manager.query(
            `UPDATE kyc_case SET status = 'expired', updated_at = now()
              WHERE id IN (SELECT id FROM kyc_case
                            WHERE status = 'approved' AND expires_at <= now()
                            ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
              RETURNING id, investor_id, expires_at`,
            [BATCH],
          );
        for (const row of rows) {
          await this.audit.record(manager, WORKER_ACTOR, 'kyc.expire', `kyc-case:${row.id}`, {
            before: 'approved',
            after: 'expired',
            expiresAt: row.expires_at,
          });
        }
        for (const investorId of new Set(rows.map((row) => row.investor_id))) {
          await this.registry.sync(manager, investorId, WORKER_ACTOR);
        }
        return rows.length;
      });
      total += expired;
      if (expired < BATCH) return total;
    }
  }

  private async removeDisabled(): Promise<void> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT w.user_id FROM wallet w JOIN app_user u ON u.id = w.user_id
        WHERE u.status = 'disabled' AND w.registry_expiry IS NOT NULL LIMIT $1`,
      [BATCH],
    );
    for (const { user_id: investorId } of rows) {
      await this.dataSource.transaction((manager) =>
        this.registry.sync(manager, investorId, WORKER_ACTOR),
      );
    }
  }
}
