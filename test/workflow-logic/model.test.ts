/**
 * Model-based sequences of the row state machine: seeded random sequences of review (by update and
 * by signal, valid and invalid), cancel of a row, pause, resume and retry-failed against the real
 * workflows with stub activities, each step checked against a model of where every row must end
 * up, and these invariants checked after every step:
 *   - a row that ended is never reopened by a workflow (only the service's retry-failed re-queues);
 *   - no more than `window` rows active at once, and none counted in flight once all is quiet;
 *   - the batch's own counters equal the rows' statuses once all is quiet (while it runs);
 *   - a row waiting for review says so when asked.
 * A failure names its seed: `MODEL_SEED=<seed>` replays that one sequence; `MODEL_SEQUENCES=<n>`
 * runs more (default 2, each a few seconds, to keep the tier fast); `MODEL_TRACE=1` prints how
 * long each step took to settle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isTerminal, WorkflowErrorType, type ReviewDecision, type RowStatus } from '../../src/shared';
import {
  pauseSignal,
  progressQuery,
  resumeSignal,
  retryFailedSignal,
  reviewSignal,
  reviewUpdate,
  rowStatusQuery,
} from '../../src/workflows/messages';
import { eventually, openTier, withStack, within, type Stack, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

const ROWS = 4;
const STEPS = 7;
const WINDOW = 2;
const seeds = process.env.MODEL_SEED
  ? [Number(process.env.MODEL_SEED)]
  : Array.from({ length: Number(process.env.MODEL_SEQUENCES ?? 2) }, (_, i) => 1000 + i);

/** mulberry32: a small seeded generator, so a sequence replays exactly from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Choice = 'approve' | 'reject' | 'invalid';
type Op =
  | { kind: 'update' | 'signal'; line: number; choice: Choice }
  | { kind: 'cancelRow'; line: number }
  | { kind: 'pause' | 'resume' | 'retryFailed' };

function decisionFor(choice: Choice): ReviewDecision {
  if (choice === 'invalid') return { decision: 'approve', reviewer: '' };
  return { decision: choice, reviewer: 'model' };
}

function nextOp(rnd: () => number): Op {
  const line = 2 + Math.floor(rnd() * ROWS);
  const choice: Choice = (['approve', 'reject', 'invalid'] as const)[Math.floor(rnd() * 3)]!;
  const r = rnd();
  if (r < 0.3) return { kind: 'update', line, choice };
  if (r < 0.5) return { kind: 'signal', line, choice };
  if (r < 0.6) return { kind: 'cancelRow', line };
  if (r < 0.72) return { kind: 'pause' };
  if (r < 0.84) return { kind: 'resume' };
  return { kind: 'retryFailed' };
}

class Model {
  expected = new Map<number, RowStatus>();
  paused = false;
  refusedSignals = new Map<number, number>();
  /** Where a row goes when (re)started: every row needs a reviewer once its page is read. */
  started(): RowStatus {
    return 'PENDING_REVIEW';
  }
  open(): boolean {
    return [...this.expected.values()].some((s) => !isTerminal(s));
  }
}

async function runSequence(s: Stack, seed: number, log: string[]) {
  const rnd = random(seed);
  const model = new Model();
  // About a third of the rows fail their first scrape for good (the page was gone).
  for (const r of s.store.batchRows(s.batchId)) {
    const fails = rnd() < 0.35;
    r.script = { review: true, ...(fails ? { scrape: { fail: 'HTTP_GONE' } } : {}) };
    model.expected.set(r.line, fails ? 'FAILED' : model.started());
  }
  const batch = await s.startBatch();
  let batchOpen = true;

  const settle = async (after: string) => {
    const t0 = Date.now();
    try {
      await settleNow(after);
    } finally {
      if (process.env.MODEL_TRACE) console.log(`seed ${seed} settle ${after}: ${Date.now() - t0} ms`);
    }
  };
  const settleNow = async (after: string) => {
    const what = `seed ${seed}, after ${after}: rows as the model says`;
    await s.store.until(
      () => s.store.batchRows(s.batchId).every((r) => r.status === model.expected.get(r.line)),
      `${what} (model ${JSON.stringify([...model.expected])}, rows ${JSON.stringify(s.store.batchRows(s.batchId).map((r) => [r.line, r.status]))})`,
    );
    // A row's workflow closes shortly after its last write (it waits for its report to go out).
    for (const r of s.store.batchRows(s.batchId).filter((x) => isTerminal(x.status) && x.loads > 0))
      await eventually(
        () => s.row(r.line).describe(),
        (d) => d.status.name !== 'RUNNING',
        `seed ${seed}, after ${after}: row ${r.line}'s workflow closed`,
      );
    // A row that ended was never reopened by a workflow.
    const reopened = s.store.changes.filter((c) => isTerminal(c.from) && !c.byService && c.from !== c.to);
    expect(reopened, `seed ${seed}: reopened rows`).toEqual([]);
    expect(s.store.maxActive.get(s.batchId) ?? 0, `seed ${seed}: most rows active at once`).toBeLessThanOrEqual(WINDOW);
    if (!model.open()) {
      const summary = await within(batch.result(), 10_000, `seed ${seed}: the batch to complete once every row ended`);
      batchOpen = false;
      const counts = s.store.counts(s.batchId).byStatus;
      expect(summary.counts, `seed ${seed}: the summary's counts`).toEqual(counts);
      return;
    }
    const quiet = await eventually(
      () => batch.query(progressQuery),
      (p) => p.inFlight === 0 && p.paused === model.paused && (model.paused || sameCounts(p.counts, s.store.counts(s.batchId).byStatus)),
      `seed ${seed}, after ${after}: the batch quiet, its counters equal to the rows'`,
    );
    expect(quiet.inFlight).toBe(0);
    for (const r of s.store.batchRows(s.batchId).filter((x) => x.status === 'PENDING_REVIEW'))
      expect(await s.row(r.line).query(rowStatusQuery), `seed ${seed}: row ${r.line} asked`).toBe('PENDING_REVIEW');
  };

  await settle('start');
  for (let step = 0; step < STEPS && batchOpen; step++) {
    const op = nextOp(rnd);
    log.push(JSON.stringify(op));
    const at = `step ${step} ${JSON.stringify(op)}`;
    if (op.kind === 'update' || op.kind === 'signal') {
      const waiting = model.expected.get(op.line) === 'PENDING_REVIEW';
      const d = decisionFor(op.choice);
      if (op.kind === 'update') {
        const outcome = await s
          .row(op.line)
          .executeUpdate(reviewUpdate, { args: [d] })
          .then(
            (res) => ({ res }),
            (err: unknown) => ({ err }),
          );
        if (!waiting) expect('err' in outcome, `${at}: an update to a row not in review is refused`).toBe(true);
        else if (op.choice === 'invalid') {
          expect('err' in outcome && outcome.err instanceof WorkflowUpdateFailedError, `${at}: refused`).toBe(true);
          const cause = (outcome as { err: WorkflowUpdateFailedError }).err.cause as ApplicationFailure;
          expect(cause.type).toBe(WorkflowErrorType.INVALID_DECISION);
        } else expect(outcome, at).toEqual({ res: { status: op.choice === 'approve' ? 'PERSISTING' : 'REJECTED' } });
      } else {
        const sent = await s
          .row(op.line)
          .signal(reviewSignal, d)
          .then(
            () => true,
            () => false,
          );
        // A row not in review has no running workflow here (it ended, or waits QUEUED while paused).
        expect(sent, `${at}: the signal reached a running row`).toBe(waiting);
        if (waiting && op.choice === 'invalid') {
          const n = (model.refusedSignals.get(op.line) ?? 0) + 1;
          model.refusedSignals.set(op.line, n);
          const rowId = s.rowOf(op.line).rowId;
          await s.store.until(
            () => s.store.audits.filter((a) => a.rowId === rowId && a.type === 'REVIEW_SIGNAL_REFUSED').length === n,
            `${at}: the refusal audited`,
          );
        }
      }
      if (waiting && op.choice !== 'invalid') model.expected.set(op.line, op.choice === 'approve' ? 'IMPORTED' : 'REJECTED');
    } else if (op.kind === 'cancelRow') {
      const waiting = model.expected.get(op.line) === 'PENDING_REVIEW';
      const sent = await s
        .row(op.line)
        .cancel()
        .then(
          () => true,
          () => false,
        );
      // A cancel of a closed workflow may be accepted or refused; the row's status is what counts.
      if (waiting) {
        expect(sent, `${at}: the cancel reached the waiting row`).toBe(true);
        model.expected.set(op.line, 'CANCELLED');
      }
    } else if (op.kind === 'pause' || op.kind === 'resume') {
      await batch.signal(op.kind === 'pause' ? pauseSignal : resumeSignal);
      model.paused = op.kind === 'pause';
      if (!model.paused) for (const [line, st] of model.expected) if (st === 'QUEUED') model.expected.set(line, model.started());
    } else {
      // What the service does: failed rows back to the queue (their pages are back), then the signal.
      for (const r of s.store.batchRows(s.batchId)) if (r.status === 'FAILED') r.script = { review: true };
      // The service signals only when it re-queued something.
      if (s.store.requeueFailed(s.batchId) > 0) await batch.signal(retryFailedSignal);
      for (const [line, st] of model.expected) if (st === 'FAILED') model.expected.set(line, model.paused ? 'QUEUED' : model.started());
    }
    await settle(at);
  }

  // The end: resume, re-queue what failed, approve whatever waits, until the batch completes.
  if (batchOpen) {
    if (model.paused) {
      await batch.signal(resumeSignal);
      model.paused = false;
      for (const [line, st] of model.expected) if (st === 'QUEUED') model.expected.set(line, model.started());
      await settle('resume at the end');
    }
    for (const [line, st] of model.expected) {
      if (st !== 'PENDING_REVIEW' || !batchOpen) continue;
      await s.row(line).executeUpdate(reviewUpdate, { args: [decisionFor('approve')] });
      model.expected.set(line, 'IMPORTED');
      await settle(`approving row ${line} at the end`);
    }
    if (batchOpen) await settle('the end');
  }
  expect(batchOpen, `seed ${seed}: the batch completed`).toBe(false);
}

function sameCounts(a: Record<RowStatus, number>, b: Record<RowStatus, number>): boolean {
  return Object.keys(b).every((k) => a[k as RowStatus] === b[k as RowStatus]);
}

describe('when random sequences of review, cancel, pause, resume and retry-failed run against a batch', () => {
  it.each(seeds)('then with seed %i every step ends where the model says and the invariants hold', async (seed) => {
    const log: string[] = [];
    await withStack(tier, { rows: ROWS, settings: { window: WINDOW } }, async (s) => {
      try {
        await runSequence(s, seed, log);
      } catch (err) {
        (err as Error).message += `\n  replay: MODEL_SEED=${seed}\n  ops: ${log.join(' → ')}`;
        throw err;
      }
    });
  });
});
