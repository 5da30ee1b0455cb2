import type { JsonRpcProvider } from 'ethers';
import { Client } from 'pg';

/** Round trips of one kind: how many, and the wall time they took (summed, so overlaps count twice). */
export interface RoundTrips {
  count: number;
  totalMs: number;
}

function add(map: Map<string, RoundTrips>, key: string, ms: number, count = 1): void {
  const entry = map.get(key) ?? { count: 0, totalMs: 0 };
  entry.count += count;
  entry.totalMs += ms;
  map.set(key, entry);
}

/**
 * Counts the JSON-RPC calls `provider` makes, by method, and the HTTP requests that carried them
 * (a batch is one request). Every call of an ethers JsonRpcProvider, single or batched, goes
 * through `_send`, so wrapping that one method of the instance sees them all.
 */
export class RpcCounter {
  readonly calls = new Map<string, RoundTrips>();
  requests = 0;
  private readonly original: JsonRpcProvider['_send'];

  constructor(private readonly provider: JsonRpcProvider) {
    this.original = provider._send;
    const original = this.original;
    provider._send = async (payload) => {
      const started = performance.now();
      try {
        return await original.call(provider, payload);
      } finally {
        const ms = performance.now() - started;
        const list = Array.isArray(payload) ? payload : [payload];
        this.requests += 1;
        for (const call of list) add(this.calls, call.method, ms / list.length);
      }
    };
  }

  reset(): void {
    this.calls.clear();
    this.requests = 0;
  }

  restore(): void {
    this.provider._send = this.original;
  }
}

/** `START TRANSACTION`, `UPDATE chain_tx`, `SELECT token_balance`...: what a statement is, for counting. */
export function statementKind(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const control = /^(START TRANSACTION|SET TRANSACTION|COMMIT|ROLLBACK|BEGIN)/i.exec(text);
  if (control) return 'transaction control';
  const verb = /^(WITH|SELECT|INSERT|UPDATE|DELETE)/i.exec(text)?.[1].toUpperCase() ?? 'OTHER';
  const table = /(?:\bFROM|\bINTO|^UPDATE)\s+"?([a-z_]+)"?/i.exec(text)?.[1] ?? '';
  return `${verb} ${table}`.trim();
}

/**
 * Counts every statement any pg Client of this process sends (TypeORM's pool included), by kind,
 * with the time until its answer. Clients in `ignore` (the benchmark's own poller) are skipped.
 */
export class SqlCounter {
  readonly statements = new Map<string, RoundTrips>();
  readonly ignore = new Set<Client>();
  private readonly original = Client.prototype.query;

  constructor() {
    const original = this.original as (...args: unknown[]) => unknown;
    const statements = this.statements;
    const ignore = this.ignore;
    (Client.prototype as unknown as { query: unknown }).query = function (
      this: Client,
      ...args: unknown[]
    ) {
      const result = original.apply(this, args);
      if (ignore.has(this)) return result;
      const first = args[0] as string | { text?: string } | undefined;
      const sql = typeof first === 'string' ? first : (first?.text ?? '');
      const kind = statementKind(sql);
      const started = performance.now();
      if (result instanceof Promise) {
        return result.finally(() => add(statements, kind, performance.now() - started));
      }
      add(statements, kind, 0);
      return result;
    };
  }

  total(): RoundTrips {
    let count = 0;
    let totalMs = 0;
    for (const entry of this.statements.values()) {
      count += entry.count;
      totalMs += entry.totalMs;
    }
    return { count, totalMs };
  }

  reset(): void {
    this.statements.clear();
  }

  restore(): void {
    Client.prototype.query = this.original;
  }
}
