import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { endReservations, returnFractions } from '../order-transitions';

/** A paid order is refundable only this long after its deadline, when its settlement never got mined. */
const REFUNDABLE_GRACE_MS = 10 * 60_000;

export interface ExpiryRound {
  expiredReservations: number;
  closedOfferings: number;
  refundable: number;
}

/**
 * The clock's work: unpaid reservations past their payment deadline expire and return their
 * fractions; open offerings past their end close (the sale contract refuses payment by itself);
 * a paid order whose settlement was never mined by its on-chain deadline can no longer settle:
 * it becomes refundable (the investor calls `refund`) and its fractions return.
 */
@Injectable()
export class ExpireOrders {
  constructor(private readonly dataSource: DataSource) {}

  execute(now = new Date()): Promise<ExpiryRound> {
    return this.dataSource.transaction(async (manager) => {
      const expiredReservations = await endReservations(
        manager,
        { expiredBy: now },
        'expired',
        'not paid in time',
      );
      const [closed] = await manager.query<[unknown[], number]>(
        `UPDATE offering SET status = 'closed', closed_at = closes_at, version = version + 1, updated_at = now()
          WHERE status = 'open' AND closes_at <= $1 RETURNING id`,
        [now],
      );
      const [stuck] = await manager.query<
        [{ offering_id: string; investor_id: string; fractions: string }[], number]
      >(
        `UPDATE investment_order o
            SET status = 'refundable', updated_at = now(),
                failure_reason = 'not settled by the on-chain deadline; the investor may take a refund'
           FROM chain_tx t
          WHERE o.status = 'paid' AND o.settlement_deadline <= $1 AND t.id = o.chain_tx_id
            AND t.state NOT IN ('mined', 'confirmed', 'failed')
          RETURNING o.offering_id, o.investor_id, o.fractions`,
        [new Date(now.getTime() - REFUNDABLE_GRACE_MS)],
      );
      for (const row of stuck)
        await returnFractions(manager, row.offering_id, row.investor_id, BigInt(row.fractions));
      return {
        expiredReservations,
        closedOfferings: closed.length,
        refundable: stuck.length,
      };
    });
  }
}
