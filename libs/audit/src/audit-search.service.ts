import { Injectable } from '@nestjs/common';
import { Between, DataSource, type FindOptionsWhere, LessThan, MoreThanOrEqual } from 'typeorm';
import { AuditEntry } from './entities/audit-entry.entity';

export interface AuditSearch {
  /** Exact, e.g. `user:<uuid>` or `worker`. */
  actor?: string;
  /** Exact, e.g. `farm:<uuid>`. */
  subject?: string;
  /** Exact, e.g. `compliance.wallet-freeze`. */
  action?: string;
  /** From (inclusive) and to (exclusive). */
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** The audit log, searched by actor, subject, action and time range, newest first. */
@Injectable()
export class AuditSearchService {
  constructor(private readonly dataSource: DataSource) {}

  async search(query: AuditSearch): Promise<{ items: AuditEntry[]; total: number }> {
    const where: FindOptionsWhere<AuditEntry> = {};
    if (query.actor) where.actor = query.actor;
    if (query.subject) where.subject = query.subject;
    if (query.action) where.action = query.action;
    if (query.from && query.to)
      where.occurredAt = Between(query.from, new Date(query.to.getTime() - 1));
    else if (query.from) where.occurredAt = MoreThanOrEqual(query.from);
    else if (query.to) where.occurredAt = LessThan(query.to);
    const [items, total] = await this.dataSource.getRepository(AuditEntry).findAndCount({
      where,
      order: { sequence: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }
}
