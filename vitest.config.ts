import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure modules, parallel, no servers), `workflow` (the real workflows with
// stub activities on a dev server of their own: workflow logic in seconds, no PostgreSQL) and
// `integration` (workflow, e2e and API tests on the real activities). Integration files share one
// Temporal dev server and one PostgreSQL database started in globalSetup; server-backed files run
// in forked processes (the SDK's native bridge is not thread-safe) and one file at a time so they
// never compete for the server.
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
          name: 'workflow',
          include: ['test/workflow-logic/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          // One process runs the files in turn and imports the SDK and the stubs once.
          isolate: false,
          globalSetup: ['test/support/workflow-tier-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
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
