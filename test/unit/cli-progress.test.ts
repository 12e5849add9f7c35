import { describe, expect, it } from 'vitest';
import { emptyCounts, type RowStatus } from '../../src/shared';
import {
  etaSeconds,
  formatBar,
  formatDuration,
  formatStatusLine,
  isSettled,
  lineDue,
  ratePerSecond,
  recordsNote,
  sampleFrom,
  windowAfter,
} from '../../src/cli/progress';

const counts = (c: Partial<Record<RowStatus, number>>) => ({ ...emptyCounts(), ...c });

describe('when row counts become a progress sample', () => {
  it('then done is the terminal rows, and review and active rows are counted apart', () => {
    const s = sampleFrom(counts({ IMPORTED: 5, REJECTED: 1, FAILED: 2, CANCELLED: 1, PENDING_REVIEW: 3, QUEUED: 4, SCRAPING: 1 }), 'RUNNING', 0);
    expect(s).toMatchObject({ total: 17, done: 9, failed: 2, awaitingReview: 3, active: 5 });
  });
});

describe('when deciding whether following can stop', () => {
  it.each([
    ['a completed batch', counts({ IMPORTED: 3 }), 'COMPLETED', true],
    ['a cancelled batch', counts({ CANCELLED: 3 }), 'CANCELLED', true],
    ['a running batch whose unfinished rows all wait for review', counts({ IMPORTED: 2, PENDING_REVIEW: 1 }), 'RUNNING', true],
    ['a running batch with queued rows', counts({ IMPORTED: 2, QUEUED: 1 }), 'RUNNING', false],
    ['a running batch with every row done, not yet completed', counts({ IMPORTED: 3 }), 'RUNNING', false],
    ['a paused batch', counts({ IMPORTED: 2, PENDING_REVIEW: 1 }), 'PAUSED', false],
    ['a cancelling batch', counts({ PENDING_REVIEW: 1 }), 'CANCELLING', false],
  ])('then %s → %s', (_name, c, status, expected) => {
    expect(isSettled(sampleFrom(c, status, 0))).toBe(expected);
  });
});

describe('when a status line is due', () => {
  it.each([
    [0, 19, 20, false],
    [19, 20, 20, true],
    [20, 39, 20, false],
    [20, 45, 20, true],
    [4, 5, 5, true],
  ])('then from %i to %i done with every %i → %s', (prev, done, every, expected) => {
    expect(lineDue(prev, done, every)).toBe(expected);
  });
});

describe('when the rate is computed', () => {
  it('then it is rows that left the queue (done or handed to a reviewer) per second between the first and last sample', () => {
    const a = sampleFrom(counts({ IMPORTED: 10, QUEUED: 90 }), 'RUNNING', 1_000);
    const b = sampleFrom(counts({ IMPORTED: 35, PENDING_REVIEW: 5, QUEUED: 60 }), 'RUNNING', 11_000);
    expect(ratePerSecond([a, b])).toBe(3);
    expect(ratePerSecond([a])).toBe(0);
  });

  it('then samples older than a minute drop out of the window', () => {
    const at = (t: number, imported: number) => sampleFrom(counts({ IMPORTED: imported, QUEUED: 100 - imported }), 'RUNNING', t);
    let w = windowAfter([], at(0, 0));
    w = windowAfter(w, at(30_000, 60)); // a burst in the first half minute
    w = windowAfter(w, at(90_000, 66));
    expect(w.map((s) => s.at)).toEqual([30_000, 90_000]);
    expect(ratePerSecond(w)).toBeCloseTo(0.1);
  });

  it('then a pause starts the window afresh: the paused minutes do not lower the rate after resume', () => {
    const at = (t: number, imported: number, status = 'RUNNING') => sampleFrom(counts({ IMPORTED: imported, QUEUED: 100 - imported }), status, t);
    let w = windowAfter([], at(0, 0));
    w = windowAfter(w, at(10_000, 20));
    w = windowAfter(w, at(20_000, 20, 'PAUSED'));
    expect(w).toHaveLength(1);
    w = windowAfter(w, at(50_000, 20));
    w = windowAfter(w, at(60_000, 40));
    expect(ratePerSecond(w)).toBe(2);
  });
});

describe('when the time left is estimated', () => {
  it('then it is the queued and in-flight rows over the rate, none without a rate, and zero with nothing left', () => {
    const s = sampleFrom(counts({ IMPORTED: 10, QUEUED: 130, SCRAPING: 20 }), 'RUNNING', 0);
    expect(etaSeconds(s, 2)).toBe(75);
    expect(etaSeconds(s, 0)).toBeNull();
    expect(etaSeconds(sampleFrom(counts({ IMPORTED: 10, PENDING_REVIEW: 2 }), 'RUNNING', 0), 0)).toBe(0);
    expect([formatDuration(9), formatDuration(75), formatDuration(3725)]).toEqual(['9s', '1m 15s', '1h 02m']);
  });
});

describe('when progress is shown', () => {
  const s = sampleFrom(counts({ IMPORTED: 8, FAILED: 2, PENDING_REVIEW: 5, QUEUED: 5 }), 'RUNNING', 0);
  it('then the bar shows done, imported, review and failed counts, the rate and the ETA', () => {
    const bar = formatBar(s, 2.5, 20);
    expect(bar).toBe(`[${'█'.repeat(10)}${'▒'.repeat(5)}${'·'.repeat(5)}] 10/20 · imported 8 · review 5 · failed 2 · 2.5 rows/s · ETA 2s`);
  });
  it('then a paused batch shows "paused" instead of a rate and an ETA', () => {
    const paused = sampleFrom(counts({ IMPORTED: 8, QUEUED: 5 }), 'PAUSED', 0);
    expect(formatBar(paused, 2.5, 10)).toMatch(/ · paused$/);
    expect(formatBar(paused, 2.5, 10)).not.toContain('rows/s');
  });
  it('then the status line names the batch and every count', () => {
    expect(formatStatusLine('abc', s, 12)).toBe(
      'batch abc RUNNING: 10/20 done (imported 8, rejected 0, failed 2, cancelled 0), 5 awaiting review, 5 active, 12 rows/s · ETA 1s',
    );
  });
});

describe('when the file had lines that do not run', () => {
  it('then one note says how many records run and why the others do not', () => {
    expect(recordsNote({ totalRecords: 71, acceptedRows: 70, invalidRows: 0, duplicateRows: 1 })).toBe(
      "70 of the file's 71 records run; 1 duplicate (same page as an earlier line) left out (see the report)",
    );
    expect(recordsNote({ totalRecords: 70, acceptedRows: 70, invalidRows: 0, duplicateRows: 0 })).toBeNull();
  });
});
