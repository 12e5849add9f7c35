/**
 * One Temporal engine and one freshly reset PostgreSQL database for the whole integration run.
 * Never the demo's or a user's. TEST_TEMPORAL picks the engine (src/temporal/engine.ts): `dev`
 * (default: a headless dev server with its own SQLite file on a free port), `postgres` (one real
 * server node) or `cluster` (two nodes behind a frontend proxy), both on fresh databases named after
 * the test database.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTemporalBinary, startDevServer, type DevServer, type DevServerOptions } from '../../src/temporal/dev-server';
import { parseTemporalMode, startEngine, type TemporalEngine, type TemporalMode } from '../../src/temporal/engine';
import { createSql, resetDatabase } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';
import { seedReference } from '../../src/db/reference';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    temporalBin: string;
    stateDir: string;
    temporalMode: TemporalMode;
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

/** A Temporal engine of the tests' own, with its state directory, health report and clean-up. */
export interface TestEngine {
  engine: TemporalEngine;
  stateDir: string;
  /** Reports the engine's health (see reportEngineHealth), stops it and removes its state. */
  stop(): Promise<void>;
}

/**
 * Starts an engine the way the suite runs one: fresh, headless, eager activities. `name` tags its
 * databases (postgres/cluster) and its log copies; the suite's shared engine is `shared`.
 */
export async function startTestEngine(opts: { mode: TemporalMode; databaseUrl: string; name: string }): Promise<TestEngine> {
  const stateDir = mkdtempSync(join(tmpdir(), `krithi-${opts.name}-`));
  const engine = await startEngine({
    mode: opts.mode,
    stateDir,
    namespace: 'default',
    databaseUrl: opts.databaseUrl,
    databaseTag: opts.name === 'shared' ? undefined : opts.name,
    fresh: true,
    headless: true,
    // Tests trade the durability of the very last writes for speed; the demo keeps NORMAL.
    synchronous: 'OFF',
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
  });
  return {
    engine,
    stateDir,
    async stop() {
      reportEngineHealth(engine, opts.name);
      await engine.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

let shared: TestEngine | undefined;

export async function setup(project: TestProject) {
  const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/krithi_import_test';
  await resetDatabase(databaseUrl, 'test');
  const sql = createSql(databaseUrl, { max: 2 });
  await migrate(sql);
  await seedReference(sql);
  await sql.end();

  const bin = ensureTemporalBinary();
  const mode = parseTemporalMode(process.env.TEST_TEMPORAL, 'TEST_TEMPORAL');
  shared = await startTestEngine({ mode, databaseUrl, name: 'shared' });
  const { engine, stateDir } = shared;

  project.provide('temporalAddress', engine.address);
  project.provide('temporalMode', mode);
  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalBin', bin);
  project.provide('stateDir', stateDir);
}

/**
 * What the shared engine went through, for a run that failed in a way its tests cannot see (a
 * server that died or wedged under every later file): whether it still runs, and its errors. The
 * logs are copied to .state/ (CI leaves the clone) and their last errors printed after the summary.
 */
function reportEngineHealth(e: TemporalEngine, name: string): void {
  const dead = e.pids().length === 0 || e.pids().some((pid) => !isAlive(pid));
  const outDir = fileURLToPath(new URL('../../.state/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const errors: string[] = [];
  for (const file of e.logFiles()) {
    if (!existsSync(file)) continue;
    copyFileSync(file, join(outDir, `test-${name === 'shared' ? '' : `${name}-`}${basename(file)}`));
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // JSON (server) or text (dev server) log lines; a write whose caller went away ("context
      // canceled") is routine under the kill tests and says nothing about the engine's health.
      if (!/(level=|"level":")(error|fatal|dpanic|panic)\b|^panic:|^fatal error:/i.test(line)) continue;
      if (!/error="context canceled"/.test(line)) errors.push(line.slice(0, 400));
    }
  }
  if (!dead && errors.length === 0) return;
  const lines = [
    `[global-setup] ${name} Temporal engine (${e.mode} at ${e.address}): ${dead ? 'NOT RUNNING at teardown (it died during the run)' : 'running'}; ${errors.length} error lines in its log (copied to .state/)`,
    ...errors.slice(-15).map((l) => `  ${l}`),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function teardown() {
  await shared?.stop();
}
