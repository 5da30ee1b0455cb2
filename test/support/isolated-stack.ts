import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dropDatabase, withDatabaseName } from '@gpu/database';
import { type LocalStack, startLocalStack } from '../../scripts/lib/local-stack';
import { deleteKeysWithPrefix } from '../../scripts/lib/redis-keys';

export interface IsolatedStack {
  /** The settings of this stack (database, Redis prefix, chain, deployment) over the run's test settings. */
  env: Record<string, string>;
  stack: LocalStack;
  stop(): Promise<void>;
}

/**
 * A database, a Redis prefix and an anvil of the calling test file alone, for tests that run the
 * worker's sender or indexer and bend the chain (automine off, reorgs, outages): nobody else's
 * worker competes for the lanes, and nobody else sees the bent chain.
 */
export async function startIsolatedStack(
  overrides: Record<string, string> = {},
): Promise<IsolatedStack> {
  const id = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const base = process.env;
  const databaseUrl = withDatabaseName(base.DATABASE_URL!, `gpu_test_iso_${id}`);
  const queuePrefix = `${base.QUEUE_PREFIX}-iso-${id}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'gpu-iso-'));
  const stack = await startLocalStack({
    databaseUrl,
    freshDatabase: true,
    redisUrl: base.REDIS_URL!,
    queuePrefix,
    deploymentFile: path.join(dir, 'deployment.json'),
  });
  const env = { ...(process.env as Record<string, string>), ...stack.env, ...overrides };
  return {
    env,
    stack,
    stop: async () => {
      await stack.stop();
      await dropDatabase(databaseUrl).catch(() => undefined);
      await deleteKeysWithPrefix(base.REDIS_URL!, queuePrefix).catch(() => 0);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
