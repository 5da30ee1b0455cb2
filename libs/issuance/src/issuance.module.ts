import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { FarmsModule } from '@gpu/farms';
import { IdempotentRequest } from './entities/idempotent-request.entity';
import { InvestmentOrder } from './entities/investment-order.entity';
import { OfferingAllocation } from './entities/offering-allocation.entity';
import { Offering } from './entities/offering.entity';
import { HoldingsService } from './holdings.service';
import { OfferingOutcomeListener } from './jobs/offering-outcome.listener';
import { OrderExpiryProcessor } from './jobs/order-expiry.processor';
import { SaleEventsProcessor } from './jobs/sale-events.processor';
import { SettlementListener } from './jobs/settlement.listener';
import { OfferingsService } from './offerings.service';
import { OrdersService } from './orders.service';
import { ExpireOrders } from './use-cases/expire-orders';
import { PlaceOrder } from './use-cases/place-order';
import { ReservationBatcher } from './use-cases/reservation-batcher';
import { ProcessSaleEvents } from './use-cases/process-sale-events';

export const ISSUANCE_ENTITIES = [Offering, OfferingAllocation, InvestmentOrder, IdempotentRequest];

const SERVICES = [
  OfferingsService,
  OrdersService,
  PlaceOrder,
  HoldingsService,
  ExpireOrders,
  ProcessSaleEvents,
];

/** Offerings, orders, settlement and holdings. */
@Module({
  imports: [TypeOrmModule.forFeature(ISSUANCE_ENTITIES), ChainModule, FarmsModule],
  providers: [ReservationBatcher, ...SERVICES],
  exports: SERVICES,
})
export class IssuanceModule {}

/** Payments, settlement outcomes and expiry; only the worker imports it. */
@Module({
  imports: [IssuanceModule, ChainModule],
  providers: [
    OfferingOutcomeListener,
    SettlementListener,
    SaleEventsProcessor,
    OrderExpiryProcessor,
  ],
})
export class IssuanceWorkerModule {}
