import * as path from 'node:path';
import { environmentWithFiles, loadConfig } from '@gpu/config';
import { startApp } from './lib/app-process';
import { startLocalStack } from './lib/local-stack';

/**
 * `npm run dev`: settings from .env (else .env.example), a local anvil on port 8545 when RPC_URL
 * is unset, contracts deployed (or reused when still live), migrations applied, then the API and
 * the worker until Ctrl-C.
 */
const LOCAL_ANVIL_PORT = 8545;

async function main(): Promise<void> {
  const env = environmentWithFiles(['.env.example', '.env'], process.env);
  const config = loadConfig(env, {
    only: ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'DEPLOYMENT_FILE', 'DEPLOYER_PRIVATE_KEY'],
  });
  const localChain = !env.RPC_URL;
  const stack = await startLocalStack({
    databaseUrl: config.DATABASE_URL,
    // A new local chain has none of the old rows' transactions: start the database afresh too.
    freshDatabase: localChain,
    redisUrl: config.REDIS_URL,
    queuePrefix: config.QUEUE_PREFIX,
    deploymentFile: path.resolve(config.DEPLOYMENT_FILE),
    rpcUrl: env.RPC_URL,
    deployerPrivateKey: config.DEPLOYER_PRIVATE_KEY,
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
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(apps.map((app) => app.stop()));
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const app of apps) {
    app.child.once('exit', (code) => {
      if (!stopping) {
        console.error(`[dev] ${app.name} exited (${code}); stopping`);
        void stop();
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
