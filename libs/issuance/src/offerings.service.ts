import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, type FindOptionsWhere } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { ChainOutbox, DEPLOYMENT, type Deployment, setOfferingCall } from '@gpu/chain';
import { isUniqueViolation } from '@gpu/database';
import { Farm, FarmError, FarmToken } from '@gpu/farms';
import type { Principal } from '@gpu/identity';
import { Offering, type OfferingStatus } from './entities/offering.entity';
import { IssuanceError } from './issuance.errors';
import { endReservations } from './order-transitions';

/** The topic of setOffering transactions, for the listener that marks offerings open. */
export const OFFERING_TOPIC = 'issuance.offering';

/** Investors see offerings once they open. */
const INVESTOR_VISIBLE: readonly OfferingStatus[] = ['open', 'closed'];

/** The most a fraction count may be: JSON numbers are exact up to 2^53 - 1. */
export const MAX_FRACTIONS = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_UINT128 = (1n << 128n) - 1n;
/** PrimarySale.MAX_SETTLEMENT_WINDOW. */
export const MAX_SETTLEMENT_WINDOW_SECONDS = 30 * 24 * 3600;
/** A paid order must survive confirmations, indexing and the settle transaction's own confirmations. */
export const MIN_SETTLEMENT_WINDOW_SECONDS = 3600;

export interface OfferingTermsInput {
  pricePerFraction: bigint;
  fractionsOffered: bigint;
  minPerInvestor: bigint;
  maxPerInvestor: bigint;
  opensAt: Date;
  closesAt: Date;
  paymentWindowSeconds: number;
  settlementWindowSeconds: number;
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * Offerings of tokenized farms: an operator prepares them for own farms and opens them (one
 * setOffering transaction through the outbox; `open` once it is confirmed) and closes them.
 * Investors see open and closed offerings; staff see all.
 */
@Injectable()
export class OfferingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: ChainOutbox,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
  ) {}

  create(
    principal: Principal,
    farmId: string,
    terms: OfferingTermsInput,
    actor: Actor,
  ): Promise<Offering> {
    assertTerms(terms);
    return this.dataSource.transaction(async (manager) => {
      const farm = await this.ownFarm(manager, principal, farmId);
      const token = await manager.findOne(FarmToken, {
        where: { farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.status !== 'confirmed' || !['tokenized', 'active'].includes(farm.status))
        throw IssuanceError.farmNotTokenized(farm.status);
      const available = token.totalFractions - (await this.allocated(manager, token.tokenAddress));
      if (terms.fractionsOffered > available) throw IssuanceError.exceedsSupply(available);
      const offering = manager.create(Offering, {
        ...terms,
        farmId,
        tokenAddress: token.tokenAddress,
        remaining: terms.fractionsOffered,
        status: 'draft',
        createdBy: principal.userId,
        chainTxId: null,
        failureReason: null,
        openedAt: null,
        closedAt: null,
      });
      await manager.save(offering);
      await this.audit.record(manager, actor, 'offering.create', `offering:${offering.id}`, {
        farmId,
        ...describe(terms),
      });
      return offering;
    });
  }

  /** Sends the offering to the sale contract; it is `open` when that is confirmed. */
  open(principal: Principal, offeringId: string, actor: Actor): Promise<Offering> {
    return this.dataSource
      .transaction(async (manager) => {
        const offering = await this.lockOwn(manager, principal, offeringId);
        if (offering.status !== 'draft')
          throw IssuanceError.invalidTransition(offering.status, 'open');
        if (offering.closesAt.getTime() <= Date.now())
          throw IssuanceError.offeringInvalid(['closesAt has passed; create a new offering']);
        const farm = await manager.findOneByOrFail(Farm, { id: offering.farmId });
        if (!['tokenized', 'active'].includes(farm.status))
          throw IssuanceError.farmNotTokenized(farm.status);
        const tx = await this.outbox.enqueue(manager, {
          ...setOfferingCall(this.deployment, offering.tokenAddress, {
            pricePerFraction: offering.pricePerFraction,
            opensAt: seconds(offering.opensAt),
            closesAt: seconds(offering.closesAt),
            settlementWindow: offering.settlementWindowSeconds,
          }),
          reference: `offering:${offering.id}`,
          idempotencyKey: `offering-open-${offering.id}-${offering.updatedAt.getTime()}`,
          topic: OFFERING_TOPIC,
        });
        await manager.update(
          Offering,
          { id: offering.id },
          { status: 'opening', chainTxId: tx.id, failureReason: null },
        );
        await this.audit.record(manager, actor, 'offering.open', `offering:${offering.id}`, {
          chainTxId: tx.id,
        });
        return manager.findOneByOrFail(Offering, { id: offering.id });
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'uq_offering_live_per_token'))
          throw IssuanceError.anotherLive();
        throw error;
      });
  }

  /**
   * Takes no more orders at once and closes the sale on chain; unpaid reservations are cancelled
   * (the sale contract refuses their payment from now on); paid orders are still settled.
   */
  close(principal: Principal, offeringId: string, actor: Actor): Promise<Offering> {
    return this.dataSource.transaction(async (manager) => {
      const offering = await this.lockOwn(manager, principal, offeringId);
      if (offering.status !== 'open' && offering.status !== 'opening')
        throw IssuanceError.invalidTransition(offering.status, 'closed');
      const now = new Date();
      const closesAt = Math.max(seconds(now), seconds(offering.opensAt) + 1);
      const tx = await this.outbox.enqueue(manager, {
        ...setOfferingCall(this.deployment, offering.tokenAddress, {
          pricePerFraction: offering.pricePerFraction,
          opensAt: Math.min(seconds(offering.opensAt), closesAt - 1),
          closesAt,
          settlementWindow: offering.settlementWindowSeconds,
        }),
        reference: `offering:${offering.id}`,
        idempotencyKey: `offering-close-${offering.id}`,
        topic: OFFERING_TOPIC,
      });
      const cancelled = await endReservations(
        manager,
        { offeringId: offering.id },
        'cancelled',
        'the offering was closed',
      );
      await manager.update(
        Offering,
        { id: offering.id },
        { status: 'closed', closedAt: now, chainTxId: tx.id, version: () => 'version + 1' },
      );
      await this.audit.record(manager, actor, 'offering.close', `offering:${offering.id}`, {
        chainTxId: tx.id,
        cancelledOrders: cancelled,
      });
      return manager.findOneByOrFail(Offering, { id: offering.id });
    });
  }

  async find(principal: Principal, offeringId: string): Promise<Offering> {
    const offering = await this.dataSource.getRepository(Offering).findOneBy({ id: offeringId });
    if (!offering || !(await this.visible(principal, offering)))
      throw IssuanceError.offeringNotFound();
    return offering;
  }

  async list(
    principal: Principal,
    query: { farmId?: string; status?: OfferingStatus; limit: number; offset: number },
  ): Promise<{ items: Offering[]; total: number }> {
    const where: FindOptionsWhere<Offering> = {};
    if (query.farmId) where.farmId = query.farmId;
    if (principal.role === 'investor') {
      if (query.status && !INVESTOR_VISIBLE.includes(query.status)) return { items: [], total: 0 };
      where.status = query.status ?? In([...INVESTOR_VISIBLE]);
    } else if (query.status) {
      where.status = query.status;
    }
    if (principal.role === 'operator') {
      const farms = await this.dataSource
        .getRepository(Farm)
        .find({ select: { id: true }, where: { operatorId: principal.userId } });
      const own = farms.map((farm) => farm.id).filter((id) => !query.farmId || id === query.farmId);
      where.farmId = In(own);
    }
    const [items, total] = await this.dataSource.getRepository(Offering).findAndCount({
      where,
      order: { createdAt: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  /** Fractions of the token already promised: whole live offerings, and what closed ones sold. */
  private async allocated(manager: EntityManager, token: string): Promise<bigint> {
    const [row] = await manager.query<{ allocated: string }[]>(
      `SELECT coalesce(sum(CASE WHEN status = 'closed' THEN fractions_offered - remaining
                                ELSE fractions_offered END), 0) AS allocated
         FROM offering WHERE token_address = $1`,
      [token],
    );
    return BigInt(row.allocated);
  }

  private async visible(principal: Principal, offering: Offering): Promise<boolean> {
    if (principal.role === 'investor') return INVESTOR_VISIBLE.includes(offering.status);
    if (principal.role === 'operator')
      return this.dataSource
        .getRepository(Farm)
        .existsBy({ id: offering.farmId, operatorId: principal.userId });
    return true;
  }

  private async ownFarm(
    manager: EntityManager,
    principal: Principal,
    farmId: string,
  ): Promise<Farm> {
    const farm = await manager.findOneBy(
      Farm,
      principal.role === 'operator' ? { id: farmId, operatorId: principal.userId } : { id: farmId },
    );
    if (!farm) throw FarmError.notFound();
    return farm;
  }

  private async lockOwn(
    manager: EntityManager,
    principal: Principal,
    offeringId: string,
  ): Promise<Offering> {
    const offering = await manager.findOne(Offering, {
      where: { id: offeringId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!offering) throw IssuanceError.offeringNotFound();
    if (principal.role === 'operator')
      await this.ownFarm(manager, principal, offering.farmId).catch(() => {
        throw IssuanceError.offeringNotFound();
      });
    return offering;
  }
}

function assertTerms(terms: OfferingTermsInput): void {
  const problems: string[] = [];
  if (terms.pricePerFraction <= 0n || terms.pricePerFraction > MAX_UINT128)
    problems.push('pricePerFraction must be 1 to 2^128 - 1 minor units');
  if (terms.fractionsOffered <= 0n || terms.fractionsOffered > MAX_FRACTIONS)
    problems.push('fractionsOffered must be 1 to 2^53 - 1');
  if (terms.minPerInvestor < 1n) problems.push('minPerInvestor must be at least 1');
  if (terms.maxPerInvestor < terms.minPerInvestor)
    problems.push('maxPerInvestor must be at least minPerInvestor');
  if (terms.maxPerInvestor > terms.fractionsOffered)
    problems.push('maxPerInvestor must not exceed fractionsOffered');
  if (terms.fractionsOffered * terms.pricePerFraction > MAX_UINT128)
    problems.push('fractionsOffered x pricePerFraction must fit the sale contract (2^128 - 1)');
  if (terms.closesAt.getTime() <= terms.opensAt.getTime())
    problems.push('closesAt must be after opensAt');
  if (terms.closesAt.getTime() <= Date.now()) problems.push('closesAt must be in the future');
  if (seconds(terms.closesAt) >= 2 ** 40) problems.push('closesAt is too far in the future');
  if (
    terms.settlementWindowSeconds < MIN_SETTLEMENT_WINDOW_SECONDS ||
    terms.settlementWindowSeconds > MAX_SETTLEMENT_WINDOW_SECONDS
  )
    problems.push('settlementWindowSeconds must be 3600 (1 hour) to 2592000 (30 days)');
  if (terms.opensAt.getTime() < 0) problems.push('opensAt must be after 1970');
  if (terms.paymentWindowSeconds < 60 || terms.paymentWindowSeconds > 7 * 24 * 3600)
    problems.push('paymentWindowSeconds must be 60 to 604800 (7 days)');
  if (problems.length) throw IssuanceError.offeringInvalid(problems);
}

function describe(terms: OfferingTermsInput): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(terms).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
}
