/**
 * BatchImport's continue-as-new: what a run carries to the next (cursor, in-flight rows, pause,
 * run number), what a continued run does with it, and reports from rows that reach the batch
 * while it is continuing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import type { BatchImportInput } from '../../src/workflows/batch-import';
import { progressQuery, resumeSignal } from '../../src/workflows/messages';
import { eventually, openTier, withStack, type Tier, within } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

describe('when a batch run has started `rowsPerRun` rows', () => {
  it('then it continues as new carrying cursor, in-flight rows and run number, and the next run keeps the window full', async () => {
    const script = () => ({ scrape: 'hold' as const });
    await withStack(tier, { rows: 5, settings: { window: 2, rowsPerRun: 2 }, script }, async (s) => {
      const first = await s.startBatch();
      const progress = await eventually(() => first.query(progressQuery), (p) => p.run === 2, 'the second run');
      expect(progress).toMatchObject({ run: 2, cursor: 3, inFlight: 2, paused: false });

      const history = await s.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).fetchHistory();
      const can = history.events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes);
      const [input] = can!.workflowExecutionContinuedAsNewEventAttributes!.input!.payloads!;
      const carried = defaultPayloadConverter.fromPayload<BatchImportInput>(input!);
      expect(carried.carry).toMatchObject({ cursor: 3, inFlight: [2, 3], paused: false, run: 2 });

      // The carried rows fill the window: the new run starts nothing until one of them ends.
      expect(s.store.byLine(s.batchId, 4).loads).toBe(0);
      s.store.release(s.batchId);
      const summary = await within(first.result(), 15_000, 'the batch to finish');
      expect(summary.counts.IMPORTED).toBe(5);
      expect(s.store.maxActive.get(s.batchId)).toBeLessThanOrEqual(2);
      expect(s.store.batchRows(s.batchId).map((r) => r.loads)).toEqual([1, 1, 1, 1, 1]);
    });
  });
});

describe('when a continued run starts from a carry', () => {
  it('then a carried pause holds: it starts no row until resumed', async () => {
    await withStack(tier, { rows: 3 }, async (s) => {
      const handle = await s.startBatch({ cursor: 0, inFlight: [], paused: true, run: 4 });
      const progress = await eventually(() => handle.query(progressQuery), () => true, 'the run to answer');
      expect(progress).toMatchObject({ run: 4, paused: true, inFlight: 0 });
      expect(s.store.batchRows(s.batchId).map((r) => r.loads)).toEqual([0, 0, 0]);
      await handle.signal(resumeSignal);
      expect((await within(handle.result(), 15_000, 'the batch to finish')).counts.IMPORTED).toBe(3);
    });
  });

  it('then a carried row that finished meanwhile (its report reached the previous run) gives its slot back at once', async () => {
    await withStack(tier, { rows: 4, settings: { window: 1 } }, async (s) => {
      // Row 2 ended and told the previous run, after that run had decided what to carry.
      s.store.setStatusUnchecked(s.store.byLine(s.batchId, 2), 'IMPORTED');
      const handle = await s.startBatch({ cursor: 2, inFlight: [2], paused: false, run: 2 });
      // The reconcile interval is an hour: only the run's own check at start can free the slot.
      const summary = await within(handle.result(), 15_000, 'the batch to finish without its reconcile timer');
      expect(summary.counts.IMPORTED).toBe(4);
      expect(s.store.byLine(s.batchId, 2).loads).toBe(0);
    });
  });
});

describe('when reports arrive while the batch continues as new after every row', () => {
  it('then none is lost: the batch finishes without its reconcile timer, the window held throughout', async () => {
    await withStack(tier, { rows: 4, settings: { window: 2, rowsPerRun: 1 } }, async (s) => {
      const handle = await s.startBatch();
      const summary = await within(handle.result(), 25_000, 'the batch to finish');
      expect(summary.counts.IMPORTED).toBe(4);
      expect((await handle.query(progressQuery)).run).toBeGreaterThanOrEqual(4);
      expect(s.store.maxActive.get(s.batchId)).toBeLessThanOrEqual(2);
      expect(s.store.batchRows(s.batchId).every((r) => r.loads === 1)).toBe(true);
    });
  });
});
