/**
 * The workflow tier's server and bundle, once per run: a dev server of its own (headless, on a free
 * port, its own SQLite file, search attributes registered) and the workflow bundle built once, so
 * each test only creates workers. No PostgreSQL: the tier's activities are stubs.
 *
 * The server is the project's own `startDevServer` on the built `temporal` binary rather than
 * `TestWorkflowEnvironment.createLocal`: createLocal gives an existing binary only 5 s to come up,
 * which a loaded two-core machine does not always meet; tests connect with
 * `TestWorkflowEnvironment.createFromExistingServer`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { Connection } from '@temporalio/client';
import { ensureTemporalBinary, type DevServer } from '../../src/temporal/dev-server';
import { registerSearchAttributes } from '../../src/temporal/namespace-setup';
import { workflowBundle } from '../../src/worker';
import { startTestServer } from './global-setup';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowTierAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let stateDir: string | undefined;

export async function setup(project: TestProject) {
  stateDir = mkdtempSync(join(tmpdir(), 'krithi-wf-tier-'));
  const [bundle] = await Promise.all([
    workflowBundle(),
    (async () => {
      server = await startTestServer({
        bin: ensureTemporalBinary(),
        dbFile: join(stateDir!, 'temporal.db'),
        headless: true,
        synchronous: 'OFF',
      });
      const conn = await Connection.connect({ address: server.address });
      await registerSearchAttributes(conn, 'default');
      await conn.close();
    })(),
  ]);
  project.provide('workflowTierAddress', server!.address);
  project.provide('workflowBundlePath', bundle.codePath);
}

export async function teardown() {
  await server?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
