/**
 * Cancelling: a cancelled batch reaches every unfinished row — scraping, waiting for review (which
 * the batch no longer tracks), not yet started — and each ends CANCELLED; a row cancelled while it
 * waits for review ends CANCELLED too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { WORKFLOW_TYPES, batchWorkflowId } from '../../src/shared';
import type { BatchImport } from '../../src/workflows/batch-import';
import { progressQuery, resumeSignal, rowStatusQuery } from '../../src/workflows/messages';
import { eventually, openTier, withStack, within, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  return within(p, 10_000, 'the workflow to close').then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : err),
  );
}

describe('when a batch is cancelled', () => {
  it('then rows scraping, rows waiting for review and rows never started all end CANCELLED', async () => {
    // Row 2 waits for review; rows 3 and 4 are held scraping (the window of 2); rows 5 and 6 are queued.
    const script = (line: number) => (line === 2 ? { review: true } : { scrape: 'hold' as const });
    await withStack(tier, { rows: 5, settings: { window: 2 }, script }, async (s) => {
      const handle = await s.startBatch();
      await eventually(
        () => handle.query(progressQuery),
        (p) => p.counts.PENDING_REVIEW === 1 && p.inFlight === 2 && p.cursor === 4,
        'one row in review, two scraping',
      );
      await s.store.until(() => s.rowOf(4).status === 'SCRAPING', 'row 4 scraping');
      await handle.cancel();
      expect(await failureOf(handle.result())).toBeInstanceOf(CancelledFailure);
      for (const line of [2, 3, 4]) expect(await failureOf(s.row(line).result())).toBeInstanceOf(CancelledFailure);
      expect(s.store.batchRows(s.batchId).map((r) => [r.line, r.status])).toEqual([
        [2, 'CANCELLED'],
        [3, 'CANCELLED'],
        [4, 'CANCELLED'],
        [5, 'CANCELLED'],
        [6, 'CANCELLED'],
      ]);
      expect(s.rowOf(5).loads + s.rowOf(6).loads).toBe(0);
      expect(s.store.batches.get(s.batchId)).toBe('CANCELLED');
      // Temporal's view agrees: the batch's search attribute is final, not RUNNING.
      const { searchAttributes } = await handle.describe();
      expect(searchAttributes.ImportStatus).toEqual(['CANCELLED']);
    });
  });
});

describe('when a row waiting for review is cancelled', () => {
  it('then it ends CANCELLED without a decision and persists nothing', async () => {
    await withStack(tier, { rows: 1, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startRow(2);
      await eventually(() => handle.query(rowStatusQuery), (st) => st === 'PENDING_REVIEW', 'row in review');
      await handle.cancel();
      expect(await failureOf(handle.result())).toBeInstanceOf(CancelledFailure);
      expect(s.rowOf(2)).toMatchObject({ status: 'CANCELLED', decision: null, persists: 0 });
    });
  });
});

describe('when a batch is cancelled before its first run has read its counters', () => {
  it('then its rows are cancelled all the same and the batch ends CANCELLED (not left CANCELLING)', async () => {
    // Found by the model-based test: a cancel that reached a batch in its first workflow task (a
    // worker killed during that task made the window seconds long) cancelled the workflow at the
    // counter read, before the step that cancels the rows; PostgreSQL kept the batch CANCELLING
    // and its rows QUEUED for ever.
    await withStack(tier, { rows: 3 }, async (s) => {
      // The cancel is recorded before the run's first workflow task: the start is delayed, so the
      // first task carries the start and the cancel together.
      const handle = await s.client.workflow.start<typeof BatchImport>(WORKFLOW_TYPES.batch, {
        taskQueue: tier.mainQueue,
        workflowId: batchWorkflowId(s.batchId),
        args: [{ batchId: s.batchId, settings: s.settings }],
        startDelay: '1 second',
      });
      await handle.cancel();
      expect(await failureOf(handle.result())).toBeInstanceOf(CancelledFailure);
      expect(s.store.batchRows(s.batchId).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
      expect(s.store.batches.get(s.batchId)).toBe('CANCELLED');
      const { searchAttributes } = await handle.describe();
      expect(searchAttributes.ImportStatus).toEqual(['CANCELLED']);
    });
  });
});

describe('when a cancelled batch is resumed while its run is still closing', () => {
  it('then the resume is not lost: the batch goes on in a new run and its rows run again', async () => {
    // Found by the model-based test: the service re-queued the cancelled rows and set the batch
    // RUNNING, then signalled resume; the signal reached the run that was closing as cancelled,
    // which closed anyway — RUNNING rows in PostgreSQL, no workflow to run them.
    const script = (line: number) => (line === 2 ? { review: true } : {});
    await withStack(tier, { rows: 2, script }, async (s) => {
      s.store.holdCancelEnd(s.batchId);
      const handle = await s.startBatch();
      await s.store.until(() => s.rowOf(2).status === 'PENDING_REVIEW', 'row 2 waiting for review');
      await handle.cancel();
      await s.store.until(() => s.store.batches.get(s.batchId) === 'CANCELLED', 'the rows cancelled');
      // What the service's resume does, while cancelBatchRows has not yet returned to the run.
      expect(s.store.requeueCancelled(s.batchId)).toBeGreaterThan(0);
      await handle.signal(resumeSignal);
      s.store.releaseCancelEnd(s.batchId);
      await s.store.until(() => s.rowOf(2).status === 'PENDING_REVIEW' && s.rowOf(2).attempt === 2, 'row 2 waiting again, as attempt 2');
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect((await handle.query(progressQuery)).run).toBe(2);
    });
  });
});
