import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { loadConfig } from '@gpu/config';
import { registerInvestor, signInStaff } from '../support/api-client';
import { type RunningApi, startApi } from '../support/apps';
import { type IsolatedStack, startIsolatedStack } from '../support/isolated-stack';

/** Operations: /metrics on queues and the oracle, and the queue dashboard, on a stack of this file alone. */
describe('API over HTTP: operations (metrics, queue dashboard)', () => {
  let iso: IsolatedStack;
  let api: RunningApi;
  let db: Client;
  let redis: IORedis;
  const queues: Queue[] = [];

  beforeAll(async () => {
    iso = await startIsolatedStack();
    api = await startApi(loadConfig(iso.env));
    db = new Client({ connectionString: iso.env.DATABASE_URL });
    await db.connect();
    redis = new IORedis(iso.env.REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    redis?.disconnect();
    await db?.end();
    await api?.close();
    await iso?.stop();
  });

  const scrape = async (): Promise<Map<string, number>> => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const series = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line.startsWith('gpu_queue_') || line.startsWith('gpu_oracle_')) {
        const blank = line.lastIndexOf(' ');
        series.set(line.slice(0, blank), Number(line.slice(blank + 1)));
      }
    }
    return series;
  };

  const queue = (name: string): Queue => {
    const made = new Queue(name, { connection: redis, prefix: iso.env.QUEUE_PREFIX });
    queues.push(made);
    return made;
  };

  it('counts every queue by state: waiting, delayed, failed, and zero where nothing is', async () => {
    // No worker runs here: what is added stays where it is put.
    const kyc = queue('kyc');
    await kyc.add('kyc.sync', {}, { delay: 3_600_000 });
    await kyc.add('kyc.sync', {}, { delay: 3_600_000 });
    await queue('distribution').add('distribution.compute', {});
    const series = await scrape();
    expect(series.get('gpu_queue_jobs{queue="kyc",state="delayed"}')).toBe(2);
    expect(series.get('gpu_queue_jobs{queue="distribution",state="waiting"}')).toBe(1);
    expect(series.get('gpu_queue_jobs{queue="chain",state="waiting"}')).toBe(0);
    expect(series.get('gpu_queue_jobs{queue="oracle-probes",state="failed"}')).toBe(0);
    const queuesSeen = new Set(
      [...series.keys()].flatMap((key) => /queue="([^"]+)"/.exec(key)?.[1] ?? []),
    );
    expect([...queuesSeen].sort()).toEqual(
      ['chain', 'distribution', 'issuance', 'kyc', 'oracle', 'oracle-probes'].sort(),
    );
  });

  it("counts monitored GPUs by their farm's latest settled slot, and shows the stalest farm", async () => {
    const {
      rows: [operator],
    } = await db.query<{ id: string }>(
      `INSERT INTO app_user (email, password_hash, role)
       VALUES ($1, 'not-a-hash', 'operator') RETURNING id`,
      [`operator-${randomUUID()}@ops.test`],
    );
    const farm = async (status: string): Promise<string> => {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO farm (operator_id, name, legal_entity, jurisdiction, site_location, valuation,
                           revenue_share_bps, status, probe_interval_seconds)
         VALUES ($1, 'Ops farm', 'Ops GmbH', 276, 'Berlin', 1000000, 7000, $2, 60) RETURNING id`,
        [operator.id, status],
      );
      return rows[0].id;
    };
    const [probed, silent, retired] = [
      await farm('active'),
      await farm('suspended'),
      await farm('retired'),
    ];
    const {
      rows: [{ now }],
    } = await db.query<{ now: string }>(
      `SELECT (floor(extract(epoch FROM now()) / 60) * 60)::bigint::text AS now`,
    );
    const slot = (secondsAgo: number) => new Date((Number(now) - secondsAgo) * 1000);
    const samples = async (farmId: string, at: Date, results: (string | null)[]) => {
      for (const reason of results) {
        await db.query(
          `INSERT INTO gpu_sample (gpu_node_id, slot_at, farm_id, probed_at, up, reason, utilization)
           VALUES ($1, $2, $3, $2, $4, $5, $6)`,
          [randomUUID(), at, farmId, reason === null, reason, reason === null ? 50 : null],
        );
      }
    };
    // The probed farm: an older slot, its latest settled one, and one still being probed.
    await samples(probed, slot(300), [null, null, 'timeout']);
    await samples(probed, slot(240), [null, null, null, 'gpu_missing']);
    await samples(probed, slot(0), [null]);
    // A farm last probed ten minutes ago, every GPU unreachable.
    await samples(silent, slot(600), ['unreachable', 'unreachable']);
    // A retired farm is not monitored any more.
    await samples(retired, slot(240), [null, null, null, null, null]);

    const series = await scrape();
    const gpus = [...series].filter(([key]) => key.startsWith('gpu_oracle_gpus{'));
    expect(Object.fromEntries(gpus)).toEqual({
      'gpu_oracle_gpus{result="up"}': 3,
      'gpu_oracle_gpus{result="gpu_missing"}': 1,
      'gpu_oracle_gpus{result="unreachable"}': 2,
    });
    const stalest = series.get('gpu_oracle_stalest_probe_seconds')!;
    expect(stalest).toBeGreaterThanOrEqual(600);
    expect(stalest).toBeLessThan(700);

    // Once the silent farm is probed again, the stalest is the other one, and its old result is gone.
    await samples(silent, slot(120), [null, null]);
    const later = await scrape();
    expect(later.get('gpu_oracle_gpus{result="unreachable"}')).toBeUndefined();
    expect(later.get('gpu_oracle_gpus{result="up"}')).toBe(5);
    expect(later.get('gpu_oracle_stalest_probe_seconds')).toBeLessThan(180);
  });

  it('serves the queue dashboard to admins only, with a header or the session cookie', async () => {
    const [admin, officer, investor] = [
      await signInStaff(api, 'admin'),
      await signInStaff(api, 'compliance'),
      await registerInvestor(api),
    ];
    const bearer = (who: { client: { credentials: { accessToken?: string } } }) => ({
      authorization: `Bearer ${who.client.credentials.accessToken}`,
    });
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${api.url}/admin/queues${path}`, { headers });
      const text = await response.text();
      return { status: response.status, text, code: /"code":"([A-Z_]+)"/.exec(text)?.[1] };
    };
    expect(await get('')).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' });
    expect(await get('/api/queues', bearer(officer))).toMatchObject({
      status: 403,
      code: 'AUTH_ROLE_FORBIDDEN',
    });
    expect(await get('/api/queues', bearer(investor))).toMatchObject({ status: 403 });
    expect(await get('/api/queues', { authorization: 'Bearer not-a-token' })).toMatchObject({
      status: 401,
    });

    const page = await get('', bearer(admin));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const queues = await get('/api/queues', bearer(admin));
    expect(queues.status).toBe(200);
    const names = (JSON.parse(queues.text) as { queues: { name: string }[] }).queues.map(
      (queue) => queue.name,
    );
    expect(names.sort()).toEqual(
      ['chain', 'distribution', 'issuance', 'kyc', 'oracle', 'oracle-probes'].sort(),
    );

    // Read-only: adding, pausing or emptying from the dashboard is refused, and changes nothing.
    const add = await fetch(`${api.url}/admin/queues/api/queues/kyc/add`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kyc.sync', data: {} }),
    });
    expect(add.status).toBe(405);
    const pause = await fetch(`${api.url}/admin/queues/api/queues/kyc/pause`, {
      method: 'PUT',
      headers: bearer(admin),
    });
    expect(pause.status).toBe(405);
    expect(await queue('kyc').isPaused()).toBe(false);

    // A session for the browser: the token in a cookie only the dashboard's path receives.
    const opened = await fetch(`${api.url}/admin/queues/session`, {
      method: 'POST',
      headers: bearer(admin),
    });
    expect(opened.status).toBe(200);
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^gpu_queue_dashboard=[^;]+; Path=\/admin\/queues; Max-Age=\d+; HttpOnly; SameSite=Strict/,
    );
    const pair = cookie.split(';')[0];
    expect(await get('/api/queues', { cookie: pair })).toMatchObject({ status: 200 });
    // The cookie does not renew itself: a session is opened with the header only.
    const renewed = await fetch(`${api.url}/admin/queues/session`, {
      method: 'POST',
      headers: { cookie: pair },
    });
    expect([renewed.status, renewed.headers.get('set-cookie')]).toEqual([401, null]);
    const investorCookie = `gpu_queue_dashboard=${investor.client.credentials.accessToken}`;
    expect(await get('/api/queues', { cookie: investorCookie })).toMatchObject({ status: 403 });
    // An officer cannot open one either.
    const refused = await fetch(`${api.url}/admin/queues/session`, {
      method: 'POST',
      headers: bearer(officer),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    // The admin disabled: the cookie dies with the account's sessions.
    const otherAdmin = await signInStaff(api, 'admin', 'other-admin');
    const disabled = await otherAdmin.client.post(`/users/${admin.userId}/disable`, {});
    expect(disabled.status).toBe(200);
    expect(await get('/api/queues', { cookie: pair })).toMatchObject({ status: 401 });
  });
});
