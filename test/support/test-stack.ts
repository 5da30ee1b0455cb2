import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dropDatabase, withDatabaseName } from '@gpu/database';
import { type LocalStack, startLocalStack } from '../../scripts/lib/local-stack';
import { deleteKeysWithPrefix } from '../../scripts/lib/redis-keys';

/** Where the services of the machine are; a run only ever creates its own database and keys on them. */
const SERVER_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const ENV_VARIABLE = 'GPU_TEST_ENV';

export interface TestStackHandle {
  stack: LocalStack;
  databaseUrl: string;
  queuePrefix: string;
  dir: string;
}

/**
 * A database, a Redis prefix and an anvil that belong to this jest run only, shared by its
 * integration and e2e tiers (jest runs one global setup per distinct file).
 */
export async function startTestStack(): Promise<TestStackHandle> {
  const runId = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'gpu-test-'));
  const databaseUrl = withDatabaseName(SERVER_DATABASE_URL, `gpu_test_${runId}`);
  const queuePrefix = `gpu-test-${runId}`;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      databaseUrl,
      freshDatabase: true,
      redisUrl: SERVER_REDIS_URL,
      queuePrefix,
      deploymentFile: path.join(dir, 'deployment.json'),
    });
  } catch (error) {
    await dropDatabase(databaseUrl).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const env = {
    ...stack.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CHAIN_HEARTBEAT_INTERVAL_MS: '1000',
    CHAIN_CONFIRMATIONS: '1',
    CHAIN_POLL_INTERVAL_MS: '50',
    TX_STUCK_AFTER_MS: '3000',
    RECONCILE_INTERVAL_MS: '3600000',
    AUDIT_ANCHOR_INTERVAL_MS: '2000',
    KYC_WEBHOOK_SECRET: 'test-webhook-secret-of-this-run',
    KYC_EXPIRY_INTERVAL_MS: '1000',
    SALE_EVENTS_INTERVAL_MS: '200',
    ORDER_EXPIRY_INTERVAL_MS: '1000',
    ORDER_PAYMENT_GRACE_SECONDS: '0',
    JWT_SECRET: `test-jwt-secret-${runId}-0123456789abcdef`,
    // Every test signs its users in from one address: limits of their own are tested on a stack
    // of their own (limits.e2e-spec.ts).
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_SIGN_IN_PER_EMAIL_PER_HOUR: '1000000',
    RATE_LIMIT_SIWE_PER_MINUTE: '1000000',
    RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
  };
  process.env[ENV_VARIABLE] = JSON.stringify(env);
  return { stack, databaseUrl, queuePrefix, dir };
}

export async function stopTestStack(handle: TestStackHandle): Promise<void> {
  await handle.stack.stop();
  await dropDatabase(handle.databaseUrl);
  await deleteKeysWithPrefix(SERVER_REDIS_URL, handle.queuePrefix);
  rmSync(handle.dir, { recursive: true, force: true });
}

/** In a test file: the settings of this run's stack, laid over process.env. */
export function applyTestEnv(): void {
  const raw = process.env[ENV_VARIABLE];
  if (!raw)
    throw new Error('no test stack: run through jest (npm test), whose global setup starts it');
  Object.assign(process.env, JSON.parse(raw) as Record<string, string>);
}
