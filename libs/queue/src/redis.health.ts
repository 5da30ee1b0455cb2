import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type IORedis from 'ioredis';
import { AppConfig } from '@gpu/config';
import { withTimeout } from '@gpu/common';
import { createRedisConnection } from './redis-connection';

export interface RedisHealthReport {
  up: boolean;
  latencyMs?: number;
  error?: string;
}

/** Pings Redis on a dedicated connection that never queues commands while Redis is away. */
@Injectable()
export class RedisHealth implements OnModuleDestroy {
  private connection?: IORedis;

  constructor(private readonly config: AppConfig) {}

  async check(): Promise<RedisHealthReport> {
    const started = Date.now();
    try {
      const connection = this.connect();
      if (connection.status === 'wait') await connection.connect().catch(() => undefined);
      await withTimeout(connection.ping(), this.config.HEALTH_TIMEOUT_MS, 'Redis');
      return { up: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { up: false, error: (error as Error).message };
    }
  }

  onModuleDestroy(): void {
    this.connection?.disconnect();
  }

  private connect(): IORedis {
    this.connection ??= createRedisConnection(this.config.REDIS_URL, 'probe');
    return this.connection;
  }
}
