import { getAddress, type JsonRpcProvider } from 'ethers';
import type { Deployment } from '../deployment/deployment';
import { PrimarySale__factory } from '../generated';
import { type ChainIntent, encodeCall } from '../outbox/chain-intent';

const sale = PrimarySale__factory.createInterface();

type SaleCall = Pick<ChainIntent, 'to' | 'method' | 'data'>;

/** The PrimarySale's order id of an order known off chain by its UUID: the UUID's 16 bytes, left-padded to 32. */
export function chainOrderId(orderUuid: string): string {
  const hex = orderUuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a UUID: ${orderUuid}`);
  return `0x${'0'.repeat(32)}${hex}`;
}

export interface OfferingTerms {
  pricePerFraction: bigint;
  /** Unix seconds. */
  opensAt: number;
  /** Unix seconds; after `opensAt`. */
  closesAt: number;
  /** Seconds after payment by which the order must be settled. */
  settlementWindow: number;
}

/** Opens, changes or (with `closesAt` now) closes the token's offering. */
export function setOfferingCall(
  deployment: Deployment,
  token: string,
  terms: OfferingTerms,
): SaleCall {
  return {
    to: deployment.contracts.PrimarySale.address,
    ...encodeCall('PrimarySale', sale, 'setOffering', [
      getAddress(token),
      terms.pricePerFraction,
      terms.opensAt,
      terms.closesAt,
      terms.settlementWindow,
    ]),
  };
}

/** Delivery versus payment: mints the paid order's fractions and releases the payment. */
export function settleOrderCall(deployment: Deployment, orderId: string, payer: string): SaleCall {
  return {
    to: deployment.contracts.PrimarySale.address,
    ...encodeCall('PrimarySale', sale, 'settle', [orderId, getAddress(payer)]),
  };
}

/** Returns a paid order's payment to its payer. */
export function rejectOrderCall(deployment: Deployment, orderId: string, payer: string): SaleCall {
  return {
    to: deployment.contracts.PrimarySale.address,
    ...encodeCall('PrimarySale', sale, 'reject', [orderId, getAddress(payer)]),
  };
}

/** The function an investor calls to pay, as wallets and ABIs name it. */
export const PAY_SIGNATURE = 'pay(bytes32,address,uint128,uint128)';

/** The function an investor calls for a refund after the settlement deadline. */
export const REFUND_SIGNATURE = 'refund(bytes32)';

export type SaleOrderStatus = 'none' | 'paid' | 'settled' | 'refunded';

/** An order as the PrimarySale holds it, read at the chain's latest block, with that block's time. */
export async function readSaleOrder(
  provider: JsonRpcProvider,
  deployment: Deployment,
  orderId: string,
  payer: string,
): Promise<{ status: SaleOrderStatus; deadline: number; chainTime: number }> {
  const contract = PrimarySale__factory.connect(deployment.contracts.PrimarySale.address, provider);
  const [order, block] = await Promise.all([
    contract.orderOf(orderId, getAddress(payer), { blockTag: 'latest' }),
    provider.getBlock('latest'),
  ]);
  const statuses: SaleOrderStatus[] = ['none', 'paid', 'settled', 'refunded'];
  return {
    status: statuses[Number(order.status)],
    deadline: Number(order.deadline),
    chainTime: block?.timestamp ?? 0,
  };
}
