/**
 * `balances (account, balance)`: every holder's balance of token $1 at the end of block $2, from
 * the indexed transfers, as a CTE: summed `forward` from the first transfer, or `backward` from the
 * indexed balances now by undoing the later transfers (the same table; read whichever side of the
 * history is shorter). Holders with nothing are left out.
 */
export const BALANCES_AT_BLOCK = {
  forward: `balances AS (
    SELECT account, sum(delta) AS balance FROM (
        SELECT to_address AS account, amount AS delta FROM token_transfer
         WHERE token = $1 AND block_number <= $2
        UNION ALL
        SELECT from_address, -amount FROM token_transfer
         WHERE token = $1 AND block_number <= $2
      ) moves
     WHERE account <> '0x0000000000000000000000000000000000000000'
     GROUP BY account HAVING sum(delta) > 0
  )`,
  backward: `later AS (
    SELECT account, sum(delta) AS delta FROM (
        SELECT to_address AS account, amount AS delta FROM token_transfer
         WHERE token = $1 AND block_number > $2
        UNION ALL
        SELECT from_address, -amount FROM token_transfer
         WHERE token = $1 AND block_number > $2
      ) moves GROUP BY account
  ), balances AS (
    SELECT b.holder AS account, b.balance - coalesce(l.delta, 0) AS balance
      FROM token_balance b LEFT JOIN later l ON l.account = b.holder
     WHERE b.token = $1 AND b.balance - coalesce(l.delta, 0) > 0
  )`,
} as const;
