import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import {
  ChainOutbox,
  ChainTxListener,
  type ChainTxListenerOf,
  type ChainTxOutcome,
  DEPLOYMENT,
  type Deployment,
  rejectOrderCall,
} from '@gpu/chain';
import { InvestmentOrder } from '../entities/investment-order.entity';
import { lockOrder, returnFractions } from '../order-transitions';

/** The topic of settle transactions. */
export const SETTLEMENT_TOPIC = 'issuance.settlement';

/**
 * A paid order is `settled` when its settle transaction is confirmed: the fractions were minted
 * to the wallet and the payment released, atomically. If the chain refused (the wallet is no
 * longer eligible, the deadline passed), the payment goes back through `reject` and the order
 * fails with the reason; its fractions return to the offering.
 */
@Injectable()
@ChainTxListener(SETTLEMENT_TOPIC)
export class SettlementListener implements ChainTxListenerOf {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async onOutcome(outcome: ChainTxOutcome): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const order = await lockOrder(manager, { chainTxId: outcome.id });
      if (!order || order.status !== 'paid') return;
      const subject = `order:${order.id}`;
      if (outcome.state === 'confirmed') {
        await manager.update(
          InvestmentOrder,
          { id: order.id },
          {
            status: 'settled',
            settledAt: new Date(),
            settledBlock: outcome.blockNumber === null ? null : BigInt(outcome.blockNumber),
            settlementTxHash: outcome.txHash,
          },
        );
        await this.audit.record(manager, WORKER_ACTOR, 'order.settled', subject, {
          fractions: order.fractions.toString(),
          amount: order.amount.toString(),
          wallet: order.wallet,
          txHash: outcome.txHash,
        });
        return;
      }
      const reject = await this.outbox.enqueue(manager, {
        ...rejectOrderCall(this.deployment, order.chainOrderId, order.wallet),
        reference: subject,
        idempotencyKey: `order-reject-${order.id}`,
      });
      await manager.update(
        InvestmentOrder,
        { id: order.id },
        {
          status: 'failed',
          failureReason: `settlement refused on chain (${outcome.failureReason ?? 'unknown'}); the payment is returned`,
          chainTxId: reject.id,
        },
      );
      await returnFractions(manager, order.offeringId, order.investorId, order.fractions);
      await this.audit.record(manager, WORKER_ACTOR, 'order.settlement-failed', subject, {
        failureReason: outcome.failureReason,
        rejectChainTxId: reject.id,
      });
    });
  }
}
