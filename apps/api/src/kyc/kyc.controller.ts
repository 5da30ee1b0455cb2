import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import { IdentityError, type Principal } from '@gpu/identity';
import { DecideKycCase, KycService, OpenKycCase } from '@gpu/kyc';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  ApproveKycRequest,
  KycCasePage,
  KycCaseResponse,
  ListKycCasesQuery,
  OpenKycCaseRequest,
  RejectKycRequest,
  toKycCaseResponse,
} from './dto/kyc.dto';

const DAY_MS = 86_400_000;

/** KYC cases: investors open and follow their own; compliance reviews every one. */
@ApiTags('kyc')
@ApiBearerAuth()
@Controller('kyc')
export class KycController {
  constructor(
    private readonly kyc: KycService,
    private readonly open: OpenKycCase,
    private readonly decide: DecideKycCase,
  ) {}

  @Post('cases')
  @Roles(['investor'])
  @ApiOperation({ summary: 'Open a KYC case for yourself' })
  @ApiCreatedResponse({ type: KycCaseResponse })
  async openOwn(
    @Body() body: OpenKycCaseRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<KycCaseResponse> {
    return toKycCaseResponse(
      await this.open.execute({
        investorId: principal.userId,
        requestedBy: principal.userId,
        provider: body.provider,
        country: body.country,
        documents: body.documents ?? [],
        actor,
      }),
      principal,
    );
  }

  @Post('investors/:investorId/cases')
  @Roles(['compliance'])
  @ApiOperation({
    summary:
      'Open a case on behalf of an investor (assisted onboarding); another officer decides it',
  })
  @ApiCreatedResponse({ type: KycCaseResponse })
  async openForInvestor(
    @Param('investorId', uuidPipe) investorId: string,
    @Body() body: OpenKycCaseRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<KycCaseResponse> {
    return toKycCaseResponse(
      await this.open.execute({
        investorId,
        requestedBy: principal.userId,
        provider: body.provider,
        country: body.country,
        documents: body.documents ?? [],
        actor,
      }),
      principal,
    );
  }

  @Get('cases')
  @Roles(['investor', 'compliance', 'admin'])
  @ApiOperation({
    summary:
      'KYC cases: an investor sees their own, staff see all (filters); expiringWithinDays (staff only) lists approved cases expiring within N days, soonest first',
  })
  @ApiOkResponse({ type: KycCasePage })
  async list(
    @Query() query: ListKycCasesQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<KycCasePage> {
    // The expiring-cases report is compliance's: an investor reads their own cases only.
    if (principal.role === 'investor' && query.expiringWithinDays !== undefined) {
      throw IdentityError.roleForbidden(principal.role);
    }
    const investorId = principal.role === 'investor' ? principal.userId : query.investorId;
    const page = await this.kyc.list({
      status: query.status,
      investorId,
      expiringBefore:
        query.expiringWithinDays === undefined
          ? undefined
          : new Date(Date.now() + query.expiringWithinDays * DAY_MS),
      limit: query.limit,
      offset: query.offset,
    });
    return {
      items: page.items.map((item) => toKycCaseResponse(item, principal)),
      total: page.total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Get('cases/:id')
  @Roles(['investor', 'compliance', 'admin'])
  @ApiOperation({ summary: 'One KYC case (an investor: only their own)' })
  @ApiOkResponse({ type: KycCaseResponse })
  async get(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<KycCaseResponse> {
    const owner = principal.role === 'investor' ? principal.userId : undefined;
    return toKycCaseResponse(await this.kyc.find(id, owner), principal);
  }

  @Post('cases/:id/approve')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a pending manual case; registers the wallets on chain' })
  @ApiOkResponse({ type: KycCaseResponse })
  approve(
    @Param('id', uuidPipe) id: string,
    @Body() body: ApproveKycRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<KycCaseResponse> {
    return this.decideCase(id, 'approve', body, principal, actor);
  }

  @Post('cases/:id/reject')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a pending case, with labels' })
  @ApiOkResponse({ type: KycCaseResponse })
  reject(
    @Param('id', uuidPipe) id: string,
    @Body() body: RejectKycRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<KycCaseResponse> {
    return this.decideCase(id, 'reject', body, principal, actor);
  }

  @Post('cases/:id/revoke')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an approval; removes the wallets from the registry' })
  @ApiOkResponse({ type: KycCaseResponse })
  revoke(
    @Param('id', uuidPipe) id: string,
    @Body() body: RejectKycRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<KycCaseResponse> {
    return this.decideCase(id, 'revoke', body, principal, actor);
  }

  private async decideCase(
    caseId: string,
    decision: 'approve' | 'reject' | 'revoke',
    body: Partial<ApproveKycRequest & RejectKycRequest>,
    principal: Principal,
    actor: Actor,
  ): Promise<KycCaseResponse> {
    const decided = await this.decide.execute({
      caseId,
      decision,
      level: body.level,
      country: body.country,
      labels: body.labels,
      reason: body.reason!,
      officerId: principal.userId,
      actor,
    });
    return toKycCaseResponse(decided, principal);
  }
}
