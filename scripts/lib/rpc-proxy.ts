import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A JSON-RPC endpoint in front of a real node, that a test can take down or make hang. */
export interface RpcProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /**
   * Refuses service until up(): open sockets (idle keep-alive ones, in-flight and held requests)
   * are destroyed, and new connections are destroyed as soon as they are accepted.
   */
  down(): void;
  up(): void;
  /**
   * From now on, a request that calls `method` (alone or anywhere in a batch, which is then held
   * whole) is not forwarded and never answered; the params of each such call are recorded.
   */
  hold(method: string): void;
  /** Stops holding new calls. Requests already held stay unanswered until down() or close(). */
  release(method: string): void;
  /** The params of the oldest held call of `method` not yet taken, waiting up to `timeoutMs`. */
  nextHeld(method: string, timeoutMs?: number): Promise<unknown[]>;
  /**
   * Calls of `method` forwarded so far, each batch member counted: answered or not, since down()
   * may cut the answer of a call that the node has already run.
   */
  calls(method: string): number;
  close(): Promise<void>;
}

interface RpcCall {
  method?: unknown;
  params?: unknown;
}

interface Waiter {
  resolve(params: unknown[]): void;
  reject(error: Error): void;
}

/** The calls of a JSON-RPC body, single or batch; none if it is not JSON (forwarded as it is). */
function parseCalls(body: string): RpcCall[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    return calls.filter((call): call is RpcCall => typeof call === 'object' && call !== null);
  } catch {
    return [];
  }
}

/** Listens on a free port of 127.0.0.1 and forwards to `upstreamUrl` with the global fetch. */
export async function startRpcProxy(upstreamUrl: string): Promise<RpcProxy> {
  const sockets = new Set<Socket>();
  const heldMethods = new Set<string>();
  const heldParams = new Map<string, unknown[][]>();
  const waiters = new Map<string, Waiter[]>();
  const forwarded = new Map<string, number>();
  let isDown = false;

  const recordHeld = (method: string, params: unknown[]): void => {
    const waiter = waiters.get(method)?.shift();
    if (waiter) return waiter.resolve(params);
    heldParams.set(method, [...(heldParams.get(method) ?? []), params]);
  };

  const forward = async (body: string, res: http.ServerResponse): Promise<void> => {
    try {
      const response = await fetch(upstreamUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const answer = Buffer.from(await response.arrayBuffer());
      if (res.destroyed) return;
      res.writeHead(response.status, {
        'content-type': response.headers.get('content-type') ?? 'application/json',
      });
      res.end(answer);
    } catch {
      // The upstream is unreachable: so is the proxy, as a network error rather than a made-up answer.
      res.destroy();
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (isDown) return void res.destroy();
      const body = Buffer.concat(chunks).toString('utf8');
      const calls = parseCalls(body);
      const methods = calls.map((call) => (typeof call.method === 'string' ? call.method : ''));
      if (methods.some((method) => heldMethods.has(method))) {
        calls.forEach((call, i) => {
          if (heldMethods.has(methods[i]))
            recordHeld(methods[i], Array.isArray(call.params) ? call.params : []);
        });
        return; // Never answered: the socket stays open until the client, down() or close() ends it.
      }
      for (const method of methods) forwarded.set(method, (forwarded.get(method) ?? 0) + 1);
      void forward(body, res);
    });
  });
  // Keep-alive clients reuse sockets: down() must reach those too, not just new connections.
  server.on('connection', (socket: Socket) => {
    if (isDown) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const destroySockets = (): void => sockets.forEach((socket) => socket.destroy());

  return {
    url: `http://127.0.0.1:${port}`,
    down: () => {
      isDown = true;
      destroySockets();
    },
    up: () => {
      isDown = false;
    },
    hold: (method) => void heldMethods.add(method),
    release: (method) => void heldMethods.delete(method),
    nextHeld: (method, timeoutMs = 5_000) => {
      const recorded = heldParams.get(method)?.shift();
      if (recorded) return Promise.resolve(recorded);
      return new Promise<unknown[]>((resolve, reject) => {
        const queue = waiters.get(method) ?? [];
        waiters.set(method, queue);
        const waiter: Waiter = {
          resolve: (params) => {
            clearTimeout(timer);
            resolve(params);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(new Error(`no held ${method} call within ${timeoutMs} ms`));
        }, timeoutMs);
        queue.push(waiter);
      });
    },
    calls: (method) => forwarded.get(method) ?? 0,
    close: async () => {
      isDown = true;
      for (const [method, queue] of waiters)
        queue.splice(0).forEach((w) => w.reject(new Error(`proxy closed: no held ${method} call`)));
      destroySockets();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
