import { defineConfig } from 'vitest/config';

// Workflow and e2e tests share one Temporal dev server and one PostgreSQL database started in
// globalSetup; they run in forked processes (the SDK's native bridge is not thread-safe) and one
// file at a time so they never compete for the server.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
