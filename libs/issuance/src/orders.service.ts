import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { type Actor, AuditLog } from '@gpu/audit';
import { DEPLOYMENT, type Deployment } from '@gpu/chain';
import type { Principal } from '@gpu/identity';
import { InvestmentOrder, type OrderStatus } from './entities/investment-order.entity';
import { IssuanceError } from './issuance.errors';
import { type OrderView, type SaleContracts, toOrderView } from './order-view';
import { lockOrder, returnFractions } from './order-transitions';

/** Reads orders (an investor their own, compliance and admins all) and cancels unpaid ones. */
@Injectable()
export class OrdersService {
  readonly contracts: SaleContracts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    @Inject(DEPLOYMENT) deployment: Deployment,
  ) {
    this.contracts = {
      chainId: deployment.chainId,
      sale: deployment.contracts.PrimarySale.address.toLowerCase(),
      stablecoin: deployment.contracts.Stablecoin.address.toLowerCase(),
    };
  }

  async find(principal: Principal, orderId: string): Promise<OrderView> {
    const order = await this.dataSource
      .getRepository(InvestmentOrder)
      .findOneBy(scoped(principal, orderId));
    if (!order) throw IssuanceError.orderNotFound();
    return toOrderView(order, this.contracts);
  }

  async list(
    principal: Principal,
    query: { offeringId?: string; status?: OrderStatus; limit: number; offset: number },
  ): Promise<{ items: OrderView[]; total: number }> {
    const where: FindOptionsWhere<InvestmentOrder> = {};
    if (principal.role === 'investor') where.investorId = principal.userId;
    if (query.offeringId) where.offeringId = query.offeringId;
    if (query.status) where.status = query.status;
    const [orders, total] = await this.dataSource.getRepository(InvestmentOrder).findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items: orders.map((order) => toOrderView(order, this.contracts)), total };
  }

  /** An unpaid reservation ends at the investor's request; its fractions return at once. */
  cancel(principal: Principal, orderId: string, actor: Actor): Promise<OrderView> {
    return this.dataSource.transaction(async (manager) => {
      const order = await lockOrder(manager, scoped(principal, orderId));
      if (!order) throw IssuanceError.orderNotFound();
      if (order.status !== 'reserved') throw IssuanceError.notCancellable(order.status);
      await manager.update(
        InvestmentOrder,
        { id: order.id },
        { status: 'cancelled', failureReason: 'cancelled by the investor' },
      );
      await returnFractions(manager, order.offeringId, order.investorId, order.fractions);
      await this.audit.record(manager, actor, 'order.cancel', `order:${order.id}`, {
        fractions: order.fractions.toString(),
      });
      return toOrderView(
        await manager.findOneByOrFail(InvestmentOrder, { id: order.id }),
        this.contracts,
      );
    });
  }
}

function scoped(principal: Principal, orderId: string): FindOptionsWhere<InvestmentOrder> {
  return principal.role === 'investor'
    ? { id: orderId, investorId: principal.userId }
    : { id: orderId };
}
