/**
 * One Temporal dev server (headless, its own SQLite file, a free port) and one freshly reset
 * PostgreSQL database for the whole integration run. Never the demo's or a user's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../src/net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { Connection } from '@temporalio/client';
import { ensureTemporalBinary, startDevServer, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server';
import { registerSearchAttributes } from '../../src/temporal/namespace-setup';
import { createSql, resetDatabase } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';
import { seedReference } from '../../src/db/reference';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    temporalBin: string;
    stateDir: string;
  }
}

export { freePort };

/**
 * Starts a dev server on a free port, trying again on another port if it exits while starting (a
 * free port can be taken between the probe and the server's bind by a parallel process).
 */
export async function startTestServer(opts: Omit<DevServerOptions, 'port'>): Promise<DevServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await startDevServer({ ...opts, port: await freePort() });
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

let server: DevServer | undefined;
let stateDir: string | undefined;

export async function setup(project: TestProject) {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/krithi_import_test';
  await resetDatabase(databaseUrl, 'test');
  const sql = createSql(databaseUrl, { max: 2 });
  await migrate(sql);
  await seedReference(sql);
  await sql.end();

  stateDir = mkdtempSync(join(tmpdir(), 'krithi-test-'));
  const bin = ensureTemporalBinary();
  server = await startTestServer({
    bin,
    dbFile: join(stateDir, 'temporal.db'),
    headless: true,
    // Tests trade the durability of the very last writes for speed; the demo keeps NORMAL.
    synchronous: 'OFF',
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
  });
  const conn = await Connection.connect({ address: server.address });
  await registerSearchAttributes(conn, 'default');
  await conn.close();

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalBin', bin);
  project.provide('stateDir', stateDir);
}

export async function teardown() {
  await server?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
