/**
 * `npm run histories:record`: runs BatchImport and KrithiImport for real (a throwaway dev server,
 * the database `krithi_import_histories`, the offline fixture site, in-process workers) through
 * the scenarios the replay test guards — happy path, review, retry, continue-as-new, cancel — and
 * saves each workflow's history as JSON in test/fixtures/histories/. Re-run it after every
 * intended workflow change; test/workflows/replay.test.ts replays them against the current code.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { createServer } from 'node:net';
import { parseConfig } from '../src/config';
import { startFixtureSite } from '../src/fixture-site/server';
import { parseManifestAll } from '../src/manifest/parse';
import { createBatchService } from '../src/services/batches';
import { createReviewService } from '../src/services/reviews';
import { batchSettingsFrom } from '../src/services/settings';
import { prepareDatabase } from '../src/stack';
import { batchWorkflowId, rowWorkflowId, type BatchSettings } from '../src/shared';
import { ensureTemporalBinary, startDevServer } from '../src/temporal/dev-server';
import { registerSearchAttributes } from '../src/temporal/namespace-setup';
import { createWorkers } from '../src/worker';

const OUT = fileURLToPath(new URL('../test/fixtures/histories/', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
// A worktree may share another checkout's node_modules through a link: its stack frames name that
// checkout's path, which is stripped too.
const MODULES_ROOT = `${dirname(realpathSync(join(REPO_ROOT, 'node_modules')))}/`;
const SITES = ['guru-guha.blogspot.com', 'syamakrishnavaibhavam.blogspot.com', 'thyagaraja-vaibhavam.blogspot.com'];
const DATABASE_URL = process.env.HISTORIES_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/krithi_import_histories';
/** A free port for the throwaway dev server. */
const PORT = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});

const dir = mkdtempSync(join(tmpdir(), 'krithi-histories-'));
const bin = ensureTemporalBinary();
const server = await startDevServer({ bin, dbFile: join(dir, 'temporal.db'), port: PORT, headless: true, synchronous: 'OFF', logFile: join(dir, 'temporal.log') });
const site = await startFixtureSite({ port: 0, latencyMs: 0, defaultFaults: false });
const sql = await prepareDatabase(DATABASE_URL, { max: 10 });
const connection = await Connection.connect({ address: server.address });
await registerSearchAttributes(connection, 'default');
const client = new Client({ connection });
const config = parseConfig({
  DATABASE_URL,
  TEMPORAL_ADDRESS: server.address,
  TASK_QUEUE_PREFIX: 'histories',
  SITE_RATE_LIMIT: '100',
  SCRAPE_MAX_ATTEMPTS: '3',
  SCRAPE_INITIAL_RETRY_MS: '100',
  FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
  WORKER_SHUTDOWN_GRACE_MS: '2000',
  LOG_LEVEL: 'error',
  METRICS_PORT: '0',
  HOME: process.env.HOME,
});
const workers = await createWorkers({ config, address: server.address, sql });
const running = workers.run();
const batches = createBatchService({ sql, client });
const reviews = createReviewService({ sql, client });
const base: BatchSettings = { ...batchSettingsFrom(config), reconcileIntervalMs: 2_000 };
const run = Date.now().toString(36);

async function submit(name: string, rows: { raga?: string; fault?: Parameters<typeof site.setFault>[1] }[], settings: Partial<BatchSettings> = {}) {
  const lines = ['Krithi,Raga,Hyperlink'];
  rows.forEach((r, i) => lines.push(`${name} ${run} ${i},${r.raga ?? 'kalyANi'},https://${SITES[i % 3]}/2024/09/${run}-${name}-${i}.html`));
  const csv = `${lines.join('\r\n')}\r\n`;
  const { entries } = await parseManifestAll(csv);
  site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  rows.forEach((r, i) => r.fault && site.setFault(`https://${SITES[i % 3]}/2024/09/${run}-${name}-${i}.html`, r.fault));
  return batches.submit({ source: csv, createdBy: 'histories', maxBytes: 1 << 20, settings: { ...base, ...settings } });
}

async function until(fn: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 120_000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const statusOf = async (batchId: string, line: number) =>
  (await sql`SELECT status FROM import_rows WHERE batch_id = ${batchId} AND line = ${line}`)[0]?.status as string | undefined;

/**
 * The history as JSON from protobufjs's `toObject` (enums by name, 64-bit numbers and bytes as
 * strings), which `History.fromObject` reads back exactly. The SDK's historyToJSON/historyFromJSON
 * trip over the two copies of protobufjs in this install ("type must be a Type").
 */
async function save(name: string, workflowId: string, runId?: string) {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const json = proto.temporal.api.history.v1.History.toObject(history as proto.temporal.api.history.v1.History, {
    longs: String,
    enums: String,
    bytes: String,
  });
  // Stack traces name this checkout's absolute path: keep fixtures relative to the repo.
  const text = JSON.stringify(json, null, 1).replaceAll(REPO_ROOT, '').replaceAll(MODULES_ROOT, '');
  writeFileSync(join(OUT, `${name}.json`), `${text}\n`);
  console.log(`recorded ${name} (${history.events?.length ?? 0} events)`);
}

try {
  // Happy path: three rows imported, the batch completes.
  const happy = await submit('happy', [{}, {}, {}]);
  console.log(`happy batch ${happy.batchId} on ${server.address}`);
  await client.workflow.getHandle(happy.workflowId).result();
  await save('batch-happy', happy.workflowId);
  await save('row-happy', rowWorkflowId(happy.batchId, 2));

  // Review: a row the resolver cannot match waits, then a reviewer approves it with a raga.
  const review = await submit('review', [{ raga: `qwzx${run} rAgaM` }]);
  await until(async () => (await statusOf(review.batchId, 2)) === 'PENDING_REVIEW', 'row in review');
  const [row] = await sql`SELECT id::text FROM import_rows WHERE batch_id = ${review.batchId} AND line = 2`;
  await reviews.review(row!.id as string, { decision: 'approve', reviewer: 'histories', overrides: { ragaIds: ['mechakalyani'] } });
  await client.workflow.getHandle(review.workflowId).result();
  await save('batch-review', review.workflowId);
  await save('row-review', rowWorkflowId(review.batchId, 2));

  // Retry: a scrape that fails once and is retried; a row that fails, then retry-failed.
  const retry = await submit('retry', [{ fault: 'server-error-once' }, { fault: 'not-found' }]);
  await until(async () => (await statusOf(retry.batchId, 3)) === 'FAILED' && (await statusOf(retry.batchId, 2)) === 'IMPORTED', 'one imported, one failed');
  await client.workflow.getHandle(retry.workflowId).result();
  site.setFault(`https://${SITES[1]}/2024/09/${run}-retry-1.html`, 'none');
  await batches.retryFailed(retry.batchId, 'histories');
  await until(async () => (await statusOf(retry.batchId, 3)) === 'IMPORTED', 'retried row imported');
  await client.workflow.getHandle(retry.workflowId).result();
  await save('batch-retry-failed', retry.workflowId);
  await save('row-scrape-retried', rowWorkflowId(retry.batchId, 2));
  await save('row-retry-failed', rowWorkflowId(retry.batchId, 3));

  // Continue-as-new: 12 rows, 10 children per run.
  const can = await submit('can', Array.from({ length: 12 }, () => ({})), { rowsPerRun: 10, window: 5 });
  const first = (await client.workflow.getHandle(can.workflowId).describe()).runId;
  await client.workflow.getHandle(can.workflowId).result();
  await save('batch-continue-as-new-run1', can.workflowId, first);
  await save('batch-continue-as-new-run2', can.workflowId);

  // Cancel: rows waiting for review when the batch is cancelled.
  const cancel = await submit('cancel', [{ raga: `qwzx${run}c rAgaM` }, {}]);
  await until(async () => (await statusOf(cancel.batchId, 2)) === 'PENDING_REVIEW', 'row in review');
  await batches.cancel(cancel.batchId, 'histories');
  await until(async () => (await statusOf(cancel.batchId, 2)) === 'CANCELLED', 'row cancelled');
  await client.workflow.getHandle(cancel.workflowId).result().catch(() => undefined);
  await until(async () => (await client.workflow.getHandle(batchWorkflowId(cancel.batchId)).describe()).status.name !== 'RUNNING', 'batch closed');
  await save('batch-cancelled', cancel.workflowId);
  await save('row-cancelled', rowWorkflowId(cancel.batchId, 2));
} finally {
  workers.shutdown();
  await running.catch(() => {});
  await connection.close();
  await site.close();
  await sql.end({ timeout: 5 });
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
