import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit } from '@gpu/config';
import { ApiModule } from './api.module';
import { configureApp } from './http/configure-app';
import { createFastifyAdapter } from './http/fastify-adapter';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    createFastifyAdapter(),
    { bufferLogs: true },
  );
  configureApp(app);
  await app.listen(config.API_PORT, config.API_HOST);
}

void bootstrap();
