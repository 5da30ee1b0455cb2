import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { providerActor } from '@gpu/audit';
import { AppConfig } from '@gpu/config';
import { KycCase } from '../entities/kyc-case.entity';
import { type KycEventOutcome, KycProviderEvent } from '../entities/kyc-provider-event.entity';
import { KycError } from '../kyc.errors';
import {
  parseSumsubEvent,
  type SumsubEvent,
  verifySumsubSignature,
} from '../providers/sumsub-webhook';
import { SumsubApiClient } from '../providers/sumsub-api.client';
import { ApplyKycReview } from './apply-kyc-review';

export interface SumsubDelivery {
  rawBody: Buffer;
  digest?: string;
  algorithm?: string;
  requestId?: string;
}

export interface WebhookReceipt {
  eventId: string;
  duplicate: boolean;
  outcome: KycEventOutcome;
}

/** A compliance officer's decision stands: the provider cannot overturn it. */
function decidedByPerson(kycCase: KycCase): boolean {
  return kycCase.decidedBy?.startsWith('user:') ?? false;
}

interface Verdict {
  outcome: KycEventOutcome;
  /** It approves a case that is not approved: the verified country is needed. */
  approves: boolean;
  /** It changes the case's status (else it only moves the case's newest provider time). */
  changes: boolean;
  kycCase: KycCase | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Sumsub-compatible provider: a signed webhook delivery becomes a review of the case whose id
 * the applicant carries as `externalUserId`. Each event (type and correlationId) is processed
 * once, and a redelivery must carry the same body; an event older
 * than the newest one applied to the case is recorded as stale and changes nothing.
 */
@Injectable()
export class ReceiveSumsubWebhook {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly apply: ApplyKycReview,
    private readonly sumsub: SumsubApiClient,
  ) {}

  async execute(delivery: SumsubDelivery): Promise<WebhookReceipt> {
    const secret = this.config.KYC_WEBHOOK_SECRET;
    if (!secret) throw KycError.webhookNotConfigured();
    verifySumsubSignature(delivery.rawBody, delivery.digest, delivery.algorithm, secret);
    const event = parseSumsubEvent(delivery.rawBody);
    const eventId = `sumsub:${event.type}:${event.id}`;
    // The provider's API is asked only when the event will really approve a case, and outside
    // the transaction: a redelivery, a stale event or an unknown case never depend on it.
    const preview = await this.dataSource.transaction((manager) =>
      this.judge(manager, eventId, event, false),
    );
    const country = preview.approves ? await this.verifiedCountry(event) : null;
    return this.dataSource
      .transaction((manager) => this.record(manager, eventId, event, country, delivery))
      .catch(KycError.fromApprovalRace);
  }

  /** The country Sumsub verified for the applicant: an approval registers it, never the declared one. */
  private async verifiedCountry(event: SumsubEvent): Promise<number> {
    if (!event.applicantId) throw KycError.webhookPayloadInvalid('applicantId is missing');
    const applicant = await this.sumsub.applicant(event.applicantId);
    if (applicant.externalUserId !== event.externalUserId)
      throw KycError.webhookPayloadInvalid('the applicant belongs to another externalUserId');
    if (applicant.country === null) throw KycError.countryUnverified();
    return applicant.country;
  }

  private async record(
    manager: EntityManager,
    eventId: string,
    event: SumsubEvent,
    country: number | null,
    delivery: SumsubDelivery,
  ): Promise<WebhookReceipt> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO kyc_provider_event (id, provider, type, case_id, occurred_at, outcome, payload_digest)
       VALUES ($1, 'sumsub', $2, NULL, $3, 'ignored', $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [eventId, event.type, event.occurredAt, event.payloadDigest],
    );
    if (inserted.length === 0) return this.duplicate(manager, eventId, event);
    const verdict = await this.judge(manager, eventId, event, true);
    if (verdict.kycCase && verdict.outcome === 'applied') {
      if (verdict.approves && country === null)
        throw KycError.providerUnavailable('the case changed while the provider was read; retry');
      verdict.kycCase.providerEventAt = event.occurredAt;
      if (verdict.changes)
        await this.apply.execute(
          manager,
          verdict.kycCase,
          { ...event.review!, caseId: verdict.kycCase.id, country, occurredAt: event.occurredAt },
          providerActor('sumsub', delivery.requestId),
        );
      else
        await manager.update(
          KycCase,
          { id: verdict.kycCase.id },
          { providerEventAt: event.occurredAt },
        );
    }
    await manager.update(
      KycProviderEvent,
      { id: eventId },
      { outcome: verdict.outcome, caseId: verdict.kycCase?.id ?? null },
    );
    return { eventId, duplicate: false, outcome: verdict.outcome };
  }

  private async duplicate(
    manager: EntityManager,
    eventId: string,
    event: SumsubEvent,
  ): Promise<WebhookReceipt> {
    const first = await manager.findOneByOrFail(KycProviderEvent, { id: eventId });
    if (first.payloadDigest !== event.payloadDigest) throw KycError.webhookEventConflict(eventId);
    return { eventId, duplicate: true, outcome: first.outcome };
  }

  /**
   * What the event does to its case: nothing (unknown case, no review, stale, a case an officer
   * decided or overruled since it was opened), or applied, changing the status or not.
   */
  private async judge(
    manager: EntityManager,
    eventId: string,
    event: SumsubEvent,
    lock: boolean,
  ): Promise<Verdict> {
    if (!lock && (await manager.existsBy(KycProviderEvent, { id: eventId })))
      return { outcome: 'applied', approves: false, changes: false, kycCase: null };
    const kycCase =
      event.externalUserId && UUID.test(event.externalUserId)
        ? await manager.findOne(KycCase, {
            where: { id: event.externalUserId, provider: 'sumsub' },
            ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
          })
        : null;
    const nothing = (outcome: KycEventOutcome): Verdict => ({
      outcome,
      approves: false,
      changes: false,
      kycCase,
    });
    if (!kycCase) return nothing('unknown-case');
    if (!event.review) return nothing('ignored');
    if (kycCase.providerEventAt && event.occurredAt <= kycCase.providerEventAt)
      return nothing('stale');
    if (kycCase.status === 'expired' || decidedByPerson(kycCase)) return nothing('ignored');
    const approving = event.review.answer === 'approved';
    if (approving && (await this.overruledByOfficer(manager, kycCase))) return nothing('ignored');
    const changes = kycCase.status !== (approving ? 'approved' : 'rejected');
    return { outcome: 'applied', approves: approving && changes, changes, kycCase };
  }

  /** An officer rejected or revoked another case of the investor since this one was opened. */
  private overruledByOfficer(manager: EntityManager, kycCase: KycCase): Promise<boolean> {
    return manager
      .createQueryBuilder(KycCase, 'c')
      .where('c.investor_id = :investorId AND c.id <> :id', {
        investorId: kycCase.investorId,
        id: kycCase.id,
      })
      .andWhere(`c.status = 'rejected' AND c.decided_by LIKE 'user:%'`)
      .andWhere('c.decided_at >= :since', { since: kycCase.createdAt })
      .getExists();
  }
}
