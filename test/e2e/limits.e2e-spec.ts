import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { ApiClient, uniqueEmail } from '../support/api-client';
import { type RunningApi, startApi, testConfig } from '../support/apps';
import { startIsolatedApps, type IsolatedApps } from '../support/isolated-apps';
import { newKey } from '../support/issuance-fixtures';
import { DisposableRedis } from '../../scripts/lib/redis-server';

/** Issue 10: rate limits on authentication, SIWE and order routes, and request timeouts. */
describe('rate limits: sign-in and SIWE per client address, also while Redis is down', () => {
  let redis: DisposableRedis;
  let api: RunningApi;
  let anonymous: ApiClient;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    api = await startApi(
      testConfig({
        REDIS_URL: redis.url,
        RATE_LIMIT_AUTH_PER_MINUTE: '3',
        RATE_LIMIT_SIWE_PER_MINUTE: '2',
      }),
    );
    anonymous = new ApiClient(api.url);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  }, 60_000);

  const signIn = (email = uniqueEmail('nobody')) =>
    anonymous.post('/auth/sign-in', { email, password: 'not the password at all' });

  it('lets three authentication requests a minute through, then answers 429 with Retry-After', async () => {
    const first = [await signIn(), await signIn(), await signIn()];
    expect(first.map((r) => r.status)).toEqual([401, 401, 401]);
    const limited = await signIn();
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'auth' },
    });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.details.retryAfterSeconds).toBe(retryAfter);
    // Registration and refresh count against the same limit: nothing is written.
    const email = uniqueEmail('limited');
    const register = await anonymous.post('/auth/register', {
      email,
      password: 'correct horse battery staple',
    });
    expect([register.status, register.body.code]).toEqual([429, 'RATE_LIMITED']);
    const [row] = await api.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM app_user WHERE email = $1`, [email]);
    expect(row.n).toBe(0);
    const refresh = await anonymous.post('/auth/refresh', { refreshToken: 'rt_x' });
    expect(refresh.status).toBe(429);
  });

  it('limits SIWE challenges on their own', async () => {
    const nonces = [
      await anonymous.post('/auth/siwe/nonce'),
      await anonymous.post('/auth/siwe/nonce'),
      await anonymous.post('/auth/siwe/nonce'),
    ];
    expect(nonces.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(nonces[2].body.details).toMatchObject({ limit: 'siwe' });
  });

  it('keeps limiting, in memory, while Redis is down: no 5xx', async () => {
    await redis.stop();
    const during = [];
    for (let i = 0; i < 4; i++) during.push((await signIn()).status);
    expect(during).toEqual([401, 401, 401, 429]);
    await redis.resume();
  });
});

describe('rate limits: sign-in per email from any address; client addresses from a trusted proxy', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi(
      testConfig({
        TRUST_PROXY: '1',
        RATE_LIMIT_AUTH_PER_MINUTE: '3',
        RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR: '2',
      }),
    );
  }, 60_000);

  afterAll(() => api?.close(), 60_000);

  const signIn = (email: string, from: string) =>
    fetch(`${api.url}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ email, password: 'not the password at all' }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as any,
    }));

  it('refuses a third guess at one account from a third address', async () => {
    const victim = uniqueEmail('victim');
    expect((await signIn(victim, '203.0.113.1')).status).toBe(401);
    expect((await signIn(victim.toUpperCase(), '203.0.113.2')).status).toBe(401);
    const third = await signIn(victim, '203.0.113.3');
    expect([third.status, third.body.code, third.body.details?.limit]).toEqual([
      429,
      'RATE_LIMITED',
      'signInEmail',
    ]);
    // Another account from that address is not affected.
    expect((await signIn(uniqueEmail('other'), '203.0.113.3')).status).toBe(401);
  });

  it('counts each forwarded client address on its own', async () => {
    const from = '198.51.100.7';
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn(uniqueEmail('many'), from)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await signIn(uniqueEmail('elsewhere'), '198.51.100.8')).status).toBe(401);
  });
});

describe('rate limits: orders per investor account', () => {
  let apps: IsolatedApps;

  beforeAll(async () => {
    apps = await startIsolatedApps({ RATE_LIMIT_ORDERS_PER_MINUTE: '2' });
  }, 120_000);

  afterAll(() => apps?.stop(), 60_000);

  it("counts each investor's orders alone", async () => {
    const { fixtures } = apps;
    const farm = await fixtures.tokenizedFarm();
    const offering = await fixtures.openOffering(farm);
    const [a, b] = [await fixtures.approvedInvestor(), await fixtures.approvedInvestor()];
    const order = (investor: typeof a) =>
      investor.client.post(
        `/offerings/${offering.id}/orders`,
        { fractions: 1 },
        { 'idempotency-key': newKey() },
      );
    const fromA = [(await order(a)).status, (await order(a)).status, (await order(a)).status];
    expect(fromA).toEqual([201, 201, 429]);
    expect((await order(b)).status).toBe(201);
    const [row] = await apps.dataSource.query(
      `SELECT count(*)::int AS n FROM investment_order WHERE offering_id = $1`,
      [offering.id],
    );
    expect(row.n).toBe(3);
  }, 120_000);
});

describe('request timeouts: a request must arrive whole in time', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi(testConfig({ REQUEST_TIMEOUT_MS: '1500' }));
  }, 60_000);

  afterAll(() => api?.close(), 60_000);

  /** Sends `partial` and nothing more; what the server answers, and when it closes. */
  async function trickle(partial: string): Promise<{ response: string; ms: number }> {
    const port = Number(new URL(api.url).port);
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('utf8')));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(partial);
    await new Promise((resolve) => socket.once('close', resolve));
    return { response, ms: Date.now() - started };
  }

  it.each([
    ['headers that never end', 'POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n'],
    [
      'a body that never comes',
      'POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":',
    ],
  ])('%s: 408 with a code, connection closed within seconds', async (_title, partial) => {
    const { response, ms } = await trickle(partial);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toContain('"code":"REQUEST_TIMEOUT"');
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(5000);
  });
});
