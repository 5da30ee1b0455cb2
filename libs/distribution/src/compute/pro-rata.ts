export interface ProRataResult {
  /** Entitlement per holder, in the order of the balances given. */
  amounts: bigint[];
  paid: bigint;
  /** distributable - paid: less than the number of holders with a balance, or all of it when no one holds any. */
  dust: bigint;
}

/**
 * Each holder's floor(distributable x balance / supply), where supply is the sum of the balances.
 * The remainder is dust, so paid + dust = distributable exactly.
 */
export function proRata(distributable: bigint, balances: readonly bigint[]): ProRataResult {
  if (distributable < 0n) throw new RangeError('the distributable amount cannot be negative');
  let supply = 0n;
  for (const balance of balances) {
    if (balance < 0n) throw new RangeError('a balance cannot be negative');
    supply += balance;
  }
  const amounts = new Array<bigint>(balances.length);
  let paid = 0n;
  for (let i = 0; i < balances.length; i++) {
    const amount = supply === 0n ? 0n : (distributable * balances[i]) / supply;
    amounts[i] = amount;
    paid += amount;
  }
  return { amounts, paid, dust: distributable - paid };
}
