import * as path from 'node:path';
import { DEPLOYMENT_SETTINGS } from '@gpu/chain';
import { loadConfig, scriptEnvironment } from '@gpu/config';
import { startApp } from './lib/app-process';
import { startLocalStack } from './lib/local-stack';

/**
 * `npm run dev`: settings from .env (else .env.example), a local anvil on port 8545 when RPC_URL
 * is unset, contracts deployed (or reused when still live), migrations applied, then the API and
 * the worker until Ctrl-C.
 */
const LOCAL_ANVIL_PORT = 8545;

async function main(): Promise<void> {
  const env = scriptEnvironment(process.env);
  const config = loadConfig(env, {
    only: ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'DEPLOYMENT_FILE', ...DEPLOYMENT_SETTINGS],
  });
  const localChain = !env.RPC_URL;
  if (localChain && config.NODE_ENV === 'production') {
    throw new Error(
      'npm run dev starts a throw-away chain and resets the database; set RPC_URL in production',
    );
  }
  const stack = await startLocalStack({
    databaseUrl: config.DATABASE_URL,
    // A new local chain knows nothing of the old rows' transactions: the database starts afresh too.
    freshDatabase: localChain,
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    deploymentFile: path.resolve(config.DEPLOYMENT_FILE),
    rpcUrl: env.RPC_URL,
    config,
    anvilPort: localChain ? LOCAL_ANVIL_PORT : undefined,
    blockTimeSeconds: localChain ? 1 : undefined,
    reuseDeployment: !localChain,
    log: (line) => console.log(`[dev] ${line}`),
  });

  const appEnv = { ...env, ...stack.env };
  const apps = [startApp('api', appEnv), startApp('worker', appEnv)];
  console.log(
    `[dev] API on http://${env.API_HOST ?? '127.0.0.1'}:${env.API_PORT ?? 3000} (docs at /docs); Ctrl-C stops everything`,
  );

  let stopping = false;
  const stop = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(apps.map((app) => app.stop()));
    await stack.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const app of apps) {
    app.child.once('exit', (code) => {
      if (!stopping) {
        console.error(`[dev] ${app.name} exited (${code}); stopping`);
        void stop(1);
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
