import type { EntityManager, FindOptionsWhere } from 'typeorm';
import { InvestmentOrder } from './entities/investment-order.entity';

/**
 * Finds an order and locks it after its offering's row: every writer takes the offering first
 * (reservation batches, closing, expiry), so two of them never wait on each other in a circle.
 */
export async function lockOrder(
  manager: EntityManager,
  where: FindOptionsWhere<InvestmentOrder>,
): Promise<InvestmentOrder | null> {
  const found = await manager.findOne(InvestmentOrder, {
    where,
    select: { id: true, offeringId: true },
  });
  if (!found) return null;
  await manager.query(`SELECT 1 FROM offering WHERE id = $1 FOR UPDATE`, [found.offeringId]);
  return manager.findOne(InvestmentOrder, {
    where: { id: found.id },
    lock: { mode: 'pessimistic_write' },
  });
}

/** Gives an investor's fractions of orders that will not settle back to their offering. */
export async function returnFractions(
  manager: EntityManager,
  offeringId: string,
  investorId: string,
  fractions: bigint,
): Promise<void> {
  if (fractions <= 0n) return;
  await manager.query(
    `UPDATE offering SET remaining = remaining + $2, version = version + 1, updated_at = now() WHERE id = $1`,
    [offeringId, fractions.toString()],
  );
  await manager.query(
    `UPDATE offering_allocation SET ordered = ordered - $3 WHERE offering_id = $1 AND investor_id = $2`,
    [offeringId, investorId, fractions.toString()],
  );
}

/**
 * Ends unpaid reservations (of one offering, or every one past its payment deadline) as
 * `status`, and gives their fractions back; returns how many orders it ended.
 */
export async function endReservations(
  manager: EntityManager,
  scope: { offeringId: string } | { expiredBy: Date },
  status: 'cancelled' | 'expired',
  reason: string,
): Promise<number> {
  if ('expiredBy' in scope)
    await manager.query(
      `SELECT 1 FROM offering WHERE id IN (SELECT DISTINCT offering_id FROM investment_order
                                             WHERE status = 'reserved' AND reserved_until <= $1)
        ORDER BY id FOR UPDATE`,
      [scope.expiredBy],
    );
  const [ended] = await manager.query<
    [{ offering_id: string; investor_id: string; fractions: string }[], number]
  >(
    `UPDATE investment_order SET status = $1, failure_reason = $2, updated_at = now()
      WHERE status = 'reserved' AND ${'offeringId' in scope ? 'offering_id = $3' : 'reserved_until <= $3'}
      RETURNING offering_id, investor_id, fractions`,
    [status, reason, 'offeringId' in scope ? scope.offeringId : scope.expiredBy],
  );
  const byInvestor = new Map<
    string,
    { offeringId: string; investorId: string; fractions: bigint }
  >();
  for (const row of ended) {
    const key = `${row.offering_id} ${row.investor_id}`;
    const entry = byInvestor.get(key) ?? {
      offeringId: row.offering_id,
      investorId: row.investor_id,
      fractions: 0n,
    };
    entry.fractions += BigInt(row.fractions);
    byInvestor.set(key, entry);
  }
  for (const { offeringId, investorId, fractions } of byInvestor.values())
    await returnFractions(manager, offeringId, investorId, fractions);
  return ended.length;
}
