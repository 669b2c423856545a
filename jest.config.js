// Jest runs the TypeScript sources as ESM (Nest 12 is ESM-only): ts-jest's ESM preset, `.js` import suffixes mapped.
// Three tiers, each a project (`npm run test:unit|test:integration|test:e2e`, `npm test` runs them all):
// - unit: pure logic beside the code (src/, offline/), no services;
// - integration: importers, repositories, the client and the replica on real PostgreSQL and Redis, no GraphQL/HTTP API;
// - e2e: flows through the API, separate processes and the command lines.
// Both database tiers share one global setup and teardown (Jest runs the same file once per run): one database per
// Jest worker, which `setupFiles` points each test file at (test/support/worker-env.ts, docs/architecture.md §2.8).
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

const database = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/worker-env.ts'],
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/offline/**/*.spec.ts'],
    },
    {
      ...common,
      ...database,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
    },
    { ...common, ...database, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
  // Per-project testTimeout is not applied by Jest: set here, it covers the database tiers (unit tests are quick).
  testTimeout: 120000,
  // Two test files at a time (package.json "test": --maxWorkers=2, a database and a Bull key prefix per worker), each
  // in a worker process that is replaced once it holds more than this: every file leaves some memory behind in the
  // VM-modules loader, and a long run slowed down under it.
  workerIdleMemoryLimit: '768MB',
};
