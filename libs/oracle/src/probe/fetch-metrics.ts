import { Agent, type Dispatcher } from 'undici';
import type { FetchFailure, FetchOutcome } from './judge-node';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * undici's dispatcher, driven by callbacks: the same engine as fetch without the WHATWG layers,
 * and without a stream per response (each costs the worker more than the request itself).
 * Connections to a metrics host are kept alive between probes.
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
export function fetchMetrics(url: string, options: FetchMetricsOptions): Promise<FetchOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      resolve(failed('unreachable', describe(error)));
      return;
    }
    const probe = new MetricsResponse(options, resolve);
    try {
      agent.dispatch(
        {
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: 'GET',
          headers: { accept: 'text/plain;version=0.0.4' },
        },
        probe,
      );
    } catch (error) {
      probe.fail('unreachable', describe(error));
    }
  });
}

/** One response, read into memory up to the limit; settles its promise exactly once. */
class MetricsResponse implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  /** Why the request was ended early, to abort it with once undici hands over its controller. */
  private stopped: Error | null = null;
  private readonly timer: NodeJS.Timeout;
  private statusCode = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly options: FetchMetricsOptions,
    private readonly resolve: (outcome: FetchOutcome) => void,
  ) {
    this.timer = setTimeout(
      () => this.fail('timeout', `no answer in ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopped) controller.abort(this.stopped);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.statusCode = statusCode;
    if (!this.ok()) return;
    const declared = headers['content-length'];
    if (typeof declared === 'string' && Number(declared) > this.options.maxBytes) this.tooLarge();
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.byteLength;
    if (this.size > this.options.maxBytes) {
      return this.ok() ? this.tooLarge() : this.fail('http_error', `HTTP ${this.statusCode}`);
    }
    // An error's body is read, so that the connection can serve the next probe, but not kept.
    if (this.ok()) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (!this.ok()) return this.settle(failed('http_error', `HTTP ${this.statusCode}`));
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      return this.fail('malformed', 'the body is not UTF-8 text');
    }
    this.settle({ kind: 'body', text, receivedAtMs: Date.now() });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail('unreachable', describe(error));
  }

  /**
   * Settles with a failure and stops the request: the connection is closed, not drained. A node
   * that answered with an error status failed with it, however its body then ended.
   */
  fail(reason: FetchFailure, detail: string): void {
    if (this.settled) return;
    const answered = this.statusCode >= 300;
    this.settle(
      answered && reason !== 'http_error'
        ? failed('http_error', `HTTP ${this.statusCode}`)
        : failed(reason, detail),
    );
    this.stopped = new Error(reason);
    this.controller?.abort(this.stopped);
  }

  private ok(): boolean {
    return this.statusCode >= 200 && this.statusCode <= 299;
  }

  private tooLarge(): void {
    this.fail('too_large', `more than ${this.options.maxBytes} bytes`);
  }

  private settle(outcome: FetchOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.chunks.length = 0;
    this.resolve(outcome);
  }
}

function failed(reason: FetchFailure, detail: string): FetchOutcome {
  return { kind: 'failed', reason, detail };
}

/** The root cause of a request failure, e.g. `ECONNREFUSED`, without URLs or credentials. */
function describe(error: unknown): string {
  const failure = error as { code?: string; cause?: { code?: string }; message?: string };
  return String(failure.code ?? failure.cause?.code ?? failure.message ?? error).slice(0, 200);
}
