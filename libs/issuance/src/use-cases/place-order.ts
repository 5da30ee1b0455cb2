import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { chainOrderId, DEPLOYMENT, type Deployment } from '@gpu/chain';
import { DomainError, HTTP_STATUS_OF_KIND } from '@gpu/common';
import { type OrderView, type SaleContracts, toOrderView } from '../order-view';
import { IssuanceError } from '../issuance.errors';

export interface PlaceOrderCommand {
  investorId: string;
  offeringId: string;
  fractions: bigint;
  /** The paying and receiving wallet; may be left out by an investor with one linked wallet. */
  wallet?: string;
  idempotencyKey: string;
}

export interface PlacedOrder {
  order: OrderView;
  /** True when this is the stored response to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * The one reservation statement: takes the fractions from the offering only if that many are
 * left (a concurrent update re-checks the condition on the newest row, so nothing is oversold)
 * and, in the same statement, records the order and the response its key replays. The bench
 * runs the first part alone as the raw-SQL baseline.
 */
export const RESERVE_FRACTIONS_SQL = `UPDATE offering SET remaining = remaining - $2, updated_at = now()
   WHERE id = $1 AND status = 'open' AND remaining >= $2 RETURNING id`;

const PLACE_ORDER_SQL = `
  WITH reserved AS (${RESERVE_FRACTIONS_SQL}),
  placed AS (
    INSERT INTO investment_order (id, offering_id, investor_id, wallet, token_address, chain_order_id,
                                  fractions, price_per_fraction, amount, status, reserved_until, created_at, updated_at)
    SELECT $3, r.id, $4, $5, $6, $7, $2, $8, $9, 'reserved', $10, $11, $11 FROM reserved r
    RETURNING id
  )
  INSERT INTO idempotent_request (user_id, key, request_hash, status_code, response, created_at)
  SELECT $4, $12, $13, 201, $14::jsonb, $11 FROM placed
  RETURNING 1 AS placed`;

interface EligibilityRow {
  replay: { statusCode: number; response: unknown; requestHash: string } | null;
  status: string;
  opens_at: Date;
  closes_at: Date;
  price_per_fraction: string;
  min_per_investor: string;
  max_per_investor: string;
  payment_window_seconds: number;
  token_address: string;
  remaining: string;
  allowed_countries: number[];
  max_balance: string;
  max_holders: number;
  kyc: { status: string; expiresAt: string | null } | null;
  already_ordered: string;
  wallets: {
    address: string;
    registry: { name: string; country: string | null; expiry: string | null } | null;
    frozen: boolean | null;
    balance: string;
    pending: string;
  }[];
}

/** Everything an order is decided on, in one round trip. Orders being settled count until indexed. */
const ELIGIBILITY_SQL = `
  WITH indexed AS (SELECT coalesce(max(block_number), 0) AS block FROM index_cursor)
  SELECT (SELECT json_build_object('statusCode', r.status_code, 'response', r.response, 'requestHash', r.request_hash)
            FROM idempotent_request r WHERE r.user_id = $1 AND r.key = $2) AS replay,
         o.status, o.opens_at, o.closes_at, o.price_per_fraction, o.min_per_investor, o.max_per_investor,
         o.payment_window_seconds, o.token_address, o.remaining,
         t.allowed_countries, t.max_balance, t.max_holders,
         (SELECT json_build_object('status', k.status, 'expiresAt', k.expires_at) FROM kyc_case k
           WHERE k.investor_id = $1 AND k.status IN ('approved', 'expired')
           ORDER BY (k.status = 'approved') DESC, k.expires_at DESC NULLS LAST LIMIT 1) AS kyc,
         (SELECT coalesce(sum(io.fractions), 0) FROM investment_order io
           WHERE io.offering_id = o.id AND io.investor_id = $1
             AND io.status IN ('reserved', 'paid', 'settled')) AS already_ordered,
         (SELECT coalesce(json_agg(json_build_object(
            'address', w.address,
            'registry', (SELECT json_build_object('name', e.name, 'country', e.args->>'country', 'expiry', e.args->>'kycExpiry')
                           FROM chain_event e
                          WHERE e.contract = 'IdentityRegistry' AND e.args->>'wallet' = w.address AND e.address = $4
                          ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1),
            'frozen', (SELECT (e.args->>'frozen')::boolean FROM chain_event e
                        WHERE e.name = 'WalletFrozen' AND e.address = o.token_address AND e.args->>'account' = w.address
                        ORDER BY e.block_number DESC, e.log_index DESC LIMIT 1),
            'balance', coalesce((SELECT b.balance FROM token_balance b
                                  WHERE b.token = o.token_address AND b.holder = w.address), 0)::text,
            'pending', (SELECT coalesce(sum(io.fractions), 0) FROM investment_order io, indexed
                         WHERE io.token_address = o.token_address AND io.wallet = w.address
                           AND (io.status IN ('reserved', 'paid') OR (io.status = 'settled' AND io.settled_block > indexed.block)))::text
          ) ORDER BY w.linked_at), '[]'::json) FROM wallet w WHERE w.user_id = $1) AS wallets
    FROM offering o JOIN farm_token t ON t.token_address = o.token_address
   WHERE o.id = $3`;

/** Holders now, plus wallets that hold nothing yet but will when their orders settle. */
const HOLDERS_AFTER_SQL = `
  WITH indexed AS (SELECT coalesce(max(block_number), 0) AS block FROM index_cursor)
  SELECT (SELECT count(*) FROM token_balance WHERE token = $1 AND balance > 0)
       + (SELECT count(DISTINCT io.wallet) FROM investment_order io, indexed
           WHERE io.token_address = $1
             AND (io.status IN ('reserved', 'paid') OR (io.status = 'settled' AND io.settled_block > indexed.block))
             AND NOT EXISTS (SELECT 1 FROM token_balance b
                              WHERE b.token = io.token_address AND b.holder = io.wallet AND b.balance > 0)) AS holders`;

/** Session-level advisory lock keys: one per investor (their orders one at a time), one per token's holder count. */
const lockKey = (namespace: string, id: string): string =>
  BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(`${namespace}:${id}`).digest('hex').slice(0, 16)}`),
  ).toString();

/**
 * Places an investor's order: checks every eligibility rule, reserves the fractions in one
 * conditional update and answers with payment instructions. The investor's orders run one at a
 * time (an advisory lock), so their per-investor limits and their Idempotency-Keys hold under
 * concurrency; different investors only meet on the offering's row, for one statement.
 * Refusals are remembered under the key as well: a replay gets the first answer.
 */
@Injectable()
export class PlaceOrder {
  private readonly contracts: SaleContracts;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {
    this.contracts = {
      chainId: deployment.chainId,
      sale: deployment.contracts.PrimarySale.address.toLowerCase(),
      stablecoin: deployment.contracts.Stablecoin.address.toLowerCase(),
    };
  }

  async execute(command: PlaceOrderCommand): Promise<PlacedOrder> {
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([command.offeringId, command.fractions.toString(), command.wallet ?? null]),
      )
      .digest('hex');
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.manager.query(
        `SELECT pg_advisory_lock(${lockKey('investor-orders', command.investorId)})`,
      );
      const [row] = await runner.manager.query<EligibilityRow[]>(ELIGIBILITY_SQL, [
        command.investorId,
        command.idempotencyKey,
        command.offeringId,
        this.deployment.contracts.IdentityRegistry.address.toLowerCase(),
      ]);
      const replay = row
        ? row.replay
        : await this.storedResponse(runner, command.investorId, command.idempotencyKey);
      if (replay) {
        if (replay.requestHash !== requestHash) throw IssuanceError.idempotencyKeyMismatch();
        return this.replayOf(replay);
      }
      try {
        if (!row) throw IssuanceError.offeringNotFound();
        const order = await this.reserve(runner, command, row, requestHash);
        return { order, replayed: false };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        await this.remember(runner, command, requestHash, error);
        throw error;
      }
    } finally {
      await runner.manager.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await runner.release();
    }
  }

  private async reserve(
    runner: QueryRunner,
    command: PlaceOrderCommand,
    row: EligibilityRow,
    requestHash: string,
  ): Promise<OrderView> {
    const now = new Date();
    if (row.status !== 'open' || now < row.opens_at || now >= row.closes_at)
      throw IssuanceError.offeringNotOpen(row.status);
    if (!row.kyc) throw IssuanceError.kycNotApproved();
    if (row.kyc.status !== 'approved' || !row.kyc.expiresAt || new Date(row.kyc.expiresAt) <= now)
      throw IssuanceError.kycExpired();
    const wallet = this.chooseWallet(row.wallets, command.wallet);
    const registryExpiry = Number(wallet.registry?.expiry ?? 0) * 1000;
    if (
      !wallet.registry ||
      wallet.registry.name === 'IdentityRemoved' ||
      registryExpiry <= now.getTime()
    )
      throw IssuanceError.walletNotVerified();
    if (wallet.frozen) throw IssuanceError.walletFrozen();
    const country = Number(wallet.registry.country);
    if (!row.allowed_countries.includes(country)) throw IssuanceError.countryNotAllowed(country);
    const fractions = command.fractions;
    if (fractions < BigInt(row.min_per_investor))
      throw IssuanceError.belowMinimum(BigInt(row.min_per_investor));
    const already = BigInt(row.already_ordered);
    if (already + fractions > BigInt(row.max_per_investor))
      throw IssuanceError.aboveMaximum(BigInt(row.max_per_investor), already);
    const held = BigInt(wallet.balance) + BigInt(wallet.pending);
    const maxBalance = BigInt(row.max_balance);
    if (maxBalance > 0n && held + fractions > maxBalance)
      throw IssuanceError.maxBalanceExceeded(maxBalance, held + fractions);
    if (row.max_holders > 0 && held === 0n) {
      await runner.manager.query(
        `SELECT pg_advisory_lock(${lockKey('token-holders', row.token_address)})`,
      );
      const [{ holders }] = await runner.manager.query<{ holders: string }[]>(HOLDERS_AFTER_SQL, [
        row.token_address,
      ]);
      if (Number(holders) + 1 > row.max_holders)
        throw IssuanceError.maxHoldersExceeded(row.max_holders);
    }

    const id = randomUUID();
    const price = BigInt(row.price_per_fraction);
    const paymentDeadline = Math.min(
      now.getTime() + row.payment_window_seconds * 1000,
      row.closes_at.getTime(),
    );
    const order = toOrderView(
      {
        id,
        offeringId: command.offeringId,
        status: 'reserved',
        wallet: wallet.address,
        tokenAddress: row.token_address,
        chainOrderId: chainOrderId(id),
        fractions,
        pricePerFraction: price,
        amount: fractions * price,
        reservedUntil: new Date(paymentDeadline),
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
    const placed = await runner.manager.query<unknown[]>(PLACE_ORDER_SQL, [
      command.offeringId,
      fractions.toString(),
      id,
      command.investorId,
      wallet.address,
      row.token_address,
      order.chainOrderId,
      price.toString(),
      order.amount,
      order.reservedUntil,
      now,
      command.idempotencyKey,
      requestHash,
      JSON.stringify(order),
    ]);
    if (placed.length === 1) return order;
    const [offering] = await runner.manager.query<{ status: string; remaining: string }[]>(
      `SELECT status, remaining FROM offering WHERE id = $1`,
      [command.offeringId],
    );
    if (offering.status !== 'open') throw IssuanceError.offeringNotOpen(offering.status);
    const remaining = BigInt(offering.remaining);
    throw remaining === 0n
      ? IssuanceError.soldOut()
      : IssuanceError.insufficientRemaining(remaining);
  }

  private chooseWallet(
    wallets: EligibilityRow['wallets'],
    requested: string | undefined,
  ): EligibilityRow['wallets'][number] {
    if (requested) {
      const wallet = wallets.find((w) => w.address === requested.toLowerCase());
      if (!wallet) throw IssuanceError.walletNotLinked();
      return wallet;
    }
    if (wallets.length === 0) throw IssuanceError.walletNotLinked();
    if (wallets.length > 1) throw IssuanceError.walletRequired();
    return wallets[0];
  }

  private async storedResponse(
    runner: QueryRunner,
    userId: string,
    key: string,
  ): Promise<EligibilityRow['replay']> {
    const [stored] = await runner.manager.query<
      { status_code: number; response: unknown; request_hash: string }[]
    >(
      `SELECT status_code, response, request_hash FROM idempotent_request WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return stored
      ? {
          statusCode: stored.status_code,
          response: stored.response,
          requestHash: stored.request_hash,
        }
      : null;
  }

  private async remember(
    runner: QueryRunner,
    command: PlaceOrderCommand,
    requestHash: string,
    error: DomainError,
  ): Promise<void> {
    await runner.manager.query(
      `INSERT INTO idempotent_request (user_id, key, request_hash, status_code, response)
       VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING`,
      [
        command.investorId,
        command.idempotencyKey,
        requestHash,
        HTTP_STATUS_OF_KIND[error.kind],
        JSON.stringify({
          code: error.code,
          kind: error.kind,
          message: error.message,
          details: error.details ?? null,
        }),
      ],
    );
  }

  private replayOf(stored: NonNullable<EligibilityRow['replay']>): PlacedOrder {
    if (stored.statusCode === 201) return { order: stored.response as OrderView, replayed: true };
    const refusal = stored.response as {
      code: string;
      kind: DomainError['kind'];
      message: string;
      details: Record<string, unknown> | null;
    };
    throw new DomainError(
      refusal.code,
      refusal.kind,
      refusal.message,
      refusal.details ?? undefined,
    );
  }
}
