import {
  Controller,
  Get,
  HttpCode,
  Param,
  type PipeTransform,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@gpu/audit';
import { DomainError } from '@gpu/common';
import {
  type Distribution,
  DistributionsService,
  STATEMENT_COLUMNS,
  type StatementLine,
} from '@gpu/distribution';
import type { Principal } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { PageQuery } from '../http/page.query';
import { uuidPipe } from '../http/uuid.pipe';
import {
  DistributionPage,
  DistributionResponse,
  RevenueClaimResponse,
  StatementQuery,
  StatementResponse,
  toDistributionResponse,
} from './dto/distributions.dto';

const walletPipe: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
      throw new DomainError(
        'INVALID_WALLET',
        'invalid',
        'The wallet in the path must be a 0x address',
      );
    }
    return value.toLowerCase();
  },
};

const READERS = ['investor', 'operator', 'compliance', 'admin'] as const;

/**
 * Distributions with their breakdown and progress (investors see those of monitored farms,
 * operators their own), claims with proofs, and investors' statements.
 */
@ApiTags('distributions')
@ApiBearerAuth()
@Controller()
export class DistributionsController {
  constructor(private readonly distributions: DistributionsService) {}

  @Get('farms/:id/distributions')
  @Roles(READERS, 'farms:read')
  @ApiOperation({
    summary: "A farm's distributions, newest epoch first, with breakdown and progress",
  })
  @ApiOkResponse({ type: DistributionPage })
  async list(
    @Param('id', uuidPipe) farmId: string,
    @Query() page: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DistributionPage> {
    const { items, total } = await this.distributions.list(principal, farmId, page);
    return { items: await this.responses(items), total, ...page };
  }

  @Get('distributions/:id')
  @Roles(READERS, 'farms:read')
  @ApiOperation({
    summary: 'One distribution: breakdown, snapshot, root, progress and publication',
  })
  @ApiOkResponse({ type: DistributionResponse })
  async find(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DistributionResponse> {
    const [response] = await this.responses([await this.distributions.find(principal, id)]);
    return response;
  }

  @Post('distributions/:id/publish')
  @Roles(['compliance', 'admin'])
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish a computed distribution again after its publication failed on chain',
  })
  @ApiOkResponse({ type: DistributionResponse })
  async republish(
    @Param('id', uuidPipe) id: string,
    @RequestActor() actor: Actor,
  ): Promise<DistributionResponse> {
    const [response] = await this.responses([await this.distributions.republish(id, actor)]);
    return response;
  }

  @Get('farms/:id/claims/:wallet')
  @Roles(['investor', 'compliance', 'admin'])
  @ApiOperation({
    summary:
      "A wallet's claim on the farm's latest published root: cumulative entitlement, claimed, claimable and the proof for claimRevenue",
  })
  @ApiOkResponse({ type: RevenueClaimResponse })
  claim(
    @Param('id', uuidPipe) farmId: string,
    @Param('wallet', walletPipe) wallet: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RevenueClaimResponse> {
    return this.distributions.claim(principal, farmId, wallet);
  }

  @Get('statements')
  @Roles(['investor'])
  @ApiOperation({
    summary: 'My statement: my wallets’ entitlements per distribution (JSON or CSV)',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: StatementResponse })
  async own(
    @Query() query: StatementQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StatementResponse | string> {
    return this.statement(principal, principal.userId, query, reply);
  }

  @Get('investors/:id/statements')
  @Roles(['compliance', 'admin'])
  @ApiOperation({ summary: "An investor's statement (JSON or CSV)" })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: StatementResponse })
  async ofInvestor(
    @Param('id', uuidPipe) investorId: string,
    @Query() query: StatementQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StatementResponse | string> {
    return this.statement(principal, investorId, query, reply);
  }

  private async statement(
    principal: Principal,
    investorId: string,
    query: StatementQuery,
    reply: FastifyReply,
  ): Promise<StatementResponse | string> {
    const lines = await this.distributions.statement(principal, investorId, {
      epoch: query.epoch === undefined ? undefined : BigInt(query.epoch),
      farmId: query.farmId,
    });
    if (query.format === 'csv') {
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="statement-${investorId}.csv"`);
      // escape_formulas: a farm's name cannot run as a spreadsheet formula.
      return stringify(lines, {
        header: true,
        columns: [...STATEMENT_COLUMNS],
        escape_formulas: true,
      });
    }
    return { investorId, lines, total: sum(lines).toString() };
  }

  /** Each distribution with the revenue report it distributes. */
  private async responses(distributions: Distribution[]): Promise<DistributionResponse[]> {
    const reports = await this.distributions.reportsOf(distributions);
    return distributions.map((d) => toDistributionResponse(d, reports.get(d.revenueReportId)!));
  }
}

function sum(lines: readonly StatementLine[]): bigint {
  return lines.reduce((total, line) => total + BigInt(line.amount), 0n);
}
