import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import { readDeploymentFile } from '@gpu/chain';
import {
  GpuFarmToken__factory,
  MockStablecoin__factory,
  PrimarySale__factory,
} from '../../libs/chain/src/generated';
import { waitForReceipt } from '../../libs/chain/src/tx/wait-for-receipt';
import { waitFor } from '../../scripts/lib/wait-for';
import type { SignedIn } from '../support/api-client';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import type { IsolatedStack } from '../support/isolated-stack';
import { type IssuanceFixtures, PRICE } from '../support/issuance-fixtures';
import type { RpcProxy } from '../../scripts/lib/rpc-proxy';
import { fundWallet, payOrder } from '../support/sale';

/**
 * A paid order whose settlement never reaches the chain (the worker's RPC holds every raw
 * transaction): once the sale's deadline has passed on chain, the order becomes refundable and its
 * fractions return; the investor's own refund makes it refunded; the stale settlement, sent at
 * last, is refused by the sale and changes nothing. On a chain of its own: it moves the clock.
 */
describe('an order that cannot settle in time is refunded, exactly once', () => {
  let apps: IsolatedApps;
  let iso: IsolatedStack;
  let proxy: RpcProxy;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let operator: SignedIn;
  let fixtures: IssuanceFixtures;

  beforeAll(async () => {
    apps = await startIsolatedApps({ ORDER_EXPIRY_INTERVAL_MS: '1000' }, { proxyWorkerRpc: true });
    ({ iso, provider, dataSource, operator, fixtures } = apps);
    proxy = apps.proxy!;
  }, 60_000);

  afterAll(() => apps?.stop());

  it('becomes refundable after the on-chain deadline, then refunded; the late settlement is refused', async () => {
    const farm = await fixtures.tokenizedFarm();
    const offering = await fixtures.openOffering(farm, { settlementWindowSeconds: 3600 });
    const investor = await fixtures.approvedInvestor();
    const wallet = investor.wallets[0];
    const placed = (await fixtures.order(investor.client, offering.id, { fractions: 5 })).body;
    const amount = 5n * PRICE;

    proxy.hold('eth_sendRawTransaction');
    await fundWallet(provider, readDeploymentFile(iso.env.DEPLOYMENT_FILE), wallet.address, amount);
    await payOrder(wallet, placed.payment);
    await fixtures.waitOrder(investor.client, placed.id, 'paid');
    // The settlement is signed (checked against the chain before the clock moves) and held.
    await proxy.nextHeld('eth_sendRawTransaction', 30_000);
    expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('995');

    // The sale's deadline passes on chain.
    await provider.send('evm_increaseTime', [3700]);
    await provider.send('evm_mine', []);
    await dataSource.query(
      `UPDATE investment_order SET settlement_deadline = now() - interval '1 second' WHERE id = $1`,
      [placed.id],
    );
    const refundable = await fixtures.waitOrder(investor.client, placed.id, 'refundable');
    expect(refundable.refund).toEqual({
      saleContract: placed.payment.saleContract,
      function: 'refund(bytes32)',
      orderId: placed.chainOrderId,
    });
    expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('1000');

    const sale = PrimarySale__factory.connect(refundable.refund.saleContract, wallet);
    await waitForReceipt(provider, (await sale.refund(placed.chainOrderId)).hash);
    await fixtures.waitOrder(investor.client, placed.id, 'refunded');
    const coin = MockStablecoin__factory.connect(placed.payment.stablecoin, provider);
    expect(await coin.balanceOf(wallet.address)).toBe(amount);

    // The held settlement goes out at last: the sale refuses it (the order is refunded).
    proxy.release('eth_sendRawTransaction');
    proxy.down(); // drops the held calls: the sender sends again
    proxy.up();
    const [{ chain_tx_id: settleTx }] = await dataSource.query<{ chain_tx_id: string }[]>(
      `SELECT t.id AS chain_tx_id FROM chain_tx t WHERE t.reference = $1 AND t.method = 'PrimarySale.settle'`,
      [`order:${placed.id}`],
    );
    await waitFor(
      async () => {
        const [tx] = await dataSource.query<{ state: string }[]>(
          `SELECT state FROM chain_tx WHERE id = $1`,
          [settleTx],
        );
        return tx.state === 'failed' || tx.state === 'confirmed' ? tx.state : undefined;
      },
      { what: 'the late settlement final', timeoutMs: 60_000 },
    );
    expect((await investor.client.get(`/orders/${placed.id}`)).body.status).toBe('refunded');
    expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('1000');
    expect(await GpuFarmToken__factory.connect(farm.token, provider).totalSupply()).toBe(0n);
  }, 180_000);
});
