import { type HDNodeWallet, type JsonRpcProvider, Wallet } from 'ethers';
import type { DataSource } from 'typeorm';
import { waitFor } from '../../scripts/lib/wait-for';
import { type ApiClient, linkWallet, registerInvestor, type SignedIn } from './api-client';
import type { RunningApi } from './apps';
import type { Deployment } from '../../libs/chain/src/deployment/deployment';
import { farmBody } from './farm-fixtures';
import { fundWallet, payOrder } from './sale';

export const GERMANY = 276;
export const FRANCE = 250;
export const PRICE = 2_500_000n;
let keySequence = 0;
/** A fresh Idempotency-Key. */
export const newKey = (): string => `test-${process.pid}-${Date.now()}-${keySequence++}`;

export interface TokenizedFarm {
  farmId: string;
  token: string;
}

export interface Investor extends SignedIn {
  wallets: HDNodeWallet[];
}

/** Farms, offerings, investors and orders over the API, as the issuance tests need them. */
export function issuanceFixtures(context: {
  api: RunningApi;
  operator: SignedIn;
  officer: SignedIn;
  dataSource: DataSource;
  provider: JsonRpcProvider;
}) {
  const { api, operator, officer, dataSource, provider } = context;
  /** A farm (the listing overridden by `listing`) onboarded, approved and tokenized (requested, approved by the officer, confirmed on chain) with these token terms. */
  async function tokenizedFarm(
    terms: Record<string, unknown> = {},
    listing: Record<string, unknown> = {},
  ): Promise<TokenizedFarm> {
    const farm = (await operator.client.post('/farms', farmBody(listing))).body;
    await operator.client.post(`/farms/${farm.id}/submit`);
    await officer.client.post(`/farms/${farm.id}/approve`, { reason: 'documents verified' });
    const requested = await operator.client.post(`/farms/${farm.id}/tokenization`, {
      symbol: 'GPUREY',
      totalFractions: '1000000',
      allowedCountries: [GERMANY],
      maxBalance: '0',
      maxHolders: 0,
      ...terms,
    });
    expect(requested.status).toBe(201);
    expect(requested.body.status).toBe('requested');
    const approved = await officer.client.post(`/farms/${farm.id}/tokenization/approve`, {
      reason: 'token terms checked',
    });
    expect(approved.status).toBe(200);
    await waitFor(
      async () =>
        (await operator.client.get(`/farms/${farm.id}`)).body.status === 'tokenized'
          ? true
          : undefined,
      { what: 'the farm tokenized', timeoutMs: 30_000 },
    );
    return { farmId: farm.id, token: requested.body.tokenAddress.toLowerCase() };
  }

  const offeringTerms = (overrides: Record<string, unknown> = {}) => ({
    pricePerFraction: PRICE.toString(),
    fractionsOffered: 1000,
    minPerInvestor: 1,
    maxPerInvestor: 500,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
    ...overrides,
  });

  /** An offering of the farm, opened on chain. */
  async function openOffering(farm: TokenizedFarm, overrides: Record<string, unknown> = {}) {
    const created = await operator.client.post(
      `/farms/${farm.farmId}/offerings`,
      offeringTerms(overrides),
    );
    expect(created.body).toMatchObject({ status: 'draft' });
    const opened = await operator.client.post(`/offerings/${created.body.id}/open`);
    expect(opened.status).toBe(200);
    expect(opened.body.status).toBe('opening');
    return waitFor(
      async () => {
        const body = (await operator.client.get(`/offerings/${created.body.id}`)).body;
        return body.status === 'open' ? body : undefined;
      },
      { what: 'the offering open', timeoutMs: 30_000 },
    );
  }

  /** Waits until the indexer has read the wallet's registry entry (what orders are decided on). */
  const registryIndexed = (address: string, name = 'IdentityRegistered') =>
    waitFor(
      async () => {
        const rows = await dataSource.query<{ name: string }[]>(
          `SELECT name FROM chain_event WHERE contract = 'IdentityRegistry' AND args->>'wallet' = $1
            ORDER BY block_number DESC, log_index DESC LIMIT 1`,
          [address.toLowerCase()],
        );
        return rows[0]?.name === name ? true : undefined;
      },
      { what: `${name} of ${address} indexed`, timeoutMs: 30_000 },
    );

  /** An investor with `walletCount` linked wallets, KYC approved by the officer, verified on chain and indexed. */
  async function approvedInvestor(country = GERMANY, walletCount = 1): Promise<Investor> {
    const investor = await registerInvestor(api);
    const wallets: HDNodeWallet[] = [];
    for (let i = 0; i < walletCount; i++) {
      const wallet = Wallet.createRandom().connect(provider);
      expect((await linkWallet(investor.client, wallet)).response.status).toBe(201);
      wallets.push(wallet);
    }
    const opened = await investor.client.post('/kyc/cases', {
      provider: 'manual',
      country,
      documents: [{ type: 'passport', name: 'passport.pdf', sha256: 'ab'.repeat(32) }],
    });
    expect(opened.status).toBe(201);
    const approved = await officer.client.post(`/kyc/cases/${opened.body.id}/approve`, {
      country,
      level: 'basic',
      reason: 'passport checked',
    });
    expect(approved.status).toBe(200);
    for (const wallet of wallets) await registryIndexed(wallet.address);
    return { ...investor, wallets };
  }

  const order = (
    client: ApiClient,
    offeringId: string,
    body: Record<string, unknown>,
    key: string | null = newKey(),
  ) =>
    client.request(
      'POST',
      `/offerings/${offeringId}/orders`,
      body,
      key === null ? {} : { 'idempotency-key': key },
    );

  const waitOrder = (client: ApiClient, orderId: string, status: string) =>
    waitFor(
      async () => {
        const body = (await client.get(`/orders/${orderId}`)).body;
        return body.status === status ? body : undefined;
      },
      { what: `order ${orderId} ${status}`, timeoutMs: 60_000 },
    );

  /**
   * Each purchase ordered through the API, paid on chain from the buying wallet (the investor's
   * first unless named) after it gets the amount and gas, and settled; the settled orders in order.
   */
  async function buySettled(
    deployment: Deployment,
    offeringId: string,
    purchases: readonly { investor: Investor; fractions: number; wallet?: HDNodeWallet }[],
  ): Promise<Record<string, any>[]> {
    const placed: { investor: Investor; wallet: HDNodeWallet; body: Record<string, any> }[] = [];
    for (const { investor, fractions, wallet = investor.wallets[0] } of purchases) {
      const response = await order(investor.client, offeringId, {
        fractions,
        wallet: wallet.address,
      });
      expect(response.status).toBe(201);
      placed.push({ investor, wallet, body: response.body });
    }
    for (const { wallet, body } of placed) {
      await fundWallet(provider, deployment, wallet.address, BigInt(body.amount));
      await payOrder(wallet, body.payment);
    }
    return Promise.all(
      placed.map(({ investor, body }) => waitOrder(investor.client, body.id, 'settled')),
    );
  }

  return {
    tokenizedFarm,
    buySettled,
    offeringTerms,
    openOffering,
    registryIndexed,
    approvedInvestor,
    order,
    waitOrder,
  };
}

export type IssuanceFixtures = ReturnType<typeof issuanceFixtures>;
