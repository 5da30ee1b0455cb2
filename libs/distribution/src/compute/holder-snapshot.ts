import type { EntityManager } from 'typeorm';
import { BALANCES_AT_BLOCK } from '@gpu/chain';

export interface HolderBalance {
  account: string;
  balance: bigint;
}

/**
 * Every account's balance of `token` at the end of `block`, from the indexed transfers alone
 * (no balanceOf calls, no snapshot extension on the token), ascending by account.
 */
export async function holdersAt(
  manager: EntityManager,
  token: string,
  block: bigint,
): Promise<HolderBalance[]> {
  const rows = await manager.query<{ account: string; balance: string }[]>(
    `WITH ${BALANCES_AT_BLOCK.forward}
     SELECT account, balance::text AS balance FROM balances ORDER BY account COLLATE "C"`,
    [token, block.toString()],
  );
  return rows.map((row) => ({ account: row.account, balance: BigInt(row.balance) }));
}

/** Wallets recovered (lost -> new) on `token` in blocks (after, upTo], in chain order. */
export async function recoveriesBetween(
  manager: EntityManager,
  token: string,
  after: bigint,
  upTo: bigint,
): Promise<{ lostWallet: string; newWallet: string }[]> {
  return manager.query(
    `SELECT args->>'lostWallet' AS "lostWallet", args->>'newWallet' AS "newWallet" FROM chain_event
      WHERE address = $1 AND name = 'WalletRecovered' AND block_number > $2 AND block_number <= $3
      ORDER BY block_number, log_index`,
    [token, after.toString(), upTo.toString()],
  );
}
