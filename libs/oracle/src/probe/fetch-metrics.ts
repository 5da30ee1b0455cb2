import { Agent, request } from 'undici';
import type { FetchOutcome } from './judge-node';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * undici's own client rather than the global fetch: the same engine without the WHATWG
 * Request/Response/stream layers, which cost the worker more than the request itself. Connections
 * to a metrics host are kept alive between probes.
 */
const agent = new Agent({ keepAliveTimeout: 30_000 });

export interface FetchMetricsOptions {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * GETs a node's metrics endpoint within `timeoutMs` (connect and body together) and at most
 * `maxBytes`; never throws: every failure is an outcome with a reason. Redirects are not followed.
 */
export async function fetchMetrics(
  url: string,
  options: FetchMetricsOptions,
): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(url, {
      signal,
      dispatcher: agent,
      headers: { accept: 'text/plain;version=0.0.4' },
    });
    if (response.statusCode < 200 || response.statusCode > 299) {
      await response.body.dump().catch(() => undefined);
      return { kind: 'failed', reason: 'http_error', detail: `HTTP ${response.statusCode}` };
    }
    const body = await readLimited(response.body, response.headers['content-length'], options);
    if (body === null) {
      return { kind: 'failed', reason: 'too_large', detail: `more than ${options.maxBytes} bytes` };
    }
    const receivedAtMs = Date.now();
    try {
      return { kind: 'body', text: UTF8.decode(body), receivedAtMs };
    } catch {
      return { kind: 'failed', reason: 'malformed', detail: 'the body is not UTF-8 text' };
    }
  } catch (error) {
    if (signal.aborted) {
      return { kind: 'failed', reason: 'timeout', detail: `no answer in ${options.timeoutMs} ms` };
    }
    return { kind: 'failed', reason: 'unreachable', detail: describe(error) };
  }
}

type Body = Awaited<ReturnType<typeof request>>['body'];

async function readLimited(
  body: Body,
  declared: string | string[] | undefined,
  { maxBytes }: FetchMetricsOptions,
): Promise<Uint8Array | null> {
  if (typeof declared === 'string' && Number(declared) > maxBytes) return discard(body);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) return discard(body);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** Stops reading: the connection is closed rather than drained of a body we will not read. */
function discard(body: Body): null {
  body.once('error', () => undefined);
  body.destroy();
  return null;
}

/** The root cause of a request failure, e.g. `ECONNREFUSED`, without URLs or credentials. */
function describe(error: unknown): string {
  const failure = error as { code?: string; cause?: { code?: string }; message?: string };
  return String(failure.code ?? failure.cause?.code ?? failure.message ?? error).slice(0, 200);
}
