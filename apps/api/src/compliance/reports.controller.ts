import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  type ReportQuery,
  ReportsService,
  type ReviewQueues,
  ReviewQueueService,
} from '@gpu/compliance';
import { Roles } from '../auth/access-policy';
import {
  DistributionReportQuery,
  HolderRegisterQuery,
  ReportPage,
  ReviewQueuesQuery,
  ReviewQueuesResponse,
  TransferReportQuery,
} from './dto/reports.dto';

/** Compliance reports: a page of JSON rows, or the whole report as streamed CSV. */
@ApiTags('compliance')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly reviewQueues: ReviewQueueService,
  ) {}

  @Get('review-queues')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary:
      'What waits for compliance, oldest first: KYC cases, submitted farm listings, token requests (terms, requester, age), revenue reports beyond the tolerance',
  })
  @ApiOkResponse({ type: ReviewQueuesResponse })
  queues(@Query() query: ReviewQueuesQuery): Promise<ReviewQueues> {
    return this.reviewQueues.queues(query.limit);
  }

  @Get('holder-register')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary:
      'Holder register: every wallet holding a farm token, its investor, country, KYC status and expiry, and balance',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ReportPage })
  holderRegister(@Query() query: HolderRegisterQuery): Promise<ReportPage | StreamableFile> {
    return this.answer(
      this.reports.holderRegister({ farmId: query.farmId }),
      query,
      'holder-register',
    );
  }

  @Get('transfers')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary: 'Transfer history of farm tokens, by farm, wallet and block range, in chain order',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ReportPage })
  transfers(@Query() query: TransferReportQuery): Promise<ReportPage | StreamableFile> {
    return this.answer(
      this.reports.transfers({
        farmId: query.farmId,
        wallet: query.wallet,
        fromBlock: query.fromBlock === undefined ? undefined : BigInt(query.fromBlock),
        toBlock: query.toBlock === undefined ? undefined : BigInt(query.toBlock),
      }),
      query,
      'transfers',
    );
  }

  @Get('distributions')
  @Roles(['compliance', 'admin'])
  @ApiOperation({
    summary: 'Distributions per farm and epoch with their figures, and the claims on each token',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ReportPage })
  distributions(@Query() query: DistributionReportQuery): Promise<ReportPage | StreamableFile> {
    return this.answer(
      this.reports.distributions({
        farmId: query.farmId,
        epoch: query.epoch === undefined ? undefined : BigInt(query.epoch),
      }),
      query,
      'distributions',
    );
  }

  private async answer(
    report: ReportQuery,
    query: { format?: 'json' | 'csv'; limit: number; offset: number },
    name: string,
  ): Promise<ReportPage | StreamableFile> {
    if (query.format === 'csv') {
      return new StreamableFile(Readable.from(this.reports.csv(report)), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="${name}.csv"`,
      });
    }
    const { items, total } = await this.reports.page(report, query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
