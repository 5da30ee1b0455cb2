import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchMetrics } from './fetch-metrics';

/** A local endpoint per path: declared or chunked bodies, errors, silence. */
describe('fetchMetrics against a real HTTP server', () => {
  let server: Server;
  let url: string;
  const BODY = 'DCGM_FI_DEV_GPU_UTIL{gpu="0"} 42\n';

  beforeAll(async () => {
    server = createServer((request, response) => {
      switch (request.url) {
        case '/declared':
          response.writeHead(200, { 'content-length': Buffer.byteLength(BODY) }).end(BODY);
          return;
        case '/chunked':
          response.writeHead(200);
          response.write(BODY.slice(0, 10));
          setTimeout(() => response.end(BODY.slice(10)), 5);
          return;
        case '/declared-large':
          response.writeHead(200, { 'content-length': 2000 }).end('x'.repeat(2000));
          return;
        case '/chunked-large':
          response.writeHead(200);
          for (let i = 0; i < 20; i++) response.write('x'.repeat(100));
          response.end();
          return;
        case '/latin1':
          response.writeHead(200, { 'content-length': 2 }).end(Buffer.from([0xe9, 0x0a]));
          return;
        case '/error':
          response.writeHead(503).end('busy');
          return;
        case '/redirect':
          response.writeHead(302, { location: '/declared' }).end();
          return;
        case '/silent':
          return; // never answers
        case '/trickle':
          response.writeHead(200, { 'content-length': 1000 });
          response.write('x');
          return; // the rest never comes
        case '/error-stalled':
          response.writeHead(503, { 'content-length': 1000 });
          response.write('busy');
          return; // the rest never comes
        case '/error-large':
          response.writeHead(500, { 'content-length': 5000 }).end('e'.repeat(5000));
          return;
        default:
          response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fetchOf = (path: string) =>
    fetchMetrics(`${url}${path}`, { timeoutMs: 300, maxBytes: 1000 });

  it('reads a body of declared length and a chunked one alike', async () => {
    for (const path of ['/declared', '/chunked']) {
      expect({ path, ...(await fetchOf(path)) }).toMatchObject({ path, kind: 'body', text: BODY });
    }
  });

  it('refuses a body over the limit, declared or not', async () => {
    for (const path of ['/declared-large', '/chunked-large']) {
      expect({ path, ...(await fetchOf(path)) }).toEqual({
        path,
        kind: 'failed',
        reason: 'too_large',
        detail: 'more than 1000 bytes',
      });
    }
  });

  it('names every other failure: not UTF-8, an HTTP error, no answer in time, nobody there', async () => {
    expect(await fetchOf('/latin1')).toMatchObject({ kind: 'failed', reason: 'malformed' });
    const failures: [path: string, reason: string, detail: string][] = [
      ['/error', 'http_error', 'HTTP 503'],
      // A node that redirects is not followed anywhere: its answer is not metrics.
      ['/redirect', 'http_error', 'HTTP 302'],
      ['/silent', 'timeout', 'no answer in 300 ms'],
      ['/trickle', 'timeout', 'no answer in 300 ms'],
      // An error status is the failure, however the body then ends.
      ['/error-stalled', 'http_error', 'HTTP 503'],
      ['/error-large', 'http_error', 'HTTP 500'],
    ];
    for (const [path, reason, detail] of failures) {
      expect({ path, ...(await fetchOf(path)) }).toEqual({ path, kind: 'failed', reason, detail });
    }
    const closed = await fetchMetrics('http://127.0.0.1:1/metrics', {
      timeoutMs: 300,
      maxBytes: 1000,
    });
    expect(closed).toMatchObject({ kind: 'failed', reason: 'unreachable' });
  });

  it('answers every probe after failures of any kind, many at once', async () => {
    const paths = [
      '/declared',
      '/error',
      '/declared-large',
      '/chunked-large',
      '/silent',
      '/chunked',
    ];
    // Two seconds each (not 300 ms): sixty at once on a machine the rest of the suite loads.
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetchMetrics(`${url}${paths[i % paths.length]}`, { timeoutMs: 2000, maxBytes: 1000 }),
      ),
    );
    const reasons = outcomes.map((outcome) => (outcome.kind === 'body' ? 'body' : outcome.reason));
    expect(reasons).toEqual(
      Array.from(
        { length: 60 },
        (_, i) =>
          ['body', 'http_error', 'too_large', 'too_large', 'timeout', 'body'][i % paths.length],
      ),
    );
    expect(await fetchOf('/declared')).toMatchObject({ kind: 'body', text: BODY });
  });

  it('refuses a URL it cannot parse without throwing', async () => {
    expect(await fetchMetrics('not a url', { timeoutMs: 300, maxBytes: 1000 })).toMatchObject({
      kind: 'failed',
      reason: 'unreachable',
    });
  });
});
