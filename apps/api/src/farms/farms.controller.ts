import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import {
  DecideTokenization,
  type FarmDraft,
  type FarmViewer,
  FarmsService,
  RequestTokenization,
} from '@gpu/farms';
import type { Principal } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  CreateFarmRequest,
  FarmDecisionRequest,
  FarmPage,
  FarmResponse,
  FarmTokenResponse,
  TokenizeFarmRequest,
  toFarmTokenResponse,
  ListFarmsQuery,
  toFarmResponse,
  UpdateFarmRequest,
} from './dto/farms.dto';

/** An operator sees and changes only their own farms; compliance and admins see all. */
function viewerOf(principal: Principal): FarmViewer {
  return { userId: principal.userId, operatorOnly: principal.role === 'operator' };
}

/** The body as a draft: null counts as absent (an edit never erases a field), amounts as bigint. */
function draftOf(body: UpdateFarmRequest): Partial<FarmDraft> {
  const present = Object.fromEntries(
    Object.entries(body).filter(([, value]) => value !== null && value !== undefined),
  ) as UpdateFarmRequest;
  return {
    ...present,
    valuation: present.valuation === undefined ? undefined : BigInt(present.valuation),
    ratePerGpuHour:
      present.ratePerGpuHour === undefined ? undefined : BigInt(present.ratePerGpuHour),
  };
}

/**
 * Farm listings: operators onboard their farms and request their tokens; compliance approves or
 * rejects both.
 */
@ApiTags('farms')
@ApiBearerAuth()
@Controller('farms')
export class FarmsController {
  constructor(
    private readonly farms: FarmsService,
    private readonly requestTokenization: RequestTokenization,
    private readonly decideTokenization: DecideTokenization,
  ) {}

  @Post()
  @Roles(['operator'], 'farms:write')
  @ApiOperation({ summary: 'Onboard a farm (a draft) with its GPU nodes and documents' })
  @ApiCreatedResponse({ type: FarmResponse })
  async create(
    @Body() body: CreateFarmRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmResponse> {
    const draft = { nodes: [], documents: [], ...draftOf(body) } as FarmDraft;
    return toFarmResponse(await this.farms.create(principal.userId, draft, actor));
  }

  @Get()
  @Roles(['operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({ summary: 'Farms: an operator sees their own, staff see all' })
  @ApiOkResponse({ type: FarmPage })
  async list(
    @Query() query: ListFarmsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FarmPage> {
    const page = await this.farms.list(viewerOf(principal), query);
    return {
      ...page,
      items: page.items.map(toFarmResponse),
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Get(':id')
  @Roles(['operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({ summary: 'One farm with its GPU nodes and documents' })
  @ApiOkResponse({ type: FarmResponse })
  async get(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FarmResponse> {
    return toFarmResponse(await this.farms.find(viewerOf(principal), id));
  }

  @Patch(':id')
  @Roles(['operator'], 'farms:write')
  @ApiOperation({
    summary:
      'Edit a draft or rejected farm (a rejected one goes back to draft); submitted and later farms refuse edits',
  })
  @ApiOkResponse({ type: FarmResponse })
  async update(
    @Param('id', uuidPipe) id: string,
    @Body() body: UpdateFarmRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmResponse> {
    return toFarmResponse(await this.farms.update(viewerOf(principal), id, draftOf(body), actor));
  }

  @Post(':id/submit')
  @Roles(['operator'], 'farms:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a draft for compliance review (needs GPU nodes and documents)' })
  @ApiOkResponse({ type: FarmResponse })
  async submit(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmResponse> {
    return toFarmResponse(await this.farms.submit(viewerOf(principal), id, actor));
  }

  @Post(':id/tokenization')
  @Roles(['operator'])
  @ApiOperation({
    summary:
      "Request the token of an own approved farm with its terms: stored as requested until compliance decides; the token's address is known at once",
  })
  @ApiCreatedResponse({ type: FarmTokenResponse })
  async tokenize(
    @Param('id', uuidPipe) id: string,
    @Body() body: TokenizeFarmRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmTokenResponse> {
    const token = await this.requestTokenization.execute(
      viewerOf(principal),
      id,
      {
        symbol: body.symbol,
        totalFractions: BigInt(body.totalFractions),
        allowedCountries: [...new Set(body.allowedCountries)].sort((a, b) => a - b),
        maxBalance: BigInt(body.maxBalance),
        maxHolders: body.maxHolders,
        lockupEnd: body.lockupEnd ? new Date(body.lockupEnd) : null,
      },
      actor,
    );
    return toFarmTokenResponse(token);
  }

  @Post(':id/tokenization/approve')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve a requested token, with a reason: one factory transaction through the outbox; the farm becomes tokenized when it is confirmed (never by its requester)',
  })
  @ApiOkResponse({ type: FarmTokenResponse })
  async approveTokenization(
    @Param('id', uuidPipe) id: string,
    @Body() body: FarmDecisionRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmTokenResponse> {
    return this.decideToken(id, 'approve', body, principal, actor);
  }

  @Post(':id/tokenization/reject')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reject a requested token, with a reason: nothing goes to the chain and the operator may request again (never by its requester)',
  })
  @ApiOkResponse({ type: FarmTokenResponse })
  async rejectTokenization(
    @Param('id', uuidPipe) id: string,
    @Body() body: FarmDecisionRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<FarmTokenResponse> {
    return this.decideToken(id, 'reject', body, principal, actor);
  }

  private async decideToken(
    farmId: string,
    decision: 'approve' | 'reject',
    body: FarmDecisionRequest,
    principal: Principal,
    actor: Actor,
  ): Promise<FarmTokenResponse> {
    return toFarmTokenResponse(
      await this.decideTokenization.execute({
        farmId,
        decision,
        reason: body.reason,
        officerId: principal.userId,
        actor,
      }),
    );
  }

  @Get(':id/token')
  @Roles(['operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({ summary: "The farm's token: terms, address and the state of its creation" })
  @ApiOkResponse({ type: FarmTokenResponse })
  async token(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FarmTokenResponse> {
    return toFarmTokenResponse(await this.farms.token(viewerOf(principal), id));
  }

  @Post(':id/approve')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a submitted farm, with a reason' })
  @ApiOkResponse({ type: FarmResponse })
  async approve(
    @Param('id', uuidPipe) id: string,
    @Body() body: FarmDecisionRequest,
    @RequestActor() actor: Actor,
  ): Promise<FarmResponse> {
    return toFarmResponse(await this.farms.decide(id, 'approved', body.reason, actor));
  }

  @Post(':id/reject')
  @Roles(['compliance'])
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a submitted farm, with a reason (the operator may edit and resubmit)',
  })
  @ApiOkResponse({ type: FarmResponse })
  async reject(
    @Param('id', uuidPipe) id: string,
    @Body() body: FarmDecisionRequest,
    @RequestActor() actor: Actor,
  ): Promise<FarmResponse> {
    return toFarmResponse(await this.farms.decide(id, 'rejected', body.reason, actor));
  }
}
