import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@gpu/audit';
import type { Principal } from '@gpu/identity';
import { HoldingsService, OrdersService } from '@gpu/issuance';
import { CurrentPrincipal, RequestActor, Roles } from '../auth/access-policy';
import { uuidPipe } from '../http/uuid.pipe';
import { ListOrdersQuery, OrderPage, OrderResponse, PortfolioResponse } from './dto/offerings.dto';

/** Investors' orders and portfolio; compliance and admins read every order. */
@ApiTags('orders')
@ApiBearerAuth()
@Controller()
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly holdings: HoldingsService,
  ) {}

  @Get('orders')
  @Roles(['investor', 'compliance', 'admin'])
  @ApiOperation({ summary: 'Orders, newest first: an investor sees their own, staff all' })
  @ApiOkResponse({ type: OrderPage })
  async list(
    @Query() query: ListOrdersQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrderPage> {
    const page = await this.orders.list(principal, query);
    return { ...page, limit: query.limit, offset: query.offset };
  }

  @Get('orders/:id')
  @Roles(['investor', 'compliance', 'admin'])
  @ApiOperation({ summary: 'One order, with payment or refund instructions when they apply' })
  @ApiOkResponse({ type: OrderResponse })
  find(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrderResponse> {
    return this.orders.find(principal, id);
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @Roles(['investor'])
  @ApiOperation({ summary: 'Cancel an unpaid order; its fractions return to the offering' })
  @ApiOkResponse({ type: OrderResponse })
  cancel(
    @Param('id', uuidPipe) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestActor() actor: Actor,
  ): Promise<OrderResponse> {
    return this.orders.cancel(principal, id, actor);
  }

  @Get('portfolio')
  @Roles(['investor'])
  @ApiOperation({
    summary: 'Holdings by farm (indexed balances), cost basis of settled orders, latest orders',
  })
  @ApiOkResponse({ type: PortfolioResponse })
  async portfolio(@CurrentPrincipal() principal: Principal): Promise<PortfolioResponse> {
    const [holdings, orders] = await Promise.all([
      this.holdings.portfolio(principal.userId),
      this.orders.list(principal, { limit: 100, offset: 0 }),
    ]);
    return { holdings, orders: orders.items };
  }
}
