import 'tsconfig-paths/register';
import type { Config } from 'jest';
import { startTestStack, type TestStackHandle } from './test-stack';

declare global {
  var gpuTestStacks: Map<string, TestStackHandle> | undefined;
}

export default async function globalSetup(
  _global: Config,
  project: { displayName?: { name: string } },
): Promise<void> {
  const tier = project.displayName?.name ?? 'default';
  globalThis.gpuTestStacks ??= new Map();
  globalThis.gpuTestStacks.set(tier, await startTestStack(tier));
}
