/**
 * What the Web UI shows as a run's "Current Details" (setCurrentDetails): one line an operator
 * reads without opening PostgreSQL. Kept out of history (it travels in the workflow-metadata query),
 * so changing these words never breaks a replay. Pure and deterministic: `now` is workflow time.
 */
import type { RowStatus } from '../shared';

export interface RowDetailsInput {
  status: RowStatus;
  site: string;
  attempt: number;
  /** Workflow time of the change. */
  now: number;
  reasons?: string[];
  errorType?: string;
  errorMessage?: string;
}

const MAX = 500;
const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);

export function rowDetails(d: RowDetailsInput): string {
  const since = new Date(d.now).toISOString();
  const attempt = d.attempt > 1 ? ` (attempt ${d.attempt})` : '';
  switch (d.status) {
    case 'PENDING_REVIEW':
      return clip(`waiting for review since ${since}${d.reasons?.length ? `: ${d.reasons.join('; ')}` : ''}`);
    case 'FAILED':
      return clip(`failed at ${since}${attempt}: ${d.errorType ?? 'ERROR'}${d.errorMessage ? ` — ${d.errorMessage}` : ''}`);
    case 'SCRAPING':
      return `fetching the page from ${d.site} since ${since}${attempt}`;
    case 'RESOLVING':
      return `resolving composer, raga and tala since ${since}`;
    case 'PERSISTING':
      return `writing the krithi to the catalogue since ${since}`;
    case 'IMPORTED':
    case 'REJECTED':
    case 'CANCELLED':
      return `${d.status.toLowerCase()} at ${since}${attempt}`;
    default:
      return `${d.status} since ${since}`;
  }
}

/** `state` is what the batch is doing: running, paused, or how it closed (completed, cancelled). */
export function batchDetails(d: { counts: Record<RowStatus, number>; state: string; inFlight: number; run: number }): string {
  const c = d.counts;
  const parts = [
    `${c.IMPORTED ?? 0} imported`,
    `${c.PENDING_REVIEW ?? 0} waiting for review`,
    `${c.FAILED ?? 0} failed`,
    `${c.REJECTED ?? 0} rejected`,
    `${c.CANCELLED ?? 0} cancelled`,
    `${c.QUEUED ?? 0} queued`,
    `${d.inFlight} in flight`,
  ];
  return `${d.state} (run ${d.run}): ${parts.join(', ')}`;
}
