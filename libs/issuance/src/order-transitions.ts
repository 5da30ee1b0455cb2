import type { EntityManager } from 'typeorm';

/** Gives fractions of orders that will not settle back to their offering. */
export async function returnFractions(
  manager: EntityManager,
  offeringId: string,
  fractions: bigint,
): Promise<void> {
  if (fractions <= 0n) return;
  await manager.query(
    `UPDATE offering SET remaining = remaining + $2, updated_at = now() WHERE id = $1`,
    [offeringId, fractions.toString()],
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
  const [ended] = await manager.query<[{ offering_id: string; fractions: string }[], number]>(
    `UPDATE investment_order SET status = $1, failure_reason = $2, updated_at = now()
      WHERE status = 'reserved' AND ${'offeringId' in scope ? 'offering_id = $3' : 'reserved_until <= $3'}
      RETURNING offering_id, fractions`,
    [status, reason, 'offeringId' in scope ? scope.offeringId : scope.expiredBy],
  );
  const byOffering = new Map<string, bigint>();
  for (const row of ended)
    byOffering.set(
      row.offering_id,
      (byOffering.get(row.offering_id) ?? 0n) + BigInt(row.fractions),
    );
  for (const [offeringId, fractions] of byOffering)
    await returnFractions(manager, offeringId, fractions);
  return ended.length;
}
