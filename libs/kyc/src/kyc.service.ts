import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere, LessThanOrEqual } from 'typeorm';
import { KycCase, type KycStatus } from './entities/kyc-case.entity';
import { KycError } from './kyc.errors';

export interface KycCaseQuery {
  status?: KycStatus;
  investorId?: string;
  /**
   * Approved cases expiring before this moment (those already past it that the expiry job has
   * not reached yet too), soonest first.
   */
  expiringBefore?: Date;
  limit: number;
  offset: number;
}

/** Reads of KYC cases; who may read which is the caller's (the API guard's) decision. */
@Injectable()
export class KycService {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string, investorId?: string): Promise<KycCase> {
    const kycCase = await this.dataSource
      .getRepository(KycCase)
      .findOneBy(investorId ? { id, investorId } : { id });
    if (!kycCase) throw KycError.caseNotFound();
    return kycCase;
  }

  async list(query: KycCaseQuery): Promise<{ items: KycCase[]; total: number }> {
    const where: FindOptionsWhere<KycCase> = {};
    if (query.status) where.status = query.status;
    if (query.investorId) where.investorId = query.investorId;
    if (query.expiringBefore) {
      where.status = 'approved';
      where.expiresAt = LessThanOrEqual(query.expiringBefore);
    }
    const [items, total] = await this.dataSource.getRepository(KycCase).findAndCount({
      where,
      order: query.expiringBefore
        ? { expiresAt: 'ASC', createdAt: 'ASC', id: 'ASC' }
        : { createdAt: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }
}
