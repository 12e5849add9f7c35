/**
 * Model-based test of a row's life (issue 13): seeded random sequences of what operators and
 * reviewers do — submit, review (single, bulk, two at once), pause/resume, retry-failed, terminate
 * a row's workflow, cancel — against the real stack, then the invariants every sequence must
 * keep once the batch has settled:
 * - every row is terminal, and the batch's counts add up to its rows;
 * - no source page became two krithis, and every imported row names its krithi;
 * - the decision stored on a row is the one the API confirmed;
 * - a row workflow that completed reports the status PostgreSQL holds.
 *
 * A sequence is replayable from its seed: `MODEL_SEED=<n> MODEL_SEQUENCES=1`. The suite runs
 * MODEL_SEQUENCES (default 4) sequences from MODEL_SEED (default 1); a soak run sets more.
 * Seeds that once failed are kept in REGRESSION_SEEDS and always run.
 * Not covered here (see the crash tests): SIGKILL of a worker, a PostgreSQL restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/services/errors';
import { createBulkReview } from '../../src/services/bulk-review';
import { emptyCounts, isTerminal, rowWorkflowId, type RowStatus } from '../../src/shared';
import { progressQuery } from '../../src/workflows/messages';
import { createHarness, manifest, unknownRaga, type Harness } from '../support/harness';

const SEQUENCES = Number(process.env.MODEL_SEQUENCES ?? 4);
const FIRST_SEED = Number(process.env.MODEL_SEED ?? 1);
/** Seeds that found a violation once; kept as regression tests. */
// 106 and 114 left rows unfinished for ever on the code before issue 13 (a terminated row held
// its window slot; retry-failed while its run was closing).
const REGRESSION_SEEDS: number[] = [106, 114];

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ window: 3 });
});
afterAll(async () => {
  await h?.close();
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

const ignoreRefusal = async (p: Promise<unknown>) => {
  try {
    await p;
    return true;
  } catch (err) {
    if (err instanceof ServiceError) return false;
    if (/not found|already completed|already closed/i.test(String((err as Error)?.message))) return false;
    throw err;
  }
};

async function runSequence(seed: number): Promise<string[]> {
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
  const res = await h.submit(csv, { window: 1 + r.int(3), reconcileIntervalMs: 1000 });
  log.push(`seed ${seed}: ${n} review rows, ${plain.length} plain (one failing), batch ${res.batchId}`);
  const confirmed = new Map<string, 'approve' | 'reject'>();
  const rowsIn = async (...s: RowStatus[]) => (await h.rows(res.batchId)).filter((x) => s.includes(x.status));

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
        if (await ignoreRefusal(h.reviews.review(row.id, d))) confirmed.set(row.id, d.decision);
      } else {
        const [single, many] = await Promise.allSettled([h.reviews.review(row.id, APPROVE), bulk({ ids: [row.id] }, REJECT)]);
        if (single.status === 'fulfilled') confirmed.set(row.id, 'approve');
        if (many.status === 'fulfilled' && many.value.applied === 1) confirmed.set(row.id, 'reject');
        expect(single.status === 'fulfilled' && many.status === 'fulfilled' && many.value.applied === 1, `${log.join('; ')}: both decisions confirmed`).toBe(false);
      }
    } else if (op === 'pause') await ignoreRefusal(h.batches.pause(res.batchId, 'ops'));
    else if (op === 'resume') await ignoreRefusal(h.batches.resume(res.batchId, 'ops'));
    else if (op === 'retry-failed') await ignoreRefusal(h.batches.retryFailed(res.batchId, 'ops'));
    else if (op === 'terminate-row') {
      const row = r.pick(await rowsIn('SCRAPING', 'RESOLVING', 'PERSISTING'));
      if (row) await ignoreRefusal(h.client.workflow.getHandle(rowWorkflowId(res.batchId, row.line)).terminate('model test'));
    } else if (op === 'cancel') await ignoreRefusal(h.batches.cancel(res.batchId, 'ops'));
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
  await h.waitFor(
    async () => {
      const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
      if (batch?.status === 'PAUSED') await ignoreRefusal(h.batches.resume(res.batchId, 'ops'));
      for (const row of await rowsIn('PENDING_REVIEW')) {
        const refusal = await h.reviews.review(row.id, REJECT).then(() => null, (e: unknown) => e);
        if (refusal === null) confirmed.set(row.id, 'reject');
        // Its workflow was terminated while it waited: as the answer says, resume the batch.
        else if (refusal instanceof ServiceError && /no running workflow/.test(refusal.message)) await ignoreRefusal(h.batches.resume(res.batchId, 'ops'));
        else if (!(refusal instanceof ServiceError)) throw refusal;
      }
      const rows = await h.rows(res.batchId);
      return rows.every((x) => isTerminal(x.status)) && (batch?.status === 'COMPLETED' || batch?.status === 'CANCELLED');
    },
    `${log.join('; ')}: every row to end and the batch to close`,
    120_000,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message} — at the end: ${await state()}`);
  });

  // Invariants.
  const rows = await h.sql`
    SELECT id::text, line, status, review_decision, krithi_id, source_key FROM import_rows
    WHERE batch_id = ${res.batchId} AND kind = 'record' ORDER BY line`;
  const counts = emptyCounts();
  for (const row of rows) counts[row.status as RowStatus] += 1;
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(n + plain.length);
  for (const row of rows) {
    const where = `${log.join('; ')}: line ${row.line}`;
    expect(isTerminal(row.status as RowStatus), where).toBe(true);
    if (row.status === 'IMPORTED') expect(row.krithi_id, where).not.toBeNull();
    const want = confirmed.get(row.id as string);
    if (want) expect(row.review_decision, `${where}: stored decision = confirmed`).toBe(want);
    const [{ n: krithis }] = (await h.sql`SELECT count(*)::int AS n FROM krithis WHERE source_key = ${row.source_key}`) as never as [{ n: number }];
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
  return log;
}

describe('when random sequences of submit, review, pause/resume, retry-failed, terminate and cancel run against the real stack', () => {
  const seeds = [...REGRESSION_SEEDS, ...Array.from({ length: SEQUENCES }, (_, i) => FIRST_SEED + i)];
  it.each(seeds)('then seed %i keeps every invariant', async (seed) => {
    await runSequence(seed);
  }, 240_000);
});
