import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ChainError,
  ChainErrorCode,
  ChainOutbox,
  DEPLOYMENT,
  type Deployment,
  anchorAuditHeadCall,
} from '@gpu/chain';
import { AppConfig } from '@gpu/config';
import { inTransaction } from '@gpu/database';
import { JobHandler, type JobHandlerOf, JobQueue } from '@gpu/queue';
import { AuditAnchorRepository } from '../audit-anchor.repository';

export interface AuditAnchorRun {
  /** The log's head when the job ran; null for an empty log. */
  sequence: string | null;
  /** The outbox transaction that anchors it; null when the head was already anchored (or the log is empty). */
  chainTxId: string | null;
}

/** The outbox key of the anchor of entry `sequence`: one transaction per anchored head. */
export const auditAnchorKey = (sequence: bigint): string => `audit-anchor-${sequence}`;

/**
 * Every AUDIT_ANCHOR_INTERVAL_MS, anchors the audit log's head on chain through the outbox when
 * it is above the last anchor the indexer saw. While an anchor is on its way, the next run
 * enqueues the same key again, which the outbox answers with the first transaction. The anchor
 * itself is not audited: an entry for it would move the head, and every run would anchor again.
 */
@Injectable()
@JobHandler('audit.anchor')
export class AuditAnchorProcessor implements JobHandlerOf<'audit.anchor'>, OnApplicationBootstrap {
  private readonly logger = new Logger(AuditAnchorProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly anchors: AuditAnchorRepository,
    private readonly outbox: ChainOutbox,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.schedule('audit.anchor', this.config.AUDIT_ANCHOR_INTERVAL_MS, {});
  }

  async handle(): Promise<AuditAnchorRun> {
    return inTransaction(this.dataSource, async (manager) => {
      const head = await this.anchors.head(manager);
      if (!head) return { sequence: null, chainTxId: null };
      const sequence = head.sequence.toString();
      if (head.sequence <= (await this.anchors.lastIndexedAnchor(manager)))
        return { sequence, chainTxId: null };
      try {
        const tx = await this.outbox.enqueue(manager, {
          ...anchorAuditHeadCall(this.deployment, head.sequence, head.hash),
          reference: `audit:${sequence}`,
          idempotencyKey: auditAnchorKey(head.sequence),
        });
        return { sequence, chainTxId: tx.id };
      } catch (error) {
        if (error instanceof ChainError && error.code === ChainErrorCode.IDEMPOTENCY_CONFLICT) {
          // The key holds the hash this entry had when its anchor was requested.
          const message = `audit entry ${sequence} no longer has the hash its anchor was requested with: the audit log was rewritten`;
          this.logger.error(message);
          throw new Error(message);
        }
        throw error;
      }
    });
  }
}
