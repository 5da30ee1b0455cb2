import { Inject, Injectable } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { CHAIN_PROVIDER, DEPLOYMENT, type Deployment, readSaleOrder } from '@gpu/chain';
import { AppConfig } from '@gpu/config';
import { endReservations, lockOrder, returnFractions } from '../order-transitions';

export interface ExpiryRound {
  expiredReservations: number;
  closedOfferings: number;
  refundable: number;
}

/**
 * The clock's work: unpaid reservations expire once their pay-by time and a grace for the
 * indexer to see a payment made just in time have passed, and return their fractions; open
 * offerings past their end close (the sale contract refuses payment by itself); a paid order
 * whose settlement is still not mined after its on-chain deadline is checked on chain: if the
 * sale still holds it as paid and the chain's time is past the deadline, it can never settle, so
 * it becomes refundable (the investor calls `refund`) and its fractions return.
 */
@Injectable()
export class ExpireOrders {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  async execute(now = new Date()): Promise<ExpiryRound> {
    const graceMs = this.config.ORDER_PAYMENT_GRACE_SECONDS * 1000;
    const { expiredReservations, closedOfferings } = await this.dataSource.transaction(
      async (manager) => {
        const expired = await endReservations(
          manager,
          { expiredBy: new Date(now.getTime() - graceMs) },
          'expired',
          'not paid in time',
        );
        const [closed] = await manager.query<[unknown[], number]>(
          `UPDATE offering SET status = 'closed', closed_at = closes_at, version = version + 1, updated_at = now()
            WHERE status = 'open' AND closes_at <= $1 RETURNING id`,
          [now],
        );
        return { expiredReservations: expired, closedOfferings: closed.length };
      },
    );
    return { expiredReservations, closedOfferings, refundable: await this.stuckPaidOrders(now) };
  }

  private async stuckPaidOrders(now: Date): Promise<number> {
    const candidates = await this.dataSource.query<
      { id: string; chain_order_id: string; wallet: string }[]
    >(
      `SELECT o.id, o.chain_order_id, o.wallet FROM investment_order o JOIN chain_tx t ON t.id = o.chain_tx_id
        WHERE o.status = 'paid' AND o.settlement_deadline <= $1 AND t.state NOT IN ('mined', 'confirmed', 'failed')
        ORDER BY o.settlement_deadline LIMIT 100`,
      [now],
    );
    let refundable = 0;
    for (const candidate of candidates) {
      const onChain = await readSaleOrder(
        this.provider,
        this.deployment,
        candidate.chain_order_id,
        candidate.wallet,
      );
      if (onChain.status !== 'paid' || onChain.chainTime <= onChain.deadline) continue;
      refundable += await this.dataSource.transaction(async (manager) => {
        const order = await lockOrder(manager, { id: candidate.id });
        if (order?.status !== 'paid') return 0;
        const [rows] = await manager.query<
          [{ offering_id: string; investor_id: string; fractions: string }[], number]
        >(
          `UPDATE investment_order SET status = 'refundable', updated_at = now(),
                  failure_reason = 'not settled by the on-chain deadline; the investor may take a refund'
            WHERE id = $1 AND status = 'paid' RETURNING offering_id, investor_id, fractions`,
          [candidate.id],
        );
        for (const row of rows)
          await returnFractions(manager, row.offering_id, row.investor_id, BigInt(row.fractions));
        return rows.length;
      });
    }
    return refundable;
  }
}
