import { describe, expect, it } from 'vitest';
import { batchDetails, rowDetails } from '../../src/workflows/details';
import { ROW_STATUSES, type RowStatus } from '../../src/shared';

const now = Date.UTC(2026, 11, 3, 16, 0, 0);
const zero = Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;

describe('rowDetails', () => {
  it('when a row waits for review, then it says since when and every reason', () => {
    expect(rowDetails({ status: 'PENDING_REVIEW', site: 's', attempt: 1, now, reasons: ["raga 'x' confidence LOW", 'probable duplicate'] })).toBe(
      "waiting for review since 2026-12-03T16:00:00.000Z: raga 'x' confidence LOW; probable duplicate",
    );
  });

  it('when a row failed on a later attempt, then it names the attempt, the error type and the message', () => {
    expect(rowDetails({ status: 'FAILED', site: 's', attempt: 2, now, errorType: 'HTTP_NOT_FOUND', errorMessage: '404 for https://x/y' })).toBe(
      'failed at 2026-12-03T16:00:00.000Z (attempt 2): HTTP_NOT_FOUND — 404 for https://x/y',
    );
  });

  it('when a message is very long, then the line is cut to 500 characters', () => {
    const d = rowDetails({ status: 'FAILED', site: 's', attempt: 1, now, errorType: 'E', errorMessage: 'x'.repeat(2000) });
    expect(d).toHaveLength(500);
    expect(d.endsWith('…')).toBe(true);
  });

  it('when a row is fetching, then it names the site', () => {
    expect(rowDetails({ status: 'SCRAPING', site: 'guru-guha.blogspot.com', attempt: 1, now })).toBe(
      'fetching the page from guru-guha.blogspot.com since 2026-12-03T16:00:00.000Z',
    );
  });
});

describe('batchDetails', () => {
  it('then it gives the counts an operator looks for, and whether the batch runs, is paused or closed', () => {
    const counts = { ...zero, IMPORTED: 10, PENDING_REVIEW: 3, FAILED: 1, QUEUED: 7 };
    expect(batchDetails({ counts, state: 'paused', inFlight: 2, run: 3 })).toBe(
      'paused (run 3): 10 imported, 3 waiting for review, 1 failed, 0 rejected, 0 cancelled, 7 queued, 2 in flight',
    );
  });
});
