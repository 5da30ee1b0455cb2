import { type DynamicModule, INestApplicationContext, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, loadConfig } from '@gpu/config';
import { createApiApp } from '../../apps/api/src/http/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/** The settings of this tier's stack, with overrides, validated as the apps validate them. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ ...process.env, ...overrides });
}

export interface RunningApi {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** The API as main() builds it, listening on a free port. */
export async function startApi(config: AppConfig = testConfig()): Promise<RunningApi> {
  const app = await createApiApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

@Module({})
class WorkerWithExtras {}

/**
 * The worker as main() builds it: handlers checked, schedulers started; `extras` add modules of
 * the test's own (a ChainTxListener, say).
 */
export async function startWorker(
  config: AppConfig = testConfig(),
  extras: (Type | DynamicModule)[] = [],
): Promise<INestApplicationContext> {
  const root: DynamicModule = extras.length
    ? { module: WorkerWithExtras, imports: [WorkerModule.forRoot(config), ...extras] }
    : WorkerModule.forRoot(config);
  const app = await NestFactory.createApplicationContext(root, {
    logger: false,
  });
  await app.init();
  return app;
}
