import { type RunningApi, startApi, testConfig } from '../support/apps';
import { DisposableRedis } from '../../scripts/lib/redis-server';
import { waitFor } from '../../scripts/lib/wait-for';

describe('GET /health while Redis is down', () => {
  let redis: DisposableRedis;
  let api: RunningApi;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    api = await startApi(testConfig({ REDIS_URL: redis.url, HEALTH_TIMEOUT_MS: '1500' }));
  });

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  async function health(): Promise<{ status: number; body: any; ms: number }> {
    const started = Date.now();
    const response = await fetch(`${api.url}/health`);
    return { status: response.status, body: await response.json(), ms: Date.now() - started };
  }

  it('is up while Redis is up', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.details.redis.status).toBe('up');
  });

  it('reports Redis down within seconds and keeps serving everything else', async () => {
    await redis?.stop();
    const { status, body, ms } = await health();
    expect(status).toBe(503);
    expect(body.details.redis.status).toBe('down');
    expect(body.details.postgres.status).toBe('up');
    expect(body.details.chain.status).toBe('up');
    expect(ms).toBeLessThan(3000);

    const again = await health();
    expect(again.status).toBe(503);
    expect(again.ms).toBeLessThan(3000);
    const chain = await fetch(`${api.url}/chain/status`);
    expect(chain.status).toBe(200);
  });

  it('reports Redis up again once it is back', async () => {
    await redis.resume();
    const recovered = await waitFor(
      async () => {
        const result = await health();
        return result.status === 200 ? result : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'Redis to be reported up again' },
    );
    expect(recovered.body.details.redis.status).toBe('up');
  });
});
