import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEthereumAddress,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  type CapTable,
  type Holding,
  type Offering,
  type OfferingStatus,
  ORDER_STATUSES,
  type OrderStatus,
  type OrderView,
} from '@gpu/issuance';
import { IsIntegerStringUpTo } from '../../http/is-integer-string.validator';
import { PageQuery } from '../../http/page.query';

const MAX_FRACTIONS = Number.MAX_SAFE_INTEGER;
const OFFERING_STATUSES: OfferingStatus[] = ['draft', 'opening', 'open', 'closed'];

export class CreateOfferingRequest {
  @ApiProperty({
    description: 'Stablecoin minor units per fraction, a decimal integer string',
    example: '2500000',
  })
  @Matches(/^[1-9][0-9]{0,38}$/, { message: 'pricePerFraction must be a positive integer string' })
  pricePerFraction: string;

  @ApiProperty({ example: 100_000, maximum: MAX_FRACTIONS })
  @IsInt()
  @Min(1)
  @Max(MAX_FRACTIONS)
  fractionsOffered: number;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_FRACTIONS)
  minPerInvestor: number;

  @ApiProperty({ description: 'All orders of one investor together', example: 10_000 })
  @IsInt()
  @Min(1)
  @Max(MAX_FRACTIONS)
  maxPerInvestor: number;

  @ApiProperty({ example: '2026-12-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  opensAt: string;

  @ApiProperty({ example: '2027-01-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  closesAt: string;

  @ApiProperty({
    required: false,
    default: 1800,
    description: 'Seconds an order may wait for payment',
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  paymentWindowSeconds: number = 1800;

  @ApiProperty({
    required: false,
    default: 7 * 24 * 3600,
    description: 'Seconds a paid order may wait for settlement before the investor may refund it',
  })
  @IsOptional()
  @IsInt()
  @Min(3600)
  @Max(30 * 24 * 3600)
  settlementWindowSeconds: number = 7 * 24 * 3600;
}

export class ListOfferingsQuery extends PageQuery {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsUUID()
  farmId?: string;

  @ApiProperty({ required: false, enum: OFFERING_STATUSES })
  @IsOptional()
  @IsIn(OFFERING_STATUSES)
  status?: OfferingStatus;
}

export class OfferingResponse {
  @ApiProperty() id: string;
  @ApiProperty() farmId: string;
  @ApiProperty() token: string;
  @ApiProperty({ enum: OFFERING_STATUSES }) status: OfferingStatus;
  @ApiProperty() pricePerFraction: string;
  @ApiProperty() fractionsOffered: string;
  @ApiProperty() remaining: string;
  @ApiProperty() minPerInvestor: string;
  @ApiProperty() maxPerInvestor: string;
  @ApiProperty() opensAt: string;
  @ApiProperty() closesAt: string;
  @ApiProperty() paymentWindowSeconds: number;
  @ApiProperty() settlementWindowSeconds: number;
  @ApiProperty({ nullable: true, type: String }) chainTxId: string | null;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty({ nullable: true, type: String }) openedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt: string | null;
  @ApiProperty() createdAt: string;
}

export class OfferingPage {
  @ApiProperty({ type: [OfferingResponse] }) items: OfferingResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export function toOfferingResponse(offering: Offering): OfferingResponse {
  return {
    id: offering.id,
    farmId: offering.farmId,
    token: offering.tokenAddress,
    status: offering.status,
    pricePerFraction: offering.pricePerFraction.toString(),
    fractionsOffered: offering.fractionsOffered.toString(),
    remaining: offering.remaining.toString(),
    minPerInvestor: offering.minPerInvestor.toString(),
    maxPerInvestor: offering.maxPerInvestor.toString(),
    opensAt: offering.opensAt.toISOString(),
    closesAt: offering.closesAt.toISOString(),
    paymentWindowSeconds: offering.paymentWindowSeconds,
    settlementWindowSeconds: offering.settlementWindowSeconds,
    chainTxId: offering.chainTxId,
    failureReason: offering.failureReason,
    openedAt: offering.openedAt?.toISOString() ?? null,
    closedAt: offering.closedAt?.toISOString() ?? null,
    createdAt: offering.createdAt.toISOString(),
  };
}

export class PlaceOrderRequest {
  @ApiProperty({ example: 40, maximum: MAX_FRACTIONS })
  @IsInt()
  @Min(1)
  @Max(MAX_FRACTIONS)
  fractions: number;

  @ApiProperty({
    required: false,
    description: 'The linked wallet that pays and receives; required with several linked wallets',
  })
  @IsOptional()
  @IsEthereumAddress()
  wallet?: string;
}

export class PaymentInstructionsResponse {
  @ApiProperty() chainId: number;
  @ApiProperty() saleContract: string;
  @ApiProperty() stablecoin: string;
  @ApiProperty({ example: 'pay(bytes32,address,uint128,uint128)' }) function: string;
  @ApiProperty() orderId: string;
  @ApiProperty() token: string;
  @ApiProperty() fractions: string;
  @ApiProperty() amount: string;
  @ApiProperty() payBefore: string;
}

export class RefundInstructionsResponse {
  @ApiProperty() saleContract: string;
  @ApiProperty() function: string;
  @ApiProperty() orderId: string;
}

export class OrderResponse implements OrderView {
  @ApiProperty() id: string;
  @ApiProperty() offeringId: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty() wallet: string;
  @ApiProperty() token: string;
  @ApiProperty() chainOrderId: string;
  @ApiProperty() fractions: string;
  @ApiProperty() pricePerFraction: string;
  @ApiProperty() amount: string;
  @ApiProperty() reservedUntil: string;
  @ApiProperty({ nullable: true, type: String }) paidAt: string | null;
  @ApiProperty({ nullable: true, type: String }) paymentTxHash: string | null;
  @ApiProperty({ nullable: true, type: String }) settlementDeadline: string | null;
  @ApiProperty({ nullable: true, type: String }) settledAt: string | null;
  @ApiProperty({ nullable: true, type: String }) settlementTxHash: string | null;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: PaymentInstructionsResponse })
  payment: PaymentInstructionsResponse | null;
  @ApiProperty({ nullable: true, type: RefundInstructionsResponse })
  refund: RefundInstructionsResponse | null;
}

export class OrderPage {
  @ApiProperty({ type: [OrderResponse] }) items: OrderResponse[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}

export class ListOrdersQuery extends PageQuery {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsUUID()
  offeringId?: string;

  @ApiProperty({ required: false, enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

class HoldingWalletResponse {
  @ApiProperty() wallet: string;
  @ApiProperty() balance: string;
}

export class HoldingResponse implements Holding {
  @ApiProperty() farmId: string;
  @ApiProperty() farmName: string;
  @ApiProperty() token: string;
  @ApiProperty() symbol: string;
  @ApiProperty() balance: string;
  @ApiProperty({ type: [HoldingWalletResponse] }) wallets: HoldingWalletResponse[];
  @ApiProperty() fractionsBought: string;
  @ApiProperty({ description: 'What the settled orders cost, stablecoin minor units' })
  costBasis: string;
}

export class PortfolioResponse {
  @ApiProperty({ type: [HoldingResponse] }) holdings: HoldingResponse[];
  @ApiProperty({ type: [OrderResponse], description: 'The latest 100 orders' })
  orders: OrderResponse[];
}

export class CapTableQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'The table at the end of this block (decimal, indexed already)',
  })
  @IsOptional()
  @IsIntegerStringUpTo(2n ** 63n - 1n)
  block?: string;

  @ApiPropertyOptional({
    description: 'The table at this time (ISO 8601): as of the last indexed block at or before it',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    default: 'json',
    description: 'json: one page (limit, offset); csv: the whole table, streamed',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

class CapTableEntryResponse {
  @ApiProperty() wallet: string;
  @ApiProperty({ required: false, nullable: true, type: String }) investorId?: string | null;
  @ApiProperty() balance: string;
  @ApiProperty() shareBps: number;
  @ApiProperty({ example: '12.500000' }) percentage: string;
}

export class CapTableResponse implements CapTable {
  @ApiProperty() farmId: string;
  @ApiProperty() token: string;
  @ApiProperty() symbol: string;
  @ApiProperty() totalSupply: string;
  @ApiProperty() holders: number;
  @ApiProperty({ nullable: true, type: String }) asOfBlock: string | null;
  @ApiProperty({ type: [CapTableEntryResponse] }) items: CapTableEntryResponse[];
}
