import type { HolderBalance } from './holder-snapshot';
import { proRata } from './pro-rata';

/** An account's line: balance at the snapshot, this epoch's entitlement, its cumulative one. */
export interface EntitlementLine {
  account: string;
  balance: bigint;
  amount: bigint;
  cumulative: bigint;
}

export interface EntitlementPlan {
  /** Ascending by account: holders now and every earlier account with an entitlement. */
  lines: EntitlementLine[];
  holders: number;
  supply: bigint;
  paid: bigint;
  dust: bigint;
  totalCumulative: bigint;
}

/**
 * This epoch's entitlements on top of the previous cumulative ones. A recovered wallet's cumulative
 * entitlement moves to its new wallet, as the token moves what it has claimed.
 */
export function planEntitlements(
  distributable: bigint,
  holders: readonly HolderBalance[],
  previous: ReadonlyMap<string, bigint>,
  recoveries: readonly { lostWallet: string; newWallet: string }[] = [],
): EntitlementPlan {
  const carried = new Map(previous);
  for (const { lostWallet, newWallet } of recoveries) {
    const moved = carried.get(lostWallet);
    if (moved === undefined) continue;
    carried.delete(lostWallet);
    carried.set(newWallet, (carried.get(newWallet) ?? 0n) + moved);
  }
  const { amounts, paid, dust } = proRata(
    distributable,
    holders.map((holder) => holder.balance),
  );
  const lines: EntitlementLine[] = holders.map((holder, i) => {
    const before = carried.get(holder.account) ?? 0n;
    carried.delete(holder.account);
    return {
      account: holder.account,
      balance: holder.balance,
      amount: amounts[i],
      cumulative: before + amounts[i],
    };
  });
  for (const [account, cumulative] of carried) {
    if (cumulative > 0n) lines.push({ account, balance: 0n, amount: 0n, cumulative });
  }
  lines.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  let supply = 0n;
  let totalCumulative = 0n;
  for (const line of lines) {
    supply += line.balance;
    totalCumulative += line.cumulative;
  }
  return { lines, holders: holders.length, supply, paid, dust, totalCumulative };
}
