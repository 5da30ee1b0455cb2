import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
    const country = event.review?.answer === 'approved' ? await this.verifiedCountry(event) : null;
    return this.record(eventId, event, country, delivery).catch(KycError.fromApprovalRace);
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

  private record(
    eventId: string,
    event: SumsubEvent,
    country: number | null,
    delivery: SumsubDelivery,
  ): Promise<WebhookReceipt> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO kyc_provider_event (id, provider, type, case_id, occurred_at, outcome, payload_digest)
         VALUES ($1, 'sumsub', $2, NULL, $3, 'ignored', $4)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [eventId, event.type, event.occurredAt, event.payloadDigest],
      );
      if (inserted.length === 0) {
        const first = await manager.findOneByOrFail(KycProviderEvent, { id: eventId });
        if (first.payloadDigest !== event.payloadDigest)
          throw KycError.webhookEventConflict(eventId);
        return { eventId, duplicate: true, outcome: first.outcome };
      }
      const kycCase =
        event.externalUserId && UUID.test(event.externalUserId)
          ? await manager.findOne(KycCase, {
              where: { id: event.externalUserId, provider: 'sumsub' },
              lock: { mode: 'pessimistic_write' },
            })
          : null;
      let outcome: KycEventOutcome;
      if (!kycCase) outcome = 'unknown-case';
      else if (!event.review) outcome = 'ignored';
      else if (kycCase.providerEventAt && event.occurredAt <= kycCase.providerEventAt)
        outcome = 'stale';
      else if (kycCase.status === 'expired' || decidedByPerson(kycCase)) outcome = 'ignored';
      else {
        kycCase.providerEventAt = event.occurredAt;
        const answerApplies =
          (event.review.answer === 'approved') !== (kycCase.status === 'approved');
        if (answerApplies)
          await this.apply.execute(
            manager,
            kycCase,
            { ...event.review, caseId: kycCase.id, country },
            providerActor('sumsub', delivery.requestId),
          );
        else
          await manager.update(KycCase, { id: kycCase.id }, { providerEventAt: event.occurredAt });
        outcome = 'applied';
      }
      await manager.update(
        KycProviderEvent,
        { id: eventId },
        { outcome, caseId: kycCase?.id ?? null },
      );
      return { eventId, duplicate: false, outcome };
    });
  }
}
