/**
 * The benchmark's stack: a dedicated PostgreSQL database (or a private cluster the chaos run may
 * restart), a Temporal engine of the chosen mode (src/temporal/engine.ts — the same code demo,
 * serve and the test setup start), the fixture site, W worker processes started as
 * `npm run worker` starts them, and an API-only `serve` process that manifests are streamed to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '@temporalio/client';
import { createSql, resetDatabase, type Sql } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { seedReference } from '../src/db/reference';
import { startFixtureSite, type FixtureSite } from '../src/fixture-site/server';
import { parseManifestAll } from '../src/manifest/parse';
import { startEngine, type TemporalEngine, type TemporalMode } from '../src/temporal/engine';
import { startPrivatePostgres, type PrivatePostgres } from '../src/db/private-postgres';
import { freePort, postManifest, procRssMb, waitForHealth } from './util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface StackOptions {
  mode: TemporalMode;
  stateDir: string;
  files: string[];
  hosts: string[];
  rate: number | undefined;
  latencyMs: number;
  workers: number;
  window: number;
  rowsPerRun: number;
  fairness: boolean;
  eager: boolean;
  sqliteSync: 'NORMAL' | 'OFF' | 'FULL';
  workerHeapMb: number;
  workerSemiMb: number;
  /** A directory for V8 CPU profiles of each worker's threads (`--cpu-prof`), or none. */
  workerCpuProfDir?: string;
  apiHeapMb: number;
  /** A private PostgreSQL cluster (the chaos run restarts it: the application's and Temporal's). */
  privatePostgres: boolean;
}

export interface Submitted {
  batchId: string;
  acceptedRows: number;
}

export interface BenchStack {
  engine: TemporalEngine;
  sql: Sql;
  databaseUrl: string;
  /** Every database this run's processes use (for PostgreSQL's CPU and size). */
  databases: string[];
  site: FixtureSite;
  env: Record<string, string>;
  workers: ChildProcess[];
  startWorker(): ChildProcess;
  api: Api;
  privatePg: PrivatePostgres | undefined;
  /** Live pids per component, for /proc readings. */
  pids(): { temporal: number[]; worker: number[]; api: number[] };
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(o: StackOptions, connection: (address: string) => Promise<Connection>): Promise<BenchStack> {
  const privatePg = o.privatePostgres ? startPrivatePostgres(await freePort()) : undefined;
  const databaseUrl = privatePg?.url ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/krithi_bench';
  await resetDatabase(databaseUrl, 'bench');
  const sql: Sql = createSql(databaseUrl, { max: 10 });
  await migrate(sql);
  await seedReference(sql);

  const engine = await startEngine({
    mode: o.mode,
    stateDir: o.stateDir,
    namespace: 'default',
    databaseUrl,
    fresh: true,
    headless: true,
    synchronous: o.sqliteSync,
    dynamicConfig: {
      'system.enableActivityEagerExecution': o.eager,
      'matching.enableFairness': o.fairness,
    },
  });

  // The fixture site with the requested latency and no faults (throughput, not resilience).
  const site = await startFixtureSite({ port: 0, latencyMs: o.latencyMs, defaultFaults: false });
  for (const f of o.files) {
    const { entries } = await parseManifestAll(readFileSync(f));
    site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  }

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: engine.address,
    TASK_QUEUE_PREFIX: 'bench',
    SOURCE_SITES: o.hosts.join(','),
    SITE_RATE_LIMIT: String(o.rate ?? 100_000),
    BATCH_WINDOW: String(o.window),
    BATCH_ROWS_PER_RUN: String(o.rowsPerRun),
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(o.hosts)),
    SCRAPE_INITIAL_RETRY_MS: '200',
    LOG_LEVEL: 'error',
    PAGE_CACHE: 'off', // every row fetches its page: the site limit is what is measured
    REVIEW_POLICY: 'auto', // uncertain rows are decided by policy: nobody has to review
    METRICS_PORT: '0',
  };
  const workers: ChildProcess[] = [];
  const startWorker = () => {
    // The flags of `npm run worker`: a bounded old space and young generation make V8 collect
    // sooner instead of growing towards its defaults, and two malloc arenas stop glibc keeping one
    // per thread (docs/PERFORMANCE.md, Tuning).
    const flags = [`--max-old-space-size=${o.workerHeapMb}`, `--max-semi-space-size=${o.workerSemiMb}`];
    // Node writes one profile per JS thread (main and the workflow thread) when the worker exits.
    if (o.workerCpuProfDir) flags.push('--cpu-prof', `--cpu-prof-dir=${o.workerCpuProfDir}`);
    const w = spawn(process.execPath, [...flags, join(ROOT, 'bin/krithi-import.js'), 'worker'], {
      env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(w);
    return w;
  };
  for (let i = 0; i < o.workers; i++) startWorker();
  const conn = await connection(engine.address);
  await waitForPollers(conn, 'bench-import', o.workers);
  const maxBytes = Math.max(...o.files.map((f) => readFileSync(f).length)) + 1024;
  const api = await startApi(env, maxBytes, o.apiHeapMb);

  const alive = (w: ChildProcess) => w.exitCode === null && w.signalCode === null;
  const stopWorkers = async () => {
    for (const w of workers) if (alive(w)) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (alive(w) ? new Promise((r) => w.once('exit', r)) : null)));
  };
  const databases = [new URL(databaseUrl).pathname.slice(1), ...(engine.databases ? [engine.databases.name, engine.databases.visibilityName] : [])];
  return {
    engine,
    sql,
    databaseUrl,
    databases,
    site,
    env,
    workers,
    startWorker,
    api,
    privatePg,
    pids: () => ({
      temporal: engine.pids(),
      worker: workers.filter(alive).map((w) => w.pid!),
      api: api.alive() ? [api.pid] : [],
    }),
    stopWorkers,
    async stop() {
      await stopWorkers();
      await api.stop();
      await engine.stop();
      await site.close();
      await sql.end({ timeout: 5 });
      privatePg?.stop();
    },
  };
}

export interface Api {
  pid: number;
  rssBeforeMb: number;
  alive(): boolean;
  submit(path: string): Promise<Submitted>;
  stop(): Promise<void>;
}

/**
 * An API-only `serve` process, as an editor's upload reaches it: the benchmark streams each
 * manifest to `POST /v1/batches` and samples the process's memory.
 */
async function startApi(env: Record<string, string>, maxBytes: number, heapMb: number): Promise<Api> {
  const port = await freePort();
  const token = `bench-${Date.now()}-0123456789abcdef`;
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=8', join(ROOT, 'bin/krithi-import.js'), 'serve', '--api-only'],
    {
      env: {
        MALLOC_ARENA_MAX: '2',
        ...process.env,
        ...env,
        API_TOKENS: JSON.stringify([{ name: 'bench', role: 'admin', token }]),
        PORT: String(port),
        HOST: '127.0.0.1',
        MANIFEST_MAX_BYTES: String(Math.max(maxBytes, 1 << 20)),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child);
  await new Promise((r) => setTimeout(r, 1000)); // let start-up allocations settle before the baseline reading
  return {
    pid: child.pid!,
    rssBeforeMb: procRssMb(child.pid!),
    alive: () => child.exitCode === null,
    async submit(path: string): Promise<Submitted> {
      const { status, body } = await postManifest(base, token, path);
      if (status !== 202) throw new Error(`submission answered ${status}: ${JSON.stringify(body)}`);
      return body as unknown as Submitted;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function waitForPollers(connection: Connection, taskQueue: string, n: number) {
  for (let i = 0; i < 240; i++) {
    const d = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: 1,
    });
    const identities = new Set((d.pollers ?? []).map((p) => p.identity));
    if (identities.size >= n) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`workers did not start polling ${taskQueue}`);
}
