import 'tsconfig-paths/register';
import { startTestStack, type TestStackHandle } from './test-stack';

declare global {
  var gpuTestStack: TestStackHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  globalThis.gpuTestStack = await startTestStack();
}
