/**
 * A per-test-file import stack on the shared dev server and database: its own task-queue prefix
 * (so no other file's workers see its tasks), the real fixture site on 127.0.0.1, real workers
 * in this process, and the application services.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { parseConfig, type Config } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { createBatchService } from '../../src/services/batches';
import { createReviewService } from '../../src/services/reviews';
import { batchSettingsFrom } from '../../src/services/settings';
import type { BatchSettings, RowStatus } from '../../src/shared';
import { createWorkers, type RunningWorkers, type WorkerOptions } from '../../src/worker';

export const SITES = ['guru-guha.blogspot.com', 'syamakrishnavaibhavam.blogspot.com', 'thyagaraja-vaibhavam.blogspot.com'];

export interface HarnessOptions {
  window?: number;
  rowsPerRun?: number;
  ratePerSecond?: number;
  maxAttempts?: number;
  latencyMs?: number;
  defaultFaults?: boolean;
  reconcileIntervalMs?: number;
  /** Start workers in this process (default true). */
  workers?: boolean;
  /** Another Temporal server than the suite's shared one. */
  address?: string;
  /** Another database than the suite's shared one (migrated and seeded by the caller). */
  databaseUrl?: string;
  /** Keep fetched pages in PostgreSQL (default off, so a changed fixture page is fetched again). */
  pageCache?: boolean;
  /** A pre-built workflow bundle (a different deploy of the workflow code). */
  bundlePath?: string;
  /** Reuse another harness's queues (a restarted deployment keeps its configuration). */
  taskQueuePrefix?: string;
  /** Observability handed to the workers (metrics registry, JSON logger, SDK exporter address). */
  observe?: Pick<WorkerOptions, 'metrics' | 'logger' | 'sdkMetricsAddress'>;
}

export interface Harness {
  config: Config;
  /** The environment the config was parsed from: what a worker process of this stack is given. */
  env: Record<string, string>;
  settings: BatchSettings;
  sql: Sql;
  client: Client;
  site: FixtureSite;
  workers: RunningWorkers | null;
  batches: ReturnType<typeof createBatchService>;
  reviews: ReturnType<typeof createReviewService>;
  /** Submits CSV text, registering its rows with the fixture site. */
  submit(csv: string, overrides?: Partial<BatchSettings>): ReturnType<ReturnType<typeof createBatchService>['submit']>;
  rows(batchId: string): Promise<{ id: string; line: number; status: RowStatus; error_type: string | null }[]>;
  waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export function testPrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const address = opts.address ?? inject('temporalAddress');
  const databaseUrl = opts.databaseUrl ?? inject('databaseUrl');
  const site = await startFixtureSite({ port: 0, latencyMs: opts.latencyMs ?? 0, defaultFaults: opts.defaultFaults ?? false });
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: address,
    TASK_QUEUE_PREFIX: opts.taskQueuePrefix ?? testPrefix(),
    SITE_RATE_LIMIT: String(opts.ratePerSecond ?? 200),
    BATCH_WINDOW: String(opts.window ?? 20),
    BATCH_ROWS_PER_RUN: String(opts.rowsPerRun ?? 300),
    SCRAPE_MAX_ATTEMPTS: String(opts.maxAttempts ?? 3),
    SCRAPE_INITIAL_RETRY_MS: '100',
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
    FETCH_HEADERS_TIMEOUT_MS: '5000',
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'error',
    PAGE_CACHE: opts.pageCache ? 'on' : 'off',
    ...(opts.bundlePath ? { WORKFLOW_BUNDLE_PATH: opts.bundlePath } : {}),
  };
  const config = parseConfig({ ...env, HOME: process.env.HOME });
  const settings = { ...batchSettingsFrom(config), reconcileIntervalMs: opts.reconcileIntervalMs ?? 5_000 };
  const sql = createSql(databaseUrl, { max: 10 });
  await refuseTaughtSharedSpellings(sql);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  let workers: RunningWorkers | null = null;
  let running: Promise<void> | null = null;
  if (opts.workers ?? true) {
    workers = await createWorkers({ config, address, sql, ...opts.observe });
    running = workers.run();
  }
  const batches = createBatchService({ sql, client });
  const reviews = createReviewService({ sql, client });

  const harness: Harness = {
    config,
    env,
    settings,
    sql,
    client,
    site,
    workers,
    batches,
    reviews,
    async submit(csv, overrides = {}) {
      const { parseManifestAll } = await import('../../src/manifest/parse');
      const { entries } = await parseManifestAll(csv);
      site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
      return batches.submit({
        source: csv,
        createdBy: 'test',
        maxBytes: config.manifestMaxBytes,
        settings: { ...settings, ...overrides },
      });
    },
    async rows(batchId) {
      return (await sql`
        SELECT id::text, line, status, error_type FROM import_rows
        WHERE batch_id = ${batchId} AND kind = 'record' ORDER BY line`) as never;
    },
    async waitFor(fn, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async close() {
      workers?.shutdown();
      await running?.catch(() => {});
      await connection.close();
      await site.close();
      await sql.end({ timeout: 5 });
    },
  };
  return harness;
}

/** Spellings the shared helpers (manifest(), runbook rows) rely on resolving HIGH to the reference. */
const SHARED_SPELLINGS = ['kalyANi', 'kalyani'];

/**
 * Integration files share one database, and a reviewer's override teaches the resolver an alias
 * for every later row. A file that overrides a shared spelling sends every later file's rows to
 * review, where they time out far from the cause; this names the cause where it starts instead.
 */
async function refuseTaughtSharedSpellings(sql: ReturnType<typeof createSql>): Promise<void> {
  const taught = await sql`
    SELECT alias, entity_id, created_by FROM entity_aliases
    WHERE source = 'reviewer' AND lower(alias) = ANY(${SHARED_SPELLINGS.map((s) => s.toLowerCase())})`;
  if (taught.length)
    throw new Error(
      `an earlier test file taught the resolver a shared spelling (${taught.map((t) => `${t.alias} → ${t.entity_id} by ${t.created_by}`).join(', ')}); ` +
        'tests that override a raga must use a spelling of their own (unknownRaga())',
    );
}

/**
 * A raga spelling no reference entry or alias matches, unique per call: reviewers' overrides teach
 * the resolver new aliases, so a spelling reused across tests would stop being unknown.
 */
export function unknownRaga(): string {
  // Consonant clusters no raga name or alias resembles (and no shared token with other tests').
  const letters = 'bcdfgklmnprstvz';
  return `${[...randomBytes(7)].map((b) => letters[b % letters.length]).join('')}x rAgaM`;
}

/** A manifest with `n` rows spread over the three sites, unique per call. */
export function manifest(n: number, opts: { raga?: string; tag?: string } = {}): string {
  const tag = opts.tag ?? randomBytes(3).toString('hex');
  const lines = ['Krithi,Raga,Hyperlink'];
  for (let i = 0; i < n; i++) {
    const host = SITES[i % SITES.length];
    lines.push(`krithi ${tag} ${i},${opts.raga ?? 'kalyANi'},https://${host}/2024/01/${tag}-${i}.html`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
