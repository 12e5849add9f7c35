/**
 * Model-based test of a row's life (issue 13): seeded random sequences of what operators and
 * reviewers do — submit, review (single, bulk, two at once), pause/resume, retry-failed, terminate
 * a row's workflow, cancel — against the real stack, while the stack itself fails: worker
 * processes are SIGKILLed (and replaced, as a supervisor would) and the application's PostgreSQL
 * is restarted, orderly or as a crash. After each sequence has settled, its invariants:
 * - every row is terminal, and the batch's counts add up to its rows;
 * - no source page became two krithis, and every imported row names its krithi;
 * - the decision stored on a row is the one the API confirmed;
 * - a row workflow that completed reports the status PostgreSQL holds; a Failed run is a FAILED row.
 *
 * Sequences run MODEL_CONCURRENCY (default 16) at a time, each its own batch, so the suite runs
 * MODEL_SEQUENCES (default 200) from MODEL_SEED (default 1) in a few minutes; `npm run soak` runs
 * more. One fault every MODEL_CHAOS_EVERY (default 25) sequences started; MODEL_CHAOS=off runs none.
 * A sequence's own steps replay from its seed (`MODEL_SEED=<n> MODEL_SEQUENCES=1 MODEL_CHAOS=off`);
 * where a fault lands among concurrent sequences does not replay. Seeds that once failed are kept
 * in REGRESSION_SEEDS and always run.
 *
 * The database is a private PostgreSQL cluster (src/db/private-postgres.ts), never the suite's
 * shared server: restarting that would hit every other test. The Temporal engine is this file's own
 * too: its 16 concurrent batches are the heaviest load of the suite, and the dev server keeps its
 * state behind one SQLite connection; a red CI run once saw the shared server stop answering under
 * this file (namespace lookups timing out as "Namespace not found") and every later file fail with
 * it. On its own engine, what this file does to Temporal stays with this file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql, resetDatabase } from '../../src/db/client';
import { migrate } from '../../src/db/migrate';
import { startPrivatePostgres, type PrivatePostgres } from '../../src/db/private-postgres';
import { seedReference } from '../../src/db/reference';
import { freePort } from '../../src/net';
import { ServiceError } from '../../src/services/errors';
import { createBulkReview } from '../../src/services/bulk-review';
import { emptyCounts, isTerminal, rowWorkflowId, type RowStatus } from '../../src/shared';
import { workflowBundle } from '../../src/worker';
import { progressQuery } from '../../src/workflows/messages';
import { killWorkers, spawnWorker, type WorkerProcess } from '../support/cli';
import { startTestEngine, type TestEngine } from '../support/global-setup';
import { createHarness, manifest, unknownRaga, type Harness } from '../support/harness';

const SEQUENCES = Number(process.env.MODEL_SEQUENCES ?? 200);
const CONCURRENCY = Number(process.env.MODEL_CONCURRENCY ?? 16);
const FIRST_SEED = Number(process.env.MODEL_SEED ?? 1);
const CHAOS = process.env.MODEL_CHAOS !== 'off';
const CHAOS_EVERY = Number(process.env.MODEL_CHAOS_EVERY ?? 25);
/** Seeds that found a violation once; kept as regression tests. */
// 106 and 114 left rows unfinished for ever on the code before issue 13 (a terminated row held
// its window slot; retry-failed while its run was closing). 95 and 152 (with faults around them)
// left a batch RUNNING with QUEUED rows and no workflow: a resume reached the run that was closing
// as cancelled (now it continues as new). Seed 8 found the batch cancelled in its first workflow
// task that stayed CANCELLING; that one needs a killed worker's timing, so the workflow tier
// forces it (cancel.test.ts). Seed 68, with a worker SIGKILLed while its batch was being cancelled,
// left the batch CANCELLED over a resumed run's rows (the cancel activity's retry undid the
// resume); that too needs the kill's timing, so cancel-batch-rows.test.ts forces it.
const REGRESSION_SEEDS: number[] = [106, 114, 95, 152];

let pg: PrivatePostgres;
let temporal: TestEngine | undefined;
let h: Harness;
const workers: WorkerProcess[] = [];
const startWorker = () => {
  // Metrics listeners are per process: two workers on one host must not share a port.
  workers.push(spawnWorker({ ...h.env, METRICS_PORT: '0' }));
};

beforeAll(async () => {
  pg = startPrivatePostgres(await freePort(), 'krithi_model_test');
  await resetDatabase(pg.url, 'test');
  const sql = createSql(pg.url, { max: 2 });
  await migrate(sql);
  await seedReference(sql);
  await sql.end();
  temporal = await startTestEngine({ mode: inject('temporalMode'), databaseUrl: inject('databaseUrl'), name: 'model' });
  h = await createHarness({ address: temporal.engine.address, window: 3, databaseUrl: pg.url, workers: false });
  // Build (or find) the workflow bundle once, so the worker processes start from the cached file.
  await workflowBundle();
  startWorker();
  startWorker();
}, 240_000);
afterAll(async () => {
  killWorkers(workers);
  await h?.close();
  await temporal?.stop();
  pg?.stop();
});

/** mulberry32: small, seedable, the same sequence on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]): T | undefined => xs[Math.floor(next() * xs.length)] };
}

const APPROVE = { decision: 'approve' as const, reviewer: 'ravi', overrides: { ragaIds: ['mechakalyani'] } };
const REJECT = { decision: 'reject' as const, reviewer: 'meera' };

/**
 * The database going away under a call (a restart in progress): PostgreSQL's shutdown and
 * start-up codes, the connection's own failures. The API answers these 5xx: nothing confirmed.
 */
function isDatabaseDown(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return /^(57P0[123]|08\d\d\d|CONNECTION_(CLOSED|ENDED|DESTROYED)|CONNECT_TIMEOUT|ECONNREFUSED|ECONNRESET|EPIPE)$/.test(code);
}

/** Runs a read again while the database restarts (the test's own reads, not the system's). */
async function whileDown<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseDown(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** true when the call was confirmed; false when it was refused (or the database was down). */
const confirmedOrRefused = async (p: Promise<unknown>) => {
  try {
    await p;
    return true;
  } catch (err) {
    if (err instanceof ServiceError || isDatabaseDown(err)) return false;
    if (/not found|already completed|already closed/i.test(String((err as Error)?.message))) return false;
    throw err;
  }
};

async function runSequence(seed: number): Promise<{ log: string[]; rows: number }> {
  const r = rng(seed);
  const log: string[] = [];
  const bulk = createBulkReview({ sql: h.sql, reviews: h.reviews });
  // A mix of rows: confidently resolvable, waiting for review, and one whose page always fails.
  const n = 3 + r.int(4);
  const review = manifest(n, { raga: unknownRaga() }).trimEnd().split('\r\n');
  const plain = manifest(2 + r.int(3)).trimEnd().split('\r\n').slice(1);
  const failing = plain[0]!.split(',')[2]!;
  h.site.setFault(failing, 'server-error-always');
  const csv = `${[...review, ...plain].join('\r\n')}\r\n`;
  const window = 1 + r.int(3);
  const res = await whileDown(() => h.submit(csv, { window, reconcileIntervalMs: 1000 }));
  log.push(`seed ${seed}: ${n} review rows, ${plain.length} plain (one failing), batch ${res.batchId}`);
  const confirmed = new Map<string, 'approve' | 'reject'>();
  const rowsIn = async (...s: RowStatus[]) => (await whileDown(() => h.rows(res.batchId))).filter((x) => s.includes(x.status));

  const steps = 6 + r.int(6);
  for (let i = 0; i < steps; i++) {
    const op = r.pick(['review', 'review-race', 'pause', 'resume', 'retry-failed', 'terminate-row', 'wait', 'wait', 'cancel'])!;
    if (op === 'cancel' && r.next() < 0.6) continue; // cancel less often than the rest
    log.push(`step ${i}: ${op}`);
    if (op === 'review' || op === 'review-race') {
      const row = r.pick(await rowsIn('PENDING_REVIEW'));
      if (!row) continue;
      if (op === 'review') {
        const d = r.next() < 0.5 ? APPROVE : REJECT;
        if (await confirmedOrRefused(h.reviews.review(row.id, d))) confirmed.set(row.id, d.decision);
      } else {
        const [single, many] = await Promise.allSettled([h.reviews.review(row.id, APPROVE), bulk({ ids: [row.id] }, REJECT)]);
        if (single.status === 'fulfilled') confirmed.set(row.id, 'approve');
        if (many.status === 'fulfilled' && many.value.applied === 1) confirmed.set(row.id, 'reject');
        expect(single.status === 'fulfilled' && many.status === 'fulfilled' && many.value.applied === 1, `${log.join('; ')}: both decisions confirmed`).toBe(false);
      }
    } else if (op === 'pause') await confirmedOrRefused(h.batches.pause(res.batchId, 'ops'));
    else if (op === 'resume') await confirmedOrRefused(h.batches.resume(res.batchId, 'ops'));
    else if (op === 'retry-failed') await confirmedOrRefused(h.batches.retryFailed(res.batchId, 'ops'));
    else if (op === 'terminate-row') {
      const row = r.pick(await rowsIn('SCRAPING', 'RESOLVING', 'PERSISTING'));
      if (row) await confirmedOrRefused(h.client.workflow.getHandle(rowWorkflowId(res.batchId, row.line)).terminate('model test'));
    } else if (op === 'cancel') await confirmedOrRefused(h.batches.cancel(res.batchId, 'ops'));
    else await new Promise((done) => setTimeout(done, 200 + r.int(600)));
  }

  // Settle: resume a paused batch, reject whatever still waits, until every row has ended.
  const state = async () => {
    const rows = await h.rows(res.batchId);
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
    const wf = await h.client.workflow.getHandle(res.workflowId).describe().catch(() => null);
    const progress = await h.client.workflow.getHandle(res.workflowId).query(progressQuery).catch(() => null);
    const rowRuns = await Promise.all(
      rows.map(async (x) => `${x.line}:${x.status}/${(await h.client.workflow.getHandle(rowWorkflowId(res.batchId, x.line)).describe().catch(() => null))?.status.name ?? '-'}`),
    );
    return `batch ${batch?.status} (workflow ${wf?.status.name}, progress ${JSON.stringify(progress && { ...progress, counts: undefined })}); rows ${rowRuns.join(' ')}`;
  };
  await h
    .waitFor(
      async () => {
        try {
          const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
          if (batch?.status === 'PAUSED') await confirmedOrRefused(h.batches.resume(res.batchId, 'ops'));
          for (const row of await rowsIn('PENDING_REVIEW')) {
            const refusal = await h.reviews.review(row.id, REJECT).then(
              () => null,
              (e: unknown) => e,
            );
            if (refusal === null) confirmed.set(row.id, 'reject');
            // Its workflow was terminated while it waited: as the answer says, resume the batch.
            else if (refusal instanceof ServiceError && /no running workflow/.test(refusal.message)) await confirmedOrRefused(h.batches.resume(res.batchId, 'ops'));
            else if (!(refusal instanceof ServiceError) && !isDatabaseDown(refusal)) throw refusal;
          }
          const rows = await h.rows(res.batchId);
          return rows.every((x) => isTerminal(x.status)) && (batch?.status === 'COMPLETED' || batch?.status === 'CANCELLED');
        } catch (err) {
          if (isDatabaseDown(err)) return false;
          throw err;
        }
      },
      `${log.join('; ')}: every row to end and the batch to close`,
      240_000,
    )
    .catch(async (err: Error) => {
      throw new Error(`${err.message} — at the end: ${await whileDown(state)}`);
    });

  // Invariants.
  const rows = await whileDown(
    () => h.sql`
    SELECT id::text, line, status, review_decision, krithi_id, source_key FROM import_rows
    WHERE batch_id = ${res.batchId} AND kind = 'record' ORDER BY line`,
  );
  const counts = emptyCounts();
  for (const row of rows) counts[row.status as RowStatus] += 1;
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(n + plain.length);
  for (const row of rows) {
    const where = `${log.join('; ')}: line ${row.line}`;
    expect(isTerminal(row.status as RowStatus), where).toBe(true);
    if (row.status === 'IMPORTED') expect(row.krithi_id, where).not.toBeNull();
    const want = confirmed.get(row.id as string);
    if (want) expect(row.review_decision, `${where}: stored decision = confirmed`).toBe(want);
    const [{ n: krithis }] = (await whileDown(() => h.sql`SELECT count(*)::int AS n FROM krithis WHERE source_key = ${row.source_key}`)) as never as [{ n: number }];
    expect(krithis, `${where}: one krithi per source page`).toBeLessThanOrEqual(1);
    const d = await h.client.workflow.getHandle(rowWorkflowId(res.batchId, row.line as number)).describe().catch(() => null);
    // A run that failed is a row that failed (its own FAILED, or the reconcile step's for a run the
    // database outlived); a FAILED row's run never looks like a success.
    if (d?.status.name === 'FAILED') expect(row.status, `${where}: a Failed run = a FAILED row`).toBe('FAILED');
    if (d?.status.name === 'COMPLETED') {
      const result = (await h.client.workflow.getHandle(rowWorkflowId(res.batchId, row.line as number)).result()) as { status: RowStatus };
      expect(result.status, `${where}: the workflow's view = PostgreSQL's`).toBe(row.status);
    }
  }
  h.site.setFault(failing, 'none');
  return { log, rows: rows.length };
}

type Fault = 'sigkill-worker' | 'restart-postgres' | 'crash-postgres';

/** Injects one fault and returns when the stack has been given back what a supervisor restores. */
async function injectFault(fault: Fault): Promise<void> {
  if (fault === 'sigkill-worker') {
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const victim = live[Math.floor(Math.random() * live.length)];
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    startWorker();
  } else await pg.restart(fault === 'crash-postgres' ? 'immediate' : 'fast');
}

describe('when random sequences of submit, review, pause/resume, retry-failed, terminate and cancel run against the real stack while workers are killed and PostgreSQL restarts', () => {
  it(`then every sequence (${SEQUENCES} seeded, ${REGRESSION_SEEDS.length} regression seeds) keeps every invariant`, async () => {
    const seeds = [...REGRESSION_SEEDS, ...Array.from({ length: SEQUENCES }, (_, i) => FIRST_SEED + i)];
    const faultRng = rng(FIRST_SEED ^ 0x5eed);
    const failures: string[] = [];
    // At once and in full on stderr: a run that fails keeps its reason even where only stderr is kept.
    const fail = (finding: string) => {
      failures.push(finding);
      process.stderr.write(`[model] ${finding}\n`);
    };
    const faults: string[] = [];
    let next = 0;
    let rows = 0;
    let faultsDue = Promise.resolve();
    const began = Date.now();
    const lane = async () => {
      while (next < seeds.length) {
        const seed = seeds[next++]!;
        // One fault every CHAOS_EVERY sequences started, while the others run on.
        if (CHAOS && next % CHAOS_EVERY === 0) {
          const fault = faultRng.pick<Fault>(['sigkill-worker', 'restart-postgres', 'crash-postgres'])!;
          faults.push(`${fault} at sequence ${next}`);
          faultsDue = faultsDue.then(() => injectFault(fault)).catch((err: Error) => fail(`${fault} failed: ${err.message}`));
        }
        try {
          const done = await runSequence(seed);
          rows += done.rows;
        } catch (err) {
          fail(`seed ${seed} broke an invariant: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, seeds.length) }, lane));
    await faultsDue;
    // For the record (never asserted: no timed tests).
    process.stderr.write(
      `[model] ${seeds.length} sequences, ${rows} rows, ${CONCURRENCY} at a time, faults: ${faults.join(', ') || 'none'}; ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );
    const workerLogs = workers.filter((w) => w.child.signalCode !== 'SIGKILL').map((w) => w.log()).join('\n');
    expect(failures.length, `${failures.join('\n')}\nworker stderr:\n${workerLogs}`).toBe(0);
    if (CHAOS && seeds.length >= CHAOS_EVERY) expect(faults.length).toBeGreaterThan(0);
  }, 1_200_000);
});
