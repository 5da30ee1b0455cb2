import 'tsconfig-paths/register';
import { stopTestStack } from './test-stack';

export default async function globalTeardown(): Promise<void> {
  if (globalThis.gpuTestStack) await stopTestStack(globalThis.gpuTestStack);
  globalThis.gpuTestStack = undefined;
}
