import type { HDNodeWallet, JsonRpcProvider, Wallet } from 'ethers';
import { waitForReceipt } from '@gpu/chain';
import { MockStablecoin__factory, PrimarySale__factory } from '../../libs/chain/src/generated';

/** The payment part of an order's 201 response. */
export interface PaymentInstructions {
  saleContract: string;
  stablecoin: string;
  orderId: string;
  token: string;
  fractions: string;
  amount: string;
}

/**
 * The gas estimate is exact for the state it ran on, but the sale's stablecoin balance may be
 * emptied by a settlement before the payment is mined, and refilling an empty balance costs
 * about 17k more gas. Wallet apps add a margin for this; so do we.
 */
export const GAS_MARGIN_PERCENT = 150n;

/** Pays an order as the investor's wallet app would: approve the sale, then pay. */
export async function payOrder(
  wallet: Wallet | HDNodeWallet,
  payment: PaymentInstructions,
): Promise<string> {
  const provider = wallet.provider as JsonRpcProvider;
  const coin = MockStablecoin__factory.connect(payment.stablecoin, wallet);
  await waitForReceipt(provider, (await coin.approve(payment.saleContract, payment.amount)).hash);
  const sale = PrimarySale__factory.connect(payment.saleContract, wallet);
  const args = [payment.orderId, payment.token, payment.fractions, payment.amount] as const;
  // A refusal surfaces here with the contract's custom error, not as a bare reverted receipt.
  const gas = await sale.pay.estimateGas(...args);
  const paid = await sale.pay(...args, { gasLimit: (gas * GAS_MARGIN_PERCENT) / 100n });
  await waitForReceipt(provider, paid.hash);
  return paid.hash;
}
