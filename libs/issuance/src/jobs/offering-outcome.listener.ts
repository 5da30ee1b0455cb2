import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { ChainTxListener, type ChainTxListenerOf, type ChainTxOutcome } from '@gpu/chain';
import { canTransition, Farm } from '@gpu/farms';
import { Offering } from '../entities/offering.entity';
import { OFFERING_TOPIC } from '../offerings.service';

/**
 * An opening offering becomes `open` when its setOffering transaction is confirmed (and its
 * farm, at its first offering, `active`), or goes back to draft with the reason if it failed.
 */
@Injectable()
@ChainTxListener(OFFERING_TOPIC)
export class OfferingOutcomeListener implements ChainTxListenerOf {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const offering = await manager.findOne(Offering, {
        where: { chainTxId: outcome.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!offering) return;
      const subject = `offering:${offering.id}`;
      if (offering.status === 'closed') {
        if (outcome.state === 'failed')
          await manager.update(
            Offering,
            { id: offering.id },
            { failureReason: outcome.failureReason },
          );
        return;
      }
      if (offering.status !== 'opening') return;
      if (outcome.state !== 'confirmed') {
        await manager.update(
          Offering,
          { id: offering.id },
          { status: 'draft', failureReason: outcome.failureReason },
        );
        await this.audit.record(manager, WORKER_ACTOR, 'offering.open-failed', subject, {
          chainTxId: outcome.id,
          failureReason: outcome.failureReason,
        });
        return;
      }
      await manager.update(Offering, { id: offering.id }, { status: 'open', openedAt: new Date() });
      await this.audit.record(manager, WORKER_ACTOR, 'offering.opened', subject, {
        txHash: outcome.txHash,
        blockNumber: outcome.blockNumber,
      });
      const farm = await manager.findOne(Farm, {
        where: { id: offering.farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (farm && farm.status === 'tokenized' && canTransition(farm.status, 'active')) {
        await manager.update(Farm, { id: farm.id }, { status: 'active' });
        await this.audit.record(manager, WORKER_ACTOR, 'farm.activated', `farm:${farm.id}`, {
          before: farm.status,
          after: 'active',
          offeringId: offering.id,
        });
      }
    });
  }
}
