import type { FetchOutcome } from './judge-node';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface FetchMetricsOptions {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * GETs a node's metrics endpoint within `timeoutMs` (connect and body together) and at most
 * `maxBytes`; never throws: every failure is an outcome with a reason.
 */
export async function fetchMetrics(
  url: string,
  options: FetchMetricsOptions,
): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(url, {
      signal,
      headers: { accept: 'text/plain;version=0.0.4' },
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'failed', reason: 'http_error', detail: `HTTP ${response.status}` };
    }
    const body = await readLimited(response, options.maxBytes);
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

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const length = response.headers.get('content-length');
  if (length !== null && Number(length) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  // A declared length within the limit is held to by the HTTP client: read it at once.
  if (length !== null && /^\d+$/.test(length)) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The root cause of a fetch failure, e.g. `ECONNREFUSED`, without URLs or credentials. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message ?? error).slice(0, 200);
}
