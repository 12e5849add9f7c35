import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure modules, parallel, no servers) and `integration` (workflow, e2e and
// API tests). Integration files share one Temporal dev server and one PostgreSQL database started
// in globalSetup; they run in forked processes (the SDK's native bridge is not thread-safe) and one
// file at a time so they never compete for the server.
export default defineConfig({
  test: {
    // The JSON report is what .ci/run reads to print its "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.state/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/{workflows,e2e,api}/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
