/**
 * What `submit --follow` and `watch` show: pure functions from row counts to a progress bar (a
 * terminal) or a status line (a log, a pipe), and the rule for when a line is due.
 */
import { TERMINAL_STATUSES, type RowStatus } from '../shared';

export interface ProgressSample {
  /** Record rows of the batch (invalid and duplicate lines never run). */
  total: number;
  done: number;
  imported: number;
  rejected: number;
  failed: number;
  cancelled: number;
  awaitingReview: number;
  /** Rows queued or being scraped, resolved or persisted. */
  active: number;
  batchStatus: string;
  /** Milliseconds since some fixed origin (the caller's clock). */
  at: number;
}

export function sampleFrom(counts: Record<RowStatus, number>, batchStatus: string, at: number): ProgressSample {
  const done = TERMINAL_STATUSES.reduce((n, s) => n + counts[s], 0);
  const awaitingReview = counts.PENDING_REVIEW;
  const active = counts.QUEUED + counts.SCRAPING + counts.RESOLVING + counts.PERSISTING;
  return {
    total: done + awaitingReview + active,
    done,
    imported: counts.IMPORTED,
    rejected: counts.REJECTED,
    failed: counts.FAILED,
    cancelled: counts.CANCELLED,
    awaitingReview,
    active,
    batchStatus,
    at,
  };
}

/** Rows finished per second over the samples kept (a sliding window the caller maintains). */
export function ratePerSecond(samples: readonly ProgressSample[]): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at <= first.at) return 0;
  return Math.max(0, ((last.done - first.done) * 1000) / (last.at - first.at));
}

/**
 * Settled: nothing more happens without a person. The batch closed, or every row that is not done
 * waits for a reviewer while the batch runs.
 */
export function isSettled(s: ProgressSample): boolean {
  if (s.batchStatus === 'COMPLETED' || s.batchStatus === 'CANCELLED') return true;
  // All rows done but not yet COMPLETED: the batch is about to record its summary; keep waiting.
  return s.batchStatus === 'RUNNING' && s.active === 0 && s.awaitingReview > 0;
}

/** A status line is due each time `done` reaches another multiple of `every`. */
export function lineDue(previousDone: number, done: number, every: number): boolean {
  return Math.floor(done / every) > Math.floor(previousDone / every);
}

const rate = (r: number) => `${r.toFixed(r < 10 ? 1 : 0)} rows/s`;

/** One line for a terminal, redrawn in place. */
export function formatBar(s: ProgressSample, rowsPerSecond: number, width = 30): string {
  const filled = s.total === 0 ? width : Math.round((s.done / s.total) * width);
  const review = s.total === 0 ? 0 : Math.min(width - filled, Math.round((s.awaitingReview / s.total) * width));
  const bar = `${'█'.repeat(filled)}${'▒'.repeat(review)}${'·'.repeat(Math.max(0, width - filled - review))}`;
  const paused = s.batchStatus === 'RUNNING' ? '' : ` [${s.batchStatus}]`;
  return `[${bar}] ${s.done}/${s.total} done · ${s.awaitingReview} awaiting review · ${s.failed} failed · ${rate(rowsPerSecond)}${paused}`;
}

/** One line for a log or a pipe. */
export function formatStatusLine(batchId: string, s: ProgressSample, rowsPerSecond: number): string {
  return (
    `batch ${batchId} ${s.batchStatus}: ${s.done}/${s.total} done (imported ${s.imported}, rejected ${s.rejected}, ` +
    `failed ${s.failed}, cancelled ${s.cancelled}), ${s.awaitingReview} awaiting review, ${s.active} active, ${rate(rowsPerSecond)}`
  );
}
