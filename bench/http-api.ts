import * as path from 'node:path';
import autocannon from 'autocannon';
import { scriptEnvironment, loadConfig } from '@gpu/config';
import { withDatabaseName } from '@gpu/database';
import { findFreePort } from '../scripts/lib/anvil';
import { startApp } from '../scripts/lib/app-process';
import { startLocalStack } from '../scripts/lib/local-stack';
import { Narrator } from '../scripts/lib/narrator';
import { waitFor } from '../scripts/lib/wait-for';
import { deleteKeysWithPrefix } from '../scripts/lib/redis-keys';
import { option } from './lib/options';
import { rssMb } from './lib/proc-stats';

/**
 * Throughput and latency of the built API (Fastify) on this machine, against a real Postgres,
 * Redis and anvil: `npm run bench:http`. Options: --seconds N (default 8), --connections N (50).
 */
interface RouteFigures {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

const ROUTES = ['/chain/status', '/health', '/no-such-route'];

async function main(): Promise<void> {
  const seconds = option('seconds', 8);
  const connections = option('connections', 50);
  const say = new Narrator();
  const base = loadConfig(scriptEnvironment(process.env), {
    only: ['DATABASE_URL', 'REDIS_URL'],
  });
  const queuePrefix = `gpu-bench-${process.pid}`;
  const stack = await startLocalStack({
    databaseUrl: withDatabaseName(base.DATABASE_URL, 'gpu_rwa_bench'),
    freshDatabase: true,
    redisUrl: base.REDIS_URL,
    queuePrefix,
    deploymentFile: path.resolve('.tmp/bench/deployment.json'),
  });
  const port = await findFreePort();
  const env = {
    ...process.env,
    ...stack.env,
    LOG_LEVEL: 'warn',
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
  };
  const api = startApp('api', env, path.resolve('.tmp/bench/api.log'));
  const worker = startApp('worker', env, path.resolve('.tmp/bench/worker.log'));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        const status = (await (await fetch(`${url}/chain/status`)).json()) as { head: unknown };
        return status.head ?? undefined;
      },
      { timeoutMs: 20_000, what: 'the first chain head' },
    );
    const idleRss = Math.round(rssMb(api.child.pid!));
    const figures: RouteFigures[] = [];
    for (const route of ROUTES) {
      const result = await autocannon({ url: url + route, connections, duration: seconds });
      figures.push({
        route,
        requestsPerSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    }
    const loadedRss = Math.round(rssMb(api.child.pid!));

    say.section(
      `GET routes, ${connections} connections, ${seconds} s each (API RSS ${idleRss} MB idle, ${loadedRss} MB after)`,
    );
    say.table(
      ['route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
      figures.map((f) => [
        f.route,
        String(f.requestsPerSecond),
        String(f.p50Ms),
        String(f.p99Ms),
        String(f.non2xx),
        String(f.errors),
      ]),
    );
    console.log(
      JSON.stringify({
        bench: 'http-api',
        connections,
        seconds,
        idleRssMb: idleRss,
        loadedRssMb: loadedRss,
        routes: figures,
      }),
    );
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
    await stack.stop();
    await deleteKeysWithPrefix(base.REDIS_URL, queuePrefix);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
