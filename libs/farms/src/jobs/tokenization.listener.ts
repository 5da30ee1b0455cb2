import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import { ChainTxListener, type ChainTxListenerOf, type ChainTxOutcome } from '@gpu/chain';
import { FarmToken } from '../entities/farm-token.entity';
import { Farm } from '../entities/farm.entity';
import { canTransition } from '../farm-lifecycle';
import { TOKENIZATION_TOPIC } from '../use-cases/decide-tokenization';

/** Marks a farm tokenized when its factory transaction is confirmed, or the attempt failed. */
@Injectable()
@ChainTxListener(TOKENIZATION_TOPIC)
export class TokenizationListener implements ChainTxListenerOf {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(FarmToken, {
        where: { chainTxId: outcome.id },
        lock: { mode: 'pessimistic_write' },
      });
      // Told again after a crash, or about an attempt since replaced: nothing left to do.
      if (!token || token.status !== 'pending') return;
      const farm = await manager.findOneOrFail(Farm, {
        where: { id: token.farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (outcome.state === 'confirmed') {
        await manager.update(
          FarmToken,
          { farmId: token.farmId },
          { status: 'confirmed', confirmedAt: new Date() },
        );
        if (canTransition(farm.status, 'tokenized'))
          await manager.update(Farm, { id: farm.id }, { status: 'tokenized' });
        await this.audit.record(manager, WORKER_ACTOR, 'farm.tokenized', `farm:${farm.id}`, {
          before: farm.status,
          after: 'tokenized',
          tokenAddress: token.tokenAddress,
          txHash: outcome.txHash,
          blockNumber: outcome.blockNumber,
        });
      } else {
        await manager.update(
          FarmToken,
          { farmId: token.farmId },
          { status: 'failed', failureReason: outcome.failureReason },
        );
        await this.audit.record(
          manager,
          WORKER_ACTOR,
          'farm.tokenization-failed',
          `farm:${farm.id}`,
          { chainTxId: outcome.id, failureReason: outcome.failureReason },
        );
      }
    });
  }
}
