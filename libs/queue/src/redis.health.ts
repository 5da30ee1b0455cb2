import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type IORedis from 'ioredis';
import { AppConfig } from '@gpu/config';
import { safeErrorMessage, withTimeout } from '@gpu/common';
import { createRedisConnection } from './redis-connection';

export interface RedisHealthReport {
  up: boolean;
  latencyMs?: number;
  error?: string;
}

/**
 * For the API's /health. Pings Redis on a dedicated connection that never queues commands while Redis is away:
 * a check answers within HEALTH_TIMEOUT_MS, and at once while the client is reconnecting.
 */
@Injectable()
export class RedisHealth implements OnModuleInit, OnModuleDestroy {
  private connection?: IORedis;
  private readyWait?: Promise<void>;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.connection = createRedisConnection(this.config.REDIS_URL, 'probe');
    this.connection.connect().catch(() => undefined);
  }

  async check(): Promise<RedisHealthReport> {
    const started = Date.now();
    try {
      await withTimeout(this.ping(), this.config.HEALTH_TIMEOUT_MS, 'Redis');
      return { up: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { up: false, error: safeErrorMessage(error) };
    }
  }

  onModuleDestroy(): void {
    this.connection?.disconnect();
  }

  private async ping(): Promise<void> {
    const connection = this.connection!;
    if (connection.status === 'reconnecting' || connection.status === 'end') {
      throw new Error(`Redis connection is ${connection.status}`);
    }
    if (connection.status !== 'ready') await this.ready(connection);
    await connection.ping();
  }

  /** One wait for 'ready' (or an error) shared by every check made while the client connects. */
  private ready(connection: IORedis): Promise<void> {
    this.readyWait ??= new Promise<void>((resolve, reject) => {
      const settle = (done: () => void) => {
        connection.off('ready', onReady);
        connection.off('error', onError);
        this.readyWait = undefined;
        done();
      };
      const onReady = () => settle(resolve);
      const onError = (error: Error) => settle(() => reject(error));
      connection.once('ready', onReady);
      connection.once('error', onError);
    });
    return this.readyWait;
  }
}
