import { Logger } from '@nestjs/common';
import IORedis, { RedisOptions } from 'ioredis';
import { safeErrorMessage } from '@gpu/common';

export type RedisRole =
  /** BullMQ workers block on Redis and must retry forever. */
  | 'worker'
  /** Producers and schedulers. */
  | 'producer'
  /** Health checks: fail at once when Redis is away instead of queueing commands. */
  | 'probe'
  /** Rate limits: fail at once (or within 250 ms) too; the limiter then counts in memory. */
  | 'limiter';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  worker: { maxRetriesPerRequest: null, enableAutoPipelining: true },
  producer: { maxRetriesPerRequest: 3 },
  probe: { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000 },
  limiter: {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    // A Redis that hangs without closing the connection fails over to memory too.
    commandTimeout: 250,
    enableAutoPipelining: true,
  },
};

const logger = new Logger('Redis');

/** An ioredis client that reconnects with capped backoff and logs errors instead of crashing. */
export function createRedisConnection(url: string, role: RedisRole): IORedis {
  const connection = new IORedis(url, {
    ...ROLE_OPTIONS[role],
    lazyConnect: role === 'probe',
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastError = '';
  connection.on('error', (error: Error) => {
    const message = safeErrorMessage(error);
    if (message !== lastError) logger.warn(`${role} connection: ${message}`);
    lastError = message;
  });
  connection.on('ready', () => {
    lastError = '';
  });
  return connection;
}
