/**
 * The three real manifests (1,240 records) against the fixture site, with the worker SIGKILLed
 * mid-import and started again: every row ends terminal or awaiting review, the counts add up,
 * no krithi and no audit event is stored twice, and re-submitting a file returns its batch.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { parseManifestAll } from '../../src/manifest/parse';
import { createBatchService } from '../../src/services/batches';
import { batchSettingsFrom } from '../../src/services/settings';
import { killWorkers, spawnWorker, type WorkerProcess } from '../support/cli';
import { SITES, testPrefix } from '../support/harness';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MANIFESTS = ['Dikshitar-Krithi-For-Import.csv', 'Syama-Sastri-Krithi-For-Import.csv', 'Thyagaraja-Krithi-For-Import.csv'].map(
  (f) => `${ROOT}data/manifests/${f}`,
);

let site: FixtureSite;
let sql: Sql;
let client: Client;
let connection: Connection;
let env: Record<string, string>;
const workers: WorkerProcess[] = [];
const startWorker = () => {
  const w = spawnWorker(env);
  workers.push(w);
  return w;
};

async function settledCount(batchIds: string[]): Promise<{ settled: number; terminal: number; total: number }> {
  const [r] = await sql`
    SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED','PENDING_REVIEW'))::int AS settled,
           count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS terminal,
           count(*)::int AS total
    FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND kind = 'record'`;
  return r as never;
}

async function until(pred: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  site = await startFixtureSite({ port: 0, defaultFaults: true, slowMs: 1000 });
  for (const file of MANIFESTS) {
    const { entries } = await parseManifestAll(readFileSync(file));
    site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  }
  env = {
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE_PREFIX: testPrefix(),
    SITE_RATE_LIMIT: '100',
    SCRAPE_INITIAL_RETRY_MS: '200',
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    LOG_LEVEL: 'error',
    // Metrics endpoints are per process; the spawned workers must not fight over a fixed port.
    METRICS_PORT: '0',
  };
  sql = createSql(env.DATABASE_URL!, { max: 4 });
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  client = new Client({ connection });
});

afterAll(async () => {
  killWorkers(workers);
  await connection?.close();
  await site?.close();
  await sql?.end({ timeout: 5 });
});

describe('when the worker is killed in the middle of importing the three real manifests', () => {
  it('then after a restart every row settles exactly once and the counts add up', async () => {
    const config = parseConfig({ ...env, HOME: process.env.HOME });
    const service = createBatchService({ sql, client });
    const settings = { ...batchSettingsFrom(config), reconcileIntervalMs: 5_000 };

    const first = startWorker();
    const submitted = [];
    for (const file of MANIFESTS) {
      submitted.push(
        await service.submit({ source: readFileSync(file), createdBy: 'crash-test', maxBytes: 10 << 20, settings }),
      );
    }
    // New batches, not earlier ones answered for byte-identical manifests.
    expect(submitted.map((s) => s.existing)).toEqual([false, false, false]);
    const batchIds = submitted.map((s) => s.batchId);
    const records = submitted.reduce((n, s) => n + s.total, 0);
    expect(records).toBe(1240);
    const accepted = submitted.reduce((n, s) => n + s.acceptedRows, 0);
    expect(accepted).toBe(1239); // one URL repeats in the Syama Sastri file

    // Kill it once a good part of the work is done, but well before the end.
    await until(async () => (await settledCount(batchIds)).terminal >= 250, '250 rows done before the kill', 240_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const atKill = await settledCount(batchIds);
    expect(atKill.settled).toBeLessThan(accepted);

    const second = startWorker();
    await until(async () => (await settledCount(batchIds)).settled === accepted, 'every row settled after restart', 420_000);

    // Counts add up, per batch and in all.
    for (const s of submitted) {
      const rows = await sql`
        SELECT status, count(*)::int AS n FROM import_rows WHERE batch_id = ${s.batchId} AND kind = 'record' GROUP BY status`;
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
      const sum = (by.IMPORTED ?? 0) + (by.PENDING_REVIEW ?? 0) + (by.FAILED ?? 0) + (by.REJECTED ?? 0);
      expect(sum + s.invalidRows.length + s.duplicates.length).toBe(s.total);
    }
    // No krithi stored twice: one per imported row's source, and one creation event each.
    const [k] = await sql`
      SELECT (SELECT count(*)::int FROM krithis WHERE created_batch_id = ANY(${batchIds}::text[])) AS krithis,
             (SELECT count(*)::int FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND status = 'IMPORTED') AS imported,
             (SELECT count(*)::int FROM audit_events WHERE batch_id = ANY(${batchIds}::text[]) AND type = 'KRITHI_CREATED') AS created,
             (SELECT count(DISTINCT row_id)::int FROM audit_events WHERE batch_id = ANY(${batchIds}::text[]) AND type = 'KRITHI_CREATED') AS created_rows`;
    expect(k!.imported).toBeGreaterThan(1000);
    expect(k!.krithis).toBe(k!.imported);
    expect(k!.created).toBe(k!.imported);
    expect(k!.created_rows).toBe(k!.created);
    // No status change audited twice for the same row and target within one workflow run.
    const [dupAudit] = await sql`
      SELECT count(*)::int AS n FROM (
        SELECT row_id, data->>'to', event_key FROM audit_events
        WHERE batch_id = ANY(${batchIds}::text[]) GROUP BY 1, 2, 3 HAVING count(*) > 1) d`;
    expect(dupAudit!.n).toBe(0);

    // Re-submitting a file returns its batch.
    const again = await service.submit({ source: readFileSync(MANIFESTS[1]!), createdBy: 'crash-test', maxBytes: 10 << 20, settings });
    expect(again.existing).toBe(true);
    expect(again.batchId).toBe(submitted[1]!.batchId);

    // The restarted worker drains and exits 0 on SIGTERM.
    second.child.kill('SIGTERM');
    expect((await second.exited).code, second.log()).toBe(0);
  }, 900_000);
});
