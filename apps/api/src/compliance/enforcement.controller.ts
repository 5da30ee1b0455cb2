import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@gpu/audit';
import {
  ComplianceError,
  type EnforcementKind,
  type EnforcementParams,
  EnforcementService,
} from '@gpu/compliance';
import type { Principal } from '@gpu/identity';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  EnforcementActionPage,
  EnforcementActionResponse,
  EnforcementQuery,
  ForcedTransferRequest,
  ReasonRequest,
  TokenFreezeRequest,
  toEnforcementActionResponse,
  WalletFreezeRequest,
  WalletRecoveryRequest,
} from './dto/enforcement.dto';

const IDEMPOTENT =
  'Needs an Idempotency-Key header: a replay returns the first action (200, header Idempotent-Replayed: true), the same key with another request is 422. The action is pending until the chain confirms or refuses it (GET /enforcement-actions/:id).';

/** Compliance officers act on a farm token through the API; every action reaches the chain through the outbox. */
@ApiTags('compliance')
@ApiBearerAuth()
@Controller()
export class EnforcementController {
  constructor(private readonly enforcement: EnforcementService) {}

  @Post('farms/:id/enforcement/wallet-freezes')
  @Roles(['compliance'])
  @ApiOperation({
    summary: 'Freeze or unfreeze a wallet on the farm token',
    description: IDEMPOTENT,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  walletFreeze(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: WalletFreezeRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    const { wallet, frozen, reason } = body;
    return this.act(
      principal,
      actor,
      reply,
      key,
      farmId,
      'wallet-freeze',
      { wallet, frozen },
      reason,
    );
  }

  @Post('farms/:id/enforcement/token-freezes')
  @Roles(['compliance'])
  @ApiOperation({
    summary: 'Freeze part of a wallet’s balance (0 frees it)',
    description: IDEMPOTENT,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  tokenFreeze(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: TokenFreezeRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    const { wallet, amount, reason } = body;
    return this.act(
      principal,
      actor,
      reply,
      key,
      farmId,
      'token-freeze',
      { wallet, amount },
      reason,
    );
  }

  @Post('farms/:id/enforcement/forced-transfers')
  @Roles(['compliance'])
  @ApiOperation({
    summary:
      'Move fractions between verified wallets whatever their freezes (never unfreezing them)',
    description: IDEMPOTENT,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  forcedTransfer(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ForcedTransferRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    const { from, to, amount, reason } = body;
    return this.act(
      principal,
      actor,
      reply,
      key,
      farmId,
      'forced-transfer',
      { from, to, amount },
      reason,
    );
  }

  @Post('farms/:id/enforcement/recoveries')
  @Roles(['compliance'])
  @ApiOperation({
    summary:
      'Recover a lost wallet to another verified wallet of the same investor: balance, freezes and claimed revenue move',
    description: IDEMPOTENT,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  recovery(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: WalletRecoveryRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    const { lostWallet, newWallet, reason } = body;
    return this.act(
      principal,
      actor,
      reply,
      key,
      farmId,
      'wallet-recovery',
      { lostWallet, newWallet },
      reason,
    );
  }

  @Post('farms/:id/enforcement/pause')
  @Roles(['compliance'])
  @ApiOperation({ summary: 'Pause every transfer of the farm token', description: IDEMPOTENT })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  pause(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ReasonRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    return this.act(principal, actor, reply, key, farmId, 'pause', {}, body.reason);
  }

  @Post('farms/:id/enforcement/unpause')
  @Roles(['compliance'])
  @ApiOperation({ summary: 'Let the farm token’s transfers run again', description: IDEMPOTENT })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: EnforcementActionResponse })
  unpause(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ReasonRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnforcementActionResponse> {
    return this.act(principal, actor, reply, key, farmId, 'unpause', {}, body.reason);
  }

  @Get('enforcement-actions')
  @Roles(['compliance', 'admin'])
  @ApiOperation({ summary: 'Enforcement actions, newest first, with their on-chain outcome' })
  @ApiOkResponse({ type: EnforcementActionPage })
  async list(@Query() query: EnforcementQuery): Promise<EnforcementActionPage> {
    const { items, total } = await this.enforcement.list(query);
    return {
      items: items.map(toEnforcementActionResponse),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Get('enforcement-actions/:id')
  @Roles(['compliance', 'admin'])
  @ApiOperation({ summary: 'One enforcement action and its on-chain outcome' })
  @ApiOkResponse({ type: EnforcementActionResponse })
  async find(@Param('id', uuidPipe) id: string): Promise<EnforcementActionResponse> {
    return toEnforcementActionResponse(await this.enforcement.find(id));
  }

  private async act(
    principal: Principal,
    actor: Actor,
    reply: FastifyReply,
    key: string | undefined,
    farmId: string,
    kind: EnforcementKind,
    params: EnforcementParams,
    reason: string,
  ): Promise<EnforcementActionResponse> {
    if (!key) throw ComplianceError.idempotencyKeyRequired();
    const { action, replayed } = await this.enforcement.request(
      principal,
      { farmId, kind, params, reason, idempotencyKey: key },
      actor,
    );
    if (replayed) void reply.status(200).header('idempotent-replayed', 'true');
    return toEnforcementActionResponse(action);
  }
}
