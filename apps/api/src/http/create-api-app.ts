import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@gpu/config';
import { ApiModule } from '../api.module';
import { mountQueueDashboard } from '../operations/queue-dashboard';
import { configureApp } from './configure-app';
import { createFastifyAdapter } from './fastify-adapter';

/**
 * The API as main() and the tests build it. Raw bodies are kept beside the parsed ones, for the
 * webhook signatures computed over the exact bytes.
 */
export async function createApiApp(
  config: AppConfig,
  options: { logger?: false; bufferLogs?: boolean } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    createFastifyAdapter(config.REQUEST_TIMEOUT_MS, config.TRUST_PROXY),
    { ...options, rawBody: true },
  );
  configureApp(app);
  await mountQueueDashboard(app);
  return app;
}
