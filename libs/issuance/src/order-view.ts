import { PAY_SIGNATURE, REFUND_SIGNATURE } from '@gpu/chain';
import type { InvestmentOrder, OrderStatus } from './entities/investment-order.entity';

/** How an investor pays for a reserved order: one call of the PrimarySale from the order's wallet. */
export interface PaymentInstructions {
  chainId: number;
  /** The PrimarySale: approve it for `amount` of the stablecoin, then call `pay`. */
  saleContract: string;
  stablecoin: string;
  function: string;
  orderId: string;
  token: string;
  fractions: string;
  /** Stablecoin minor units. */
  amount: string;
  /** Pay before this, else the reservation lapses. */
  payBefore: string;
}

/** An order as the API shows it; integers as decimal strings. */
export interface OrderView {
  id: string;
  offeringId: string;
  status: OrderStatus;
  wallet: string;
  token: string;
  chainOrderId: string;
  fractions: string;
  pricePerFraction: string;
  amount: string;
  reservedUntil: string;
  paidAt: string | null;
  paymentTxHash: string | null;
  settlementDeadline: string | null;
  settledAt: string | null;
  settlementTxHash: string | null;
  failureReason: string | null;
  createdAt: string;
  /** Present while the order waits for payment. */
  payment: PaymentInstructions | null;
  /** Present when the investor may take the payment back on chain. */
  refund: { saleContract: string; function: string; orderId: string } | null;
}

export interface SaleContracts {
  chainId: number;
  sale: string;
  stablecoin: string;
}

type OrderFields = Pick<
  InvestmentOrder,
  | 'id'
  | 'offeringId'
  | 'status'
  | 'wallet'
  | 'tokenAddress'
  | 'chainOrderId'
  | 'fractions'
  | 'pricePerFraction'
  | 'amount'
  | 'reservedUntil'
  | 'paidAt'
  | 'paymentTxHash'
  | 'settlementDeadline'
  | 'settledAt'
  | 'settlementTxHash'
  | 'failureReason'
  | 'createdAt'
>;

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toOrderView(order: OrderFields, contracts: SaleContracts): OrderView {
  return {
    id: order.id,
    offeringId: order.offeringId,
    status: order.status,
    wallet: order.wallet,
    token: order.tokenAddress,
    chainOrderId: order.chainOrderId,
    fractions: order.fractions.toString(),
    pricePerFraction: order.pricePerFraction.toString(),
    amount: order.amount.toString(),
    reservedUntil: order.reservedUntil.toISOString(),
    paidAt: iso(order.paidAt),
    paymentTxHash: order.paymentTxHash,
    settlementDeadline: iso(order.settlementDeadline),
    settledAt: iso(order.settledAt),
    settlementTxHash: order.settlementTxHash,
    failureReason: order.failureReason,
    createdAt: order.createdAt.toISOString(),
    payment:
      order.status === 'reserved'
        ? {
            chainId: contracts.chainId,
            saleContract: contracts.sale,
            stablecoin: contracts.stablecoin,
            function: PAY_SIGNATURE,
            orderId: order.chainOrderId,
            token: order.tokenAddress,
            fractions: order.fractions.toString(),
            amount: order.amount.toString(),
            payBefore: order.reservedUntil.toISOString(),
          }
        : null,
    refund:
      order.status === 'refundable'
        ? { saleContract: contracts.sale, function: REFUND_SIGNATURE, orderId: order.chainOrderId }
        : null,
  };
}
