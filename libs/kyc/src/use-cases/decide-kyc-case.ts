import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@gpu/audit';
import { KycCase } from '../entities/kyc-case.entity';
import { KycError } from '../kyc.errors';
import { ApplyKycReview } from './apply-kyc-review';

export interface DecideKycCaseCommand {
  caseId: string;
  /** approve a pending manual case; reject any pending case; revoke an approved case of any provider. */
  decision: 'approve' | 'reject' | 'revoke';
  level?: string;
  /** The country the officer verified in the documents (approvals only). */
  country?: number;
  labels?: string[];
  reason: string;
  officerId: string;
  actor: Actor;
}

/**
 * The manual provider: a compliance officer's decision on a case. Nobody decides a case they
 * opened themselves (separation of duties).
 */
@Injectable()
export class DecideKycCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apply: ApplyKycReview,
  ) {}

  execute(command: DecideKycCaseCommand): Promise<KycCase> {
    return this.decide(command).catch(KycError.fromApprovalRace);
  }

  private decide(command: DecideKycCaseCommand): Promise<KycCase> {
    return this.dataSource.transaction(async (manager) => {
      const kycCase = await manager.findOne(KycCase, {
        where: { id: command.caseId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!kycCase) throw KycError.caseNotFound();
      if (kycCase.requestedBy === command.officerId || kycCase.investorId === command.officerId)
        throw KycError.separationOfDuties();
      const target = command.decision === 'approve' ? 'approved' : 'rejected';
      // An officer approves only what they reviewed (manual cases); any pending case may be
      // rejected (a provider case that never completes would otherwise block the investor).
      const allowed =
        command.decision === 'revoke'
          ? kycCase.status === 'approved'
          : kycCase.status === 'pending' &&
            (command.decision === 'reject' || kycCase.provider === 'manual');
      if (!allowed) throw KycError.invalidTransition(kycCase.status, target);
      return this.apply.execute(
        manager,
        kycCase,
        {
          caseId: kycCase.id,
          provider: 'manual',
          answer: target,
          level: command.decision === 'approve' ? (command.level ?? null) : kycCase.level,
          labels: command.labels ?? [],
          country: command.decision === 'approve' ? (command.country ?? null) : null,
          reason: command.reason,
          occurredAt: new Date(),
        },
        command.actor,
      );
    });
  }
}
