import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { ChainTxListener, type ChainTxListenerOf, type ChainTxOutcome } from '@gpu/chain';
import { inTransaction } from '@gpu/database';
import { ENFORCEMENT_TOPIC } from '../compliance.tokens';
import { EnforcementAction } from '../entities/enforcement-action.entity';

/** Records what the chain made of an enforcement action: confirmed, or refused with the reason. */
@Injectable()
@ChainTxListener(ENFORCEMENT_TOPIC)
export class EnforcementOutcomeListener implements ChainTxListenerOf {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      const action = await manager.findOne(EnforcementAction, {
        where: { chainTxId: outcome.id, status: 'pending' },
        lock: { mode: 'pessimistic_write' },
      });
      if (!action) return;
      const confirmed = outcome.state === 'confirmed';
      await manager.update(
        EnforcementAction,
        { id: action.id },
        {
          status: confirmed ? 'confirmed' : 'failed',
          txHash: outcome.txHash,
          failure: confirmed ? null : (outcome.failureReason ?? outcome.state),
          completedAt: new Date(),
        },
      );
      await this.audit.record(
        manager,
        WORKER_ACTOR,
        `compliance.${action.kind}.${confirmed ? 'confirmed' : 'failed'}`,
        `farm:${action.farmId}`,
        { actionId: action.id, txHash: outcome.txHash, failure: outcome.failureReason },
      );
    });
  }
}
