import type { EntityManager } from 'typeorm';

export interface HolderBalance {
  account: string;
  balance: bigint;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

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
    `SELECT account, sum(delta)::text AS balance FROM (
         SELECT to_address AS account, amount AS delta FROM token_transfer
          WHERE token = $1 AND block_number <= $2
         UNION ALL
         SELECT from_address, -amount FROM token_transfer
          WHERE token = $1 AND block_number <= $2
       ) moves
      WHERE account <> $3
      GROUP BY account HAVING sum(delta) > 0
      ORDER BY account COLLATE "C"`,
    [token, block.toString(), ZERO_ADDRESS],
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
