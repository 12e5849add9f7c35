/**
 * `watch <batchId>` and `submit --follow`: poll the batch's counts from PostgreSQL (through the
 * batch service) until nothing more happens without a person. A terminal gets a bar redrawn in
 * place; anything else gets one status line each time another `every` rows are done. Ctrl-C only
 * detaches: the batch runs on in Temporal, and the hint says how to come back.
 */
import type { BatchService } from '../services/batches';
import {
  formatBar,
  formatStatusLine,
  isSettled,
  lineDue,
  ratePerSecond,
  recordsNote,
  sampleFrom,
  windowAfter,
  type ProgressSample,
} from './progress';

export interface FollowOptions {
  batches: BatchService;
  batchId: string;
  /** Where progress goes (stderr); `isTTY` picks the bar or the status lines. */
  stream: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean };
  every: number;
  intervalMs?: number;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** The clock (tests). */
  now?: () => number;
}

export interface FollowResult {
  detached: boolean;
  last: ProgressSample;
}

export const reattachHint = (batchId: string) =>
  `detached; batch ${batchId} keeps running. Re-attach with: krithi-import watch ${batchId}`;

export async function followBatch(opts: FollowOptions): Promise<FollowResult> {
  const { batches, batchId, stream, every, signal } = opts;
  const intervalMs = opts.intervalMs ?? 1000;
  const tty = Boolean(stream.isTTY);
  const now = opts.now ?? Date.now;
  let samples: ProgressSample[] = [];
  let printedDone = -1;
  let lastStatus = '';

  for (let first = true; ; first = false) {
    const { batch, counts } = await batches.status(batchId, { progress: false });
    if (first) {
      const note = recordsNote(batch);
      if (note) stream.write(`${note}\n`);
    }
    const s = sampleFrom(counts, batch.status, now());
    samples = windowAfter(samples, s);
    const rate = ratePerSecond(samples);
    const settled = isSettled(s);

    if (tty) stream.write(`\r${formatBar(s, rate)}\x1b[K`);
    else if (printedDone < 0 || lineDue(printedDone, s.done, every) || settled || s.batchStatus !== lastStatus) {
      stream.write(`${formatStatusLine(batchId, s, rate)}\n`);
      printedDone = s.done;
    }
    lastStatus = s.batchStatus;

    if (settled) {
      if (tty) stream.write('\n');
      if (s.awaitingReview > 0 && s.batchStatus === 'RUNNING')
        stream.write(`${s.awaitingReview} rows await review: krithi-import review list --batch ${batchId}\n`);
      return { detached: false, last: s };
    }
    const stopped = await sleep(intervalMs, signal);
    if (stopped) {
      stream.write(`${tty ? '\n' : ''}${reattachHint(batchId)}\n`);
      return { detached: true, last: s };
    }
  }
}

/** Resolves true when aborted before the time is up. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
