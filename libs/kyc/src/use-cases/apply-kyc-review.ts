import { Injectable } from '@nestjs/common';
import { type EntityManager, Not } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { AppConfig } from '@gpu/config';
import { KycCase, type KycStatus } from '../entities/kyc-case.entity';
import { IdentityRegistrySync } from '../identity-registry-sync';
import { KycError } from '../kyc.errors';
import type { KycReview } from '../providers/kyc-review';

const DAY_MS = 86_400_000;

/**
 * Which decisions each status accepts. A later review may reject an approved case (revocation)
 * or, from a provider, approve a rejected one (a resubmission passed); expired is final.
 */
const ALLOWED: Record<KycStatus, readonly KycReview['answer'][]> = {
  pending: ['approved', 'rejected'],
  approved: ['rejected'],
  rejected: ['approved'],
  expired: [],
};

/**
 * Applies a decision, from a compliance officer or a provider, to a case locked by the caller:
 * the new status, expiry or labels, an audit entry, and the registry sync (through the outbox),
 * all in the caller's transaction.
 */
@Injectable()
export class ApplyKycReview {
  constructor(
    private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly registry: IdentityRegistrySync,
  ) {}

  async execute(
    manager: EntityManager,
    kycCase: KycCase,
    review: KycReview,
    actor: Actor,
  ): Promise<KycCase> {
    const before = kycCase.status;
    if (!ALLOWED[before].includes(review.answer))
      throw KycError.invalidTransition(before, review.answer);
    const decidedAt = new Date();
    const declaredCountry = kycCase.country;
    if (review.answer === 'approved') {
      if (review.country === null) throw KycError.countryUnverified();
      await this.supersedeOtherApprovals(manager, kycCase, actor);
      Object.assign(kycCase, {
        status: 'approved',
        country: review.country,
        level: review.level,
        rejectLabels: [],
        reason: review.reason,
        expiresAt: new Date(review.occurredAt.getTime() + this.config.KYC_VALIDITY_DAYS * DAY_MS),
      });
    } else {
      Object.assign(kycCase, {
        status: 'rejected',
        rejectLabels: review.labels,
        reason: review.reason,
      });
    }
    Object.assign(kycCase, { decidedBy: actor.id, decidedAt });
    await manager.update(
      KycCase,
      { id: kycCase.id },
      {
        status: kycCase.status,
        country: kycCase.country,
        level: kycCase.level,
        rejectLabels: kycCase.rejectLabels,
        reason: kycCase.reason,
        expiresAt: kycCase.expiresAt,
        decidedBy: kycCase.decidedBy,
        decidedAt,
        providerEventAt: kycCase.providerEventAt,
      },
    );
    const action =
      review.answer === 'approved'
        ? 'kyc.approve'
        : before === 'approved'
          ? 'kyc.revoke'
          : 'kyc.reject';
    await this.audit.record(manager, actor, action, `kyc-case:${kycCase.id}`, {
      before,
      after: kycCase.status,
      provider: review.provider,
      declaredCountry,
      country: kycCase.country,
      level: kycCase.level,
      labels: kycCase.rejectLabels,
      reason: kycCase.reason,
      expiresAt: kycCase.expiresAt,
    });
    await this.registry.sync(manager, kycCase.investorId, actor);
    return kycCase;
  }

  /** An investor holds one approval at a time: a new one retires the old. */
  private async supersedeOtherApprovals(
    manager: EntityManager,
    kycCase: KycCase,
    actor: Actor,
  ): Promise<void> {
    const others = await manager.find(KycCase, {
      where: { investorId: kycCase.investorId, status: 'approved', id: Not(kycCase.id) },
      lock: { mode: 'pessimistic_write' },
    });
    for (const other of others) {
      await manager.update(KycCase, { id: other.id }, { status: 'expired' });
      await this.audit.record(manager, actor, 'kyc.supersede', `kyc-case:${other.id}`, {
        before: 'approved',
        after: 'expired',
        supersededBy: kycCase.id,
      });
    }
  }
}
