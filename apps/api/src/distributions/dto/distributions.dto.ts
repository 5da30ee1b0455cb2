import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import type { Distribution, RevenueClaim, RevenueReport, StatementLine } from '@gpu/distribution';
import { IsIntegerStringUpTo } from '../../http/is-integer-string.validator';
import { PageQuery } from '../../http/page.query';

/** The farm token numbers revenue epochs in a uint32. */
const MAX_EPOCH = 2n ** 32n - 1n;

export class ReportRevenueRequest {
  @ApiProperty({
    description: 'The oracle epoch the revenue was earned in (decimal string, below 2^32)',
    example: '493152',
  })
  @IsIntegerStringUpTo(MAX_EPOCH)
  epoch: string;

  @ApiProperty({
    description: 'Gross revenue in stablecoin minor units (decimal string, below 2^112)',
    example: '1250000000',
  })
  @Matches(/^(0|[1-9][0-9]{0,33})$/, { message: 'amount must be a non-negative integer string' })
  amount: string;

  @ApiProperty({
    description: 'Where the evidence is: invoice number, document URI, payout reference',
    example: 'invoice 2026-11/42',
  })
  @IsString()
  @Length(1, 500)
  evidenceRef: string;
}

export class RevenueDecisionRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  reason: string;
}

export class StatementQuery {
  @ApiPropertyOptional({ description: 'Only this epoch' })
  @IsOptional()
  @IsIntegerStringUpTo(MAX_EPOCH)
  epoch?: string;

  @ApiPropertyOptional({ description: 'Only this farm' })
  @IsOptional()
  @IsUUID()
  farmId?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class RevenueReportResponse {
  @ApiProperty() id: string;
  @ApiProperty() farmId: string;
  @ApiProperty() epoch: string;
  @ApiProperty({ description: 'Gross revenue, stablecoin minor units' }) amount: string;
  @ApiProperty() evidenceRef: string;
  @ApiProperty() reportedBy: string;
  @ApiProperty({ description: "The oracle's GPU-hours used x the farm's rate" })
  expectedAmount: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Null: nothing was expected, something was reported',
  })
  deviationBps: string | null;
  @ApiProperty() toleranceBps: number;
  @ApiProperty({
    description: 'Epochs the oracle reported since the previous report: any needs review',
  })
  skippedEpochs: number;
  @ApiProperty({ enum: ['accepted', 'pending_review', 'approved', 'rejected'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) reviewedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) reviewReason: string | null;
  @ApiProperty({ nullable: true, type: String }) reviewedAt: string | null;
  @ApiProperty() createdAt: string;
}

export class RevenueReportPage extends PageQuery {
  @ApiProperty({ type: [RevenueReportResponse] }) items: RevenueReportResponse[];
  @ApiProperty() total: number;
}

export function toRevenueReportResponse(report: RevenueReport): RevenueReportResponse {
  return {
    id: report.id,
    farmId: report.farmId,
    epoch: report.epoch.toString(),
    amount: report.amount.toString(),
    evidenceRef: report.evidenceRef,
    reportedBy: report.reportedBy,
    expectedAmount: report.expectedAmount.toString(),
    deviationBps: report.deviationBps?.toString() ?? null,
    toleranceBps: report.toleranceBps,
    skippedEpochs: report.skippedEpochs,
    status: report.status,
    reviewedBy: report.reviewedBy,
    reviewReason: report.reviewReason,
    reviewedAt: report.reviewedAt?.toISOString() ?? null,
    createdAt: report.createdAt.toISOString(),
  };
}

/** How gross revenue became what the holders share, every figure in stablecoin minor units. */
export class DistributionBreakdown {
  @ApiProperty() gross: string;
  @ApiProperty() platformFeeBps: number;
  @ApiProperty() platformFee: string;
  @ApiProperty({ description: "The holders' share after the platform fee (farm term)" })
  revenueShareBps: number;
  @ApiProperty({ description: "The operator's share before any SLA penalty" })
  operatorShare: string;
  @ApiProperty() uptimeBps: number;
  @ApiProperty() slaUptimeBps: number;
  @ApiProperty() slaMet: boolean;
  @ApiProperty() slaPenaltyBps: number;
  @ApiProperty({ description: 'Moved from the operator to the holders for an epoch under the SLA' })
  slaPenalty: string;
  @ApiProperty() operatorFee: string;
  @ApiProperty({ description: 'gross - platform fee - operator fee' }) holdersShare: string;
  @ApiProperty({ nullable: true, type: String, description: "The previous distribution's dust" })
  dustIn: string | null;
  @ApiProperty({ nullable: true, type: String, description: "holders' share + dust in" })
  distributable: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Sum of the entitlements' }) paid:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'distributable - paid: carried to the next epoch',
  })
  dustOut: string | null;
}

export class DistributionProgress {
  @ApiProperty({ description: 'Entitlement lines written' }) processed: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Lines in all (null until the snapshot is taken)',
  })
  total: number | null;
}

export class DistributionResponse {
  @ApiProperty() id: string;
  @ApiProperty() farmId: string;
  @ApiProperty() token: string;
  @ApiProperty() epoch: string;
  @ApiProperty() revenueReportId: string;
  @ApiProperty({
    description:
      "The operator's report it distributes: gross amount, evidence, the oracle's expected amount, the deviation and its review",
  })
  revenueReport: RevenueReportResponse;
  @ApiProperty({ enum: ['draft', 'computed', 'published'] }) status: string;
  @ApiProperty() breakdown: DistributionBreakdown;
  @ApiProperty() progress: DistributionProgress;
  @ApiProperty({ nullable: true, type: String }) snapshotBlock: string | null;
  @ApiProperty({ nullable: true, type: String }) snapshotBlockTime: string | null;
  @ApiProperty({ nullable: true, type: String }) supply: string | null;
  @ApiProperty({ nullable: true, type: Number }) holders: number | null;
  @ApiProperty({ nullable: true, type: String }) root: string | null;
  @ApiProperty({ nullable: true, type: String }) totalCumulative: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'What this publication pulls into the token',
  })
  funding: string | null;
  @ApiProperty() publishAttempts: number;
  @ApiProperty({ nullable: true, type: String }) publishTxId: string | null;
  @ApiProperty({ nullable: true, type: String }) publishTxHash: string | null;
  @ApiProperty({ nullable: true, type: String }) publishFailure: string | null;
  @ApiProperty({ nullable: true, type: String }) computedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) publishedAt: string | null;
}

export class DistributionPage extends PageQuery {
  @ApiProperty({ type: [DistributionResponse] }) items: DistributionResponse[];
  @ApiProperty() total: number;
}

const text = (value: bigint | null): string | null => (value === null ? null : value.toString());

export function toDistributionResponse(
  d: Distribution,
  report: RevenueReport,
): DistributionResponse {
  return {
    id: d.id,
    farmId: d.farmId,
    token: d.token,
    epoch: d.epoch.toString(),
    revenueReportId: d.revenueReportId,
    revenueReport: toRevenueReportResponse(report),
    status: d.status,
    breakdown: {
      gross: d.gross.toString(),
      platformFeeBps: d.platformFeeBps,
      platformFee: d.platformFee.toString(),
      revenueShareBps: d.revenueShareBps,
      operatorShare: d.operatorShare.toString(),
      uptimeBps: d.uptimeBps,
      slaUptimeBps: d.slaUptimeBps,
      slaMet: d.slaMet,
      slaPenaltyBps: d.slaPenaltyBps,
      slaPenalty: d.slaPenalty.toString(),
      operatorFee: d.operatorFee.toString(),
      holdersShare: d.holdersShare.toString(),
      dustIn: text(d.dustIn),
      distributable: text(d.distributable),
      paid: text(d.paid),
      dustOut: text(d.dustOut),
    },
    progress: { processed: d.processedAccounts, total: d.accounts },
    snapshotBlock: text(d.snapshotBlock),
    snapshotBlockTime: d.snapshotBlockTime?.toISOString() ?? null,
    supply: text(d.supply),
    holders: d.holders,
    root: d.root,
    totalCumulative: text(d.totalCumulative),
    funding: text(d.funding),
    publishAttempts: d.publishAttempts,
    publishTxId: d.publishTxId,
    publishTxHash: d.publishTxHash,
    publishFailure: d.publishFailure,
    computedAt: d.computedAt?.toISOString() ?? null,
    publishedAt: d.publishedAt?.toISOString() ?? null,
  };
}

export class RevenueClaimResponse implements RevenueClaim {
  @ApiProperty() farmId: string;
  @ApiProperty() token: string;
  @ApiProperty() wallet: string;
  @ApiProperty({ description: 'The latest distribution published on chain' })
  distributionId: string;
  @ApiProperty() epoch: string;
  @ApiProperty() root: string;
  @ApiProperty({ description: 'Cumulative entitlement in the leaf: the claimRevenue argument' })
  cumulative: string;
  @ApiProperty({ description: 'Claimed so far (indexed RevenueClaimed events)' }) claimed: string;
  @ApiProperty() claimable: string;
  @ApiProperty({
    description: 'Recovered to another wallet: the new wallet claims, this one nothing',
  })
  recovered: boolean;
  @ApiProperty({ description: 'A frozen wallet stays entitled and claims once unfrozen' })
  frozen: boolean;
  @ApiProperty({ type: [String], description: 'The claimRevenue proof' }) proof: string[];
}

export class StatementLineResponse implements StatementLine {
  @ApiProperty() farmId: string;
  @ApiProperty() farmName: string;
  @ApiProperty() token: string;
  @ApiProperty() epoch: string;
  @ApiProperty() distributionId: string;
  @ApiProperty() status: string;
  @ApiProperty() snapshotBlock: string;
  @ApiProperty() wallet: string;
  @ApiProperty({ description: 'Fractions held at the snapshot block' }) balance: string;
  @ApiProperty() supply: string;
  @ApiProperty() distributable: string;
  @ApiProperty({ description: "This epoch's entitlement, stablecoin minor units" }) amount: string;
  @ApiProperty({ description: 'Entitlement of all epochs up to this one' }) cumulative: string;
}

export class StatementResponse {
  @ApiProperty() investorId: string;
  @ApiProperty({ type: [StatementLineResponse] }) lines: StatementLineResponse[];
  @ApiProperty({ description: 'Sum of the lines’ amounts' }) total: string;
}
