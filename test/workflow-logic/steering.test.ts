/**
 * Steering a running batch: pause (no new row starts; rows already running finish) and resume;
 * retry-failed (rows the service re-queued are started again while the batch still runs); the
 * progress query answers from a run's first moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { pauseSignal, progressQuery, resumeSignal, retryFailedSignal, reviewUpdate, rowStatusQuery } from '../../src/workflows/messages';
import { eventually, openTier, withStack, within, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

describe('when a batch is paused', () => {
  it('then the running row finishes, no new row starts until resumed, and then the batch finishes', async () => {
    const script = (line: number) => ({ scrape: line === 2 ? ('hold' as const) : ('ok' as const) });
    await withStack(tier, { rows: 3, settings: { window: 1 }, script }, async (s) => {
      const handle = await s.startBatch();
      await s.store.until(() => s.rowOf(2).status === 'SCRAPING', 'row 2 scraping');
      await handle.signal(pauseSignal);
      await eventually(() => handle.query(progressQuery), (p) => p.paused, 'the pause taken');
      s.store.release(s.batchId, 2);
      const progress = await eventually(() => handle.query(progressQuery), (p) => p.counts.IMPORTED === 1, "row 2's report");
      expect(progress).toMatchObject({ paused: true, inFlight: 0, cursor: 2 });
      // A start would follow the report within milliseconds; give it well over that to show none comes.
      await new Promise((r) => setTimeout(r, 1000));
      expect(s.rowOf(3).loads).toBe(0);
      expect((await handle.query(progressQuery)).cursor).toBe(2);
      await handle.signal(resumeSignal);
      const summary = await within(handle.result(), 10_000, 'the batch to finish');
      expect(summary.counts.IMPORTED).toBe(3);
    });
  });
});

describe('when failed rows are re-queued and retry-failed is signalled', () => {
  it('then the batch starts them again as new attempts while other rows wait for review, and finishes when all are done', async () => {
    // Row 2 fails for good (its page is gone), row 3 waits for review, row 4 imports.
    const script = (line: number) =>
      line === 2 ? { scrape: { fail: 'HTTP_NOT_FOUND' } } : line === 3 ? { review: true } : {};
    await withStack(tier, { rows: 3, script }, async (s) => {
      const handle = await s.startBatch();
      await eventually(
        () => handle.query(progressQuery),
        (p) => p.counts.FAILED === 1 && p.counts.PENDING_REVIEW === 1 && p.counts.IMPORTED === 1,
        'one failed, one in review, one imported',
      );
      expect(s.rowOf(2)).toMatchObject({ status: 'FAILED', errorType: 'HTTP_NOT_FOUND' });
      // What the service does before it signals: the page is back, the row is queued again.
      s.rowOf(2).script = {};
      expect(s.store.requeueFailed(s.batchId)).toBe(1);
      await handle.signal(retryFailedSignal, { requeued: true });
      await s.store.until(() => s.rowOf(2).status === 'IMPORTED', 'row 2 imported on its second attempt');
      expect(s.rowOf(2)).toMatchObject({ loads: 2, attempt: 2 });
      expect(await s.row(3).query(rowStatusQuery)).toBe('PENDING_REVIEW');
      await s.row(3).executeUpdate(reviewUpdate, { args: [{ decision: 'approve', reviewer: 'meera' }] });
      const summary = await within(handle.result(), 10_000, 'the batch to finish');
      expect(summary.counts).toMatchObject({ IMPORTED: 3, FAILED: 0, PENDING_REVIEW: 0 });
    });
  });
});

describe('when an operator sends a running batch the retryFailed signal bare (temporal workflow signal)', () => {
  it('then the batch re-queues its failed rows itself and runs them again as new attempts', async () => {
    const script = (line: number) => (line === 2 ? { scrape: { fail: 'HTTP_NOT_FOUND' } } : line === 3 ? { review: true } : {});
    await withStack(tier, { rows: 2, script }, async (s) => {
      const handle = await s.startBatch();
      await eventually(() => handle.query(progressQuery), (p) => p.counts.FAILED === 1 && p.counts.PENDING_REVIEW === 1, 'one failed, one in review');
      s.rowOf(2).script = {}; // the page is back
      // Nothing re-queued the row beforehand: the signal alone must.
      await handle.signal(retryFailedSignal);
      await s.store.until(() => s.rowOf(2).status === 'IMPORTED', 'row 2 imported on its second attempt');
      expect(s.rowOf(2)).toMatchObject({ attempt: 2 });
      expect(s.store.batches.get(s.batchId)).toBe('RUNNING'); // row 3 still waits
    });
  });
});

describe('when a batch is asked for its progress before it has read its counters', () => {
  it('then it answers that the counters are not read yet, and the counts once they are', async () => {
    await withStack(tier, { rows: 2 }, async (s) => {
      // The first read of the counters waits, so the run stays at its very start.
      s.store.holdCounts(s.batchId);
      const handle = await s.startBatch();
      // No retry on QueryNotRegisteredError here: the handler must be there from the first task.
      const early = await within(handle.query(progressQuery), 10_000, 'the first progress answer');
      expect(early).toMatchObject({ batchId: s.batchId, countersRead: false, inFlight: 0, cursor: 0, counts: {} });
      s.store.releaseCounts(s.batchId);
      const summary = await within(handle.result(), 10_000, 'the batch to finish');
      expect(summary.counts.IMPORTED).toBe(2);
    });
  });
});

describe('when an operator opens a batch and its rows in the Web UI', () => {
  it("then each run's Current Details say where it is: a waiting row since when and why, a failed row its error, the batch its counts", async () => {
    const script = (line: number) => (line === 2 ? { scrape: { fail: 'HTTP_NOT_FOUND' } } : line === 3 ? { review: true } : {});
    await withStack(tier, { rows: 3, script }, async (s) => {
      const handle = await s.startBatch();
      const details = async (h: { query: (q: string) => Promise<unknown> }) =>
        ((await h.query('__temporal_workflow_metadata')) as { currentDetails?: string }).currentDetails ?? '';
      await s.store.until(() => s.rowOf(3).status === 'PENDING_REVIEW' && s.rowOf(2).status === 'FAILED', 'row 3 waiting, row 2 failed');
      expect(await details(s.row(3))).toMatch(/^waiting for review since \d{4}-\d\d-\d\dT[\d:.]+Z: raga not recognised$/);
      expect(await details(s.row(2))).toMatch(/^failed at \d{4}-\d\d-\d\dT[\d:.]+Z: HTTP_NOT_FOUND — /);
      // The failed row's run is Failed (red), with its error type and message, not a green Completed.
      // (It closes just after its status is stored: wait for the close, then look.)
      const failure = await within(s.row(2).result(), 10_000, 'the failed row to close').then(
        () => undefined,
        (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : err),
      );
      expect((await s.row(2).describe()).status.name).toBe('FAILED');
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'HTTP_NOT_FOUND', message: 'HTTP_NOT_FOUND for row 2', nonRetryable: true });
      const batch = await eventually(() => details(handle as never), (d) => d.includes('1 imported'), 'the batch details with its counts');
      expect(batch).toBe('running (run 1): 1 imported, 1 waiting for review, 1 failed, 0 rejected, 0 cancelled, 0 queued, 0 in flight');
      await s.row(3).executeUpdate(reviewUpdate, { args: [{ decision: 'reject', reviewer: 'meera' }] });
      await within(handle.result(), 10_000, 'the batch to finish');
      expect(await details(handle as never)).toBe('completed (run 1): 1 imported, 0 waiting for review, 1 failed, 1 rejected, 0 cancelled, 0 queued, 0 in flight');
    });
  });
});
