import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { RateLimit } from '../http/rate-limit';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@gpu/audit';
import { DomainError } from '@gpu/common';
import type { Principal } from '@gpu/identity';
import { HoldingsService, IssuanceError, OfferingsService, PlaceOrder } from '@gpu/issuance';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import {
  CapTableQuery,
  CapTableResponse,
  CreateOfferingRequest,
  ListOfferingsQuery,
  OfferingPage,
  OfferingResponse,
  OrderResponse,
  PlaceOrderRequest,
  toOfferingResponse,
} from './dto/offerings.dto';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Offerings of tokenized farms, the orders investors place in them, and the farms' cap tables. */
@ApiTags('offerings')
@ApiBearerAuth()
@Controller()
export class OfferingsController {
  constructor(
    private readonly offerings: OfferingsService,
    private readonly placeOrder: PlaceOrder,
    private readonly holdings: HoldingsService,
  ) {}

  @Post('farms/:id/offerings')
  @Roles(['operator'], 'farms:write')
  @ApiOperation({ summary: 'Prepare an offering (a draft) of an own tokenized farm' })
  @ApiCreatedResponse({ type: OfferingResponse })
  async create(
    @Param('id', uuidPipe) farmId: string,
    @Body() body: CreateOfferingRequest,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<OfferingResponse> {
    const offering = await this.offerings.create(
      principal,
      farmId,
      {
        pricePerFraction: BigInt(body.pricePerFraction),
        fractionsOffered: BigInt(body.fractionsOffered),
        minPerInvestor: BigInt(body.minPerInvestor),
        maxPerInvestor: BigInt(body.maxPerInvestor),
        opensAt: new Date(body.opensAt),
        closesAt: new Date(body.closesAt),
        paymentWindowSeconds: body.paymentWindowSeconds,
        settlementWindowSeconds: body.settlementWindowSeconds,
      },
      actor,
    );
    return toOfferingResponse(offering);
  }

  @Get('offerings')
  @Roles(['investor', 'operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({
    summary: 'Offerings: investors see open and closed ones, operators their own, staff all',
  })
  @ApiOkResponse({ type: OfferingPage })
  async list(
    @Query() query: ListOfferingsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OfferingPage> {
    const page = await this.offerings.list(principal, query);
    return {
      items: page.items.map(toOfferingResponse),
      total: page.total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Get('offerings/:id')
  @Roles(['investor', 'operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({ summary: 'One offering, with what is left of it' })
  @ApiOkResponse({ type: OfferingResponse })
  async find(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OfferingResponse> {
    return toOfferingResponse(await this.offerings.find(principal, id));
  }

  @Post('offerings/:id/open')
  @HttpCode(200)
  @Roles(['operator'], 'farms:write')
  @ApiOperation({
    summary: 'Open a draft offering: sent to the sale contract; open once confirmed',
  })
  @ApiOkResponse({ type: OfferingResponse })
  async open(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<OfferingResponse> {
    return toOfferingResponse(await this.offerings.open(principal, id, actor));
  }

  @Post('offerings/:id/close')
  @HttpCode(200)
  @Roles(['operator', 'compliance'], 'farms:write')
  @ApiOperation({
    summary: 'Close an offering now: unpaid reservations are cancelled, paid orders still settle',
  })
  @ApiOkResponse({ type: OfferingResponse })
  async close(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<OfferingResponse> {
    return toOfferingResponse(await this.offerings.close(principal, id, actor));
  }

  @Post('offerings/:id/orders')
  @Roles(['investor'])
  @RateLimit('orders')
  @ApiOperation({
    summary: 'Order fractions: reserved at once, with payment instructions',
    description:
      'Idempotent by the Idempotency-Key header: a replay returns the first response (header Idempotent-Replayed: true), the same key with another body is 422.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiCreatedResponse({ type: OrderResponse })
  async order(
    @Param('id', uuidPipe) offeringId: string,
    @Body() body: PlaceOrderRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw IssuanceError.idempotencyKeyRequired();
    const placed = await this.placeOrder.execute({
      investorId: principal.userId,
      offeringId,
      fractions: BigInt(body.fractions),
      wallet: body.wallet,
      idempotencyKey,
    });
    if (placed.replayed) void reply.header('idempotent-replayed', 'true');
    return placed.order;
  }

  @Get('farms/:id/cap-table')
  @Roles(['operator', 'compliance', 'admin'], 'farms:read')
  @ApiOperation({
    summary:
      "The farm token's holders, balances and shares, from indexed transfers: now, or at the end of ?block=N (an indexed block) or ?at=<ISO time>; format=csv streams the whole table",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: CapTableResponse })
  async capTable(
    @Param('id', uuidPipe) farmId: string,
    @Query() query: CapTableQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CapTableResponse | StreamableFile> {
    if (query.block !== undefined && query.at !== undefined) {
      throw new DomainError('CAP_TABLE_POINT_AMBIGUOUS', 'invalid', 'Give block or at, not both');
    }
    const viewer = { userId: principal.userId, operatorOnly: principal.role === 'operator' };
    const at = {
      block: query.block === undefined ? undefined : BigInt(query.block),
      time: query.at === undefined ? undefined : new Date(query.at),
    };
    if (query.format === 'csv') {
      const csv = await this.holdings.capTableCsv(viewer, farmId, at);
      const point = csv.block === null ? '' : `-block-${csv.block}`;
      return new StreamableFile(Readable.from(csv.lines), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="cap-table-${csv.symbol}${point}.csv"`,
      });
    }
    return this.holdings.capTable(viewer, farmId, { limit: query.limit, offset: query.offset }, at);
  }
}
