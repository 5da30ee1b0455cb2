import { applyTestEnv } from './test-stack';

applyTestEnv();

/** Real services and a real chain: a test may wait on a worker's schedule. */
jest.setTimeout(30_000);
