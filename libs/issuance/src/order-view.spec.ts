import { percentageOf } from './holdings.service';
import { toOrderView } from './order-view';

const contracts = { chainId: 31337, sale: '0xsale', stablecoin: '0xcoin' };
const order = {
  id: 'a1',
  offeringId: 'o1',
  status: 'reserved' as const,
  wallet: '0xwallet',
  tokenAddress: '0xtoken',
  chainOrderId: '0xid',
  fractions: 40n,
  pricePerFraction: 2_500_000n,
  amount: 100_000_000n,
  reservedUntil: new Date('2026-12-01T00:30:00Z'),
  paidAt: null,
  paymentTxHash: null,
  settlementDeadline: null,
  settledAt: null,
  settlementTxHash: null,
  failureReason: null,
  createdAt: new Date('2026-12-01T00:00:00Z'),
};

describe('toOrderView', () => {
  it('gives payment instructions while the order waits for payment, with integers as strings', () => {
    expect(toOrderView(order, contracts)).toMatchObject({
      fractions: '40',
      amount: '100000000',
      payment: {
        chainId: 31337,
        saleContract: '0xsale',
        stablecoin: '0xcoin',
        function: 'pay(bytes32,address,uint128,uint128)',
        orderId: '0xid',
        token: '0xtoken',
        fractions: '40',
        amount: '100000000',
        payBefore: '2026-12-01T00:30:00.000Z',
      },
      refund: null,
    });
  });

  it('gives refund instructions only to a refundable order', () => {
    for (const status of ['paid', 'settled', 'expired', 'cancelled', 'failed', 'refunded'] as const)
      expect(toOrderView({ ...order, status }, contracts)).toMatchObject({
        payment: null,
        refund: null,
      });
    expect(toOrderView({ ...order, status: 'refundable' }, contracts).refund).toEqual({
      saleContract: '0xsale',
      function: 'refund(bytes32)',
      orderId: '0xid',
    });
  });
});

describe('percentageOf', () => {
  it('is exact to 6 decimals, rounded down, in integers', () => {
    expect(percentageOf(40n, 65n)).toBe('61.538461');
    expect(percentageOf(1n, 3n)).toBe('33.333333');
    expect(percentageOf(65n, 65n)).toBe('100.000000');
    expect(percentageOf(1n, 10n ** 30n)).toBe('0.000000');
    expect(percentageOf(0n, 0n)).toBe('0.000000');
    expect(percentageOf(10n ** 40n - 1n, 10n ** 40n)).toBe('99.999999');
  });
});
