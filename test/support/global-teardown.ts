import 'tsconfig-paths/register';
import type { Config } from 'jest';
import { stopTestStack } from './test-stack';

export default async function globalTeardown(
  _global: Config,
  project: { displayName?: { name: string } },
): Promise<void> {
  const tier = project.displayName?.name ?? 'default';
  const handle = globalThis.gpuTestStacks?.get(tier);
  if (handle) await stopTestStack(handle);
}
