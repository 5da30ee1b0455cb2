import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { chainOrderId, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { AppConfig } from '@gpu/config';
import { type DomainError, HTTP_STATUS_OF_KIND } from '@gpu/common';
import { MetricsRegistry } from '@gpu/observability';
import { IssuanceError } from '../issuance.errors';
import { type OrderView, type SaleContracts, toOrderView } from '../order-view';

/** An investor's order waiting for its batch. */
export interface OrderCandidate {
  investorId: string;
  offeringId: string;
  fractions: bigint;
  /** The wallet the investor named, if any. */
  wallet?: string;
  idempotencyKey: string;
  /** SHA-256 of the request: the same key with another request is refused. */
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  response: unknown;
  requestHash: string;
}

export type BatchOutcome =
  { order: OrderView } | { refusal: DomainError } | { replay: StoredResponse };

/**
 * The reservation statement: takes the fractions from the offering only if that many are left.
 * A batch runs it once for all its orders, under the offering's row lock; the bench runs it
 * alone, one order per statement, as the raw-SQL baseline.
 */
export const RESERVE_FRACTIONS_SQL = `UPDATE offering SET remaining = remaining - $2, updated_at = now()
   WHERE id = $1 AND status = 'open' AND remaining >= $2 RETURNING id`;

const MAX_BATCH = 256;

/**
 * Locks the offering's row and reads, in the same statement, everything the batch's orders are
 * decided on: answers already stored under their keys; each investor's KYC case and linked
 * wallets, with each wallet's registry entry and freeze as the indexer read them from the chain;
 * each investor's live orders in the offering (their allocation); when the token limits balances
 * or holders, each wallet's balance plus its orders not yet settled (or settled but not yet
 * indexed); when it limits holders, its holders counted the same way. The reads see the
 * statement's snapshot, taken before the lock was granted: `snapshot_version` tells whether
 * another batch committed in between (every writer of these counts raises the offering's
 * version), and then they are read again.
 */
const LOCK_AND_READ_SQL = `
  WITH locked AS (
    SELECT o.version, o.status, o.opens_at, o.closes_at, o.remaining::text, o.min_per_investor::text,
           o.max_per_investor::text, o.price_per_fraction::text, o.payment_window_seconds, o.token_address,
           t.allowed_countries, t.max_balance::text, t.max_holders
      FROM offering o JOIN farm_token t ON t.token_address = o.token_address
     WHERE o.id = $1 FOR UPDATE OF o
  ), limits AS (
    SELECT l.token_address AS token, l.max_balance::numeric > 0 OR l.max_holders > 0 AS per_wallet,
           l.max_holders > 0 AS per_token
      FROM locked l
  ), investors AS (SELECT DISTINCT id FROM unnest($2::uuid[]) AS u(id)),
  indexed AS (SELECT coalesce(max(block_number), 0) AS block FROM index_cursor)
  SELECT
    (SELECT row_to_json(l) FROM locked l) AS offering,
    (SELECT version FROM offering WHERE id = $1) AS snapshot_version,
    (SELECT coalesce(json_agg(json_build_object('user', r.user_id, 'key', r.key, 'statusCode', r.status_code,
                                                'response', r.response, 'requestHash', r.request_hash)), '[]'::json)
       FROM idempotent_request r
      WHERE (r.user_id, r.key) IN (SELECT * FROM unnest($2::uuid[], $3::text[]))) AS stored,
    (SELECT coalesce(json_object_agg(i.id, json_build_object(
       'kyc', (SELECT json_build_object('status', k.status, 'expiresAt', k.expires_at) FROM kyc_case k
                WHERE k.investor_id = i.id AND k.status IN ('approved', 'expired')
                ORDER BY (k.status = 'approved') DESC, k.expires_at DESC NULLS LAST LIMIT 1),
       'wallets', (SELECT coalesce(json_agg(json_build_object(
           'address', w.address,
           'registry', (SELECT json_build_object('name', e.name, 'country', e.args->>'country', 'expiry', e.args->>'kycExpiry')
                          FROM chain_event e
                         WHERE e.contract = 'IdentityRegistry' AND e.args->>'wallet' = w.address AND e.address = $4
                         ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1),
           'frozen', (SELECT (e.args->>'frozen')::boolean FROM chain_event e, limits
                       WHERE e.name = 'WalletFrozen' AND e.address = limits.token AND e.args->>'account' = w.address
                       ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1)
         ) ORDER BY w.linked_at), '[]'::json) FROM wallet w WHERE w.user_id = i.id)
     )), '{}'::json) FROM investors i) AS investors,
    (SELECT coalesce(json_object_agg(investor_id, ordered::text), '{}'::json) FROM offering_allocation
      WHERE offering_id = $1 AND investor_id IN (SELECT id FROM investors)) AS ordered,
    (SELECT coalesce(json_object_agg(w.address, (coalesce(b.balance, 0) + coalesce(p.pending, 0))::text), '{}'::json)
       FROM limits, wallet w
       LEFT JOIN token_balance b ON b.token = (SELECT token FROM limits) AND b.holder = w.address
       LEFT JOIN (SELECT io.wallet, sum(io.fractions) AS pending FROM investment_order io
                   WHERE io.token_address = (SELECT token FROM limits)
                     AND io.wallet IN (SELECT address::character(42) FROM wallet WHERE user_id IN (SELECT id FROM investors))
                     AND (io.status IN ('reserved', 'paid')
                          OR (io.status = 'settled' AND io.settled_block > (SELECT block FROM indexed)))
                   GROUP BY io.wallet) p ON p.wallet = w.address
      WHERE limits.per_wallet AND w.user_id IN (SELECT id FROM investors)) AS held,
    (SELECT (SELECT count(*) FROM token_balance WHERE token = limits.token AND balance > 0)
          + (SELECT count(DISTINCT io.wallet) FROM investment_order io
              WHERE io.token_address = limits.token
                AND (io.status IN ('reserved', 'paid') OR (io.status = 'settled' AND io.settled_block > (SELECT block FROM indexed)))
                AND NOT EXISTS (SELECT 1 FROM token_balance b
                                 WHERE b.token = limits.token AND b.holder = io.wallet AND b.balance > 0))
       FROM limits WHERE limits.per_token) AS holders`;

/** The batch's orders and answers arrive as two JSON arrays: one serialisation each, not one per field. */
const WRITE_SQL = `
  WITH reserved AS (
    UPDATE offering SET remaining = remaining - $2, version = version + 1, updated_at = now()
     WHERE id = $1 AND $2 > 0 RETURNING 1
  ), orders AS (
    SELECT * FROM json_to_recordset($7::json)
      AS x(id uuid, investor uuid, wallet text, "chainOrderId" text, fractions bigint, amount numeric)
     WHERE EXISTS (SELECT 1 FROM reserved)
  ), placed AS (
    INSERT INTO investment_order (id, offering_id, investor_id, wallet, token_address, chain_order_id,
                                  fractions, price_per_fraction, amount, status, reserved_until, created_at, updated_at)
    SELECT o.id, $1, o.investor, o.wallet, $3, o."chainOrderId", o.fractions, $4, o.amount, 'reserved', $5, $6, $6
      FROM orders o
    RETURNING 1
  ), allocated AS (
    INSERT INTO offering_allocation (offering_id, investor_id, ordered)
    SELECT $1, o.investor, sum(o.fractions) FROM orders o GROUP BY o.investor
    ON CONFLICT (offering_id, investor_id) DO UPDATE SET ordered = offering_allocation.ordered + EXCLUDED.ordered
    RETURNING 1
  )
  INSERT INTO idempotent_request (user_id, key, request_hash, status_code, response, created_at)
  SELECT y.user_id, y.key, y.hash, y.status, y.response, $6
    FROM json_to_recordset($8::json) AS y(user_id uuid, key text, hash text, status smallint, response jsonb)`;

interface InvestorFacts {
  kyc: { status: string; expiresAt: string | null } | null;
  wallets: {
    address: string;
    registry: { name: string; country: string | null; expiry: string | null } | null;
    frozen: boolean | null;
  }[];
}

interface LockedOffering {
  version: number;
  status: string;
  min_per_investor: string;
  allowed_countries: number[];
  opens_at: string;
  closes_at: string;
  remaining: string;
  max_per_investor: string;
  price_per_fraction: string;
  payment_window_seconds: number;
  token_address: string;
  max_balance: string;
  max_holders: number;
}

interface Decision {
  candidate: OrderCandidate;
  outcome: BatchOutcome;
  /** What the key stores; absent for replays. */
  stored?: StoredResponse;
}

/** A batch's decisions and what its orders are written with. */
interface BatchPlan {
  decisions: Decision[];
  offering: LockedOffering | null;
  now: Date;
  reservedUntil: Date;
}

/** What a batch reads under the offering's lock. */
interface BatchState {
  offering: LockedOffering | null;
  stored: Map<string, StoredResponse>;
  investors: Record<string, InvestorFacts>;
  ordered: Map<string, bigint>;
  held: Map<string, bigint>;
  holders: number;
}

interface Pending {
  candidate: OrderCandidate;
  resolve(outcome: BatchOutcome): void;
  reject(error: unknown): void;
}

const keyOf = (c: { investorId: string; idempotencyKey: string }): string =>
  `${c.investorId} ${c.idempotencyKey}`;

function refusalResponse(refusal: DomainError, requestHash: string): StoredResponse {
  return {
    statusCode: HTTP_STATUS_OF_KIND[refusal.kind],
    requestHash,
    response: {
      code: refusal.code,
      kind: refusal.kind,
      message: refusal.message,
      details: refusal.details ?? null,
    },
  };
}

/**
 * Reserves orders of one offering in batches: every order that arrives while a batch is being
 * written joins the next one. A batch is one transaction under the offering's row lock (so
 * batches of every API process take turns, and the per-investor, per-wallet and per-token
 * counts they read cannot change underneath them); orders are weighed in arrival order, the
 * accepted ones reserved with one update of `remaining` (CHECK remaining >= 0 backs it up) and
 * every answer stored under its Idempotency-Key, all in one statement and one commit.
 */
@Injectable()
export class ReservationBatcher implements OnApplicationShutdown {
  private readonly queues = new Map<string, Pending[]>();
  private readonly contracts: SaleContracts;
  private readonly registry: string;
  private readonly pool: Pool;
  private readonly logger = new Logger(ReservationBatcher.name);

  constructor(
    private readonly metrics: MetricsRegistry,
    @Inject(DEPLOYMENT) deployment: Deployment,
    config: AppConfig,
  ) {
    // Connections of their own: a batch never queues behind the requests' queries for one.
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 4,
      application_name: 'gpu-order-batches',
    });
    // An idle connection that breaks (a Postgres restart) is dropped; the next batch opens another.
    this.pool.on('error', (error) =>
      this.logger.warn(`idle batch connection lost: ${error.message}`),
    );
    this.registry = deployment.contracts.IdentityRegistry.address.toLowerCase();
    this.contracts = {
      chainId: deployment.chainId,
      sale: deployment.contracts.PrimarySale.address.toLowerCase(),
      stablecoin: deployment.contracts.Stablecoin.address.toLowerCase(),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  submit(candidate: OrderCandidate): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(candidate.offeringId);
      if (queue) {
        queue.push({ candidate, resolve, reject });
        return;
      }
      this.queues.set(candidate.offeringId, [{ candidate, resolve, reject }]);
      void this.drain(candidate.offeringId);
    });
  }

  /** Writes batches of the offering until nobody waits; the queue exists while a drain runs. */
  private async drain(offeringId: string): Promise<void> {
    const queue = this.queues.get(offeringId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      const timer = this.metrics.orderBatchDuration.startTimer();
      this.metrics.orderBatchSize.observe(batch.length);
      try {
        await this.settle(batch);
      } finally {
        timer();
      }
    }
    this.queues.delete(offeringId);
  }

  /** Writes a batch; if it fails, its orders one by one, so that one bad order fails alone. */
  private async settle(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.write(batch.map((pending) => pending.candidate));
      batch.forEach((pending, i) => pending.resolve(outcomes[i]));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      for (const pending of batch) await this.settle([pending]);
    }
  }

  /** One transaction; again if another process stored one of the batch's keys meanwhile. */
  private async write(candidates: OrderCandidate[]): Promise<BatchOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        // Statements queue on the connection: BEGIN goes out with the read, COMMIT with the write,
        // so a batch waits for two answers, not four.
        const [, state] = await Promise.all([
          client.query('BEGIN'),
          this.lockAndRead(client, candidates),
        ]);
        const plan = this.decide(candidates, state);
        await this.persistAndCommit(client, candidates[0].offeringId, plan);
        client.release();
        return plan.decisions.map((decision) => decision.outcome);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        const keyTaken = (error as { code?: string }).code === '23505';
        client.release(keyTaken ? undefined : error instanceof Error ? error : true);
        if (!keyTaken || attempt >= 3) throw error;
      }
    }
  }

  /** The offering locked and the batch's counts, read again if another batch committed meanwhile. */
  private async lockAndRead(client: PoolClient, candidates: OrderCandidate[]): Promise<BatchState> {
    const values = [
      candidates[0].offeringId,
      candidates.map((c) => c.investorId),
      candidates.map((c) => c.idempotencyKey),
      this.registry,
    ];
    for (;;) {
      const { rows } = await client.query<{
        offering: LockedOffering | null;
        snapshot_version: number | null;
        stored: ({ user: string; key: string } & StoredResponse)[];
        investors: Record<string, InvestorFacts>;
        ordered: Record<string, string>;
        held: Record<string, string> | null;
        holders: string | null;
      }>({ name: 'issuance-batch-read', text: LOCK_AND_READ_SQL, values });
      const [row] = rows;
      if (row.offering && row.offering.version !== row.snapshot_version) continue;
      const toMap = (record: Record<string, string>) =>
        new Map(Object.entries(record).map(([id, value]) => [id, BigInt(value)]));
      return {
        offering: row.offering,
        stored: new Map(
          row.stored.map(({ user, key, ...response }) => [`${user} ${key}`, response]),
        ),
        investors: row.investors,
        ordered: toMap(row.ordered),
        held: toMap(row.held ?? {}),
        holders: Number(row.holders ?? 0),
      };
    }
  }

  private decide(candidates: OrderCandidate[], state: BatchState): BatchPlan {
    const { offering, stored } = state;
    let remaining = offering ? BigInt(offering.remaining) : 0n;
    const now = new Date();
    const opensAt = offering ? new Date(offering.opens_at) : now;
    const closesAt = offering ? new Date(offering.closes_at) : now;
    const reservedUntil = offering
      ? new Date(
          Math.min(now.getTime() + offering.payment_window_seconds * 1000, closesAt.getTime()),
        )
      : now;
    const leaders = new Map<string, Decision>();
    const decisions: Decision[] = [];
    for (const candidate of candidates) {
      const key = keyOf(candidate);
      const previous = stored.get(key) ?? leaders.get(key)?.stored;
      if (previous) {
        decisions.push({ candidate, outcome: { replay: previous } });
        continue;
      }
      let decision: Decision;
      try {
        // Investors do not see offerings before they open: those answer as unknown ones.
        if (!offering || offering.status === 'draft' || offering.status === 'opening')
          throw IssuanceError.offeringNotFound();
        if (offering.status !== 'open' || now < opensAt || now >= closesAt)
          throw IssuanceError.offeringNotOpen(offering.status);
        const wallet = eligibleWallet(
          offering,
          state.investors[candidate.investorId],
          candidate,
          now,
        );
        const fractions = candidate.fractions;
        const minimum = BigInt(offering.min_per_investor);
        if (fractions < minimum) throw IssuanceError.belowMinimum(minimum);
        const ordered = state.ordered.get(candidate.investorId) ?? 0n;
        const maximum = BigInt(offering.max_per_investor);
        if (ordered + fractions > maximum) throw IssuanceError.aboveMaximum(maximum, ordered);
        const held = state.held.get(wallet) ?? 0n;
        const maxBalance = BigInt(offering.max_balance);
        if (maxBalance > 0n && held + fractions > maxBalance)
          throw IssuanceError.maxBalanceExceeded(maxBalance, held + fractions);
        if (offering.max_holders > 0 && held === 0n && state.holders + 1 > offering.max_holders)
          throw IssuanceError.maxHoldersExceeded(offering.max_holders);
        if (fractions > remaining)
          throw remaining === 0n
            ? IssuanceError.soldOut()
            : IssuanceError.insufficientRemaining(remaining);

        remaining -= fractions;
        state.ordered.set(candidate.investorId, ordered + fractions);
        state.held.set(wallet, held + fractions);
        if (held === 0n) state.holders += 1;
        const id = randomUUID();
        const price = BigInt(offering.price_per_fraction);
        const order = toOrderView(
          {
            id,
            offeringId: candidate.offeringId,
            status: 'reserved',
            wallet,
            tokenAddress: offering.token_address,
            chainOrderId: chainOrderId(id),
            fractions,
            pricePerFraction: price,
            amount: fractions * price,
            reservedUntil,
            paidAt: null,
            paymentTxHash: null,
            settlementDeadline: null,
            settledAt: null,
            settlementTxHash: null,
            failureReason: null,
            createdAt: now,
          },
          this.contracts,
        );
        decision = {
          candidate,
          outcome: { order },
          stored: { statusCode: 201, response: order, requestHash: candidate.requestHash },
        };
      } catch (error) {
        if (!(error instanceof IssuanceError)) throw error;
        const refusal: DomainError = error;
        decision = {
          candidate,
          outcome: { refusal },
          stored: refusalResponse(refusal, candidate.requestHash),
        };
      }
      leaders.set(key, decision);
      decisions.push(decision);
    }
    return { decisions, offering, now, reservedUntil };
  }

  /**
   * Writes the batch in one statement and commits; a key another process stored meanwhile fails
   * it (23505), and the COMMIT queued behind a failed statement only ends the transaction.
   */
  private async persistAndCommit(
    client: PoolClient,
    offeringId: string,
    { decisions, offering, now, reservedUntil }: BatchPlan,
  ): Promise<void> {
    const orders = decisions.flatMap((d) => ('order' in d.outcome ? [d.outcome.order] : []));
    const remembered = decisions.filter((d) => d.stored);
    if (remembered.length === 0) {
      await client.query('COMMIT');
      return;
    }
    const total = orders.reduce((sum, order) => sum + BigInt(order.fractions), 0n);
    const written = client.query({
      name: 'issuance-batch-write',
      text: WRITE_SQL,
      values: [
        offeringId,
        total.toString(),
        offering?.token_address ?? '',
        offering?.price_per_fraction ?? '0',
        reservedUntil,
        now,
        JSON.stringify(
          decisions.flatMap((d) =>
            'order' in d.outcome
              ? [
                  {
                    id: d.outcome.order.id,
                    investor: d.candidate.investorId,
                    wallet: d.outcome.order.wallet,
                    chainOrderId: d.outcome.order.chainOrderId,
                    fractions: d.outcome.order.fractions,
                    amount: d.outcome.order.amount,
                  },
                ]
              : [],
          ),
        ),
        JSON.stringify(
          remembered.map((d) => ({
            user_id: d.candidate.investorId,
            key: d.candidate.idempotencyKey,
            hash: d.candidate.requestHash,
            status: d.stored!.statusCode,
            response: d.stored!.response,
          })),
        ),
      ],
    });
    await Promise.all([written, client.query('COMMIT')]);
  }
}

/**
 * The rules that concern the investor: an approved, unexpired KYC case; a linked wallet (the one
 * named, or the only one), verified in the registry on chain and not frozen for the token; a
 * country the token allows. Returns the wallet.
 */
function eligibleWallet(
  offering: LockedOffering,
  investor: InvestorFacts | undefined,
  candidate: OrderCandidate,
  now: Date,
): string {
  const kyc = investor?.kyc;
  if (!kyc) throw IssuanceError.kycNotApproved();
  if (kyc.status !== 'approved' || !kyc.expiresAt || new Date(kyc.expiresAt) <= now)
    throw IssuanceError.kycExpired();
  const wallets = investor.wallets;
  const wallet = candidate.wallet
    ? wallets.find((w) => w.address === candidate.wallet!.toLowerCase())
    : wallets.length === 1
      ? wallets[0]
      : undefined;
  if (!wallet) {
    if (!candidate.wallet && wallets.length > 1) throw IssuanceError.walletRequired();
    throw IssuanceError.walletNotLinked();
  }
  const registryExpiry = Number(wallet.registry?.expiry ?? 0) * 1000;
  if (
    !wallet.registry ||
    wallet.registry.name === 'IdentityRemoved' ||
    registryExpiry <= now.getTime()
  )
    throw IssuanceError.walletNotVerified();
  if (wallet.frozen) throw IssuanceError.walletFrozen();
  const country = Number(wallet.registry.country);
  if (!offering.allowed_countries.includes(country)) throw IssuanceError.countryNotAllowed(country);
  return wallet.address;
}
