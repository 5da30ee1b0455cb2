import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { BALANCES_AT_BLOCK } from '@gpu/chain';
import { snapshotPages } from '@gpu/database';
import { FarmError, FarmToken, type FarmViewer, FarmsService } from '@gpu/farms';
import { IssuanceError } from './issuance.errors';

export interface Holding {
  farmId: string;
  farmName: string;
  token: string;
  symbol: string;
  /** Fractions held now, all wallets together (indexed from the chain). */
  balance: string;
  wallets: { wallet: string; balance: string }[];
  /** Fractions bought in settled orders, and what they cost (stablecoin minor units). */
  fractionsBought: string;
  costBasis: string;
}

export interface CapTableEntry {
  wallet: string;
  /** Compliance and admins only: the investor the wallet belongs to. */
  investorId?: string | null;
  balance: string;
  /** Share of the supply in basis points, rounded down. */
  shareBps: number;
  /** Share of the supply in percent, exact to 6 decimals (rounded down). */
  percentage: string;
}

export interface CapTable {
  farmId: string;
  token: string;
  symbol: string;
  totalSupply: string;
  holders: number;
  /** The last block the index has read: the table is as of this block. */
  asOfBlock: string | null;
  items: CapTableEntry[];
}

/** A cap table as CSV: its token and the lines, streamed from one snapshot. */
export interface CapTableCsv {
  token: string;
  symbol: string;
  /** The table's block when asked for one (by number or time); null: now. */
  block: string | null;
  lines: AsyncGenerator<string>;
}

/** The point a cap table is taken at: now, the end of a block, or a time. */
export interface CapTablePoint {
  block?: bigint;
  time?: Date;
}

const CSV_PAGE_ROWS = 5000;

/** Formats balance / supply as a percentage with 6 decimals, in integers only. */
export function percentageOf(balance: bigint, supply: bigint): string {
  if (supply === 0n) return '0.000000';
  const micro = (balance * 100_000_000n) / supply;
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

/** What investors hold, from the indexed chain (balances) and settled orders (cost basis). */
@Injectable()
export class HoldingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly farms: FarmsService,
  ) {}

  async portfolio(investorId: string): Promise<Holding[]> {
    const rows = await this.dataSource.query<
      {
        farm_id: string;
        farm_name: string;
        token: string;
        symbol: string;
        wallets: { wallet: string; balance: string }[];
        fractions_bought: string;
        cost_basis: string;
      }[]
    >(
      `WITH mine AS (SELECT address FROM wallet WHERE user_id = $1),
            held AS (SELECT b.token, b.holder, b.balance FROM token_balance b JOIN mine m ON m.address = b.holder
                      WHERE b.balance > 0),
            bought AS (SELECT token_address AS token, sum(fractions) AS fractions, sum(amount) AS cost
                         FROM investment_order WHERE investor_id = $1 AND status = 'settled' GROUP BY token_address),
            tokens AS (SELECT token FROM held UNION SELECT token FROM bought)
       SELECT t.farm_id, f.name AS farm_name, t.token_address AS token, t.symbol,
              coalesce((SELECT json_agg(json_build_object('wallet', h.holder, 'balance', h.balance::text) ORDER BY h.holder)
                          FROM held h WHERE h.token = t.token_address), '[]'::json) AS wallets,
              coalesce(b.fractions, 0)::text AS fractions_bought, coalesce(b.cost, 0)::text AS cost_basis
         FROM tokens k JOIN farm_token t ON t.token_address = k.token JOIN farm f ON f.id = t.farm_id
         LEFT JOIN bought b ON b.token = k.token
        ORDER BY f.name, t.token_address`,
      [investorId],
    );
    return rows.map((row) => ({
      farmId: row.farm_id,
      farmName: row.farm_name,
      token: row.token,
      symbol: row.symbol,
      balance: row.wallets.reduce((sum, w) => sum + BigInt(w.balance), 0n).toString(),
      wallets: row.wallets,
      fractionsBought: row.fractions_bought,
      costBasis: row.cost_basis,
    }));
  }

  /**
   * The farm token's holders from indexed transfers, now, at the end of an indexed block, or at a
   * time (the last indexed block at or before it); an operator sees own farms only.
   */
  async capTable(
    viewer: FarmViewer,
    farmId: string,
    page: { limit: number; offset: number },
    at?: CapTablePoint,
  ): Promise<CapTable> {
    const { token, block } = await this.resolve(viewer, farmId, at);
    if (block !== null) return this.capTableAt(viewer, farmId, token, page, block);
    const [summary] = await this.dataSource.query<
      { supply: string | null; holders: string; as_of: string | null }[]
    >(
      `SELECT (SELECT total_supply::text FROM indexed_contract WHERE address = $1) AS supply,
              (SELECT count(*) FROM token_balance WHERE token = $1 AND balance > 0) AS holders,
              (SELECT max(block_number)::text FROM index_cursor) AS as_of`,
      [token.tokenAddress],
    );
    const supply = BigInt(summary.supply ?? 0);
    const rows = await this.dataSource.query<
      { holder: string; balance: string; investor_id: string | null }[]
    >(
      `SELECT b.holder, b.balance::text AS balance, w.user_id AS investor_id
         FROM token_balance b LEFT JOIN wallet w ON w.address = b.holder
        WHERE b.token = $1 AND b.balance > 0
        ORDER BY b.balance DESC, b.holder LIMIT $2 OFFSET $3`,
      [token.tokenAddress, page.limit, page.offset],
    );
    return this.capTableOf(
      viewer,
      farmId,
      token,
      supply,
      Number(summary.holders),
      summary.as_of,
      rows,
    );
  }

  /**
   * The whole cap table (as `capTable` would page it) as CSV, streamed page by page from one
   * read-only snapshot (flat memory); cells that could run as spreadsheet formulas are escaped.
   * Every row carries the table's supply and block. Refusals (no such farm, not tokenized, a
   * block or time not indexed) come before the first line.
   */
  async capTableCsv(viewer: FarmViewer, farmId: string, at?: CapTablePoint): Promise<CapTableCsv> {
    const { token, block } = await this.resolve(viewer, farmId, at);
    const address = token.tokenAddress.toLowerCase();
    const columns = [
      'wallet',
      ...(viewer.operatorOnly ? [] : ['investorId']),
      'balance',
      'shareBps',
      'percentage',
      'totalSupply',
      'asOfBlock',
    ];
    type Row = {
      holder: string;
      balance: string;
      investor_id: string | null;
      supply: string;
      as_of?: string | null;
    };
    let sql: string;
    let params: string[];
    if (block === null) {
      sql = `WITH head AS (
               SELECT (SELECT total_supply FROM indexed_contract WHERE address = $1) AS supply,
                      (SELECT max(block_number)::text FROM index_cursor) AS as_of
             )
             SELECT b.holder, b.balance::text AS balance, w.user_id AS investor_id,
                    coalesce(h.supply, 0)::text AS supply, h.as_of
               FROM token_balance b CROSS JOIN head h LEFT JOIN wallet w ON w.address = b.holder
              WHERE b.token = $1 AND b.balance > 0
              ORDER BY b.balance DESC, b.holder`;
      params = [address];
    } else {
      sql = `WITH ${await this.balancesAt(address, block)}
             SELECT b.account AS holder, b.balance::text AS balance, w.user_id AS investor_id,
                    (sum(b.balance) OVER ())::text AS supply
               FROM balances b LEFT JOIN wallet w ON w.address = b.account
              ORDER BY b.balance DESC, b.account`;
      params = [address, block.toString()];
    }
    const dataSource = this.dataSource;
    async function* lines(): AsyncGenerator<string> {
      yield stringify([], { header: true, columns });
      for await (const rows of snapshotPages<Row>(dataSource, sql, params, CSV_PAGE_ROWS)) {
        const records = rows.map((row) => ({
          ...capTableEntries(viewer, BigInt(row.supply), [row])[0],
          totalSupply: row.supply,
          asOfBlock: block === null ? (row.as_of ?? null) : block.toString(),
        }));
        yield stringify(records, { columns, escape_formulas: true });
      }
    }
    return {
      token: token.tokenAddress,
      symbol: token.symbol,
      block: block === null ? null : block.toString(),
      lines: lines(),
    };
  }

  /** The farm's confirmed token, and the block the table is taken at (null: now). */
  private async resolve(
    viewer: FarmViewer,
    farmId: string,
    at?: CapTablePoint,
  ): Promise<{ token: FarmToken; block: bigint | null }> {
    await this.farms.find(viewer, farmId);
    const token = await this.dataSource.getRepository(FarmToken).findOneBy({ farmId });
    if (!token || token.status !== 'confirmed') throw FarmError.notTokenized();
    if (at?.block !== undefined) return { token, block: await this.indexed(at.block) };
    if (at?.time !== undefined) return { token, block: await this.blockAt(at.time) };
    return { token, block: null };
  }

  /** The block, if the index has read it. */
  private async indexed(block: bigint): Promise<bigint> {
    const [cursor] = await this.dataSource.query<{ indexed: string | null }[]>(
      `SELECT max(block_number)::text AS indexed FROM index_cursor`,
    );
    if (cursor.indexed === null || block > BigInt(cursor.indexed)) {
      throw IssuanceError.blockNotIndexed(block, cursor.indexed);
    }
    return block;
  }

  /**
   * The CTE of balances at the end of `block` ($1 the token, $2 the block): summed forward from
   * the first transfer or backward from today's balances, whichever reads fewer transfers.
   */
  private async balancesAt(token: string, block: bigint): Promise<string> {
    const [sides] = await this.dataSource.query<{ before: number; after: number }[]>(
      `SELECT count(*) FILTER (WHERE block_number <= $2)::int AS before,
              count(*) FILTER (WHERE block_number > $2)::int AS after
         FROM token_transfer WHERE token = $1`,
      [token, block.toString()],
    );
    return sides.after < sides.before ? BALANCES_AT_BLOCK.backward : BALANCES_AT_BLOCK.forward;
  }

  /**
   * The last indexed block at or before `time`: balances change only in blocks with transfers,
   * and the index keeps the time of each of those, and of the last block it read.
   */
  private async blockAt(time: Date): Promise<bigint> {
    const [row] = await this.dataSource.query<
      { block: string | null; indexed_time: Date | null; untimed: boolean }[]
    >(
      `SELECT (SELECT max(block_number)::text FROM indexed_block WHERE block_time <= $1) AS block,
              (SELECT b.block_time FROM indexed_block b
                WHERE b.block_number = (SELECT max(block_number) FROM index_cursor)) AS indexed_time,
              EXISTS (SELECT 1 FROM indexed_block WHERE block_time IS NULL) AS untimed`,
      [time],
    );
    // Strictly after: a later block with the same time may not be indexed yet. Blocks indexed
    // before times were kept leave times unresolvable (a block's balances could be missed).
    if (row.untimed || row.indexed_time === null || row.indexed_time <= time) {
      throw IssuanceError.timeNotIndexed(time, row.indexed_time);
    }
    return BigInt(row.block ?? 0);
  }

  /** Balances summed from the transfers up to `block`, in one pass (the window counts them all). */
  private async capTableAt(
    viewer: FarmViewer,
    farmId: string,
    token: FarmToken,
    page: { limit: number; offset: number },
    block: bigint,
  ): Promise<CapTable> {
    const args = [token.tokenAddress.toLowerCase(), block.toString()];
    const balancesAt = await this.balancesAt(args[0], block);
    const rows = await this.dataSource.query<
      {
        holder: string;
        balance: string;
        investor_id: string | null;
        holders: string;
        supply: string;
      }[]
    >(
      `WITH ${balancesAt}, page AS (
         SELECT account, balance, count(*) OVER () AS holders, sum(balance) OVER () AS supply
           FROM balances ORDER BY balance DESC, account LIMIT $3 OFFSET $4
       )
       SELECT p.account AS holder, p.balance::text AS balance, w.user_id AS investor_id,
              p.holders::text AS holders, p.supply::text AS supply
         FROM page p LEFT JOIN wallet w ON w.address = p.account
        ORDER BY p.balance DESC, p.account`,
      [...args, page.limit, page.offset],
    );
    let totals = { holders: rows[0]?.holders ?? '0', supply: rows[0]?.supply ?? '0' };
    if (rows.length === 0 && page.offset > 0) {
      // A page past the end: the totals still describe the table.
      [totals] = await this.dataSource.query<{ holders: string; supply: string }[]>(
        `WITH ${balancesAt}
         SELECT count(*)::text AS holders, coalesce(sum(balance), 0)::text AS supply FROM balances`,
        args,
      );
    }
    const supply = BigInt(totals.supply);
    const holders = Number(totals.holders);
    return this.capTableOf(viewer, farmId, token, supply, holders, block.toString(), rows);
  }

  private capTableOf(
    viewer: FarmViewer,
    farmId: string,
    token: FarmToken,
    supply: bigint,
    holders: number,
    asOfBlock: string | null,
    rows: { holder: string; balance: string; investor_id: string | null }[],
  ): CapTable {
    return {
      farmId,
      token: token.tokenAddress,
      symbol: token.symbol,
      totalSupply: supply.toString(),
      holders,
      asOfBlock,
      items: capTableEntries(viewer, supply, rows),
    };
  }
}

/** Holders' rows as entries: shares of the supply; the investor for staff only. */
function capTableEntries(
  viewer: FarmViewer,
  supply: bigint,
  rows: { holder: string; balance: string; investor_id: string | null }[],
): CapTableEntry[] {
  return rows.map((row) => {
    const balance = BigInt(row.balance);
    return {
      wallet: row.holder,
      ...(viewer.operatorOnly ? {} : { investorId: row.investor_id }),
      balance: row.balance,
      shareBps: supply === 0n ? 0 : Number((balance * 10_000n) / supply),
      percentage: percentageOf(balance, supply),
    };
  });
}
