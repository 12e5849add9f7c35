/**
 * A child start that fails: the row's workflow id is already taken by a running row workflow (a
 * duplicate start after a retry or a recovery). The batch must count the row as started — once —
 * and not be stopped by the failed start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../../src/workflows/messages';
import { eventually, openTier, withStack, within, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

describe("when a row's workflow is already running as the batch starts it", () => {
  it('then the batch counts it as started and holds its slot, starts it no second time, and finishes once it reports', async () => {
    const script = (line: number) => ({ scrape: line === 2 ? ('hold' as const) : ('ok' as const) });
    await withStack(tier, { rows: 3, settings: { window: 1 }, script }, async (s) => {
      await s.startRow(2);
      await s.store.until(() => s.rowOf(2).status === 'SCRAPING', 'row 2 scraping on its own');
      const handle = await s.startBatch();
      const progress = await eventually(() => handle.query(progressQuery), (p) => p.cursor === 2, 'row 2 taken as started');
      expect(progress.inFlight).toBe(1);
      expect(progress.counts.SCRAPING).toBe(1);
      // The window is held by the running row: nothing else starts.
      expect(s.rowOf(3).loads).toBe(0);
      s.store.release(s.batchId, 2);
      const summary = await within(handle.result(), 10_000, 'the batch to finish');
      expect(summary.counts.IMPORTED).toBe(3);
      expect(s.rowOf(2).loads).toBe(1);
    });
  });
});
