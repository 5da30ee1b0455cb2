import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, WORKER_ACTOR } from '@gpu/audit';
import {
  ChainEventFeed,
  ChainOutbox,
  DEPLOYMENT,
  type Deployment,
  type FedEvent,
  rejectOrderCall,
  settleOrderCall,
} from '@gpu/chain';
import { InvestmentOrder } from '../entities/investment-order.entity';
import { SETTLEMENT_TOPIC } from '../jobs/settlement.listener';
import { lockOrder, returnFractions } from '../order-transitions';

const CONSUMER = 'issuance.sale-events';
const BATCH = 500;

/**
 * Acts on the PrimarySale's indexed events, once each, in order:
 * - a payment that matches a reserved order (payer, token, fractions, amount) marks it paid and
 *   sends the settlement (delivery versus payment) through the outbox, in the same transaction;
 * - any other payment (unknown order, another payer, other terms, or after the reservation
 *   ended) is returned to its payer with `reject`;
 * - a refund (the investor's own, or the return of a rejected payment) marks the order refunded.
 */
@Injectable()
export class ProcessSaleEvents {
  private readonly logger = new Logger(ProcessSaleEvents.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  /** Processes one batch; returns how many events it read (a full batch: call again). */
  async execute(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = await ChainEventFeed.next(
        manager,
        CONSUMER,
        { contract: 'PrimarySale', names: ['OrderPaid', 'OrderRefunded'] },
        BATCH,
      );
      const sale = this.deployment.contracts.PrimarySale.address.toLowerCase();
      for (const event of events) {
        if (event.address !== sale) continue;
        if (event.name === 'OrderPaid') await this.onPaid(manager, event);
        else await this.onRefunded(manager, event);
      }
      if (events.length) await ChainEventFeed.advance(manager, CONSUMER, events.at(-1)!);
      return events.length;
    });
  }

  private async onPaid(manager: EntityManager, event: FedEvent): Promise<void> {
    const { orderId, investor, token, fractions, amount, deadline } = event.args;
    const order = await lockOrder(manager, { chainOrderId: orderId });
    // The same payment read again (an event re-indexed after a reorg): already acted on.
    if (order?.paymentTxHash === event.txHash) return;
    const matches =
      order !== null &&
      order.wallet === investor &&
      order.tokenAddress === token &&
      order.fractions === BigInt(fractions) &&
      order.amount === BigInt(amount);
    if (order && matches && order.status === 'reserved') {
      const settle = await this.outbox.enqueue(manager, {
        ...settleOrderCall(this.deployment, orderId, investor),
        reference: `order:${order.id}`,
        idempotencyKey: `order-settle-${order.id}`,
        topic: SETTLEMENT_TOPIC,
      });
      await manager.update(
        InvestmentOrder,
        { id: order.id },
        {
          status: 'paid',
          paidAt: new Date(),
          paymentTxHash: event.txHash,
          settlementDeadline: new Date(Number(deadline) * 1000),
          chainTxId: settle.id,
        },
      );
      return;
    }
    const reason = !order
      ? 'no such order'
      : !matches
        ? 'the payment does not match the order (payer, token, fractions or amount)'
        : `the order is ${order.status}`;
    const reject = await this.outbox.enqueue(manager, {
      ...rejectOrderCall(this.deployment, orderId, investor),
      reference: order ? `order:${order.id}` : `sale-payment:${orderId}`,
      idempotencyKey: `sale-reject-${orderId}-${investor}`,
    });
    if (order && !matches && order.wallet === investor && order.status === 'reserved') {
      // The order's own wallet paid other terms: the sale now holds that (order, payer) pair, so
      // the order can never be paid; it ends, and its fractions return.
      await manager.update(
        InvestmentOrder,
        { id: order.id },
        {
          status: 'cancelled',
          failureReason: 'paid with other terms than the order; the payment is returned',
          chainTxId: reject.id,
        },
      );
      await returnFractions(manager, order.offeringId, order.investorId, order.fractions);
    }
    if (order && matches && (order.status === 'expired' || order.status === 'cancelled')) {
      // Its fractions returned when it ended; the late payment goes back to the investor.
      await manager.update(
        InvestmentOrder,
        { id: order.id },
        {
          status: 'failed',
          paidAt: new Date(),
          paymentTxHash: event.txHash,
          failureReason: `paid after the order was ${order.status}; the payment is returned`,
          chainTxId: reject.id,
        },
      );
    }
    this.logger.warn(`returning payment ${event.txHash} for order ${orderId}: ${reason}`);
    await this.audit.record(
      manager,
      WORKER_ACTOR,
      'sale.payment-returned',
      order ? `order:${order.id}` : `sale-payment:${orderId}`,
      {
        payer: investor,
        token,
        fractions,
        amount,
        txHash: event.txHash,
        reason,
        chainTxId: reject.id,
      },
    );
  }

  private async onRefunded(manager: EntityManager, event: FedEvent): Promise<void> {
    const { orderId, investor } = event.args;
    const order = await lockOrder(manager, { chainOrderId: orderId, wallet: investor });
    if (!order || !['paid', 'failed', 'refundable'].includes(order.status)) return;
    await manager.update(InvestmentOrder, { id: order.id }, { status: 'refunded' });
    // A paid order refunded by the investor before the platform saw its deadline pass: its
    // fractions return now (failed and refundable orders gave them back already).
    if (order.status === 'paid')
      await returnFractions(manager, order.offeringId, order.investorId, order.fractions);
  }
}
