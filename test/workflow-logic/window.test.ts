/**
 * The batch's window: at most `window` rows actively processing at once, and a row waiting for a
 * human holds no slot. Real BatchImport/KrithiImport on the tier's dev server, stub activities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery, reviewUpdate } from '../../src/workflows/messages';
import { eventually, openTier, withStack, type Tier } from './support/tier';

let tier: Tier;
beforeAll(async () => {
  tier = await openTier();
});
afterAll(async () => {
  await tier?.close();
});

describe('when a batch has more rows than its window', () => {
  it('then no more than `window` rows are ever active at once, the window is filled, and every row is imported', async () => {
    // The first three scrapes wait until all three run (so the window is seen full whatever the
    // machine's load); the rest take 100 ms each, while the batch refills slot by slot.
    const script = (line: number) => ({ scrape: line <= 4 ? ('hold' as const) : ('ok' as const) });
    await withStack(tier, { rows: 7, settings: { window: 3 }, scrapeDelayMs: 100, script }, async (s) => {
      const handle = await s.startBatch();
      await s.store.until(() => s.store.batchRows(s.batchId).filter((r) => r.status === 'SCRAPING').length === 3, 'three rows scraping');
      s.store.release(s.batchId, 2, 3, 4);
      const summary = await handle.result();
      expect(summary.counts.IMPORTED).toBe(7);
      expect(s.store.maxActive.get(s.batchId)).toBe(3);
      // Every row was started exactly once.
      expect(s.store.batchRows(s.batchId).map((r) => r.loads)).toEqual(Array(7).fill(1));
    });
  });

  it('then, while the first rows are held, the batch starts no row beyond the window', async () => {
    await withStack(tier, { rows: 6, settings: { window: 2 }, script: () => ({ scrape: 'hold' }) }, async (s) => {
      const handle = await s.startBatch();
      // The cursor moves past a page once its children have started; with the window full the
      // batch then waits, so this is the state it settled in, not a moment before a third start.
      const progress = await eventually(() => handle.query(progressQuery), (p) => p.cursor === 3, 'first page started');
      expect(progress.inFlight).toBe(2);
      await s.store.until(() => s.store.byLine(s.batchId, 3).status === 'SCRAPING', 'row 3 scraping');
      expect(s.store.batchRows(s.batchId).filter((r) => r.loads > 0).map((r) => r.line)).toEqual([2, 3]);
      s.store.release(s.batchId, 2);
      // One row done: exactly one more starts.
      await s.store.until(() => s.store.byLine(s.batchId, 4).status === 'SCRAPING', 'row 4 scraping');
      const after = await eventually(() => handle.query(progressQuery), (p) => p.counts.IMPORTED === 1, 'row 2 counted');
      expect(after.inFlight).toBe(2);
      expect(s.store.byLine(s.batchId, 5).loads).toBe(0);
      s.store.release(s.batchId);
      expect((await handle.result()).counts.IMPORTED).toBe(6);
      expect(s.store.maxActive.get(s.batchId)).toBe(2);
    });
  });
});

describe('when rows wait for review', () => {
  it('then they hold no slot: every row reaches review with a window of 2, and approving them finishes the batch', async () => {
    await withStack(tier, { rows: 4, settings: { window: 2 }, script: () => ({ review: true }) }, async (s) => {
      const handle = await s.startBatch();
      const progress = await eventually(
        () => handle.query(progressQuery),
        (p) => p.counts.PENDING_REVIEW === 4,
        'all four rows in review',
      );
      expect(progress.inFlight).toBe(0);
      for (const r of s.store.batchRows(s.batchId)) {
        const res = await s.row(r.line).executeUpdate(reviewUpdate, { args: [{ decision: 'approve', reviewer: 'meera' }] });
        expect(res.status).toBe('PERSISTING');
      }
      const summary = await handle.result();
      expect(summary.counts.IMPORTED).toBe(4);
      expect(summary.counts.PENDING_REVIEW).toBe(0);
    });
  });
});
