import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { ChainTxListener, type ChainTxListenerOf, type ChainTxOutcome } from '@gpu/chain';
import { inTransaction } from '@gpu/database';
import { Distribution } from '../entities/distribution.entity';
import { DISTRIBUTION_PUBLISH_TOPIC } from '../distribution.tokens';

/**
 * Marks a distribution published when its root is confirmed on chain, and drops the trees of the
 * farm's earlier distributions (the token accepts proofs of its latest root only). A refused
 * publication stays computed with the reason, to be published again.
 */
@Injectable()
@ChainTxListener(DISTRIBUTION_PUBLISH_TOPIC)
export class PublishOutcomeListener implements ChainTxListenerOf {
  private readonly logger = new Logger(PublishOutcomeListener.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      const distribution = await manager.findOne(Distribution, {
        where: { publishTxId: outcome.id, status: 'computed' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!distribution) return;
      const subject = `distribution:${distribution.id}`;
      if (outcome.state !== 'confirmed') {
        // The same outcome told again: recorded already.
        if (distribution.publishFailure !== null) return;
        await manager.update(
          Distribution,
          { id: distribution.id },
          { publishFailure: outcome.failureReason ?? outcome.state, publishTxHash: outcome.txHash },
        );
        await this.audit.record(manager, WORKER_ACTOR, 'distribution.publish-failed', subject, {
          chainTxId: outcome.id,
          reason: outcome.failureReason,
        });
        this.logger.error(`${subject}: publishing refused: ${outcome.failureReason}`);
        return;
      }
      await manager.update(
        Distribution,
        { id: distribution.id },
        { status: 'published', publishTxHash: outcome.txHash, publishedAt: new Date() },
      );
      // Older trees can prove nothing any more, and their lines with nothing entitled are no
      // one's statement; the lines of this distribution carry the cumulative amounts on.
      await manager.query(
        `DELETE FROM distribution_tree_chunk n USING distribution d
          WHERE n.distribution_id = d.id AND d.farm_id = $1 AND d.epoch < $2`,
        [distribution.farmId, distribution.epoch.toString()],
      );
      await manager.query(
        `DELETE FROM distribution_entitlement e USING distribution d
          WHERE e.distribution_id = d.id AND d.farm_id = $1 AND d.epoch < $2 AND e.amount = 0`,
        [distribution.farmId, distribution.epoch.toString()],
      );
      await this.audit.record(manager, WORKER_ACTOR, 'distribution.published', subject, {
        epoch: distribution.epoch.toString(),
        root: distribution.root,
        totalCumulative: distribution.totalCumulative?.toString(),
        txHash: outcome.txHash,
      });
    });
  }
}
