/**
 * What `submit --follow` and `watch` show: pure functions from row counts to a progress bar (a
 * terminal) or a status line (a log, a pipe), the rate and ETA over a sliding window, and the rule
 * for when a line is due.
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

/** The rate is measured over the last minute: long enough to smooth a site's rate limit, short enough to follow a change. */
export const RATE_WINDOW_MS = 60_000;

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

/**
 * The samples the rate is computed over: the last minute of them, and none from before a pause —
 * time spent paused is not time the batch was slow.
 */
export function windowAfter(samples: readonly ProgressSample[], next: ProgressSample, windowMs = RATE_WINDOW_MS): ProgressSample[] {
  // A sample taken while paused starts the window afresh, so samples before a pause never count.
  if (next.batchStatus !== 'RUNNING') return [next];
  return [...samples.filter((s) => s.batchStatus === 'RUNNING' && next.at - s.at <= windowMs), next];
}

/** Rows that left the queue per second (done, or handed to a reviewer) between the first and last sample. */
export function ratePerSecond(samples: readonly ProgressSample[]): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at <= first.at) return 0;
  const moved = last.done + last.awaitingReview - (first.done + first.awaitingReview);
  return Math.max(0, (moved * 1000) / (last.at - first.at));
}

/** Seconds until no row is left in the queue at this rate; null when there is no rate to go by. */
export function etaSeconds(s: ProgressSample, rowsPerSecond: number): number | null {
  if (s.active === 0) return 0;
  return rowsPerSecond > 0 ? Math.ceil(s.active / rowsPerSecond) : null;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
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

/** "3.2 rows/s · ETA 1m 05s", or what the batch is doing instead of moving. */
function pace(s: ProgressSample, rowsPerSecond: number): string {
  if (s.batchStatus === 'PAUSED') return 'paused';
  if (s.batchStatus === 'CANCELLING') return 'cancelling';
  if (s.batchStatus !== 'RUNNING') return s.batchStatus.toLowerCase();
  if (s.active === 0) return s.awaitingReview > 0 ? 'waiting for review' : 'finishing';
  const eta = etaSeconds(s, rowsPerSecond);
  return `${rate(rowsPerSecond)} · ETA ${eta === null ? '—' : formatDuration(eta)}`;
}

/** One line for a terminal, redrawn in place. */
export function formatBar(s: ProgressSample, rowsPerSecond: number, width = 30): string {
  const filled = s.total === 0 ? width : Math.round((s.done / s.total) * width);
  const review = s.total === 0 ? 0 : Math.min(width - filled, Math.round((s.awaitingReview / s.total) * width));
  const bar = `${'█'.repeat(filled)}${'▒'.repeat(review)}${'·'.repeat(Math.max(0, width - filled - review))}`;
  return (
    `[${bar}] ${s.done}/${s.total} · imported ${s.imported} · review ${s.awaitingReview} · failed ${s.failed}` +
    `${s.rejected ? ` · rejected ${s.rejected}` : ''}${s.cancelled ? ` · cancelled ${s.cancelled}` : ''} · ${pace(s, rowsPerSecond)}`
  );
}

/** One line for a log or a pipe. */
export function formatStatusLine(batchId: string, s: ProgressSample, rowsPerSecond: number): string {
  return (
    `batch ${batchId} ${s.batchStatus}: ${s.done}/${s.total} done (imported ${s.imported}, rejected ${s.rejected}, ` +
    `failed ${s.failed}, cancelled ${s.cancelled}), ${s.awaitingReview} awaiting review, ${s.active} active, ${pace(s, rowsPerSecond)}`
  );
}

/**
 * Said once when following starts, if the file had lines that do not run: why the bar counts fewer
 * rows than the manifest has records.
 */
export function recordsNote(batch: { totalRecords: number; acceptedRows: number; invalidRows: number; duplicateRows: number }): string | null {
  if (batch.totalRecords === batch.acceptedRows) return null;
  const parts = [
    ...(batch.duplicateRows ? [`${batch.duplicateRows} duplicate${batch.duplicateRows === 1 ? '' : 's'} (same page as an earlier line)`] : []),
    ...(batch.invalidRows ? [`${batch.invalidRows} invalid`] : []),
  ];
  return `${batch.acceptedRows} of the file's ${batch.totalRecords} records run; ${parts.join(' and ')} left out (see the report)`;
}
