/**
 * An in-memory stand-in for the `import_rows` and `batches` tables, holding what the stub
 * activities read and write. Status writes go through the real state machine's table
 * (db/rows.ts `canTransition`), with the rule the row activities add: a workflow never reopens a
 * terminal row. A refused write leaves the row where it is and says where that is. Everything else a test needs to see (status history, the most rows active at once, which
 * rows were started) is recorded here.
 */
import { canTransition } from '../../../src/db/rows';
import type { BatchStatus, ReviewDecision, RowStatus } from '../../../src/shared';
import { emptyCounts, isTerminal } from '../../../src/shared';

/** What a row's stub activities do, chosen by the test. */
export interface RowScript {
  /** 'hold': the scrape waits until the test releases it (or it is cancelled). */
  scrape?: 'ok' | 'hold' | { fail: string; nonRetryable?: boolean };
  /** The resolver leaves the row for a human instead of approving it automatically. */
  review?: boolean;
  /** A composer and a raga were chosen (what the `auto` review policy approves). Default true. */
  decidable?: boolean;
  /** The first persist sends the row back to review with this reason. */
  persistNeedsReview?: string;
  /** Writing a reviewer's decision waits until the test calls `releaseDecision`. */
  holdDecision?: boolean;
}

export interface FakeRow {
  rowId: string;
  batchId: string;
  line: number;
  site: string;
  status: RowStatus;
  attempt: number;
  errorType: string | null;
  decision: ReviewDecision | null;
  script: RowScript;
  /** Times a workflow of this row loaded it (one per start of its workflow). */
  loads: number;
  persists: number;
}

export interface StatusChange {
  line: number;
  from: RowStatus;
  to: RowStatus;
  /** A write made as the service would (retry-failed, test set-up), not by a workflow's activity. */
  byService?: boolean;
}

/** Rows actively processing in the real batch's sense: started and not waiting for a human. */
const ACTIVE: readonly RowStatus[] = ['SCRAPING', 'RESOLVING', 'PERSISTING'];

interface Gate {
  promise: Promise<void>;
  open: () => void;
}
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export class RowStore {
  readonly rows = new Map<string, FakeRow>();
  readonly batches = new Map<string, BatchStatus>();
  readonly changes: StatusChange[] = [];
  readonly audits: { type: string; rowId?: string; data?: Record<string, unknown> }[] = [];
  /** The most rows of a batch in SCRAPING, RESOLVING or PERSISTING at one moment. */
  readonly maxActive = new Map<string, number>();
  private readonly gates = new Map<string, Gate>();
  private waiters: (() => void)[] = [];

  /** Adds `count` rows (manifest lines 2, 3, …) to a new batch; `script(line)` says what each does. */
  addBatch(batchId: string, count: number, site: string, script: (line: number) => RowScript = () => ({})): FakeRow[] {
    this.batches.set(batchId, 'RUNNING');
    const rows: FakeRow[] = [];
    for (let i = 0; i < count; i++) {
      const line = i + 2;
      const row: FakeRow = {
        rowId: `${batchId}:${line}`,
        batchId,
        line,
        site,
        status: 'QUEUED',
        attempt: 1,
        errorType: null,
        decision: null,
        script: script(line),
        loads: 0,
        persists: 0,
      };
      this.rows.set(row.rowId, row);
      rows.push(row);
    }
    return rows;
  }

  get(rowId: string): FakeRow {
    const row = this.rows.get(rowId);
    if (!row) throw new Error(`row ${rowId} not found`);
    return row;
  }

  byLine(batchId: string, line: number): FakeRow {
    return this.get(`${batchId}:${line}`);
  }

  batchRows(batchId: string): FakeRow[] {
    return [...this.rows.values()].filter((r) => r.batchId === batchId).sort((a, b) => a.line - b.line);
  }

  /** The conditional status write every stub uses: a terminal row keeps its status. */
  setStatus(rowId: string, to: RowStatus, extra: { errorType?: string | null; decision?: ReviewDecision | null } = {}) {
    const row = this.get(rowId);
    const from = row.status;
    if ((isTerminal(from) && from !== to) || !canTransition(from, to)) return { changed: false, status: from };
    row.status = to;
    if (extra.errorType !== undefined) row.errorType = extra.errorType;
    if (extra.decision) row.decision = extra.decision;
    if (from !== to) {
      this.changes.push({ line: row.line, from, to });
      const active = this.batchRows(row.batchId).filter((r) => ACTIVE.includes(r.status)).length;
      this.maxActive.set(row.batchId, Math.max(this.maxActive.get(row.batchId) ?? 0, active));
    }
    this.notify();
    return { changed: from !== to, status: to };
  }

  /** What the service's retry-failed does in PostgreSQL: failed rows back to the queue, as a new attempt. */
  requeueFailed(batchId: string): number {
    const failed = this.batchRows(batchId).filter((r) => r.status === 'FAILED');
    for (const r of failed) {
      r.attempt += 1;
      r.errorType = null;
      this.setStatusUnchecked(r, 'QUEUED');
    }
    return failed.length;
  }

  /** Service-side writes (retry-failed, test set-up) are not bound by the workflow's rule. */
  setStatusUnchecked(row: FakeRow, to: RowStatus) {
    this.changes.push({ line: row.line, from: row.status, to, byService: true });
    row.status = to;
    this.notify();
  }

  counts(batchId: string) {
    const byStatus = emptyCounts();
    for (const r of this.batchRows(batchId)) byStatus[r.status] += 1;
    const unfinished = this.batchRows(batchId).filter((r) => !isTerminal(r.status)).length;
    return { byStatus, unfinished, startable: unfinished - byStatus.PENDING_REVIEW };
  }

  /** Resolves when a held scrape of this row may finish. */
  scrapeGate(rowId: string): Promise<void> {
    return this.gateOf(`scrape:${rowId}`).promise;
  }

  /** Resolves when the held decision write of this row may finish. */
  decisionGate(rowId: string): Promise<void> {
    return this.gateOf(`decision:${rowId}`).promise;
  }

  /** From now on the batch's counter reads wait until `releaseCounts` (or the end of the test). */
  holdCounts(batchId: string) {
    this.countsHeld.add(batchId);
  }

  /** Resolves when a counter read of this batch may answer. */
  countsGate(batchId: string): Promise<void> {
    return this.countsHeld.has(batchId) ? this.gateOf(`counts:${batchId}`).promise : Promise.resolve();
  }

  releaseCounts(batchId: string) {
    this.gateOf(`counts:${batchId}`).open();
  }

  private countsHeld = new Set<string>();

  /** From now on cancelBatchRows, once it has cancelled the rows, waits before it returns. */
  holdCancelEnd(batchId: string) {
    this.cancelEndHeld.add(batchId);
  }

  cancelEndGate(batchId: string): Promise<void> {
    return this.cancelEndHeld.has(batchId) ? this.gateOf(`cancel-end:${batchId}`).promise : Promise.resolve();
  }

  releaseCancelEnd(batchId: string) {
    this.gateOf(`cancel-end:${batchId}`).open();
  }

  private cancelEndHeld = new Set<string>();

  /** What the service's resume of a CANCELLED batch does: cancelled rows back to the queue. */
  requeueCancelled(batchId: string): number {
    const cancelled = this.batchRows(batchId).filter((r) => r.status === 'CANCELLED');
    for (const r of cancelled) {
      r.attempt += 1;
      this.setStatusUnchecked(r, 'QUEUED');
    }
    this.batches.set(batchId, 'RUNNING');
    return cancelled.length;
  }

  /** Lets held scrapes finish: the given lines, or every one. */
  release(batchId: string, ...lines: number[]) {
    for (const r of this.batchRows(batchId)) if (!lines.length || lines.includes(r.line)) this.gateOf(`scrape:${r.rowId}`).open();
  }

  /** Opens every gate of a batch's rows (the end of a test). */
  releaseBatch(batchId: string) {
    this.gateOf(`counts:${batchId}`).open();
    this.gateOf(`cancel-end:${batchId}`).open();
    for (const r of this.batchRows(batchId)) {
      this.gateOf(`scrape:${r.rowId}`).open();
      this.gateOf(`decision:${r.rowId}`).open();
    }
  }

  releaseDecision(batchId: string, line: number) {
    this.gateOf(`decision:${this.byLine(batchId, line).rowId}`).open();
  }

  /** Opens every gate (test teardown: no activity is left waiting on a worker that shuts down). */
  releaseAll() {
    for (const g of this.gates.values()) g.open();
    this.released = true;
  }

  private released = false;
  private gateOf(key: string): Gate {
    let g = this.gates.get(key);
    if (!g) {
      this.gates.set(key, (g = gate()));
      if (this.released) g.open();
    }
    return g;
  }

  /** Waits until `predicate` holds, re-checked on every change in the store (and every 50 ms). */
  async until<T>(predicate: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = predicate();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  notify() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
