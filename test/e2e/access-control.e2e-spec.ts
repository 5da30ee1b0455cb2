import { createHmac, randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { Wallet } from 'ethers';
import { API_KEY_SCOPES } from '@gpu/identity';
import { SUMSUB_DIGEST_HEADER } from '@gpu/kyc';
import {
  ApiClient,
  type ApiResponse,
  linkWallet,
  PASSWORD,
  registerInvestor,
  type SignedIn,
  signInStaff,
  siweMessage,
  uniqueEmail,
} from '../support/api-client';
import { type RunningApi, startApi } from '../support/apps';

/**
 * Issue 5: a guard by role and by ownership on every route. Every route is driven with every
 * role (and an operator's API key), with another user's ids (BOLA), with bodies that try to set
 * role, status, owner or KYC fields (mass assignment), and nobody decides a request they made.
 */

const CALLERS = ['anonymous', 'investor', 'operator', 'compliance', 'admin', 'apiKey'] as const;
type Caller = (typeof CALLERS)[number];

const Y = true;
const _ = false;

/**
 * The access matrix: who may call each route. `apiKey` is an operator's key carrying every scope.
 * A route missing here fails the inventory test; a wrong cell fails the matrix test.
 */
// prettier-ignore
const ACCESS_MATRIX: Record<string, readonly [boolean, boolean, boolean, boolean, boolean, boolean]> = {
  //                                          anonymous investor operator compliance admin apiKey
  'GET /health':                              [Y,        Y,       Y,       Y,         Y,    Y],
  'GET /metrics':                             [Y,        Y,       Y,       Y,         Y,    Y],
  'GET /chain/status':                        [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/register':                      [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/sign-in':                       [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/siwe/nonce':                    [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/siwe':                          [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/refresh':                       [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /kyc/webhooks/sumsub':                [Y,        Y,       Y,       Y,         Y,    Y],
  'POST /auth/sign-out':                      [_,        Y,       Y,       Y,         Y,    _],
  'POST /auth/password':                      [_,        Y,       Y,       Y,         Y,    _],
  'GET /auth/me':                             [_,        Y,       Y,       Y,         Y,    Y],
  'POST /users':                              [_,        _,       _,       _,         Y,    _],
  'GET /users':                               [_,        _,       _,       _,         Y,    _],
  'GET /users/{id}':                          [_,        _,       _,       _,         Y,    _],
  'POST /users/{id}/disable':                 [_,        _,       _,       _,         Y,    _],
  'POST /api-keys':                           [_,        _,       Y,       _,         _,    _],
  'GET /api-keys':                            [_,        _,       Y,       _,         _,    _],
  'POST /api-keys/{id}/revoke':               [_,        _,       Y,       _,         _,    _],
  'POST /wallets/nonce':                      [_,        Y,       _,       _,         _,    _],
  'POST /wallets':                            [_,        Y,       _,       _,         _,    _],
  'GET /wallets':                             [_,        Y,       _,       _,         _,    _],
  'POST /kyc/cases':                          [_,        Y,       _,       _,         _,    _],
  'POST /kyc/investors/{investorId}/cases':   [_,        _,       _,       Y,         _,    _],
  'POST /kyc/cases/{id}/approve':             [_,        _,       _,       Y,         _,    _],
  'POST /kyc/cases/{id}/reject':              [_,        _,       _,       Y,         _,    _],
  'POST /kyc/cases/{id}/revoke':              [_,        _,       _,       Y,         _,    _],
  'GET /kyc/cases':                           [_,        Y,       _,       Y,         Y,    _],
  'GET /kyc/cases/{id}':                      [_,        Y,       _,       Y,         Y,    _],
  'GET /chain/reconciliation':                [_,        _,       _,       Y,         Y,    _],
  'GET /audit/verify':                        [_,        _,       _,       Y,         Y,    _],
  'GET /audit/entries':                       [_,        _,       _,       Y,         Y,    _],
  'POST /farms':                              [_,        _,       Y,       _,         _,    Y],
  'GET /farms':                               [_,        _,       Y,       Y,         Y,    Y],
  'GET /farms/{id}':                          [_,        _,       Y,       Y,         Y,    Y],
  'PATCH /farms/{id}':                        [_,        _,       Y,       _,         _,    Y],
  'POST /farms/{id}/submit':                  [_,        _,       Y,       _,         _,    Y],
  'POST /farms/{id}/approve':                 [_,        _,       _,       Y,         _,    _],
  'POST /farms/{id}/tokenization':            [_,        _,       Y,       _,         _,    _],
  'POST /farms/{id}/tokenization/approve':    [_,        _,       _,       Y,         _,    _],
  'POST /farms/{id}/tokenization/reject':     [_,        _,       _,       Y,         _,    _],
  'GET /farms/{id}/token':                    [_,        _,       Y,       Y,         Y,    Y],
  'POST /farms/{id}/reject':                  [_,        _,       _,       Y,         _,    _],
  'POST /farms/{id}/offerings':               [_,        _,       Y,       _,         _,    Y],
  'GET /farms/{id}/cap-table':                [_,        _,       Y,       Y,         Y,    Y],
  'POST /farms/{id}/enforcement/wallet-freezes': [_,     _,       _,       Y,         _,    _],
  'POST /farms/{id}/enforcement/token-freezes': [_,      _,       _,       Y,         _,    _],
  'POST /farms/{id}/enforcement/forced-transfers': [_,   _,       _,       Y,         _,    _],
  'POST /farms/{id}/enforcement/recoveries':  [_,        _,       _,       Y,         _,    _],
  'POST /farms/{id}/enforcement/pause':       [_,        _,       _,       Y,         _,    _],
  'POST /farms/{id}/enforcement/unpause':     [_,        _,       _,       Y,         _,    _],
  'GET /enforcement-actions':                 [_,        _,       _,       Y,         Y,    _],
  'GET /enforcement-actions/{id}':            [_,        _,       _,       Y,         Y,    _],
  'GET /reports/holder-register':             [_,        _,       _,       Y,         Y,    _],
  'GET /reports/transfers':                   [_,        _,       _,       Y,         Y,    _],
  'GET /reports/distributions':               [_,        _,       _,       Y,         Y,    _],
  'GET /reports/review-queues':               [_,        _,       _,       Y,         Y,    _],
  'GET /offerings':                           [_,        Y,       Y,       Y,         Y,    Y],
  'GET /offerings/{id}':                      [_,        Y,       Y,       Y,         Y,    Y],
  'POST /offerings/{id}/open':                [_,        _,       Y,       _,         _,    Y],
  'POST /offerings/{id}/close':               [_,        _,       Y,       Y,         _,    Y],
  'POST /offerings/{id}/orders':              [_,        Y,       _,       _,         _,    _],
  'GET /orders':                              [_,        Y,       _,       Y,         Y,    _],
  'GET /orders/{id}':                         [_,        Y,       _,       Y,         Y,    _],
  'POST /orders/{id}/cancel':                 [_,        Y,       _,       _,         _,    _],
  'GET /portfolio':                           [_,        Y,       _,       _,         _,    _],
  'GET /farms/{id}/uptime':                   [_,        Y,       Y,       Y,         Y,    Y],
  'GET /farms/{id}/uptime/epochs':            [_,        Y,       Y,       Y,         Y,    Y],
  'GET /farms/{id}/uptime/epochs/{epoch}':    [_,        Y,       Y,       Y,         Y,    Y],
  'GET /farms/{id}/uptime/epochs/{epoch}/samples': [_,  Y,       Y,       Y,         Y,    Y],
  'POST /farms/{id}/revenue-reports':         [_,        _,       Y,       _,         _,    Y],
  'GET /farms/{id}/revenue-reports':          [_,        _,       Y,       Y,         Y,    Y],
  'GET /revenue-reports/pending':             [_,        _,       _,       Y,         Y,    _],
  'POST /revenue-reports/{id}/approve':       [_,        _,       _,       Y,         _,    _],
  'POST /revenue-reports/{id}/reject':        [_,        _,       _,       Y,         _,    _],
  'GET /farms/{id}/distributions':            [_,        Y,       Y,       Y,         Y,    Y],
  'GET /distributions/{id}':                  [_,        Y,       Y,       Y,         Y,    Y],
  'POST /distributions/{id}/publish':         [_,        _,       _,       Y,         Y,    _],
  'GET /farms/{id}/claims/{wallet}':          [_,        Y,       _,       Y,         Y,    _],
  'GET /statements':                          [_,        Y,       _,       _,         _,    _],
  'GET /investors/{id}/statements':           [_,        _,       _,       Y,         Y,    _],
};

/** What a refused caller gets: the anonymous one must sign in, a key lacks the scope, a role is forbidden. */
function refusal(caller: Caller): { status: number; code: string } {
  if (caller === 'anonymous') return { status: 401, code: 'AUTH_REQUIRED' };
  if (caller === 'apiKey') return { status: 403, code: 'AUTH_API_KEY_SCOPE_MISSING' };
  return { status: 403, code: 'AUTH_ROLE_FORBIDDEN' };
}

const MATRIX_CASES = Object.entries(ACCESS_MATRIX).flatMap(([route, row]) =>
  CALLERS.map((caller, column) => ({
    route,
    caller,
    allowed: row[column],
    expected: row[column] ? 'allowed' : `${refusal(caller).status} ${refusal(caller).code}`,
  })),
);

const KYC_BODY = { provider: 'manual', country: 276 };
const APPROVE_BODY = { country: 276, level: 'basic-kyc-level', reason: 'documents checked' };

const codeOf = (response: ApiResponse): unknown =>
  (response.body as { code?: unknown } | undefined)?.code;

/** 400 VALIDATION_FAILED naming the refused field. */
function expectRefusedField(response: ApiResponse, field: string): void {
  expect({ status: response.status, code: codeOf(response) }).toEqual({
    status: 400,
    code: 'VALIDATION_FAILED',
  });
  expect(response.body.details.fields).toEqual(
    expect.arrayContaining([expect.objectContaining({ field })]),
  );
}

/** The routes the controllers declare, from Nest's own metadata, as "METHOD /path/{param}". */
function controllerRoutes(api: RunningApi): string[] {
  const routes: string[] = [];
  for (const controller of api.app.get(DiscoveryService).getControllers()) {
    const metatype = controller.metatype as object | null;
    if (!metatype) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, metatype) as string | string[]].flat();
    const prototype = (metatype as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (!Reflect.hasMetadata(METHOD_METADATA, handler)) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const paths = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
      for (const prefix of prefixes)
        for (const path of paths) {
          const joined = `/${[prefix, path].join('/')}`
            .replace(/\/+/g, '/')
            .replace(/(.)\/$/, '$1')
            .replace(/:([A-Za-z0-9_]+)/g, '{$1}');
          routes.push(`${method} ${joined}`);
        }
    }
  }
  return routes.sort();
}

describe('access control: roles, ownership, mass assignment, separation of duties', () => {
  let api: RunningApi;
  let anonymous: ApiClient;

  beforeAll(async () => {
    api = await startApi();
    anonymous = new ApiClient(api.url);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function issueApiKey(
    operator: ApiClient,
    scopes: readonly string[] = API_KEY_SCOPES,
  ): Promise<{ id: string; key: string; client: ApiClient }> {
    const response = await operator.post('/api-keys', { name: 'access-control', scopes });
    expect(response.status).toBe(201);
    return {
      id: response.body.id,
      key: response.body.key,
      client: new ApiClient(api.url, { apiKey: response.body.key }),
    };
  }

  async function openOwnCase(investor: ApiClient): Promise<string> {
    const response = await investor.post('/kyc/cases', KYC_BODY);
    expect(response.status).toBe(201);
    return response.body.id;
  }

  describe('route inventory', () => {
    it('the OpenAPI document lists exactly the routes of the access matrix', async () => {
      const document = (await anonymous.get('/docs-json')).body as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(document.paths)
        .flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
        )
        .sort();
      expect(documented).toEqual(Object.keys(ACCESS_MATRIX).sort());
    });

    it('the controllers declare no route the document leaves out', () => {
      expect(controllerRoutes(api)).toEqual(Object.keys(ACCESS_MATRIX).sort());
    });
  });

  describe('role x route matrix (path ids are random UUIDs, body {})', () => {
    const clients = {} as Record<Caller, ApiClient>;

    beforeAll(async () => {
      const [investor, operator, compliance, admin] = await Promise.all([
        registerInvestor(api, 'matrix-investor'),
        signInStaff(api, 'operator', 'matrix-operator'),
        signInStaff(api, 'compliance', 'matrix-compliance'),
        signInStaff(api, 'admin', 'matrix-admin'),
      ]);
      Object.assign(clients, {
        anonymous,
        investor: investor.client,
        operator: operator.client,
        compliance: compliance.client,
        admin: admin.client,
        apiKey: (await issueApiKey(operator.client)).client,
      });
    });

    function send(caller: Caller, route: string): Promise<ApiResponse> {
      const [method, template] = route.split(' ');
      const path = template.replace(/\{[^}]+\}/g, () => randomUUID());
      const client = clients[caller];
      if (method === 'GET') return client.get(path);
      if (route === 'POST /kyc/webhooks/sumsub') {
        // Signed, so the HMAC check (the webhook's own authentication) passes and the route is reached.
        const digest = createHmac('sha256', process.env.KYC_WEBHOOK_SECRET!)
          .update('{}')
          .digest('hex');
        return client.post(path, {}, { [SUMSUB_DIGEST_HEADER]: digest });
      }
      return client.request(method, path, {});
    }

    it.each(MATRIX_CASES)('$route as $caller: $expected', async ({ route, caller, allowed }) => {
      const response = await send(caller, route);
      const outcome = { status: response.status, code: codeOf(response) };
      if (allowed) {
        const refused = response.status === 401 || response.status === 403;
        const broken = response.status >= 500;
        expect(refused || broken ? { ...outcome, body: response.body } : 'allowed').toBe('allowed');
      } else {
        expect(outcome).toEqual(refusal(caller));
      }
    });
  });

  describe('ownership (BOLA)', () => {
    let investorA: SignedIn;
    let investorB: SignedIn;
    let caseA: string;
    let caseB: string;
    let walletA: string;
    let walletB: string;

    beforeAll(async () => {
      [investorA, investorB] = await Promise.all([
        registerInvestor(api, 'bola-a'),
        registerInvestor(api, 'bola-b'),
      ]);
      [caseA, caseB] = await Promise.all([
        openOwnCase(investorA.client),
        openOwnCase(investorB.client),
      ]);
      const [linkedA, linkedB] = await Promise.all([
        linkWallet(investorA.client),
        linkWallet(investorB.client),
      ]);
      expect(linkedA.response.status).toBe(201);
      expect(linkedB.response.status).toBe(201);
      walletA = linkedA.wallet.address;
      walletB = linkedB.wallet.address;
    });

    it("an investor cannot read another investor's KYC case", async () => {
      const own = await investorA.client.get(`/kyc/cases/${caseA}`);
      expect(own.status).toBe(200);
      expect(own.body.investorId).toBe(investorA.userId);

      const other = await investorB.client.get(`/kyc/cases/${caseA}`);
      expect(other.status).toBe(404);
      expect(other.body.code).toBe('KYC_CASE_NOT_FOUND');
    });

    it('an investor lists only their own KYC cases, whatever investorId they ask for', async () => {
      for (const path of ['/kyc/cases', `/kyc/cases?investorId=${investorA.userId}`]) {
        const response = await investorB.client.get(path);
        expect(response.status).toBe(200);
        expect(response.body.total).toBe(1);
        expect(response.body.items.map((item: { id: string }) => item.id)).toEqual([caseB]);
        expect(response.body.items[0].investorId).toBe(investorB.userId);
      }
    });

    it('staff read any case (compliance and admin)', async () => {
      const compliance = await signInStaff(api, 'compliance', 'bola-compliance');
      const admin = await signInStaff(api, 'admin', 'bola-admin');
      for (const staff of [compliance.client, admin.client]) {
        const response = await staff.get(`/kyc/cases/${caseA}`);
        expect(response.status).toBe(200);
        expect(response.body.investorId).toBe(investorA.userId);
        const list = await staff.get(`/kyc/cases?investorId=${investorA.userId}`);
        expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([caseA]);
      }
    });

    it('an investor lists only their own wallets', async () => {
      const response = await investorB.client.get('/wallets');
      expect(response.status).toBe(200);
      expect(response.body.map((wallet: { address: string }) => wallet.address)).toEqual([walletB]);
      const own = await investorA.client.get('/wallets');
      expect(own.body.map((wallet: { address: string }) => wallet.address)).toEqual([walletA]);
    });

    it('an investor cannot link a wallet with a nonce issued to another investor', async () => {
      const challengeForA = (await investorA.client.post('/wallets/nonce')).body;
      const wallet = Wallet.createRandom();
      const message = siweMessage(challengeForA, wallet.address);
      const response = await investorB.client.post('/wallets', {
        message,
        signature: await wallet.signMessage(message),
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('SIWE_NONCE_INVALID');
      const wallets = (await investorB.client.get('/wallets')).body as { address: string }[];
      expect(wallets.map((linked) => linked.address)).toEqual([walletB]);
    });

    it("signing out with another user's refresh token ends nothing", async () => {
      const victim = await registerInvestor(api, 'bola-victim');
      const signOut = await investorB.client.post('/auth/sign-out', {
        refreshToken: victim.refreshToken,
      });
      expect(signOut.status).toBe(204);
      const refreshed = await anonymous.post('/auth/refresh', {
        refreshToken: victim.refreshToken,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.user.id).toBe(victim.userId);
    });

    it("an operator can neither revoke nor list another operator's API key", async () => {
      const [operatorA, operatorB] = await Promise.all([
        signInStaff(api, 'operator', 'bola-operator-a'),
        signInStaff(api, 'operator', 'bola-operator-b'),
      ]);
      const keyA = await issueApiKey(operatorA.client);

      const revoke = await operatorB.client.post(`/api-keys/${keyA.id}/revoke`);
      expect(revoke.status).toBe(404);
      expect(revoke.body.code).toBe('API_KEY_NOT_FOUND');

      const listB = await operatorB.client.get('/api-keys');
      expect(listB.status).toBe(200);
      expect(listB.body).toEqual([]);

      const me = await keyA.client.get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: operatorA.userId, role: 'operator', via: 'api-key' });

      const listA = await operatorA.client.get('/api-keys');
      expect(listA.body).toEqual([expect.objectContaining({ id: keyA.id, revokedAt: null })]);
    });
  });

  describe('mass assignment (refused with 400 VALIDATION_FAILED, nothing written)', () => {
    let admin: SignedIn;
    let compliance: SignedIn;

    beforeAll(async () => {
      [admin, compliance] = await Promise.all([
        signInStaff(api, 'admin', 'mass-admin'),
        signInStaff(api, 'compliance', 'mass-compliance'),
      ]);
    });

    it('POST /auth/register refuses role and status; the account registers as an investor without them', async () => {
      const email = uniqueEmail('mass-register');
      expectRefusedField(
        await anonymous.post('/auth/register', { email, password: PASSWORD, role: 'admin' }),
        'role',
      );
      expectRefusedField(
        await anonymous.post('/auth/register', { email, password: PASSWORD, status: 'active' }),
        'status',
      );
      expectRefusedField(
        await anonymous.post('/auth/register', {
          email,
          password: PASSWORD,
          kycStatus: 'approved',
        }),
        'kycStatus',
      );

      const signIn = await anonymous.post('/auth/sign-in', { email, password: PASSWORD });
      expect(signIn.status).toBe(401);

      const registered = await anonymous.post('/auth/register', { email, password: PASSWORD });
      expect(registered.status).toBe(201);
      expect(registered.body.user.role).toBe('investor');
      const me = await anonymous.withToken(registered.body.accessToken).get('/auth/me');
      expect(me.body).toMatchObject({ email, role: 'investor' });
    });

    it('POST /auth/register refuses a role smuggled through __proto__ or constructor.prototype', async () => {
      const email = uniqueEmail('mass-proto');
      for (const smuggled of [
        `"__proto__":{"role":"admin"}`,
        `"constructor":{"prototype":{"role":"admin"}}`,
      ]) {
        const response = await anonymous.request(
          'POST',
          '/auth/register',
          `{"email":"${email}","password":"${PASSWORD}",${smuggled}}`,
          { 'content-type': 'application/json' },
        );
        expect({ smuggled, status: response.status }).toEqual({ smuggled, status: 400 });
      }
      const registered = await anonymous.post('/auth/register', { email, password: PASSWORD });
      expect(registered.status).toBe(201);
      expect(registered.body.user.role).toBe('investor');
    });

    it('POST /kyc/cases refuses status, investorId, kycStatus, expiresAt and extra document fields', async () => {
      const investor = await registerInvestor(api, 'mass-kyc');
      const other = await registerInvestor(api, 'mass-kyc-other');
      const attempts: [string, Record<string, unknown>][] = [
        ['status', { status: 'approved' }],
        ['investorId', { investorId: other.userId }],
        ['kycStatus', { kycStatus: 'approved' }],
        ['expiresAt', { expiresAt: '2099-01-01T00:00:00.000Z' }],
        ['requestedBy', { requestedBy: other.userId }],
        ['decidedBy', { decidedBy: compliance.userId }],
      ];
      for (const [field, extra] of attempts)
        expectRefusedField(
          await investor.client.post('/kyc/cases', { ...KYC_BODY, ...extra }),
          field,
        );
      expectRefusedField(
        await investor.client.post('/kyc/cases', {
          ...KYC_BODY,
          documents: [{ type: 'passport', name: 'p.pdf', sha256: 'a'.repeat(64), verified: true }],
        }),
        'documents.0.verified',
      );

      for (const who of [investor, other]) {
        const cases = await compliance.client.get(`/kyc/cases?investorId=${who.userId}`);
        expect(cases.body.total).toBe(0);
      }

      const opened = await investor.client.post('/kyc/cases', KYC_BODY);
      expect(opened.status).toBe(201);
      expect(opened.body).toMatchObject({
        investorId: investor.userId,
        requestedBy: investor.userId,
        status: 'pending',
        expiresAt: null,
        decidedBy: null,
      });
    });

    it('POST /kyc/cases/{id}/approve refuses expiresAt and decidedBy; the case stays pending', async () => {
      const investor = await registerInvestor(api, 'mass-approve');
      const caseId = await openOwnCase(investor.client);
      expectRefusedField(
        await compliance.client.post(`/kyc/cases/${caseId}/approve`, {
          ...APPROVE_BODY,
          expiresAt: '2099-01-01T00:00:00.000Z',
        }),
        'expiresAt',
      );
      expectRefusedField(
        await compliance.client.post(`/kyc/cases/${caseId}/approve`, {
          ...APPROVE_BODY,
          decidedBy: randomUUID(),
        }),
        'decidedBy',
      );
      expectRefusedField(
        await compliance.client.post(`/kyc/cases/${caseId}/approve`, {
          ...APPROVE_BODY,
          status: 'approved',
        }),
        'status',
      );
      const kycCase = await compliance.client.get(`/kyc/cases/${caseId}`);
      expect(kycCase.body).toMatchObject({
        status: 'pending',
        expiresAt: null,
        decidedBy: null,
        level: null,
      });
    });

    it('POST /users refuses status and createdBy; no account is created', async () => {
      const email = uniqueEmail('mass-staff');
      const body = { email, password: PASSWORD, role: 'operator' };
      expectRefusedField(
        await admin.client.post('/users', { ...body, status: 'disabled' }),
        'status',
      );
      expectRefusedField(
        await admin.client.post('/users', { ...body, createdBy: randomUUID() }),
        'createdBy',
      );
      const users = (await admin.client.get('/users')).body as { email: string }[];
      expect(users.map((user) => user.email)).not.toContain(email);

      const created = await admin.client.post('/users', body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        email,
        role: 'operator',
        status: 'active',
        createdBy: admin.userId,
      });
    });

    it('POST /api-keys refuses userId; no key is issued to either operator', async () => {
      const [attacker, victim] = await Promise.all([
        signInStaff(api, 'operator', 'mass-key-attacker'),
        signInStaff(api, 'operator', 'mass-key-victim'),
      ]);
      expectRefusedField(
        await attacker.client.post('/api-keys', {
          name: 'smuggled',
          scopes: ['profile:read'],
          userId: victim.userId,
        }),
        'userId',
      );
      expect((await attacker.client.get('/api-keys')).body).toEqual([]);
      expect((await victim.client.get('/api-keys')).body).toEqual([]);
    });

    it('POST /wallets refuses userId and address; the same signed message then links to the signer', async () => {
      const [investor, victim] = await Promise.all([
        registerInvestor(api, 'mass-wallet'),
        registerInvestor(api, 'mass-wallet-victim'),
      ]);
      const wallet = Wallet.createRandom();
      const challenge = (await investor.client.post('/wallets/nonce')).body;
      const message = siweMessage(challenge, wallet.address);
      const signature = await wallet.signMessage(message);

      expectRefusedField(
        await investor.client.post('/wallets', { message, signature, userId: victim.userId }),
        'userId',
      );
      expectRefusedField(
        await investor.client.post('/wallets', {
          message,
          signature,
          address: Wallet.createRandom().address,
        }),
        'address',
      );
      expect((await investor.client.get('/wallets')).body).toEqual([]);
      expect((await victim.client.get('/wallets')).body).toEqual([]);

      const linked = await investor.client.post('/wallets', { message, signature });
      expect(linked.status).toBe(201);
      expect(linked.body.address).toBe(wallet.address);
      expect((await victim.client.get('/wallets')).body).toEqual([]);
    });
  });

  describe('separation of duties', () => {
    it('the officer who opened a case cannot decide it; another officer approves it', async () => {
      const [investor, officer1, officer2] = await Promise.all([
        registerInvestor(api, 'sod-investor'),
        signInStaff(api, 'compliance', 'sod-c1'),
        signInStaff(api, 'compliance', 'sod-c2'),
      ]);
      const opened = await officer1.client.post(
        `/kyc/investors/${investor.userId}/cases`,
        KYC_BODY,
      );
      expect(opened.status).toBe(201);
      expect(opened.body).toMatchObject({
        investorId: investor.userId,
        requestedBy: officer1.userId,
        status: 'pending',
      });
      const caseId = opened.body.id as string;

      const approve = await officer1.client.post(`/kyc/cases/${caseId}/approve`, APPROVE_BODY);
      expect({ status: approve.status, code: approve.body.code }).toEqual({
        status: 403,
        code: 'KYC_SEPARATION_OF_DUTIES',
      });
      const reject = await officer1.client.post(`/kyc/cases/${caseId}/reject`, {
        labels: ['SELF_DECIDED'],
        reason: 'my own case',
      });
      expect({ status: reject.status, code: reject.body.code }).toEqual({
        status: 403,
        code: 'KYC_SEPARATION_OF_DUTIES',
      });
      expect((await officer1.client.get(`/kyc/cases/${caseId}`)).body).toMatchObject({
        status: 'pending',
        decidedBy: null,
      });

      const approved = await officer2.client.post(`/kyc/cases/${caseId}/approve`, APPROVE_BODY);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ id: caseId, status: 'approved' });
      expect(approved.body.decidedBy).toContain(officer2.userId);
      expect(approved.body.expiresAt).not.toBeNull();

      const mine = await investor.client.get(`/kyc/cases/${caseId}`);
      expect(mine.body.status).toBe('approved');
    });
  });

  describe('tokens and keys', () => {
    it("a disabled user's access token, API key and refresh token are refused at once", async () => {
      const [admin, operator] = await Promise.all([
        signInStaff(api, 'admin', 'tokens-admin'),
        signInStaff(api, 'operator', 'tokens-operator'),
      ]);
      const key = await issueApiKey(operator.client);
      expect((await operator.client.get('/auth/me')).status).toBe(200);
      expect((await key.client.get('/auth/me')).status).toBe(200);

      const disabled = await admin.client.post(`/users/${operator.userId}/disable`);
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: operator.userId, status: 'disabled' });

      for (const client of [operator.client, key.client]) {
        const me = await client.get('/auth/me');
        expect({ status: me.status, code: me.body.code }).toEqual({
          status: 401,
          code: 'AUTH_TOKEN_INVALID',
        });
      }
      const refresh = await anonymous.post('/auth/refresh', {
        refreshToken: operator.refreshToken,
      });
      expect({ status: refresh.status, code: refresh.body.code }).toEqual({
        status: 401,
        code: 'AUTH_REFRESH_TOKEN_INVALID',
      });
      const signIn = await anonymous.post('/auth/sign-in', {
        email: operator.email,
        password: PASSWORD,
      });
      expect(signIn.status).toBe(401);
    });

    it('an admin cannot disable their own account', async () => {
      const admin = await signInStaff(api, 'admin', 'tokens-self');
      const response = await admin.client.post(`/users/${admin.userId}/disable`);
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 409,
        code: 'USER_CANNOT_DISABLE_SELF',
      });
      expect((await admin.client.get('/auth/me')).status).toBe(200);
    });

    it('a revoked API key is refused with 401', async () => {
      const operator = await signInStaff(api, 'operator', 'tokens-revoke');
      const key = await issueApiKey(operator.client);
      expect((await key.client.get('/auth/me')).status).toBe(200);

      const revoked = await operator.client.post(`/api-keys/${key.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();

      const me = await key.client.get('/auth/me');
      expect({ status: me.status, code: me.body.code }).toEqual({
        status: 401,
        code: 'AUTH_TOKEN_INVALID',
      });
    });

    it('an API key without the route’s scope is refused with 403, naming the scope', async () => {
      const operator = await signInStaff(api, 'operator', 'tokens-scope');
      const key = await issueApiKey(operator.client, ['farms:read']);
      const me = await key.client.get('/auth/me');
      expect(me.status).toBe(403);
      expect(me.body).toMatchObject({
        code: 'AUTH_API_KEY_SCOPE_MISSING',
        details: { scope: 'profile:read' },
      });
    });

    it('a malformed or forged credential is 401 AUTH_TOKEN_INVALID, not anonymous', async () => {
      const operator = await signInStaff(api, 'operator', 'tokens-forged');
      const key = await issueApiKey(operator.client);
      const forgedKey = key.key.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
      const credentials: [string, Record<string, string>][] = [
        ['garbage bearer', { authorization: 'Bearer not-a-jwt' }],
        ['basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
        ['malformed api key', { 'x-api-key': 'nope' }],
        ['forged api key', { 'x-api-key': forgedKey }],
        ['bearer and api key together', { authorization: 'Bearer x', 'x-api-key': key.key }],
      ];
      for (const [label, headers] of credentials) {
        const response = await anonymous.request('GET', '/auth/me', undefined, headers);
        expect({ label, status: response.status, code: codeOf(response) }).toEqual({
          label,
          status: 401,
          code: 'AUTH_TOKEN_INVALID',
        });
      }
    });
  });
});
