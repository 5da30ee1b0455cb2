import * as path from 'node:path';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig, scriptEnvironment } from '@gpu/config';
import { dropDatabase, withDatabaseName } from '@gpu/database';
import { startLocalStack } from '../../scripts/lib/local-stack';
import { deleteKeysWithPrefix } from '../../scripts/lib/redis-keys';

export interface InProcessStack {
  app: INestApplicationContext;
  dataSource: DataSource;
  /** Closes the app, stops anvil, drops the database and the Redis keys. */
  stop(): Promise<void>;
}

/**
 * A fresh database `database`, anvil with the contracts, and a Nest application context of
 * `module` in this process: what a bench that drives the product's services directly needs.
 */
export async function startInProcessStack(options: {
  name: string;
  database: string;
  workDir: string;
  module: (config: AppConfig) => DynamicModule;
}): Promise<InProcessStack> {
  const base = loadConfig(scriptEnvironment(process.env), { only: ['DATABASE_URL', 'REDIS_URL'] });
  const databaseUrl = withDatabaseName(base.DATABASE_URL, options.database);
  const queuePrefix = `gpu-bench-${options.name}-${process.pid}`;
  const cleanups: (() => Promise<unknown>)[] = [
    () => deleteKeysWithPrefix(base.REDIS_URL, queuePrefix),
    () => dropDatabase(databaseUrl),
  ];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const stack = await startLocalStack({
      databaseUrl,
      freshDatabase: true,
      redisUrl: base.REDIS_URL,
      queuePrefix,
      deploymentFile: path.join(options.workDir, `${options.name}-deployment.json`),
    });
    cleanups.push(() => stack.stop());
    const config = loadConfig(
      scriptEnvironment({ ...process.env, ...stack.env, LOG_LEVEL: 'warn' }),
    );
    const app = await NestFactory.createApplicationContext(options.module(config), {
      logger: ['error', 'warn'],
    });
    cleanups.push(() => app.close());
    return { app, dataSource: app.get(DataSource), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
