import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  Param,
  Post,
  Query,
} from '@nestjs/common';
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
import { actorOf, type Principal } from '@gpu/identity';
import { type AuthenticatedRequest, Roles } from '../auth/access-policy';
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

/** One enforcement action's route: compliance only, an Idempotency-Key, the action answered. */
const EnforcementRoute = (path: string, summary: string): MethodDecorator =>
  applyDecorators(
    Post(`farms/:id/enforcement/${path}`),
    Roles(['compliance']),
    ApiOperation({ summary, description: IDEMPOTENT }),
    ApiHeader({ name: 'Idempotency-Key', required: true }),
    ApiCreatedResponse({ type: EnforcementActionResponse }),
  );

/** Who asks for an enforcement action, under which Idempotency-Key, and the reply to mark a replay on. */
interface Requester {
  principal: Principal;
  actor: Actor;
  idempotencyKey: string | undefined;
  reply: FastifyReply;
}

const EnforcementRequester = createParamDecorator(
  (_: unknown, context: ExecutionContext): Requester => {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (!request.principal)
      throw new Error('EnforcementRequester on a route without authentication');
    const key = request.headers['idempotency-key'];
    return {
      principal: request.principal,
      actor: actorOf(request.principal, request.id),
      idempotencyKey: typeof key === 'string' ? key : undefined,
      reply: http.getResponse<FastifyReply>(),
    };
  },
);

/** Compliance officers act on a farm token through the API; every action reaches the chain through the outbox. */
@ApiTags('compliance')
@ApiBearerAuth()
@Controller()
export class EnforcementController {
  constructor(private readonly enforcement: EnforcementService) {}

  @EnforcementRoute('wallet-freezes', 'Freeze or unfreeze a wallet on the farm token')
  walletFreeze(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: WalletFreezeRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    const { wallet, frozen, reason } = body;
    return this.act(requester, farmId, 'wallet-freeze', { wallet, frozen }, reason);
  }

  @EnforcementRoute('token-freezes', 'Freeze part of a wallet’s balance (0 frees it)')
  tokenFreeze(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: TokenFreezeRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    const { wallet, amount, reason } = body;
    return this.act(requester, farmId, 'token-freeze', { wallet, amount }, reason);
  }

  @EnforcementRoute(
    'forced-transfers',
    'Move fractions between verified wallets whatever their freezes (never unfreezing them)',
  )
  forcedTransfer(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ForcedTransferRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    const { from, to, amount, reason } = body;
    return this.act(requester, farmId, 'forced-transfer', { from, to, amount }, reason);
  }

  @EnforcementRoute(
    'recoveries',
    'Recover a lost wallet to another verified wallet of the same investor: balance, freezes and claimed revenue move',
  )
  recovery(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: WalletRecoveryRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    const { lostWallet, newWallet, reason } = body;
    return this.act(requester, farmId, 'wallet-recovery', { lostWallet, newWallet }, reason);
  }

  @EnforcementRoute('pause', 'Pause every transfer of the farm token')
  pause(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ReasonRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    return this.act(requester, farmId, 'pause', {}, body.reason);
  }

  @EnforcementRoute('unpause', 'Let the farm token’s transfers run again')
  unpause(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: ReasonRequest,
    @EnforcementRequester() requester: Requester,
  ): Promise<EnforcementActionResponse> {
    return this.act(requester, farmId, 'unpause', {}, body.reason);
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
    { principal, actor, reply, idempotencyKey }: Requester,
    farmId: string,
    kind: EnforcementKind,
    params: EnforcementParams,
    reason: string,
  ): Promise<EnforcementActionResponse> {
    if (!idempotencyKey) throw ComplianceError.idempotencyKeyRequired();
    const { action, replayed } = await this.enforcement.request(
      principal,
      { farmId, kind, params, reason, idempotencyKey },
      actor,
    );
    if (replayed) void reply.status(200).header('idempotent-replayed', 'true');
    return toEnforcementActionResponse(action);
  }
}
