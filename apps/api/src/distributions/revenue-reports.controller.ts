import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@gpu/audit';
import { RevenueReportsService } from '@gpu/distribution';
import type { Principal } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { PageQuery } from '../http/page.query';
import { uuidPipe } from '../http/uuid.pipe';
import {
  ReportRevenueRequest,
  RevenueDecisionRequest,
  RevenueReportPage,
  RevenueReportResponse,
  toRevenueReportResponse,
} from './dto/distributions.dto';

/**
 * Operators report each epoch's revenue of their farms; reports beyond the tolerance of the
 * oracle's figure wait for compliance.
 */
@ApiTags('distributions')
@ApiBearerAuth()
@Controller()
export class RevenueReportsController {
  constructor(private readonly reports: RevenueReportsService) {}

  @Post('farms/:id/revenue-reports')
  @Roles(['operator'], 'revenue:write')
  @ApiOperation({
    summary:
      "Report an epoch's gross revenue; within the tolerance of GPU-hours used x rate it is distributed, beyond it compliance decides. The same figures again return the first report (200)",
  })
  @ApiCreatedResponse({ type: RevenueReportResponse })
  async report(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ReportRevenueRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RevenueReportResponse> {
    const { report, replayed } = await this.reports.report(
      principal,
      farmId,
      { epoch: BigInt(body.epoch), amount: BigInt(body.amount), evidenceRef: body.evidenceRef },
      actor,
    );
    if (replayed) reply.status(200);
    return toRevenueReportResponse(report);
  }

  @Get('farms/:id/revenue-reports')
  @Roles(['operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({ summary: "A farm's revenue reports, newest epoch first" })
  @ApiOkResponse({ type: RevenueReportPage })
  async list(
    @Param('id', uuidPipe) farmId: string,
    @Query() page: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RevenueReportPage> {
    const { items, total } = await this.reports.list(principal, farmId, page);
    return { items: items.map(toRevenueReportResponse), total, ...page };
  }

  @Get('revenue-reports/pending')
  @Roles(['compliance', 'admin'])
  @ApiOperation({ summary: 'Revenue reports awaiting review, oldest first' })
  @ApiOkResponse({ type: RevenueReportPage })
  async pending(@Query() page: PageQuery): Promise<RevenueReportPage> {
    const { items, total } = await this.reports.pending(page);
    return { items: items.map(toRevenueReportResponse), total, ...page };
  }

  @Post('revenue-reports/:id/approve')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a report beyond the tolerance, with a reason: it is distributed',
  })
  @ApiOkResponse({ type: RevenueReportResponse })
  async approve(
    @Param('id', uuidPipe) id: string,
    @Body() body: RevenueDecisionRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<RevenueReportResponse> {
    return toRevenueReportResponse(await this.reports.approve(principal, id, body.reason, actor));
  }

  @Post('revenue-reports/:id/reject')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reject a report beyond the tolerance, with a reason (the operator may report the epoch again)',
  })
  @ApiOkResponse({ type: RevenueReportResponse })
  async reject(
    @Param('id', uuidPipe) id: string,
    @Body() body: RevenueDecisionRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<RevenueReportResponse> {
    return toRevenueReportResponse(await this.reports.reject(principal, id, body.reason, actor));
  }
}
