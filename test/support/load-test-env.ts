import { applyTestEnv } from './test-stack';

declare const GPU_TEST_TIER: string;

applyTestEnv(GPU_TEST_TIER);

/** Real services and a real chain: a test may wait on a worker's schedule. */
jest.setTimeout(30_000);
