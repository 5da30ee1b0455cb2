import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { snapshotPages } from '@gpu/database';

const PAGE_ROWS = 5000;

/** A report: its SQL (ordered, filters as parameters) and the columns its rows carry. */
export interface ReportQuery {
  sql: string;
  params: unknown[];
  columns: readonly string[];
}

export interface HolderRegisterFilter {
  farmId?: string;
}

export interface TransferFilter {
  farmId?: string;
  wallet?: string;
  fromBlock?: bigint;
  toBlock?: bigint;
}

export interface DistributionReportFilter {
  farmId?: string;
  epoch?: bigint;
}

const HOLDER_COLUMNS = [
  'investorId',
  'email',
  'country',
  'kycStatus',
  'kycExpiresAt',
  'wallet',
  'farmId',
  'symbol',
  'token',
  'balance',
] as const;

const TRANSFER_COLUMNS = [
  'blockNumber',
  'logIndex',
  'txHash',
  'farmId',
  'token',
  'from',
  'to',
  'amount',
] as const;

const DISTRIBUTION_COLUMNS = [
  'farmId',
  'epoch',
  'distributionId',
  'status',
  'gross',
  'platformFee',
  'operatorFee',
  'slaPenalty',
  'holdersShare',
  'dustIn',
  'distributable',
  'paid',
  'dustOut',
  'holders',
  'snapshotBlock',
  'root',
  'publishTxHash',
  'tokenClaimants',
  'tokenClaimed',
] as const;

/**
 * Compliance reports over the indexed chain and the registers: the holder register, transfer
 * history and distributions with their claims. Each is a page of JSON rows or the whole report
 * as CSV, streamed from one consistent snapshot (memory stays flat).
 */
@Injectable()
export class ReportsService {
  constructor(private readonly dataSource: DataSource) {}

  holderRegister(filter: HolderRegisterFilter): ReportQuery {
    return {
      sql: `SELECT u.id AS "investorId", u.email, k.country, k.status AS "kycStatus",
                   k.expires_at AS "kycExpiresAt", b.holder AS wallet, t.farm_id AS "farmId", t.symbol,
                   b.token, b.balance::text AS balance
              FROM token_balance b
              JOIN farm_token t ON t.token_address = b.token
              LEFT JOIN wallet w ON w.address = b.holder
              LEFT JOIN app_user u ON u.id = w.user_id
              LEFT JOIN LATERAL (SELECT c.country, c.status, c.expires_at FROM kyc_case c
                                  WHERE c.investor_id = u.id
                                  ORDER BY (c.status = 'approved') DESC, c.created_at DESC LIMIT 1) k ON true
             WHERE b.balance > 0 AND ($1::uuid IS NULL OR t.farm_id = $1)
             ORDER BY u.id NULLS LAST, b.holder, b.token`,
      params: [filter.farmId ?? null],
      columns: HOLDER_COLUMNS,
    };
  }

  transfers(filter: TransferFilter): ReportQuery {
    return {
      sql: `SELECT x.block_number::text AS "blockNumber", x.log_index AS "logIndex", x.tx_hash AS "txHash",
                   t.farm_id AS "farmId", x.token, x.from_address AS "from", x.to_address AS "to",
                   x.amount::text AS amount
              FROM token_transfer x
              JOIN farm_token t ON t.token_address = x.token
             WHERE ($1::uuid IS NULL OR t.farm_id = $1)
               AND ($2::text IS NULL OR x.from_address = $2 OR x.to_address = $2)
               AND ($3::bigint IS NULL OR x.block_number >= $3)
               AND ($4::bigint IS NULL OR x.block_number <= $4)
             ORDER BY x.block_number, x.log_index`,
      params: [
        filter.farmId ?? null,
        filter.wallet?.toLowerCase() ?? null,
        filter.fromBlock?.toString() ?? null,
        filter.toBlock?.toString() ?? null,
      ],
      columns: TRANSFER_COLUMNS,
    };
  }

  /**
   * Each distribution's figures, and the claims on its token so far (accounts that claimed, total
   * claimed): the same token figures on each of the token's rows, never to be added up.
   */
  distributions(filter: DistributionReportFilter): ReportQuery {
    return {
      // A recovered wallet's new wallet takes over what it claimed: claims count once per lineage
      // of wallets (the highest cumulative claimed along it), as the token's own total does.
      sql: `WITH RECURSIVE recovered AS (
              SELECT address AS token, args->>'newWallet' AS account, args->>'lostWallet' AS lost
                FROM chain_event WHERE name = 'WalletRecovered'
            ), lineage (token, account, origin) AS (
              SELECT DISTINCT address, args->>'account', args->>'account'
                FROM chain_event WHERE name = 'RevenueClaimed'
              UNION
              SELECT l.token, l.account, r.lost FROM lineage l
                JOIN recovered r ON r.token = l.token AND r.account = l.origin
            ), origins AS (
              SELECT token, account, origin FROM lineage l
               WHERE NOT EXISTS (SELECT 1 FROM recovered r WHERE r.token = l.token AND r.account = l.origin)
            ), per_lineage AS (
              SELECT o.token, o.origin, max((e.args->>'cumulative')::numeric) AS claimed
                FROM chain_event e JOIN origins o ON o.token = e.address AND o.account = e.args->>'account'
               WHERE e.name = 'RevenueClaimed' GROUP BY o.token, o.origin
            ), token_claims AS (
              SELECT token, count(*)::int AS claimants, sum(claimed) AS claimed
                FROM per_lineage GROUP BY token
            )
            SELECT d.farm_id AS "farmId", d.epoch::text AS epoch, d.id AS "distributionId", d.status,
                   d.gross::text AS gross, d.platform_fee::text AS "platformFee",
                   d.operator_fee::text AS "operatorFee", d.sla_penalty::text AS "slaPenalty",
                   d.holders_share::text AS "holdersShare", d.dust_in::text AS "dustIn",
                   d.distributable::text AS distributable, d.paid::text AS paid,
                   d.dust_out::text AS "dustOut", d.holders, d.snapshot_block::text AS "snapshotBlock",
                   d.root, d.publish_tx_hash AS "publishTxHash",
                   coalesce(c.claimants, 0) AS "tokenClaimants",
                   coalesce(c.claimed, 0)::text AS "tokenClaimed"
              FROM distribution d
              LEFT JOIN token_claims c ON c.token = d.token
             WHERE ($1::uuid IS NULL OR d.farm_id = $1) AND ($2::bigint IS NULL OR d.epoch = $2)
             ORDER BY d.farm_id, d.epoch`,
      params: [filter.farmId ?? null, filter.epoch?.toString() ?? null],
      columns: DISTRIBUTION_COLUMNS,
    };
  }

  /** One page of the report as rows, with the total count. */
  async page(
    report: ReportQuery,
    page: { limit: number; offset: number },
  ): Promise<{ items: Record<string, unknown>[]; total: number }> {
    const n = report.params.length;
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query<Record<string, unknown>[]>(
        `${report.sql} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...report.params, page.limit, page.offset],
      ),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM (${report.sql}) report`,
        report.params,
      ),
    ]);
    return { items, total };
  }

  /** The whole report as CSV (RFC 4180, formulas escaped), page by page from one snapshot. */
  async *csv(report: ReportQuery): AsyncGenerator<string> {
    yield stringify([], { header: true, columns: [...report.columns] });
    for await (const rows of snapshotPages<Record<string, unknown>>(
      this.dataSource,
      report.sql,
      report.params,
      PAGE_ROWS,
    )) {
      yield stringify(rows, {
        columns: [...report.columns],
        escape_formulas: true,
        cast: { date: (value) => value.toISOString() },
      });
    }
  }
}
