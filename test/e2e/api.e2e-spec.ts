import { INestApplicationContext } from '@nestjs/common';
import { type RunningApi, startApi, startWorker } from '../support/apps';
import { waitFor } from '../../scripts/lib/wait-for';

describe('API over HTTP', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { headers });
  const json = async (response: Response): Promise<any> => response.json();

  it('GET /health reports Postgres, Redis and the chain with its id and latest block', async () => {
    const response = await get('/health');
    const body = await json(response);
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.details.postgres.status).toBe('up');
    expect(body.details.redis.status).toBe('up');
    expect(body.details.chain).toMatchObject({ status: 'up', chainId: 31337 });
    expect(BigInt(body.details.chain.latestBlock)).toBeGreaterThanOrEqual(1n);
  });

  it('GET /chain/status shows the deployed stablecoin and the head the worker recorded', async () => {
    const status = await waitFor(
      async () => {
        const body = await json(await get('/chain/status'));
        return body.head ? body : undefined;
      },
      { what: 'a recorded chain head' },
    );
    expect(status.deployment.chainId).toBe(31337);
    expect(status.deployment.contracts.Stablecoin.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(status.deployment.contracts.GpuFarmTokenFactory.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(status.deployment.mockStablecoin).toBe(true);
    expect(BigInt(status.head.blockNumber)).toBeGreaterThanOrEqual(
      BigInt(status.deployment.deployedAtBlock),
    );
  });

  it('GET /metrics serves Prometheus text with the HTTP histogram', async () => {
    await get('/health');
    const response = await get('/metrics');
    const text = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^# HELP http_request_duration_seconds /m);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/,
    );
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('serves the OpenAPI document at /docs-json and the UI at /docs', async () => {
    const document = await json(await get('/docs-json'));
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/metrics', '/chain/status']),
    );
    const ui = await get('/docs');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });

  it('answers an unknown route with 404 and a stable code', async () => {
    const response = await get('/no/such/route');
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({ code: 'NOT_FOUND', message: expect.any(String) });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON, not 500', async () => {
    const response = await fetch(`${api.url}/chain/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).code).toBe('MALFORMED_JSON');
  });

  it('echoes a safe request id and replaces an unsafe one', async () => {
    const echoed = await get('/health', { 'x-request-id': 'demo-123' });
    expect(echoed.headers.get('x-request-id')).toBe('demo-123');
    const replaced = await get('/health', { 'x-request-id': 'bad id\twith spaces' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
