import { Wallet } from 'ethers';
import { ApiKeysService, SIWE_STATEMENTS } from '@gpu/identity';
import { type RunningApi, startApi, testConfig } from '../support/apps';
import {
  ApiClient,
  linkWallet,
  PASSWORD,
  registerInvestor,
  siweMessage,
  signInStaff,
  uniqueEmail,
} from '../support/api-client';

describe('identity over HTTP: sessions, API keys, Sign-In with Ethereum', () => {
  let api: RunningApi;
  let anonymous: ApiClient;

  beforeAll(async () => {
    api = await startApi(testConfig({ JWT_ACCESS_TTL_SECONDS: '60' }));
    anonymous = new ApiClient(api.url);
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('passwords and sessions', () => {
    it('registers an investor, signs in, and refuses a wrong password or an unknown email alike', async () => {
      const investor = await registerInvestor(api);
      const me = await investor.client.get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: investor.userId, role: 'investor', via: 'access-token' });

      const again = await anonymous.post('/auth/sign-in', {
        email: investor.email,
        password: PASSWORD,
      });
      expect(again.status).toBe(200);
      const wrong = await anonymous.post('/auth/sign-in', {
        email: investor.email,
        password: 'not the password',
      });
      const unknown = await anonymous.post('/auth/sign-in', {
        email: uniqueEmail('nobody'),
        password: PASSWORD,
      });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.code).toBe('AUTH_INVALID_CREDENTIALS');
    });

    it('refuses NUL characters anywhere in a body or query with 400, never a database error', async () => {
      const body = await anonymous.post('/auth/register', {
        email: 'nul@example.test',
        password: `correct horse\u0000battery`,
      });
      expect(body.status).toBe(400);
      expect(body.body.code).toBe('INVALID_CHARACTERS');
      const officer = await signInStaff(api, 'compliance');
      const query = await officer.client.get('/kyc/cases?status=pend%00ing');
      expect(query.body.code).toBe('INVALID_CHARACTERS');
    });

    it('refuses an unpaired surrogate (validators throw on it) and JSON nested too deep with 400', async () => {
      for (const path of ['/auth/register', '/auth/sign-in']) {
        const lone = await anonymous.request('POST', path, '{"email":"\\ud800","password":"x"}', {
          'content-type': 'application/json',
        });
        expect({ path, status: lone.status, code: lone.body.code }).toEqual({
          path,
          status: 400,
          code: 'INVALID_CHARACTERS',
        });
      }
      const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
      const refused = await anonymous.request('POST', '/auth/register', deep, {
        'content-type': 'application/json',
      });
      expect([refused.status, refused.body.code]).toEqual([400, 'BODY_TOO_DEEP']);
    });

    it('answers a request Node refuses before any route (headers too large) with a coded body', async () => {
      const huge = await anonymous.get(`/farms?name=${'x'.repeat(20_000)}`);
      expect([huge.status, huge.body.code]).toEqual([431, 'HEADERS_TOO_LARGE']);
    });

    it('refuses a second registration of the same email, whatever its case', async () => {
      const investor = await registerInvestor(api);
      const again = await anonymous.post('/auth/register', {
        email: investor.email.toUpperCase(),
        password: PASSWORD,
      });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('USER_EMAIL_TAKEN');
    });

    it('refuses tampered, foreign and missing tokens', async () => {
      const investor = await registerInvestor(api);
      const token = investor.client.credentials.accessToken!;
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
      expect((await anonymous.withToken(forged).get('/auth/me')).body.code).toBe(
        'AUTH_TOKEN_INVALID',
      );
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      expect((await anonymous.withToken(unsigned).get('/auth/me')).status).toBe(401);
      expect((await anonymous.get('/auth/me')).body.code).toBe('AUTH_REQUIRED');
    });

    it('rotates refresh tokens, and a reused one ends the whole session family', async () => {
      const investor = await registerInvestor(api);
      const first = await anonymous.post('/auth/refresh', { refreshToken: investor.refreshToken });
      expect(first.status).toBe(200);
      expect(first.body.refreshToken).not.toBe(investor.refreshToken);

      const replay = await anonymous.post('/auth/refresh', { refreshToken: investor.refreshToken });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('AUTH_REFRESH_TOKEN_INVALID');
      // The thief's replay revoked the family: the rightful successor is dead too.
      const successor = await anonymous.post('/auth/refresh', {
        refreshToken: first.body.refreshToken,
      });
      expect(successor.status).toBe(401);
      // And every access token of the account, the thief's included.
      expect((await anonymous.withToken(first.body.accessToken).get('/auth/me')).status).toBe(401);
    });

    it('signs out a session: its refresh token no longer works', async () => {
      const investor = await registerInvestor(api);
      expect(
        (await investor.client.post('/auth/sign-out', { refreshToken: investor.refreshToken }))
          .status,
      ).toBe(204);
      expect(
        (await anonymous.post('/auth/refresh', { refreshToken: investor.refreshToken })).status,
      ).toBe(401);
    });

    it('a password change ends every earlier session, access tokens included', async () => {
      const investor = await registerInvestor(api);
      const changed = await investor.client.post('/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'a brand new passphrase',
      });
      expect(changed.status).toBe(200);
      expect((await investor.client.get('/auth/me')).body.code).toBe('AUTH_TOKEN_INVALID');
      expect(
        (await anonymous.post('/auth/refresh', { refreshToken: investor.refreshToken })).status,
      ).toBe(401);
      expect((await anonymous.withToken(changed.body.accessToken).get('/auth/me')).status).toBe(
        200,
      );
      const old = await anonymous.post('/auth/sign-in', {
        email: investor.email,
        password: PASSWORD,
      });
      expect(old.status).toBe(401);
    });

    it('requests arriving together are each judged by their own account (their lookups share a query)', async () => {
      const admin = await signInStaff(api, 'admin');
      const [fine, disabled, moved, alsoFine] = await Promise.all([
        registerInvestor(api),
        registerInvestor(api),
        registerInvestor(api),
        registerInvestor(api),
      ]);
      expect((await admin.client.post(`/users/${disabled.userId}/disable`, {})).status).toBe(200);
      const changed = await moved.client.post('/auth/password', {
        currentPassword: PASSWORD,
        newPassword: 'another brand new passphrase',
      });
      expect(changed.status).toBe(200);
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(
          [fine, disabled, moved, alsoFine, fine].map((who) => who.client.get('/auth/me')),
        );
        expect(
          answers.map((answer) => [answer.status, answer.body.id ?? answer.body.code]),
        ).toEqual([
          [200, fine.userId],
          [401, 'AUTH_TOKEN_INVALID'],
          [401, 'AUTH_TOKEN_INVALID'],
          [200, alsoFine.userId],
          [200, fine.userId],
        ]);
      }
    });
  });

  describe('staff and API keys', () => {
    it('an admin creates staff; the staff member signs in with the role given', async () => {
      const admin = await signInStaff(api, 'admin');
      const email = uniqueEmail('officer');
      const created = await admin.client.post('/users', {
        email,
        password: PASSWORD,
        role: 'compliance',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        email,
        role: 'compliance',
        status: 'active',
        createdBy: admin.userId,
      });
      const session = await anonymous.post('/auth/sign-in', { email, password: PASSWORD });
      expect(session.body.user.role).toBe('compliance');
      const investorRole = await admin.client.post('/users', {
        email: uniqueEmail('x'),
        password: PASSWORD,
        role: 'investor',
      });
      expect(investorRole.status).toBe(400);
    });

    it('an API key works only where its scope allows, is stored hashed, and dies when revoked', async () => {
      const operator = await signInStaff(api, 'operator');
      const issued = await operator.client.post('/api-keys', {
        name: 'bot',
        scopes: ['profile:read'],
      });
      expect(issued.status).toBe(201);
      expect(issued.body.key).toMatch(/^gpk_[0-9a-f-]{36}_[0-9a-f]{64}$/);
      const bot = anonymous.withApiKey(issued.body.key);

      const me = await bot.get('/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: operator.userId,
        role: 'operator',
        via: 'api-key',
        scopes: ['profile:read'],
      });
      // A route that names no scope refuses API keys, even the owner's own key-management routes.
      const list = await bot.get('/api-keys');
      expect(list.status).toBe(403);
      expect(list.body.code).toBe('AUTH_API_KEY_SCOPE_MISSING');

      const stored = await api.app.get(ApiKeysService).list(operator.userId);
      expect(JSON.stringify(stored)).not.toContain(issued.body.key.split('_')[2]);

      const wrongSecret = issued.body.key.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'));
      expect((await anonymous.withApiKey(wrongSecret).get('/auth/me')).status).toBe(401);

      expect((await operator.client.post(`/api-keys/${issued.body.id}/revoke`)).status).toBe(200);
      const revoked = await bot.get('/auth/me');
      expect(revoked.status).toBe(401);
      expect(revoked.body.code).toBe('AUTH_TOKEN_INVALID');
    });
  });

  describe('Sign-In with Ethereum', () => {
    async function challenge(investor: ApiClient) {
      const response = await investor.post('/wallets/nonce');
      expect(response.status).toBe(200);
      return response.body;
    }

    it('links a wallet from a valid signed message, and several wallets to one investor', async () => {
      const investor = await registerInvestor(api);
      const first = await linkWallet(investor.client);
      const second = await linkWallet(investor.client);
      expect(first.response.status).toBe(201);
      expect(first.response.body.address).toBe(first.wallet.address);
      expect(second.response.status).toBe(201);
      const wallets = await investor.client.get('/wallets');
      expect(wallets.body.map((w: { address: string }) => w.address).sort()).toEqual(
        [first.wallet.address, second.wallet.address].sort(),
      );
    });

    it('refuses a replayed nonce', async () => {
      const investor = await registerInvestor(api);
      const wallet = Wallet.createRandom();
      const message = siweMessage(await challenge(investor.client), wallet.address);
      const signature = await wallet.signMessage(message);
      expect((await investor.client.post('/wallets', { message, signature })).status).toBe(201);
      const replay = await investor.client.post('/wallets', { message, signature });
      expect(replay.status).toBe(400);
      expect(replay.body.code).toBe('SIWE_NONCE_INVALID');
    });

    it('refuses a nonce issued to another investor', async () => {
      const alice = await registerInvestor(api, 'alice');
      const mallory = await registerInvestor(api, 'mallory');
      const wallet = Wallet.createRandom();
      const message = siweMessage(await challenge(alice.client), wallet.address);
      const response = await mallory.client.post('/wallets', {
        message,
        signature: await wallet.signMessage(message),
      });
      expect(response.body.code).toBe('SIWE_NONCE_INVALID');
    });

    it.each([
      ['another domain', { domain: 'evil.example' }, 'SIWE_DOMAIN_MISMATCH'],
      ['another URI', { uri: 'https://evil.example/login' }, 'SIWE_URI_MISMATCH'],
      [
        'another statement',
        { statement: 'Approve spending of all my tokens.' },
        'SIWE_STATEMENT_MISMATCH',
      ],
      ['another chain id', { chainId: 1 }, 'SIWE_CHAIN_MISMATCH'],
      [
        'an expired message',
        {
          issuedAt: new Date(Date.now() - 600_000).toISOString(),
          expirationTime: new Date(Date.now() - 1000).toISOString(),
        },
        'SIWE_EXPIRED',
      ],
      ['a message without expiry', { expirationTime: undefined }, 'SIWE_EXPIRED'],
      [
        'a message not valid yet',
        { notBefore: new Date(Date.now() + 3_600_000).toISOString() },
        'SIWE_NOT_YET_VALID',
      ],
    ])('refuses %s, and its nonce stays usable', async (_, overrides, code) => {
      const investor = await registerInvestor(api);
      const wallet = Wallet.createRandom();
      const issued = await challenge(investor.client);
      const bad = siweMessage(issued, wallet.address, overrides);
      const refused = await investor.client.post('/wallets', {
        message: bad,
        signature: await wallet.signMessage(bad),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe(code);
      expect((await investor.client.get('/wallets')).body).toEqual([]);

      const good = siweMessage(issued, wallet.address);
      const linked = await investor.client.post('/wallets', {
        message: good,
        signature: await wallet.signMessage(good),
      });
      expect(linked.status).toBe(201);
    });

    it('refuses a tampered message (signature by the named address no longer matches)', async () => {
      const investor = await registerInvestor(api);
      const wallet = Wallet.createRandom();
      const other = Wallet.createRandom();
      const message = siweMessage(await challenge(investor.client), wallet.address);
      const signature = await wallet.signMessage(message);
      const tampered = message.replace(wallet.address, other.address);
      const response = await investor.client.post('/wallets', { message: tampered, signature });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('SIWE_SIGNATURE_INVALID');
      const signedByAnother = await investor.client.post('/wallets', {
        message,
        signature: await other.signMessage(message),
      });
      expect(signedByAnother.body.code).toBe('SIWE_SIGNATURE_INVALID');
      const garbage = await investor.client.post('/wallets', { message: 'hello', signature });
      expect(garbage.body.code).toBe('SIWE_MESSAGE_MALFORMED');
    });

    it('refuses a wallet linked to another investor', async () => {
      const alice = await registerInvestor(api, 'alice');
      const bob = await registerInvestor(api, 'bob');
      const { wallet } = await linkWallet(alice.client);
      const { response } = await linkWallet(bob.client, wallet as Wallet);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('WALLET_ALREADY_LINKED');
    });

    it('signs in with a linked wallet, once per nonce; an unlinked wallet is refused', async () => {
      const investor = await registerInvestor(api);
      const { wallet } = await linkWallet(investor.client);
      const issued = (await anonymous.post('/auth/siwe/nonce')).body;
      expect(issued.statement).toMatch(/Sign in/);
      const message = siweMessage(issued, wallet.address);
      const signature = await wallet.signMessage(message);
      const session = await anonymous.post('/auth/siwe', { message, signature });
      expect(session.status).toBe(200);
      expect(session.body.user).toMatchObject({ id: investor.userId, role: 'investor' });
      expect((await anonymous.withToken(session.body.accessToken).get('/auth/me')).body.id).toBe(
        investor.userId,
      );
      expect((await anonymous.post('/auth/siwe', { message, signature })).body.code).toBe(
        'SIWE_NONCE_INVALID',
      );

      const stranger = Wallet.createRandom();
      const strangerMessage = siweMessage(
        (await anonymous.post('/auth/siwe/nonce')).body,
        stranger.address,
      );
      const refused = await anonymous.post('/auth/siwe', {
        message: strangerMessage,
        signature: await stranger.signMessage(strangerMessage),
      });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('WALLET_NOT_LINKED');
    });

    it('a link nonce cannot sign in, and a sign-in nonce cannot link', async () => {
      const investor = await registerInvestor(api);
      const wallet = Wallet.createRandom();
      const signInNonce = (await anonymous.post('/auth/siwe/nonce')).body;
      // The right statement for linking, but a nonce issued for signing in.
      const message = siweMessage(signInNonce, wallet.address, { statement: SIWE_STATEMENTS.link });
      const linked = await investor.client.post('/wallets', {
        message,
        signature: await wallet.signMessage(message),
      });
      expect(linked.body.code).toBe('SIWE_NONCE_INVALID');
    });
  });
});
