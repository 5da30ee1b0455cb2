import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { isUniqueViolation } from '@gpu/database';
import { User } from '@gpu/identity';
import { KycCase, type KycDocument, type KycProviderName } from '../entities/kyc-case.entity';
import { KycError } from '../kyc.errors';

export interface OpenKycCaseCommand {
  investorId: string;
  /** The user opening it: the investor, or a compliance officer on their behalf. */
  requestedBy: string;
  provider: KycProviderName;
  country: number;
  documents: KycDocument[];
  actor: Actor;
}

/** Opens a pending KYC case; an investor has at most one under review. */
@Injectable()
export class OpenKycCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async execute(command: OpenKycCaseCommand): Promise<KycCase> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const investor = await manager.findOneBy(User, { id: command.investorId });
        if (!investor || investor.role !== 'investor') throw KycError.notAnInvestor();
        const pending = await manager.findOneBy(KycCase, {
          investorId: command.investorId,
          status: 'pending',
        });
        if (pending) throw KycError.alreadyPending(pending.id);
        const kycCase = manager.create(KycCase, {
          investorId: command.investorId,
          requestedBy: command.requestedBy,
          provider: command.provider,
          country: command.country,
          documents: command.documents,
        });
        await manager.save(kycCase);
        await this.audit.record(manager, command.actor, 'kyc.open', `kyc-case:${kycCase.id}`, {
          investorId: command.investorId,
          provider: command.provider,
          country: command.country,
          documents: command.documents,
        });
        return kycCase;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_kyc_case_one_pending')) throw KycError.alreadyPending();
      throw error;
    }
  }
}
