import { loadConfigOrExit } from '@gpu/config';
import { createApiApp } from './http/create-api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp(config, { bufferLogs: true });
  await app.listen(config.API_PORT, config.API_HOST);
}

void bootstrap();
