import { describe, expect, it } from 'vitest';
import { emptyCounts, type RowStatus } from '../../src/shared';
import { formatBar, formatStatusLine, isSettled, lineDue, ratePerSecond, sampleFrom } from '../../src/cli/progress';

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
  it('then it is rows done per second between the first and last sample', () => {
    const a = sampleFrom(counts({ IMPORTED: 10, QUEUED: 90 }), 'RUNNING', 1_000);
    const b = sampleFrom(counts({ IMPORTED: 40, QUEUED: 60 }), 'RUNNING', 11_000);
    expect(ratePerSecond([a, b])).toBe(3);
    expect(ratePerSecond([a])).toBe(0);
  });
});

describe('when progress is shown', () => {
  const s = sampleFrom(counts({ IMPORTED: 8, FAILED: 2, PENDING_REVIEW: 5, QUEUED: 5 }), 'RUNNING', 0);
  it('then the bar shows done, awaiting review, failed and the rate', () => {
    const bar = formatBar(s, 2.5, 20);
    expect(bar).toContain('10/20 done');
    expect(bar).toContain('5 awaiting review');
    expect(bar).toContain('2 failed');
    expect(bar).toContain('2.5 rows/s');
    expect(bar.startsWith(`[${'█'.repeat(10)}${'▒'.repeat(5)}${'·'.repeat(5)}]`)).toBe(true);
  });
  it('then the status line names the batch and every count', () => {
    expect(formatStatusLine('abc', s, 12)).toBe(
      'batch abc RUNNING: 10/20 done (imported 8, rejected 0, failed 2, cancelled 0), 5 awaiting review, 5 active, 12 rows/s',
    );
  });
});
