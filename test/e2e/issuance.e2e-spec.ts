import type { INestApplicationContext } from '@nestjs/common';
import { type JsonRpcProvider, Wallet, getAddress } from 'ethers';
import { DataSource } from 'typeorm';
import { ChainOutbox, type Deployment, encodeCall, readDeploymentFile } from '@gpu/chain';
import {
  GpuFarmToken__factory,
  IdentityRegistry__factory,
  MockStablecoin__factory,
} from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import { type RunningApi, startApi, startWorker } from '../support/apps';
import {
  type ApiClient,
  linkWallet,
  registerInvestor,
  type SignedIn,
  signInStaff,
} from '../support/api-client';
import { directProvider } from '../support/outbox-client';
import {
  FRANCE,
  GERMANY,
  type Investor,
  type IssuanceFixtures,
  issuanceFixtures,
  newKey,
  PRICE,
  type TokenizedFarm,
} from '../support/issuance-fixtures';
import { fundWallet, payOrder } from '../support/sale';

describe('offerings and orders over HTTP, settled on chain', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let operator: SignedIn;
  let otherOperator: SignedIn;
  let officer: SignedIn;
  let dataSource: DataSource;
  let provider: JsonRpcProvider;
  let deployment: Deployment;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    provider = directProvider(process.env.RPC_URL!);
    deployment = readDeploymentFile(process.env.DEPLOYMENT_FILE!);
    [operator, otherOperator, officer] = await Promise.all([
      signInStaff(api, 'operator'),
      signInStaff(api, 'operator', 'other-operator'),
      signInStaff(api, 'compliance'),
    ]);
    dataSource = api.app.get(DataSource);
    fixtures = issuanceFixtures({ api, operator, officer, dataSource, provider });
  }, 60_000);

  afterAll(async () => {
    provider?.destroy();
    await worker?.close();
    await api?.close();
  });

  let fixtures: IssuanceFixtures;
  const tokenizedFarm = (terms?: Record<string, unknown>) => fixtures.tokenizedFarm(terms);
  const offeringTerms = (overrides?: Record<string, unknown>) => fixtures.offeringTerms(overrides);
  const openOffering = (farm: TokenizedFarm, overrides?: Record<string, unknown>) =>
    fixtures.openOffering(farm, overrides);
  const approvedInvestor = (country?: number, walletCount?: number) =>
    fixtures.approvedInvestor(country, walletCount);
  const order = (
    client: ApiClient,
    offeringId: string,
    body: Record<string, unknown>,
    key?: string | null,
  ) => fixtures.order(client, offeringId, body, key);
  const waitOrder = (client: ApiClient, orderId: string, status: string) =>
    fixtures.waitOrder(client, orderId, status);

  /** Sends a platform transaction through the outbox, as a compliance use case will, and waits until it is indexed. */
  async function platformCall(call: { to: string; method: string; data: string }) {
    const outbox = api.app.get(ChainOutbox);
    const tx = await dataSource.transaction((manager) =>
      outbox.enqueue(manager, { ...call, reference: 'test', idempotencyKey: newKey() }),
    );
    const outcome = await outbox.waitForOutcome(tx.id, { timeoutMs: 30_000 });
    expect(outcome.state).toBe('confirmed');
    await waitFor(
      async () => {
        const [cursor] = await dataSource.query<{ block_number: string }[]>(
          `SELECT block_number FROM index_cursor`,
        );
        return cursor && BigInt(cursor.block_number) >= BigInt(outcome.blockNumber!)
          ? true
          : undefined;
      },
      { what: 'the call indexed', timeoutMs: 30_000 },
    );
  }

  describe('the whole flow', () => {
    it('operator offers, two investors order, pay from their wallets, and the sale settles on chain', async () => {
      const farm = await tokenizedFarm();
      const offering = await openOffering(farm);
      expect(offering).toMatchObject({
        status: 'open',
        token: farm.token,
        remaining: '1000',
        pricePerFraction: PRICE.toString(),
      });
      expect((await operator.client.get(`/farms/${farm.farmId}`)).body.status).toBe('active');
      const [alice, bob] = await Promise.all([approvedInvestor(), approvedInvestor()]);
      const seen = await alice.client.get(`/offerings/${offering.id}`);
      expect(seen.status).toBe(200);

      const placed = [];
      for (const [investor, fractions] of [
        [alice, 40],
        [bob, 25],
      ] as const) {
        const response = await order(investor.client, offering.id, { fractions });
        expect(response.status).toBe(201);
        expect(response.body).toMatchObject({
          status: 'reserved',
          wallet: investor.wallets[0].address.toLowerCase(),
          fractions: String(fractions),
          amount: (BigInt(fractions) * PRICE).toString(),
          payment: {
            chainId: deployment.chainId,
            saleContract: deployment.contracts.PrimarySale.address.toLowerCase(),
            function: 'pay(bytes32,address,uint128,uint128)',
            token: farm.token,
            fractions: String(fractions),
            amount: (BigInt(fractions) * PRICE).toString(),
          },
        });
        placed.push({ investor, body: response.body });
      }
      expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('935');

      for (const { investor, body } of placed) {
        await fundWallet(provider, deployment, investor.wallets[0].address, BigInt(body.amount));
        await payOrder(investor.wallets[0], body.payment);
      }
      const settled = await Promise.all(
        placed.map(({ investor, body }) => waitOrder(investor.client, body.id, 'settled')),
      );
      for (const body of settled) {
        expect(body.paymentTxHash).toMatch(/^0x[0-9a-f]{64}$/);
        expect(body.settlementTxHash).toMatch(/^0x[0-9a-f]{64}$/);
        expect(body.payment).toBeNull();
      }

      const token = GpuFarmToken__factory.connect(farm.token, provider);
      expect(await token.balanceOf(alice.wallets[0].address)).toBe(40n);
      expect(await token.balanceOf(bob.wallets[0].address)).toBe(25n);
      expect(await token.totalSupply()).toBe(65n);

      const portfolio = await waitFor(
        async () => {
          const body = (await alice.client.get('/portfolio')).body;
          return body.holdings?.[0]?.balance === '40' ? body : undefined;
        },
        { what: "alice's holding indexed", timeoutMs: 30_000 },
      );
      expect(portfolio.holdings).toEqual([
        {
          farmId: farm.farmId,
          farmName: 'Reykjavik A100 cluster',
          token: farm.token,
          symbol: 'GPUREY',
          balance: '40',
          wallets: [{ wallet: alice.wallets[0].address.toLowerCase(), balance: '40' }],
          fractionsBought: '40',
          costBasis: (40n * PRICE).toString(),
        },
      ]);
      expect(portfolio.orders.map((o: { id: string }) => o.id)).toEqual([placed[0].body.id]);

      const capTable = await waitFor(
        async () => {
          const body = (await operator.client.get(`/farms/${farm.farmId}/cap-table`)).body;
          return body.holders === 2 ? body : undefined;
        },
        { what: 'the cap table', timeoutMs: 30_000 },
      );
      expect(capTable).toMatchObject({ totalSupply: '65', holders: 2, symbol: 'GPUREY' });
      expect(capTable.items).toEqual([
        {
          wallet: alice.wallets[0].address.toLowerCase(),
          balance: '40',
          shareBps: 6153,
          percentage: '61.538461',
        },
        {
          wallet: bob.wallets[0].address.toLowerCase(),
          balance: '25',
          shareBps: 3846,
          percentage: '38.461538',
        },
      ]);
      const staffView = (await officer.client.get(`/farms/${farm.farmId}/cap-table`)).body;
      expect(staffView.items[0].investorId).toBe(alice.userId);
      expect((await otherOperator.client.get(`/farms/${farm.farmId}/cap-table`)).status).toBe(404);
      expect((await bob.client.get(`/orders/${placed[0].body.id}`)).status).toBe(404);
    }, 180_000);

    it('a payment of other terms is returned to its payer, and the order it spoiled ends', async () => {
      const farm = await tokenizedFarm();
      const offering = await openOffering(farm);
      const investor = await approvedInvestor();
      const placed = (await order(investor.client, offering.id, { fractions: 3 })).body;
      const wallet = investor.wallets[0];
      await fundWallet(provider, deployment, wallet.address, 10n * PRICE);
      // Pays 2 fractions against an order of 3: the sale takes it, the platform returns it.
      await payOrder(wallet, {
        ...placed.payment,
        fractions: '2',
        amount: (2n * PRICE).toString(),
      });
      const coin = MockStablecoin__factory.connect(
        deployment.contracts.Stablecoin.address,
        provider,
      );
      await waitFor(
        async () => ((await coin.balanceOf(wallet.address)) === 10n * PRICE ? true : undefined),
        { what: 'the mismatched payment returned', timeoutMs: 60_000 },
      );
      // The sale now holds that (order id, payer) pair: the order can never be paid, so it ends.
      const ended = await investor.client.get(`/orders/${placed.id}`);
      expect(ended.body).toMatchObject({ status: 'cancelled', payment: null });
      expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('1000');
      const [audit] = await dataSource.query<{ count: string }[]>(
        `SELECT count(*) FROM audit_entry WHERE action = 'sale.payment-returned' AND subject = $1`,
        [`order:${placed.id}`],
      );
      expect(audit.count).toBe('1');
    }, 120_000);

    it('an unpaid reservation expires and its fractions return; a cancelled one returns at once', async () => {
      const farm = await tokenizedFarm();
      const offering = await openOffering(farm, { paymentWindowSeconds: 60 });
      const investor = await approvedInvestor();
      const first = (await order(investor.client, offering.id, { fractions: 10 })).body;
      const second = (await order(investor.client, offering.id, { fractions: 5 })).body;
      expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('985');

      const cancelled = await investor.client.post(`/orders/${second.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      const again = await investor.client.post(`/orders/${second.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('ORDER_NOT_CANCELLABLE');
      expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('990');

      await dataSource.query(
        `UPDATE investment_order SET reserved_until = now() - interval '1 second' WHERE id = $1`,
        [first.id],
      );
      const expired = await waitOrder(investor.client, first.id, 'expired');
      expect(expired.payment).toBeNull();
      expect((await operator.client.get(`/offerings/${offering.id}`)).body.remaining).toBe('1000');
    }, 120_000);

    it('closing an offering cancels its unpaid reservations and refuses new orders', async () => {
      const farm = await tokenizedFarm();
      const offering = await openOffering(farm);
      const investor = await approvedInvestor();
      const reserved = (await order(investor.client, offering.id, { fractions: 7 })).body;
      const foreign = await otherOperator.client.post(`/offerings/${offering.id}/close`);
      expect(foreign.status).toBe(404);
      const closed = await operator.client.post(`/offerings/${offering.id}/close`);
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', remaining: '1000' });
      expect((await investor.client.get(`/orders/${reserved.id}`)).body.status).toBe('cancelled');
      const late = await order(investor.client, offering.id, { fractions: 1 });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('OFFERING_NOT_OPEN');
    }, 120_000);
  });

  describe('idempotency', () => {
    let offeringId: string;
    let investor: Investor;

    beforeAll(async () => {
      const farm = await tokenizedFarm();
      offeringId = (await openOffering(farm)).id;
      investor = await approvedInvestor();
    }, 120_000);

    const ordersOf = async (userId: string): Promise<number> =>
      Number(
        (
          await dataSource.query<{ count: string }[]>(
            `SELECT count(*) FROM investment_order WHERE investor_id = $1`,
            [userId],
          )
        )[0].count,
      );

    it('a replay returns the first response; the same key with another body is 422', async () => {
      const before = await ordersOf(investor.userId);
      const key = newKey();
      const first = await order(investor.client, offeringId, { fractions: 2 }, key);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const replay = await order(investor.client, offeringId, { fractions: 2 }, key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      const other = await order(investor.client, offeringId, { fractions: 3 }, key);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
      expect(await ordersOf(investor.userId)).toBe(before + 1);
    });

    it('two concurrent requests with one key make one order', async () => {
      const before = await ordersOf(investor.userId);
      const key = newKey();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => order(investor.client, offeringId, { fractions: 1 }, key)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await ordersOf(investor.userId)).toBe(before + 1);
    });

    it('a refusal is remembered too: its replay answers the same', async () => {
      const key = newKey();
      const refused = await order(investor.client, offeringId, { fractions: 100_000 }, key);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('ORDER_ABOVE_MAXIMUM');
      const replay = await order(investor.client, offeringId, { fractions: 100_000 }, key);
      expect(replay).toMatchObject({ status: 403, body: refused.body });
    });

    it('keys are per account: another investor with the same key places their own order', async () => {
      const other = await approvedInvestor();
      const key = newKey();
      const mine = await order(investor.client, offeringId, { fractions: 1 }, key);
      const theirs = await order(other.client, offeringId, { fractions: 1 }, key);
      expect([mine.status, theirs.status]).toEqual([201, 201]);
      expect(theirs.body.id).not.toBe(mine.body.id);
    }, 60_000);

    it('an order needs a well-formed Idempotency-Key', async () => {
      for (const key of [null, '', 'x'.repeat(101), 'white space', 'semi;colon']) {
        const response = await order(investor.client, offeringId, { fractions: 1 }, key);
        expect({ key, status: response.status, code: response.body.code }).toEqual({
          key,
          status: 400,
          code: 'IDEMPOTENCY_KEY_REQUIRED',
        });
      }
    });
  });

  describe('eligibility: every rule refuses with its own code', () => {
    let farm: TokenizedFarm;
    let offeringId: string;
    let eligible: Investor;

    beforeAll(async () => {
      farm = await tokenizedFarm({ maxBalance: '300', allowedCountries: [GERMANY] });
      offeringId = (await openOffering(farm, { minPerInvestor: 2, maxPerInvestor: 400 })).id;
      eligible = await approvedInvestor();
    }, 120_000);

    const expectRefusal = async (
      client: ApiClient,
      body: Record<string, unknown>,
      status: number,
      code: string,
      id = offeringId,
    ) => {
      const response = await order(client, id, body);
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
      return response;
    };

    it('KYC: none approved, or approval expired', async () => {
      const unverified = await registerInvestor(api);
      await linkWallet(unverified.client);
      await expectRefusal(unverified.client, { fractions: 2 }, 403, 'ORDER_KYC_NOT_APPROVED');

      const lapsed = await approvedInvestor();
      await dataSource.query(
        `UPDATE kyc_case SET expires_at = now() - interval '1 second' WHERE investor_id = $1`,
        [lapsed.userId],
      );
      await expectRefusal(lapsed.client, { fractions: 2 }, 403, 'ORDER_KYC_EXPIRED');
    }, 60_000);

    it('wallets: not linked, ambiguous, not verified on chain, frozen', async () => {
      await expectRefusal(
        eligible.client,
        { fractions: 2, wallet: Wallet.createRandom().address },
        403,
        'ORDER_WALLET_NOT_LINKED',
      );
      const twoWallets = await approvedInvestor(GERMANY, 2);
      await expectRefusal(twoWallets.client, { fractions: 2 }, 400, 'ORDER_WALLET_REQUIRED');
      const chosen = await order(twoWallets.client, offeringId, {
        fractions: 2,
        wallet: twoWallets.wallets[1].address,
      });
      expect(chosen.status).toBe(201);
      expect(chosen.body.wallet).toBe(twoWallets.wallets[1].address.toLowerCase());

      const removed = await approvedInvestor();
      await platformCall({
        to: deployment.contracts.IdentityRegistry.address,
        ...encodeCall(
          'IdentityRegistry',
          IdentityRegistry__factory.createInterface(),
          'batchRemoveIdentity',
          [[removed.wallets[0].address]],
        ),
      });
      await expectRefusal(removed.client, { fractions: 2 }, 403, 'ORDER_WALLET_NOT_VERIFIED');

      const frozen = await approvedInvestor();
      await platformCall({
        to: farm.token,
        ...encodeCall('GpuFarmToken', GpuFarmToken__factory.createInterface(), 'setWalletFrozen', [
          getAddress(frozen.wallets[0].address),
          true,
        ]),
      });
      await expectRefusal(frozen.client, { fractions: 2 }, 403, 'ORDER_WALLET_FROZEN');
    }, 120_000);

    it("the token's rules: country, max balance, max holders", async () => {
      const french = await approvedInvestor(FRANCE);
      const refused = await expectRefusal(
        french.client,
        { fractions: 2 },
        403,
        'ORDER_COUNTRY_NOT_ALLOWED',
      );
      expect(refused.body.details).toEqual({ country: FRANCE });

      const whale = await approvedInvestor();
      expect((await order(whale.client, offeringId, { fractions: 200 })).status).toBe(201);
      const over = await expectRefusal(
        whale.client,
        { fractions: 101 },
        403,
        'ORDER_MAX_BALANCE_EXCEEDED',
      );
      expect(over.body.details).toEqual({ maxBalance: '300', balanceAfter: '301' });

      const small = await tokenizedFarm({ maxHolders: 1 });
      const smallOffering = (await openOffering(small)).id;
      expect((await order(eligible.client, smallOffering, { fractions: 1 })).status).toBe(201);
      expect((await order(eligible.client, smallOffering, { fractions: 1 })).status).toBe(201);
      await expectRefusal(
        whale.client,
        { fractions: 1 },
        403,
        'ORDER_MAX_HOLDERS_EXCEEDED',
        smallOffering,
      );
    }, 120_000);

    it("the offering's terms: minimum, maximum per investor, open, left", async () => {
      await expectRefusal(eligible.client, { fractions: 1 }, 403, 'ORDER_BELOW_MINIMUM');
      await expectRefusal(eligible.client, { fractions: 401 }, 403, 'ORDER_ABOVE_MAXIMUM');
      const draft = await operator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms({ fractionsOffered: 10, maxPerInvestor: 10 }),
      );
      expect(draft.status).toBe(201);
      // Before it opens, an offering does not exist for investors.
      await expectRefusal(
        eligible.client,
        { fractions: 2 },
        404,
        'OFFERING_NOT_FOUND',
        draft.body.id,
      );

      const tiny = await tokenizedFarm();
      const tinyOffering = (await openOffering(tiny, { fractionsOffered: 5, maxPerInvestor: 4 }))
        .id;
      expect((await order(eligible.client, tinyOffering, { fractions: 3 })).status).toBe(201);
      const left = await expectRefusal(
        eligible.client,
        { fractions: 2 },
        403,
        'ORDER_ABOVE_MAXIMUM',
        tinyOffering,
      );
      expect(left.body.details).toEqual({ maximum: '4', alreadyOrdered: '3' });
      const other = await approvedInvestor();
      const insufficient = await expectRefusal(
        other.client,
        { fractions: 3 },
        409,
        'OFFERING_INSUFFICIENT_REMAINING',
        tinyOffering,
      );
      expect(insufficient.body.details).toEqual({ remaining: '2' });
      expect((await order(other.client, tinyOffering, { fractions: 2 })).status).toBe(201);
      await expectRefusal(other.client, { fractions: 1 }, 409, 'OFFERING_SOLD_OUT', tinyOffering);
    }, 120_000);
  });

  describe('bad input is a 4xx and writes nothing', () => {
    let farm: TokenizedFarm;
    let offeringId: string;
    let investor: Investor;

    beforeAll(async () => {
      farm = await tokenizedFarm({ totalFractions: '5000' });
      offeringId = (await openOffering(farm, { fractionsOffered: 1000 })).id;
      investor = await approvedInvestor();
    }, 120_000);

    it('orders: negative, zero, fractional, huge, wrong types, unknown fields and ids', async () => {
      const before = await dataSource.query<{ count: string }[]>(
        `SELECT count(*) FROM investment_order`,
      );
      const bodies: unknown[] = [
        { fractions: -1 },
        { fractions: 0 },
        { fractions: 1.5 },
        { fractions: 2 ** 53 },
        { fractions: 1e300 },
        { fractions: '5' },
        { fractions: null },
        {},
        { fractions: 1, wallet: 'not-an-address' },
        { fractions: 1, role: 'admin' },
        [1],
      ];
      for (const body of bodies) {
        const response = await investor.client.request(
          'POST',
          `/offerings/${offeringId}/orders`,
          body,
          { 'idempotency-key': newKey() },
        );
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      const unknown = await order(investor.client, '00000000-0000-4000-8000-000000000000', {
        fractions: 1,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('OFFERING_NOT_FOUND');
      const malformed = await order(investor.client, 'not-a-uuid', { fractions: 1 });
      expect(malformed.status).toBe(400);
      const aboveSupply = await order(investor.client, offeringId, { fractions: 5001 });
      expect(aboveSupply.status).toBe(403);
      const after = await dataSource.query<{ count: string }[]>(
        `SELECT count(*) FROM investment_order`,
      );
      expect(after[0].count).toBe(before[0].count);
    });

    it('offerings: bad terms, more than the supply, other operators, other roles', async () => {
      const bad: Record<string, unknown>[] = [
        { pricePerFraction: '-1' },
        { pricePerFraction: '0' },
        { pricePerFraction: '1.5' },
        { pricePerFraction: 5 },
        { fractionsOffered: 0 },
        { fractionsOffered: 2.5 },
        { fractionsOffered: 2 ** 53 },
        { minPerInvestor: 0 },
        { opensAt: 'tomorrow' },
        { settlementWindowSeconds: 30 * 24 * 3600 + 1 },
        { paymentWindowSeconds: 10 },
      ];
      for (const overrides of bad) {
        const response = await operator.client.post(
          `/farms/${farm.farmId}/offerings`,
          offeringTerms(overrides),
        );
        expect({ overrides, status: response.status }).toEqual({ overrides, status: 400 });
      }
      const inverted = await operator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms({ closesAt: new Date(Date.now() - 1000).toISOString() }),
      );
      expect(inverted.status).toBe(400);
      expect(inverted.body.code).toBe('OFFERING_INVALID');
      const maxAboveOffered = await operator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms({ fractionsOffered: 10, maxPerInvestor: 11 }),
      );
      expect(maxAboveOffered.body.code).toBe('OFFERING_INVALID');
      const tooMany = await operator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms({ fractionsOffered: 4001 }),
      );
      expect(tooMany.body).toMatchObject({ code: 'OFFERING_EXCEEDS_SUPPLY' });
      expect(tooMany.status).toBe(409);
      expect(tooMany.body).toMatchObject({
        code: 'OFFERING_EXCEEDS_SUPPLY',
        details: { available: '4000' },
      });
      const foreign = await otherOperator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms(),
      );
      expect(foreign.status).toBe(404);
      const byInvestor = await investor.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms(),
      );
      expect(byInvestor.status).toBe(403);
      const second = await operator.client.post(
        `/farms/${farm.farmId}/offerings`,
        offeringTerms({ fractionsOffered: 10, maxPerInvestor: 10 }),
      );
      const anotherLive = await operator.client.post(`/offerings/${second.body.id}/open`);
      expect(anotherLive.status).toBe(409);
      expect(anotherLive.body.code).toBe('OFFERING_ANOTHER_LIVE');
      expect((await investor.client.get(`/offerings/${second.body.id}`)).status).toBe(404);
      const listed = await investor.client.get(`/offerings?farmId=${farm.farmId}`);
      expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([offeringId]);
      const drafts = await investor.client.get(`/offerings?status=draft`);
      expect(drafts.body).toMatchObject({ items: [], total: 0 });
      const mine = await operator.client.get(`/offerings?farmId=${farm.farmId}&status=draft`);
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([second.body.id]);
    });
  });

  describe('500 concurrent orders for more than what is left', () => {
    it('sells exactly what is left, refuses the rest with 409, and the chain mints exactly that', async () => {
      const LEFT = 120;
      const INVESTORS = 20;
      const ORDERS_EACH = 25;
      const farm = await tokenizedFarm();
      const offering = await openOffering(farm, {
        fractionsOffered: LEFT,
        maxPerInvestor: ORDERS_EACH,
      });
      const investors: Investor[] = [];
      for (let i = 0; i < INVESTORS; i += 5)
        investors.push(...(await Promise.all(Array.from({ length: 5 }, () => approvedInvestor()))));

      const responses = await Promise.all(
        investors.flatMap((investor) =>
          Array.from({ length: ORDERS_EACH }, async () => ({
            investor,
            response: await order(investor.client, offering.id, { fractions: 1 }),
          })),
        ),
      );
      const statuses = responses.map((r) => r.response.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(LEFT);
      expect(statuses.filter((s) => s === 409)).toHaveLength(INVESTORS * ORDERS_EACH - LEFT);
      for (const { response } of responses.filter((r) => r.response.status === 409))
        expect(response.body.code).toBe('OFFERING_SOLD_OUT');
      const [row] = await dataSource.query<{ remaining: string; ordered: string }[]>(
        `SELECT o.remaining, (SELECT sum(fractions) FROM investment_order WHERE offering_id = o.id) AS ordered
           FROM offering o WHERE o.id = $1`,
        [offering.id],
      );
      expect(row).toEqual({ remaining: '0', ordered: String(LEFT) });

      const placedBy = new Map<Investor, { id: string; payment: never }[]>();
      for (const { investor, response } of responses)
        if (response.status === 201)
          placedBy.set(investor, [...(placedBy.get(investor) ?? []), response.body]);
      await Promise.all(
        [...placedBy].map(async ([investor, orders]) => {
          await fundWallet(
            provider,
            deployment,
            investor.wallets[0].address,
            PRICE * BigInt(orders.length),
          );
          for (const placed of orders) await payOrder(investor.wallets[0], placed.payment);
        }),
      );
      await waitFor(
        async () => {
          const [counts] = await dataSource.query<{ settled: string }[]>(
            `SELECT count(*) FILTER (WHERE status = 'settled') AS settled FROM investment_order WHERE offering_id = $1`,
            [offering.id],
          );
          return Number(counts.settled) === LEFT ? true : undefined;
        },
        { what: `${LEFT} orders settled`, timeoutMs: 120_000 },
      );
      const token = GpuFarmToken__factory.connect(farm.token, provider);
      expect(await token.totalSupply()).toBe(BigInt(LEFT));
    }, 300_000);
  });
});
