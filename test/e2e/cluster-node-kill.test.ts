/**
 * The engine itself fails: a two-node Temporal cluster on PostgreSQL (the `cluster` stack of
 * src/temporal/engine.ts, its own databases, started by this file whatever TEST_TEMPORAL says), two
 * worker processes reaching it through the frontend proxy, a real manifest importing — and one
 * Temporal node SIGKILLed mid-batch. The surviving node takes over the dead node's history shards
 * and task queues; the batch completes with exact counts and no krithi stored twice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { parseManifestAll } from '../../src/manifest/parse';
import { createBatchService } from '../../src/services/batches';
import { batchSettingsFrom } from '../../src/services/settings';
import { startEngine, type TemporalEngine } from '../../src/temporal/engine';
import { killWorkers, spawnWorker, type WorkerProcess } from '../support/cli';
import { SITES, testPrefix } from '../support/harness';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The Syama Sastri manifest with every page given a query of its own. The crash test imports the
 * same file into the same database: byte-identical, it would be answered with the crash test's
 * finished batch (every row "done" before the kill); with the same pages, its krithis would be
 * updates of the other test's. Its own sources keep the two tests apart in either order.
 */
const MANIFEST = Buffer.from(
  readFileSync(`${ROOT}data/manifests/Syama-Sastri-Krithi-For-Import.csv`, 'utf8').replace(/\.html(?=\r?\n|$)/g, '.html?copy=nodekill'),
);

let engine: TemporalEngine;
let stateDir: string;
let site: FixtureSite;
let sql: Sql;
let connection: Connection;
let client: Client;
let env: Record<string, string>;
const workers: WorkerProcess[] = [];
const startWorker = () => workers.push(spawnWorker(env));

async function counts(batchId: string) {
  const [r] = await sql`
    SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED','PENDING_REVIEW'))::int AS settled,
           count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS terminal
    FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record'`;
  return r as { settled: number; terminal: number };
}

async function until(pred: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'krithi-cluster-'));
  const databaseUrl = inject('databaseUrl');
  engine = await startEngine({
    mode: 'cluster',
    stateDir,
    namespace: 'default',
    databaseUrl,
    databaseTag: 'nodekill',
    fresh: true,
    dynamicConfig: { 'system.enableActivityEagerExecution': true },
  });
  // Every page takes a second and at most 4 rows run at once (BATCH_WINDOW), so the 70 rows take
  // at least ~17 s: when 15 are done, the rest cannot all finish before the kill, however late
  // this process gets to look.
  site = await startFixtureSite({ port: 0, defaultFaults: false, slowMs: 1000, latencyMs: 50 });
  const { entries } = await parseManifestAll(MANIFEST);
  site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  for (const e of entries) if (e.kind === 'record') site.setFault(e.normalizedUrl, 'slow');
  env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: engine.address,
    TASK_QUEUE_PREFIX: testPrefix(),
    SITE_RATE_LIMIT: '10',
    BATCH_WINDOW: '4',
    // Every row fetches its page (the crash test may have cached these pages in the same database).
    PAGE_CACHE: 'off',
    SCRAPE_INITIAL_RETRY_MS: '200',
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    LOG_LEVEL: 'error',
    METRICS_PORT: '0',
    // Uncertain rows are decided by policy, so the batch's workflow itself reaches its end.
    REVIEW_POLICY: 'auto',
  };
  sql = createSql(databaseUrl, { max: 4 });
  connection = await Connection.connect({ address: engine.address });
  client = new Client({ connection });
}, 240_000);

afterAll(async () => {
  killWorkers(workers);
  await connection?.close();
  await engine?.stop();
  await site?.close();
  await sql?.end({ timeout: 5 });
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('when one node of a two-node Temporal cluster is SIGKILLed in the middle of a batch', () => {
  it('then the other node carries the batch to the end with exact counts and no duplicate persist', async () => {
    const config = parseConfig({ ...env, HOME: process.env.HOME });
    const service = createBatchService({ sql, client });
    startWorker();
    startWorker();
    // Both workers poll before the batch starts (a queue's pollers show in DescribeTaskQueue).
    await until(async () => {
      const d = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: `${env.TASK_QUEUE_PREFIX}-import` },
        taskQueueType: 1,
      });
      return new Set((d.pollers ?? []).map((p) => p.identity)).size >= 2;
    }, 'two workers polling', 120_000);
    // Both frontends serve the stack before the fault: the proxy handed connections to each.
    expect(Object.values(engine.proxy!.connections()).every((n) => n > 0)).toBe(true);

    const submitted = await service.submit({
      source: MANIFEST,
      createdBy: 'cluster-node-kill',
      maxBytes: 10 << 20,
      settings: { ...batchSettingsFrom(config), reconcileIntervalMs: 5_000 },
    });
    expect(submitted.existing).toBe(false);
    const { batchId } = submitted;
    expect(submitted.acceptedRows).toBe(70); // 71 records, one URL repeats in the Syama Sastri file

    await until(async () => (await counts(batchId)).terminal >= 15, '15 rows done before the kill', 180_000);
    const victim = engine.nodes[0]!;
    const atKill = await counts(batchId);
    const killedAt = Date.now();
    await victim.kill();
    expect(victim.process.signalCode).toBe('SIGKILL');
    expect(atKill.settled).toBeLessThan(submitted.acceptedRows);

    await until(async () => (await counts(batchId)).terminal > atKill.terminal + 1, 'rows completing after the kill', 180_000);
    const stallSeconds = (Date.now() - killedAt) / 1000;
    await until(async () => (await counts(batchId)).terminal === submitted.acceptedRows, 'every row terminal', 300_000);
    // The figure the benchmark reports; printed here for the record, never asserted (no timed tests).
    process.stderr.write(`[cluster-node-kill] killed ${victim.address} at ${atKill.terminal} rows done; rows completed again after ${stallSeconds.toFixed(1)} s\n`);

    const rows = await sql`SELECT status, count(*)::int AS n FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record' GROUP BY status`;
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const sum = (by.IMPORTED ?? 0) + (by.FAILED ?? 0) + (by.REJECTED ?? 0);
    expect(sum).toBe(submitted.acceptedRows);
    expect(sum + submitted.invalidRows.length + submitted.duplicates.length).toBe(submitted.total);
    const [k] = await sql`
      SELECT (SELECT count(*)::int FROM krithis WHERE created_batch_id = ${batchId}) AS krithis,
             (SELECT count(*)::int FROM audit_events WHERE batch_id = ${batchId} AND type = 'KRITHI_CREATED') AS created,
             (SELECT count(DISTINCT row_id)::int FROM audit_events WHERE batch_id = ${batchId} AND type = 'KRITHI_CREATED') AS created_rows`;
    expect(by.IMPORTED).toBeGreaterThan(50);
    expect(k!.krithis).toBe(by.IMPORTED);
    expect(k!.created).toBe(by.IMPORTED);
    expect(k!.created_rows).toBe(k!.created);

    // The batch's workflow completes, as the surviving node reports it.
    const survivor = await Connection.connect({ address: engine.nodes[1]!.address });
    try {
      const handle = new Client({ connection: survivor }).workflow.getHandle(`batch-${batchId}`);
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    } finally {
      await survivor.close();
    }
  }, 600_000);
});
