import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One queue: how many wait, and the oldest of them with what a decision needs. */
export interface ReviewQueue {
  total: number;
  oldest: Record<string, unknown>[];
}

export interface ReviewQueues {
  kycCases: ReviewQueue;
  farmListings: ReviewQueue;
  tokenizations: ReviewQueue;
  revenueReports: ReviewQueue;
}

/**
 * What waits for compliance, oldest first: KYC cases to review, farm listings submitted, farm
 * token requests (with their terms, requester and age in seconds), and revenue reports beyond
 * the tolerance. Decisions are taken on each item's own route, with a reason; no one decides on
 * their own request.
 */
@Injectable()
export class ReviewQueueService {
  constructor(private readonly dataSource: DataSource) {}

  async queues(limit: number): Promise<ReviewQueues> {
    const [kycCases, farmListings, tokenizations, revenueReports] = await Promise.all([
      this.queue(
        `SELECT c.id, c.investor_id AS "investorId", u.email, c.provider, c.country, c.level,
                jsonb_array_length(c.documents) AS documents, c.requested_by AS "requestedBy",
                c.created_at AS "createdAt"
           FROM kyc_case c JOIN app_user u ON u.id = c.investor_id
          WHERE c.status = 'pending' ORDER BY c.created_at`,
        limit,
      ),
      this.queue(
        `SELECT f.id, f.name, f.operator_id AS "operatorId", f.legal_entity AS "legalEntity",
                f.jurisdiction, f.valuation::text AS valuation, f.revenue_share_bps AS "revenueShareBps",
                (SELECT count(*)::int FROM gpu_node n WHERE n.farm_id = f.id) AS gpus,
                (SELECT count(*)::int FROM farm_document d WHERE d.farm_id = f.id) AS documents,
                f.submitted_at AS "submittedAt"
           FROM farm f WHERE f.status = 'submitted' ORDER BY f.submitted_at NULLS LAST, f.created_at`,
        limit,
      ),
      this.queue(
        `SELECT t.farm_id AS "farmId", f.name AS "farmName", f.operator_id AS "operatorId",
                f.jurisdiction, f.valuation::text AS valuation, t.symbol,
                t.total_fractions::text AS "totalFractions", t.allowed_countries AS "allowedCountries",
                t.max_balance::text AS "maxBalance", t.max_holders AS "maxHolders",
                t.lockup_end AS "lockupEnd", t.token_address AS token, t.attempt,
                t.requested_by AS "requestedBy", u.email AS "requesterEmail",
                t.requested_at AS "requestedAt",
                floor(extract(epoch FROM now() - t.requested_at))::int AS "ageSeconds"
           FROM farm_token t JOIN farm f ON f.id = t.farm_id
           LEFT JOIN app_user u ON u.id = t.requested_by
          WHERE t.status = 'requested' ORDER BY t.requested_at`,
        limit,
      ),
      this.queue(
        `SELECT r.id, r.farm_id AS "farmId", f.name AS "farmName", r.epoch::text AS epoch,
                r.amount::text AS amount, r.expected_amount::text AS "expectedAmount",
                r.deviation_bps::text AS "deviationBps", r.tolerance_bps AS "toleranceBps",
                r.skipped_epochs AS "skippedEpochs", r.evidence_ref AS "evidenceRef",
                r.reported_by AS "reportedBy", r.created_at AS "createdAt"
           FROM revenue_report r JOIN farm f ON f.id = r.farm_id
          WHERE r.status = 'pending_review' ORDER BY r.created_at`,
        limit,
      ),
    ]);
    return { kycCases, farmListings, tokenizations, revenueReports };
  }

  private async queue(sql: string, limit: number): Promise<ReviewQueue> {
    const [oldest, [{ total }]] = await Promise.all([
      this.dataSource.query<Record<string, unknown>[]>(`${sql} LIMIT $1`, [limit]),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM (${sql}) q`),
    ]);
    return { total, oldest };
  }
}
