import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, Not } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { AppConfig } from '@gpu/config';
import { Farm, FarmError, FarmToken } from '@gpu/farms';
import type { Principal } from '@gpu/identity';
import { OracleError, UptimeEpoch } from '@gpu/oracle';
import { deviationBps, splitRevenue, withinTolerance } from './compute/revenue-split';
import { DistributionError } from './distribution.errors';
import { Distribution } from './entities/distribution.entity';
import { RevenueReport } from './entities/revenue-report.entity';

/** The most a farm's revenue can add up to: the token keeps cumulative totals in a uint112. */
export const MAX_REVENUE = (1n << 112n) - 1n;

export interface RevenueReportInput {
  epoch: bigint;
  amount: bigint;
  evidenceRef: string;
}

/**
 * Operators report what a farm earned per oracle epoch, in epoch order. A report within the
 * tolerance of the oracle's GPU-hours used x rate is accepted and becomes a draft distribution at
 * once; beyond it, compliance approves (then the same) or rejects it, never its own reporter.
 */
@Injectable()
export class RevenueReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {}

  /** Reporting the same figures again returns the first report (`replayed`). */
  report(
    principal: Principal,
    farmId: string,
    input: RevenueReportInput,
    actor: Actor,
  ): Promise<{ report: RevenueReport; replayed: boolean }> {
    if (input.amount < 0n || input.amount > MAX_REVENUE) {
      throw DistributionError.amountInvalid('amount must be an integer from 0 to 2^112 - 1');
    }
    return this.dataSource.transaction(async (manager) => {
      const farm = await manager.findOne(Farm, {
        where:
          principal.role === 'operator'
            ? { id: farmId, operatorId: principal.userId }
            : { id: farmId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!farm) throw FarmError.notFound();
      const token = await manager.findOneBy(FarmToken, { farmId });
      if (!token || token.status !== 'confirmed') throw FarmError.notTokenized();

      const reports = manager.getRepository(RevenueReport);
      const same = await reports.findOneBy({
        farmId,
        epoch: input.epoch,
        status: Not('rejected'),
      });
      if (same) {
        if (same.amount === input.amount && same.evidenceRef === input.evidenceRef) {
          return { report: same, replayed: true };
        }
        throw DistributionError.alreadyReported(input.epoch);
      }
      const pending = await reports.findOneBy({ farmId, status: 'pending_review' });
      if (pending) throw DistributionError.reviewPending(pending.epoch);
      const latest = await reports.findOne({
        where: { farmId, status: Not('rejected') },
        order: { epoch: 'DESC' },
      });
      if (latest && latest.epoch > input.epoch) {
        throw DistributionError.epochSuperseded(input.epoch, latest.epoch);
      }
      const uptime = await manager.findOneBy(UptimeEpoch, { farmId, epoch: input.epoch });
      if (!uptime) throw OracleError.epochNotReported(input.epoch);
      if (uptime.status !== 'accepted') throw DistributionError.epochNotConfirmed(input.epoch);
      // Epochs the oracle reported between the last report and this one: skipping one (an epoch
      // under the SLA, say) is for compliance to accept.
      const [{ skipped }] = await manager.query<{ skipped: number }[]>(
        `SELECT count(*)::int AS skipped FROM uptime_epoch
          WHERE farm_id = $1 AND epoch < $2 AND ($3::bigint IS NULL OR epoch > $3)`,
        [farmId, input.epoch.toString(), latest?.epoch.toString() ?? null],
      );

      const deviation = deviationBps(input.amount, uptime.revenue);
      const tolerance = this.config.REVENUE_TOLERANCE_BPS;
      const report = reports.create({
        farmId,
        epoch: input.epoch,
        amount: input.amount,
        evidenceRef: input.evidenceRef,
        reportedBy: principal.userId,
        expectedAmount: uptime.revenue,
        deviationBps: deviation,
        toleranceBps: tolerance,
        skippedEpochs: skipped,
        status:
          withinTolerance(deviation, tolerance) && skipped === 0 ? 'accepted' : 'pending_review',
        reviewedBy: null,
        reviewReason: null,
        reviewedAt: null,
      });
      await reports.insert(report);
      await this.audit.record(manager, actor, 'revenue.report', `farm:${farmId}`, {
        reportId: report.id,
        epoch: input.epoch.toString(),
        amount: input.amount.toString(),
        expectedAmount: uptime.revenue.toString(),
        deviationBps: deviation?.toString() ?? null,
        skippedEpochs: skipped,
        status: report.status,
      });
      if (report.status === 'accepted') await this.draft(manager, report, farm, token, uptime);
      return { report, replayed: false };
    });
  }

  approve(
    principal: Principal,
    reportId: string,
    reason: string,
    actor: Actor,
  ): Promise<RevenueReport> {
    return this.review(principal, reportId, 'approved', reason, actor);
  }

  reject(
    principal: Principal,
    reportId: string,
    reason: string,
    actor: Actor,
  ): Promise<RevenueReport> {
    return this.review(principal, reportId, 'rejected', reason, actor);
  }

  async list(
    principal: Principal,
    farmId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: RevenueReport[]; total: number }> {
    await this.visibleFarm(principal, farmId);
    const [items, total] = await this.dataSource.getRepository(RevenueReport).findAndCount({
      where: { farmId },
      order: { epoch: 'DESC', createdAt: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }

  /** Reports awaiting compliance review, oldest first. */
  async pending(page: {
    limit: number;
    offset: number;
  }): Promise<{ items: RevenueReport[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(RevenueReport).findAndCount({
      where: { status: 'pending_review' },
      order: { createdAt: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total };
  }

  private review(
    principal: Principal,
    reportId: string,
    decision: 'approved' | 'rejected',
    reason: string,
    actor: Actor,
  ): Promise<RevenueReport> {
    return this.dataSource.transaction(async (manager) => {
      const report = await manager.findOne(RevenueReport, {
        where: { id: reportId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!report) throw DistributionError.reportNotFound();
      if (report.status !== 'pending_review') throw DistributionError.notPending(report.status);
      if (report.reportedBy === principal.userId) throw DistributionError.ownReport();
      Object.assign(report, {
        status: decision,
        reviewedBy: principal.userId,
        reviewReason: reason,
        reviewedAt: new Date(),
      });
      await manager.save(report);
      await this.audit.record(
        manager,
        actor,
        `revenue.${decision === 'approved' ? 'approve' : 'reject'}`,
        `farm:${report.farmId}`,
        {
          reportId,
          epoch: report.epoch.toString(),
          reason,
        },
      );
      if (decision === 'approved') {
        const farm = await manager.findOneByOrFail(Farm, { id: report.farmId });
        const token = await manager.findOneByOrFail(FarmToken, { farmId: report.farmId });
        const uptime = await manager.findOneByOrFail(UptimeEpoch, {
          farmId: report.farmId,
          epoch: report.epoch,
        });
        await this.draft(manager, report, farm, token, uptime);
      }
      return report;
    });
  }

  /** The draft distribution of a distributable report: gross revenue split as the terms say. */
  private async draft(
    manager: EntityManager,
    report: RevenueReport,
    farm: Farm,
    token: FarmToken,
    uptime: UptimeEpoch,
  ): Promise<void> {
    const terms = {
      platformFeeBps: this.config.PLATFORM_FEE_BPS,
      revenueShareBps: farm.revenueShareBps,
      slaMet: uptime.slaMet,
      slaPenaltyBps: this.config.SLA_PENALTY_BPS,
    };
    const split = splitRevenue(report.amount, terms);
    await manager.insert(Distribution, {
      farmId: farm.id,
      token: token.tokenAddress.toLowerCase(),
      epoch: report.epoch,
      revenueReportId: report.id,
      status: 'draft',
      ...terms,
      ...split,
      uptimeBps: uptime.uptimeBps,
      slaUptimeBps: uptime.slaUptimeBps,
    });
  }

  private async visibleFarm(principal: Principal, farmId: string): Promise<Farm> {
    const farm = await this.dataSource
      .getRepository(Farm)
      .findOneBy(
        principal.role === 'operator'
          ? { id: farmId, operatorId: principal.userId }
          : { id: farmId },
      );
    if (!farm) throw FarmError.notFound();
    return farm;
  }
}
