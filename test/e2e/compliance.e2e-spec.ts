import { randomUUID } from 'node:crypto';
import {
  type ContractTransactionResponse,
  type HDNodeWallet,
  type JsonRpcProvider,
  toBeHex,
  type TransactionReceipt,
  Wallet,
} from 'ethers';
import type { DataSource } from 'typeorm';
import { changeDigest } from '@gpu/audit';
import { readDeploymentFile, waitForReceipt } from '@gpu/chain';
import { type GpuFarmToken, GpuFarmToken__factory } from '../../libs/chain/src/generated';
import { waitFor } from '../../scripts/lib/wait-for';
import {
  type ApiClient,
  type ApiResponse,
  linkWallet,
  registerInvestor,
  type SignedIn,
  signInStaff,
} from '../support/api-client';
import { expectRevert } from '../support/contracts-fixture';
import { farmBody } from '../support/farm-fixtures';
import { type IsolatedApps, startIsolatedApps } from '../support/isolated-apps';
import { GERMANY, type Investor, newKey, type TokenizedFarm } from '../support/issuance-fixtures';
import { PLATFORM_AGENT } from '../support/outbox-client';

/**
 * Compliance enforcement over HTTP and the real chain, on one isolated stack: an officer freezes
 * a wallet, part of a balance, forces a transfer, recovers a lost wallet and pauses the token;
 * each action is one agent transaction through the outbox, pending until the worker records its
 * outcome (confirmed with the hash, or failed with the decoded custom error). The chain is read
 * back with the token's own views; the cap table is read now and at a past block; the audit log
 * is searched.
 *
 * Wallets: A1 and A2 are investor 1's (same investor id on chain), B is investor 2's. A1 buys
 * 40 fractions, B 25 (supply 65). The balances through the file (A1 / A2 / B):
 *   40 / 0 / 25  bought
 *   41 / 0 / 24  B sends 1 after its unfreeze
 *   45 / 0 / 20  B sends 4 (its unfrozen part) while 20 are frozen
 *   47 / 0 / 18  B sends 2 once the freeze is lifted
 *   35 / 0 / 30  forced transfer of 12 from A1 to B
 *    0 / 35 / 30  A1 recovered to A2
 *    0 / 36 / 29  forced transfer of 1 from B to A2 while the token is paused
 *    0 / 33 / 32  A2 sends 3 after the unpause
 */

const TIMEOUT = 60_000;
const ZERO = '0x0000000000000000000000000000000000000000';

const codeOf = (response: ApiResponse): unknown =>
  (response.body as { code?: unknown } | undefined)?.code;
const outcome = (response: ApiResponse) => ({ status: response.status, code: codeOf(response) });

describe('compliance enforcement: freezes, forced transfers, recovery, pause, cap table at a block, audit search', () => {
  let apps: IsolatedApps;
  let provider: JsonRpcProvider;
  let dataSource: DataSource;
  let farm: TokenizedFarm;
  let operator: SignedIn;
  let officer: SignedIn;
  let admin: SignedIn;
  let investor1: Investor;
  let investor2: Investor;
  let a1: HDNodeWallet;
  let a2: HDNodeWallet;
  let b: HDNodeWallet;
  let token: GpuFarmToken;
  /** Every action the officer made, in order, with the outcome it must end with. */
  const actions: { id: string; kind: string; status: 'confirmed' | 'failed' }[] = [];
  /** The first freeze's response: the audit checks read its entry. */
  let freeze: Record<string, any>;

  const lower = (wallet: HDNodeWallet | string): string =>
    (typeof wallet === 'string' ? wallet : wallet.address).toLowerCase();

  const mined = async (tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> =>
    waitForReceipt(provider, (await tx).hash);

  const enforce = (
    route: string,
    body: Record<string, unknown>,
    key: string | null = newKey(),
    client: ApiClient = officer.client,
    farmId: string = farm.farmId,
  ) =>
    client.request(
      'POST',
      `/farms/${farmId}/enforcement/${route}`,
      body,
      key === null ? {} : { 'idempotency-key': key },
    );

  /** Polls GET /enforcement-actions/:id until the chain's outcome is recorded. */
  const settled = (id: string) =>
    waitFor(
      async () => {
        const response = await officer.client.get(`/enforcement-actions/${id}`);
        expect(response.status).toBe(200);
        return response.body.status === 'pending'
          ? undefined
          : (response.body as Record<string, any>);
      },
      { what: `enforcement action ${id} settled`, timeoutMs: TIMEOUT },
    );

  /** Sends an action (201, pending), waits for its outcome and checks it is `status`. */
  async function act(
    route: string,
    body: Record<string, unknown>,
    status: 'confirmed' | 'failed',
    key = newKey(),
  ): Promise<Record<string, any>> {
    const response = await enforce(route, body, key);
    expect(response.status).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(response.body).toMatchObject({
      farmId: farm.farmId,
      token: farm.token,
      reason: body.reason,
      requestedBy: officer.userId,
      status: 'pending',
      txHash: null,
      failure: null,
      completedAt: null,
    });
    expect(response.body.chainTxId).toMatch(/^[0-9]+$/);
    const done = await settled(response.body.id);
    expect({ id: done.id, status: done.status }).toEqual({ id: response.body.id, status });
    expect(done.completedAt).not.toBeNull();
    if (status === 'confirmed') {
      expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(done.failure).toBeNull();
      const receipt = await provider.getTransactionReceipt(done.txHash);
      expect({
        status: receipt?.status,
        from: receipt?.from,
        to: lower(receipt?.to ?? ''),
      }).toEqual({
        status: 1,
        from: PLATFORM_AGENT,
        to: farm.token,
      });
    }
    actions.push({ id: done.id, kind: done.kind, status });
    return done;
  }

  /** Waits until the indexer has read every block up to `block`. */
  const indexedPast = (block: bigint | number) =>
    waitFor(
      async () => {
        const [row] = await dataSource.query<{ block: string | null }[]>(
          `SELECT max(block_number)::text AS block FROM index_cursor`,
        );
        return row.block !== null && BigInt(row.block) >= BigInt(block) ? true : undefined;
      },
      { what: `the index past block ${block}`, timeoutMs: TIMEOUT },
    );

  const balances = async () => ({
    a1: await token.balanceOf(a1.address),
    a2: await token.balanceOf(a2.address),
    b: await token.balanceOf(b.address),
  });

  /** Rows an enforcement request writes: actions, their outbox transactions, their audit entries. */
  const written = async () => {
    const [row] = await dataSource.query<{ actions: number; txs: number; audits: number }[]>(
      `SELECT (SELECT count(*)::int FROM enforcement_action) AS actions,
              (SELECT count(*)::int FROM chain_tx WHERE reference LIKE 'enforcement:%') AS txs,
              (SELECT count(*)::int FROM audit_entry WHERE action LIKE 'compliance.%') AS audits`,
    );
    return row;
  };

  const txsOf = async (actionId: string): Promise<number> => {
    const [row] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM chain_tx WHERE reference = $1`,
      [`enforcement:${actionId}`],
    );
    return row.n;
  };

  /** A cap table row as the officer sees it (investor ids included). */
  const holder = (
    wallet: HDNodeWallet,
    investor: Investor,
    balance: number,
    bps: number,
    pct: string,
  ) => ({
    wallet: lower(wallet),
    investorId: investor.userId,
    balance: String(balance),
    shareBps: bps,
    percentage: pct,
  });

  beforeAll(async () => {
    apps = await startIsolatedApps({
      ORACLE_EPOCH_CHECK_INTERVAL_MS: '3600000',
      DISTRIBUTION_CHECK_INTERVAL_MS: '3600000',
    });
    ({ provider, dataSource, operator, officer } = apps);
    const deployment = readDeploymentFile(apps.iso.env.DEPLOYMENT_FILE!);
    admin = await signInStaff(apps.api, 'admin', 'compliance-admin');
    const { fixtures } = apps;
    farm = await fixtures.tokenizedFarm();
    const offering = await fixtures.openOffering(farm);
    [investor1, investor2] = await Promise.all([
      fixtures.approvedInvestor(GERMANY, 2),
      fixtures.approvedInvestor(GERMANY, 1),
    ]);
    [a1, a2] = investor1.wallets;
    [b] = investor2.wallets;

    // Both buy through the API (investor 1 into its first wallet) and pay from their own wallets.
    await fixtures.buySettled(deployment, offering.id, [
      { investor: investor1, fractions: 40, wallet: a1 },
      { investor: investor2, fractions: 25, wallet: b },
    ]);
    // The second wallet pays gas once it holds the recovered balance.
    await provider.send('anvil_setBalance', [a2.address, toBeHex(10n ** 19n)]);

    token = GpuFarmToken__factory.connect(farm.token, provider);
    expect(await balances()).toEqual({ a1: 40n, a2: 0n, b: 25n });
    expect(await token.totalSupply()).toBe(65n);
  }, 180_000);

  afterAll(() => apps?.stop());

  it(
    'a wallet freeze is confirmed on chain: the wallet neither sends nor receives; a replay sends nothing; the unfreeze restores it',
    async () => {
      const key = newKey();
      const body = { wallet: lower(b), frozen: true, reason: 'court order 2026/118' };
      freeze = await act('wallet-freezes', body, 'confirmed', key);
      expect(freeze).toMatchObject({
        kind: 'wallet-freeze',
        params: { wallet: lower(b), frozen: true },
        reason: 'court order 2026/118',
      });
      expect(await token.isWalletFrozen(b.address)).toBe(true);
      expect(await token.canSend(b.address)).toBe(false);
      await expectRevert(token.connect(b).transfer(a1.address, 1n), token, 'SenderFrozen', [
        b.address,
      ]);
      await expectRevert(token.connect(a1).transfer(b.address, 1n), token, 'ReceiverFrozen', [
        b.address,
      ]);

      // The same request again (the address checksummed: the same wallet): the first action, nothing sent.
      const replay = await enforce('wallet-freezes', { ...body, wallet: b.address }, key);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(freeze);
      expect(await txsOf(freeze.id)).toBe(1);

      // The same key for another request is refused, whatever differs.
      const before = await written();
      for (const [label, route, other] of [
        ['another reason', 'wallet-freezes', { ...body, reason: 'another order' }],
        ['unfreeze', 'wallet-freezes', { ...body, frozen: false }],
        ['another kind', 'pause', { reason: body.reason }],
      ] as const) {
        expect({ label, ...outcome(await enforce(route, other, key)) }).toEqual({
          label,
          status: 422,
          code: 'IDEMPOTENCY_KEY_REUSED',
        });
      }
      expect(await written()).toEqual(before);
      expect(await token.isWalletFrozen(b.address)).toBe(true);

      // Two unfreezes with one key at once: one action, one transaction.
      const unfreezeKey = newKey();
      const unfreeze = { wallet: lower(b), frozen: false, reason: 'order lifted' };
      const both = await Promise.all([
        enforce('wallet-freezes', unfreeze, unfreezeKey),
        enforce('wallet-freezes', unfreeze, unfreezeKey),
      ]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
      expect(both[0].body.id).toBe(both[1].body.id);
      const lifted = await settled(both[0].body.id);
      expect(lifted).toMatchObject({ kind: 'wallet-freeze', status: 'confirmed', failure: null });
      actions.push({ id: lifted.id, kind: lifted.kind, status: 'confirmed' });
      expect(await txsOf(lifted.id)).toBe(1);
      expect(await token.isWalletFrozen(b.address)).toBe(false);
      await mined(token.connect(b).transfer(a1.address, 1n));
      expect(await balances()).toEqual({ a1: 41n, a2: 0n, b: 24n });
    },
    TIMEOUT,
  );

  it(
    'a partial freeze: more than the unfrozen part is refused, up to it passes; 0 frees it',
    async () => {
      const frozen = await act(
        'token-freezes',
        { wallet: lower(b), amount: '20', reason: 'disputed inheritance' },
        'confirmed',
      );
      expect(frozen).toMatchObject({
        kind: 'token-freeze',
        params: { wallet: lower(b), amount: '20' },
      });
      expect(await token.getFrozenTokens(b.address)).toBe(20n);
      // 24 held, 20 frozen: 4 may move.
      await expectRevert(
        token.connect(b).transfer(a1.address, 5n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [b.address, 5n, 4n],
      );
      await mined(token.connect(b).transfer(a1.address, 4n));
      await expectRevert(
        token.connect(b).transfer(a1.address, 1n),
        token,
        'ERC7943InsufficientUnfrozenBalance',
        [b.address, 1n, 0n],
      );
      expect(await balances()).toEqual({ a1: 45n, a2: 0n, b: 20n });

      await act(
        'token-freezes',
        { wallet: lower(b), amount: '0', reason: 'dispute settled' },
        'confirmed',
      );
      expect(await token.getFrozenTokens(b.address)).toBe(0n);
      await mined(token.connect(b).transfer(a1.address, 2n));
      expect(await balances()).toEqual({ a1: 47n, a2: 0n, b: 18n });
    },
    TIMEOUT,
  );

  it(
    'a forced transfer moves exactly the amount, on chain and in the cap table (now and at the block before it)',
    async () => {
      const before = await provider.getBlockNumber();
      const forced = await act(
        'forced-transfers',
        { from: lower(a1), to: lower(b), amount: '12', reason: 'settlement of a court judgment' },
        'confirmed',
      );
      expect(forced).toMatchObject({
        kind: 'forced-transfer',
        params: { from: lower(a1), to: lower(b), amount: '12' },
      });
      const receipt = (await provider.getTransactionReceipt(forced.txHash))!;
      expect(receipt.blockNumber).toBeGreaterThan(before);
      expect(await balances()).toEqual({ a1: 35n, a2: 0n, b: 30n });
      expect(await token.totalSupply()).toBe(65n);
      await indexedPast(receipt.blockNumber);

      const capTable = (query = '') =>
        officer.client.get(`/farms/${farm.farmId}/cap-table${query}`);
      // By hand: 35 / 65 = 53.846153 %, 30 / 65 = 46.153846 %; before, 47 / 65 and 18 / 65.
      const now = await capTable();
      expect(now.status).toBe(200);
      expect(now.body).toMatchObject({
        farmId: farm.farmId,
        token: farm.token,
        totalSupply: '65',
        holders: 2,
      });
      expect(now.body.items).toEqual([
        holder(a1, investor1, 35, 5384, '53.846153'),
        holder(b, investor2, 30, 4615, '46.153846'),
      ]);
      const then = await capTable(`?block=${before}`);
      expect(then.status).toBe(200);
      expect(then.body).toEqual({
        farmId: farm.farmId,
        token: farm.token,
        symbol: now.body.symbol,
        totalSupply: '65',
        holders: 2,
        asOfBlock: String(before),
        items: [
          holder(a1, investor1, 47, 7230, '72.307692'),
          holder(b, investor2, 18, 2769, '27.692307'),
        ],
      });
      // Paged: the totals describe the whole table, even past its end.
      expect((await capTable(`?block=${before}&limit=1&offset=1`)).body).toMatchObject({
        totalSupply: '65',
        holders: 2,
        items: [holder(b, investor2, 18, 2769, '27.692307')],
      });
      expect((await capTable(`?block=${before}&offset=5`)).body).toMatchObject({
        totalSupply: '65',
        holders: 2,
        items: [],
      });
      const atReceipt = await capTable(`?block=${receipt.blockNumber}`);
      expect(atReceipt.body.items).toEqual(now.body.items);
      // Before anything was minted: an empty table.
      expect((await capTable('?block=0')).body).toMatchObject({
        totalSupply: '0',
        holders: 0,
        asOfBlock: '0',
        items: [],
      });
      // The operator reads it too, without investor ids.
      const seen = await operator.client.get(`/farms/${farm.farmId}/cap-table?block=${before}`);
      expect(seen.status).toBe(200);
      expect(seen.body.items).toEqual([
        { wallet: lower(a1), balance: '47', shareBps: 7230, percentage: '72.307692' },
        { wallet: lower(b), balance: '18', shareBps: 2769, percentage: '27.692307' },
      ]);

      const beyond = await capTable('?block=1000000000000');
      expect(outcome(beyond)).toEqual({ status: 409, code: 'BLOCK_NOT_INDEXED' });
      expect(beyond.body.details).toMatchObject({ block: '1000000000000' });
      for (const block of ['abc', '-1', '1.5', '9223372036854775808']) {
        expect({ block, ...outcome(await capTable(`?block=${block}`)) }).toEqual({
          block,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
    },
    TIMEOUT,
  );

  it(
    'a forced transfer the chain refuses ends failed with the decoded reason and moves nothing',
    async () => {
      const stranger = Wallet.createRandom().address;
      const unverified = await act(
        'forced-transfers',
        { from: lower(a1), to: lower(stranger), amount: '1', reason: 'to an unknown wallet' },
        'failed',
      );
      expect(unverified.failure).toBe(`GpuFarmToken.ReceiverNotVerified(${lower(stranger)})`);
      expect(unverified.txHash).toBeNull();
      const tooMuch = await act(
        'forced-transfers',
        { from: lower(b), to: lower(a1), amount: '1000', reason: 'more than it holds' },
        'failed',
      );
      expect(tooMuch.failure).toBe(`GpuFarmToken.ERC20InsufficientBalance(${lower(b)}, 30, 1000)`);
      expect(await token.balanceOf(stranger)).toBe(0n);
      expect(await balances()).toEqual({ a1: 35n, a2: 0n, b: 30n });
    },
    TIMEOUT,
  );

  it(
    "a recovery moves the lost wallet's balance to the investor's other wallet; to another investor's wallet it is refused before anything is sent",
    async () => {
      const recovered = await act(
        'recoveries',
        {
          lostWallet: lower(a1),
          newWallet: lower(a2),
          reason: 'seed phrase lost, identity re-checked',
        },
        'confirmed',
      );
      expect(recovered).toMatchObject({
        kind: 'wallet-recovery',
        params: { lostWallet: lower(a1), newWallet: lower(a2) },
      });
      expect(await balances()).toEqual({ a1: 0n, a2: 35n, b: 30n });
      const receipt = (await provider.getTransactionReceipt(recovered.txHash))!;
      const events = receipt.logs
        .map((log) => token.interface.parseLog(log))
        .filter((event) => event?.name === 'WalletRecovered');
      expect(events.map((event) => [event!.args[0], event!.args[1], event!.args[3]])).toEqual([
        [a1.address, a2.address, 35n],
      ]);

      const before = await written();
      const refusals = [
        ["another investor's wallet", { lostWallet: lower(a2), newWallet: lower(b) }],
        [
          'an unlinked wallet',
          { lostWallet: lower(a2), newWallet: lower(Wallet.createRandom().address) },
        ],
        [
          'from an unlinked wallet',
          { lostWallet: lower(Wallet.createRandom().address), newWallet: lower(a1) },
        ],
      ] as const;
      for (const [label, params] of refusals) {
        const response = await enforce('recoveries', { ...params, reason: 'wrong target' });
        expect({ label, ...outcome(response) }).toEqual({
          label,
          status: 409,
          code: 'RECOVERY_NOT_SAME_INVESTOR',
        });
      }
      // A linked wallet of the same investor that is not verified on chain.
      const unverified = await registerInvestor(apps.api, 'compliance-unverified');
      const [lost, fresh] = [Wallet.createRandom(), Wallet.createRandom()];
      for (const wallet of [lost, fresh])
        expect((await linkWallet(unverified.client, wallet)).response.status).toBe(201);
      expect(
        outcome(
          await enforce('recoveries', {
            lostWallet: lower(lost.address),
            newWallet: lower(fresh.address),
            reason: 'not verified',
          }),
        ),
      ).toEqual({ status: 409, code: 'RECOVERY_WALLET_NOT_VERIFIED' });
      expect(await written()).toEqual(before);
      expect(await balances()).toEqual({ a1: 0n, a2: 35n, b: 30n });
    },
    TIMEOUT,
  );

  it(
    'a pause stops every transfer (TokenPaused); the unpause lets them through',
    async () => {
      await act('pause', { reason: 'suspected exploit' }, 'confirmed');
      expect((await token.rules()).paused).toBe(true);
      await expectRevert(token.connect(a2).transfer(b.address, 1n), token, 'TokenPaused', []);
      await expectRevert(token.connect(b).transfer(a2.address, 1n), token, 'TokenPaused', []);
      // A forced transfer is not stopped by the pause.
      await act(
        'forced-transfers',
        { from: lower(b), to: lower(a2), amount: '1', reason: 'court order during the pause' },
        'confirmed',
      );
      expect(await balances()).toEqual({ a1: 0n, a2: 36n, b: 29n });

      await act('unpause', { reason: 'exploit ruled out' }, 'confirmed');
      expect((await token.rules()).paused).toBe(false);
      const sent = await mined(token.connect(a2).transfer(b.address, 3n));
      expect(await balances()).toEqual({ a1: 0n, a2: 33n, b: 32n });

      // The cap table follows: A1 gone, by hand 33 / 65 = 50.769230 % and 32 / 65 = 49.230769 %.
      await indexedPast(sent.blockNumber);
      const now = await officer.client.get(`/farms/${farm.farmId}/cap-table`);
      expect(now.body).toMatchObject({ totalSupply: '65', holders: 2 });
      expect(now.body.items).toEqual([
        holder(a2, investor1, 33, 5076, '50.769230'),
        holder(b, investor2, 32, 4923, '49.230769'),
      ]);
    },
    TIMEOUT,
  );

  it(
    'GET /enforcement-actions lists every action of the farm with its outcome, newest first, and filters',
    async () => {
      expect(actions.map((a) => a.kind)).toEqual([
        'wallet-freeze',
        'wallet-freeze',
        'token-freeze',
        'token-freeze',
        'forced-transfer',
        'forced-transfer',
        'forced-transfer',
        'wallet-recovery',
        'pause',
        'forced-transfer',
        'unpause',
      ]);
      const newestFirst = [...actions].reverse();
      const list = (query: string, client: ApiClient = officer.client) =>
        client.get(`/enforcement-actions?farmId=${farm.farmId}&limit=200${query}`);
      for (const client of [officer.client, admin.client]) {
        const all = await list('', client);
        expect(all.status).toBe(200);
        expect(all.body.total).toBe(actions.length);
        expect(
          all.body.items.map((a: Record<string, any>) => ({
            id: a.id,
            kind: a.kind,
            status: a.status,
          })),
        ).toEqual(newestFirst);
      }
      const failed = await list('&status=failed');
      expect(failed.body.items.map((a: { id: string }) => a.id)).toEqual(
        newestFirst.filter((a) => a.status === 'failed').map((a) => a.id),
      );
      const forced = await list('&kind=forced-transfer&status=confirmed');
      expect(forced.body.items.map((a: { id: string }) => a.id)).toEqual(
        newestFirst
          .filter((a) => a.kind === 'forced-transfer' && a.status === 'confirmed')
          .map((a) => a.id),
      );
      const paged = await officer.client.get(
        `/enforcement-actions?farmId=${farm.farmId}&limit=2&offset=1`,
      );
      expect(paged.body).toMatchObject({ total: actions.length, limit: 2, offset: 1 });
      expect(paged.body.items.map((a: { id: string }) => a.id)).toEqual(
        newestFirst.slice(1, 3).map((a) => a.id),
      );
      expect(
        (await officer.client.get(`/enforcement-actions?farmId=${randomUUID()}`)).body,
      ).toMatchObject({
        items: [],
        total: 0,
      });
      const one = await admin.client.get(`/enforcement-actions/${freeze.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(freeze);

      for (const [path, expected] of [
        [`/enforcement-actions/${randomUUID()}`, { status: 404, code: 'ENFORCEMENT_NOT_FOUND' }],
        ['/enforcement-actions/abc', { status: 400, code: 'INVALID_ID' }],
        ['/enforcement-actions?kind=seize', { status: 400, code: 'VALIDATION_FAILED' }],
        ['/enforcement-actions?status=done', { status: 400, code: 'VALIDATION_FAILED' }],
        ['/enforcement-actions?farmId=abc', { status: 400, code: 'VALIDATION_FAILED' }],
      ] as const) {
        expect({ path, ...outcome(await officer.client.get(path)) }).toEqual({ path, ...expected });
      }
      for (const client of [operator.client, investor1.client]) {
        expect(outcome(await client.get(`/enforcement-actions/${freeze.id}`))).toEqual({
          status: 403,
          code: 'AUTH_ROLE_FORBIDDEN',
        });
      }
    },
    TIMEOUT,
  );

  it(
    'the audit log finds each action by action, actor, subject and time, newest first, and still verifies',
    async () => {
      const search = async (query: string, client: ApiClient = officer.client) => {
        const response = await client.get(`/audit/entries?limit=200&${query}`);
        expect(response.status).toBe(200);
        return response.body as { items: Record<string, any>[]; total: number };
      };
      const officerActor = `user:${officer.userId}`;
      const subject = `farm:${farm.farmId}`;

      // The freeze and the unfreeze; replays and refused requests left nothing.
      const freezes = await search('action=compliance.wallet-freeze');
      expect(freezes.total).toBe(2);
      expect(
        freezes.items.map((e) => ({ actor: e.actor, role: e.role, subject: e.subject })),
      ).toEqual([
        { actor: officerActor, role: 'compliance', subject },
        { actor: officerActor, role: 'compliance', subject },
      ]);
      const first = freezes.items[1];
      // Its change is the action with its reason.
      expect(first.changeDigest).toBe(
        changeDigest({
          actionId: freeze.id,
          token: farm.token,
          params: { wallet: lower(b), frozen: true },
          reason: 'court order 2026/118',
          chainTxId: freeze.chainTxId,
        }),
      );
      expect((await search(`action=compliance.wallet-freeze&actor=${officerActor}`)).total).toBe(2);
      expect(
        (await search(`action=compliance.wallet-freeze&actor=user:${admin.userId}`)).total,
      ).toBe(0);
      const outcomes = await search('action=compliance.forced-transfer.failed&actor=worker');
      expect(outcomes.items.map((e) => [e.role, e.subject])).toEqual([
        ['system', subject],
        ['system', subject],
      ]);

      // The farm's entries, newest first: each request and its outcome.
      const farmEntries = await search(`subject=${subject}`);
      expect(farmEntries.items.every((e) => e.subject === subject)).toBe(true);
      const sequences = farmEntries.items.map((e) => BigInt(e.sequence));
      expect(sequences).toEqual([...sequences].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
      expect(new Set(sequences).size).toBe(sequences.length);
      const compliance = farmEntries.items
        .filter((e) => e.action.startsWith('compliance.'))
        .map((e) => e.action);
      expect(compliance.filter((a: string) => !/\.(confirmed|failed)$/.test(a)).reverse()).toEqual(
        actions.map((a) => `compliance.${a.kind}`),
      );
      expect(compliance.filter((a: string) => /\.(confirmed|failed)$/.test(a)).reverse()).toEqual(
        actions.map((a) => `compliance.${a.kind}.${a.status}`),
      );
      expect(farmEntries.total).toBe(farmEntries.items.length);

      // From is inclusive, to exclusive.
      const at = first.occurredAt as string;
      const later = new Date(new Date(at).getTime() + 1).toISOString();
      const sequencesOf = async (query: string) =>
        (await search(`action=compliance.wallet-freeze&${query}`)).items.map((e) => e.sequence);
      expect(await sequencesOf(`from=${at}`)).toEqual(freezes.items.map((e) => e.sequence));
      expect(await sequencesOf(`to=${at}`)).toEqual([]);
      expect(await sequencesOf(`from=${at}&to=${later}`)).toEqual([first.sequence]);
      expect(await sequencesOf(`from=${later}`)).toEqual([freezes.items[0].sequence]);
      expect(await sequencesOf(`from=${later}&to=${at}`)).toEqual([]);

      expect((await search('action=compliance.wallet-freeze', admin.client)).total).toBe(2);
      for (const [query, expected] of [
        ['from=yesterday', { status: 400, code: 'VALIDATION_FAILED' }],
        ['to=2026-02-30T00:00:00Z', { status: 400, code: 'VALIDATION_FAILED' }],
        ['limit=0', { status: 400, code: 'VALIDATION_FAILED' }],
      ] as const) {
        expect({ query, ...outcome(await officer.client.get(`/audit/entries?${query}`)) }).toEqual({
          query,
          ...expected,
        });
      }
      for (const client of [operator.client, investor1.client]) {
        expect(outcome(await client.get('/audit/entries'))).toEqual({
          status: 403,
          code: 'AUTH_ROLE_FORBIDDEN',
        });
      }

      const verified = await officer.client.get('/audit/verify');
      expect(verified.status).toBe(200);
      expect(verified.body.valid).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'only compliance officers enforce; bad input is a 4xx and writes nothing',
    async () => {
      const before = await written();
      const wallet = lower(b);
      const reason = 'test';
      const bodies: [string, Record<string, unknown>][] = [
        ['wallet-freezes', { wallet, frozen: true, reason }],
        ['token-freezes', { wallet, amount: '1', reason }],
        ['forced-transfers', { from: wallet, to: lower(a2), amount: '1', reason }],
        ['recoveries', { lostWallet: lower(a2), newWallet: lower(a1), reason }],
        ['pause', { reason }],
        ['unpause', { reason }],
      ];
      for (const [who, client] of [
        ['operator', operator.client],
        ['investor', investor1.client],
        ['admin', admin.client],
      ] as const) {
        for (const [route, body] of bodies) {
          expect({ who, route, ...outcome(await enforce(route, body, newKey(), client)) }).toEqual({
            who,
            route,
            status: 403,
            code: 'AUTH_ROLE_FORBIDDEN',
          });
        }
      }

      const draft = await operator.client.post('/farms', farmBody());
      expect(draft.status).toBe(201);
      const uint128 = (1n << 128n).toString();
      const cases: [string, string, Record<string, unknown>, number, string, string?][] = [
        [
          'bad address',
          'wallet-freezes',
          { wallet: '0x1234', frozen: true, reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'not an address',
          'forced-transfers',
          { from: wallet, to: 'bob', amount: '1', reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'zero address',
          'wallet-freezes',
          { wallet: ZERO, frozen: true, reason },
          400,
          'ENFORCEMENT_INVALID',
        ],
        ['no frozen', 'wallet-freezes', { wallet, reason }, 400, 'VALIDATION_FAILED'],
        [
          'frozen a string',
          'wallet-freezes',
          { wallet, frozen: 'true', reason },
          400,
          'VALIDATION_FAILED',
        ],
        ['no reason', 'wallet-freezes', { wallet, frozen: true }, 400, 'VALIDATION_FAILED'],
        [
          'empty reason',
          'wallet-freezes',
          { wallet, frozen: true, reason: '' },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'a status',
          'wallet-freezes',
          { wallet, frozen: true, reason, status: 'confirmed' },
          400,
          'VALIDATION_FAILED',
        ],
        ['pause without reason', 'pause', {}, 400, 'VALIDATION_FAILED'],
        [
          'reason of 2001 characters',
          'pause',
          { reason: 'r'.repeat(2001) },
          400,
          'VALIDATION_FAILED',
        ],
        ['amount -1', 'token-freezes', { wallet, amount: '-1', reason }, 400, 'VALIDATION_FAILED'],
        [
          'amount 1.5',
          'token-freezes',
          { wallet, amount: '1.5', reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'amount a number',
          'token-freezes',
          { wallet, amount: 5, reason },
          400,
          'VALIDATION_FAILED',
        ],
        ['amount 01', 'token-freezes', { wallet, amount: '01', reason }, 400, 'VALIDATION_FAILED'],
        [
          'freeze 2^128',
          'token-freezes',
          { wallet, amount: uint128, reason },
          400,
          'ENFORCEMENT_INVALID',
        ],
        [
          'forced amount -1',
          'forced-transfers',
          { from: wallet, to: lower(a2), amount: '-1', reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'forced amount 0.5',
          'forced-transfers',
          { from: wallet, to: lower(a2), amount: '0.5', reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'forced amount 0',
          'forced-transfers',
          { from: wallet, to: lower(a2), amount: '0', reason },
          400,
          'ENFORCEMENT_INVALID',
        ],
        [
          'forced to itself',
          'forced-transfers',
          { from: wallet, to: b.address, amount: '1', reason },
          400,
          'ENFORCEMENT_INVALID',
        ],
        [
          'recovery to itself',
          'recoveries',
          { lostWallet: lower(a2), newWallet: a2.address, reason },
          400,
          'ENFORCEMENT_INVALID',
        ],
        [
          'recovery without newWallet',
          'recoveries',
          { lostWallet: lower(a2), reason },
          400,
          'VALIDATION_FAILED',
        ],
        [
          'unknown farm',
          'wallet-freezes',
          { wallet, frozen: true, reason },
          404,
          'FARM_NOT_FOUND',
          randomUUID(),
        ],
        [
          'farm id not a uuid',
          'wallet-freezes',
          { wallet, frozen: true, reason },
          400,
          'INVALID_ID',
          'abc',
        ],
        ['farm not tokenized', 'pause', { reason }, 404, 'FARM_NOT_TOKENIZED', draft.body.id],
      ];
      const answers = [];
      for (const [label, route, body, , , farmId] of cases) {
        answers.push({
          label,
          ...outcome(await enforce(route, body, newKey(), officer.client, farmId)),
        });
      }
      expect(answers).toEqual(cases.map(([label, , , status, code]) => ({ label, status, code })));

      for (const [label, key] of [
        ['no key', null],
        ['a key with a space', 'two words'],
        ['a key of 101 characters', 'k'.repeat(101)],
      ] as const) {
        expect({ label, ...outcome(await enforce('pause', { reason }, key)) }).toEqual({
          label,
          status: 400,
          code: 'IDEMPOTENCY_KEY_REQUIRED',
        });
      }

      expect(await written()).toEqual(before);
      expect((await token.rules()).paused).toBe(false);
      expect(await token.isWalletFrozen(b.address)).toBe(false);
    },
    TIMEOUT,
  );
});
