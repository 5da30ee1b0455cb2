const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/** Shared by the three tiers: TypeScript through ts-jest (transpile only; `npm run lint` type-checks). */
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // ESM-only dependencies (Node loads them with require(esm); jest's loader cannot).
    '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
};

/** Integration and e2e runs each get their own database, Redis prefix and anvil. */
const withServices = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/load-test-env.ts'],
};

module.exports = {
  // Two test files at a time: most of their time is spent waiting on the chain, Postgres and the
  // apps, and each file has its own data (measured: 325 s for the suite, against about 550 s with
  // the default of one on this 2-core machine).
  maxWorkers: 2,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,scripts,migrations}/**/*.spec.ts'],
    },
    {
      ...base,
      ...withServices,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    {
      ...base,
      ...withServices,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/fuzz.e2e-spec.ts'],
    },
    {
      // Its bound is the API's own time per request (one second): it runs after the other files,
      // alone, so that no other test's processes share the 2 cores with the API it measures.
      ...base,
      ...withServices,
      displayName: 'fuzz',
      testMatch: ['<rootDir>/test/e2e/fuzz.e2e-spec.ts'],
    },
  ],
};
