/**
 * BatchImport: one manifest, one workflow (`batch-<batchId>`), one KrithiImport child per row.
 *
 * Guarantees: at most `window` rows are actively processing (a row waiting for a human holds no
 * slot); rows are paged from PostgreSQL, never carried in the workflow input; children outlive a
 * continue-as-new (ABANDON) and report to the batch's workflow id, which reaches whichever run is
 * current; each run carries only counters, a cursor and the bounded in-flight set, and recomputes
 * its counters from PostgreSQL, so history stays bounded whatever the batch size. Cancelling the
 * batch reaches every unfinished row, including rows waiting for review that it no longer tracks.
 * The batch completes once every row is terminal, with a summary read from the database.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createBatchActivities, NextRow } from '../activities/batch';
import {
  isTerminal,
  rowWorkflowId,
  type BatchSettings,
  type BatchSummary,
  type RowStatus,
} from '../shared';
import { batchDetails } from './details';
import { KrithiImport } from './krithi-import';
import {
  BatchIdKey,
  ImportStatusKey,
  SourceSiteKey,
  pauseSignal,
  progressQuery,
  resumeSignal,
  retryFailedSignal,
  rowTransitionSignal,
} from './messages';

export interface BatchCarry {
  cursor: number;
  inFlight: number[];
  paused: boolean;
  run: number;
  /**
   * Still on the first pass over the manifest, which also starts rows waiting for review (a batch
   * restarted after its Temporal side was lost must give them a workflow again); rescans do not.
   */
  firstPass?: boolean;
  /** A bare retryFailed signal arrived as the previous run closed: re-queue the FAILED rows first. */
  requeuePending?: boolean;
}

/**
 * Rows cannot hold a slot once their workflow has closed: the reconcile step asks Temporal about
 * the rows it counts as in flight; rescans skip rows waiting for review and rows already in
 * flight; a decided row holds a slot while it persists (so a review costs no rescan); the batch
 * closes only if no row was re-queued meanwhile.
 */
export const ROW_LIVENESS_PATCH = 'row-liveness';

/** A cancelled batch shows ImportStatus CANCELLED, like a completed one shows COMPLETED. */
export const CANCELLED_STATUS_PATCH = 'cancelled-status-shown';

/**
 * A cancel that reaches a run before its main loop (with the start, in its first workflow task)
 * cancels the rows too; before this, the run was cancelled at its first counter read and the
 * batch stayed CANCELLING with its rows QUEUED.
 */
export const EARLY_CANCEL_PATCH = 'early-cancel-cancels-rows';

/**
 * A bare `retryFailed` signal (sent with the stock `temporal` CLI) re-queues the batch's FAILED
 * rows itself; before this it only paged again and found nothing to start.
 */
export const SIGNAL_REQUEUES_PATCH = 'retry-signal-requeues';

/** A resume that reaches a cancelled run while it closes starts the batch again (continue-as-new). */
export const RESUME_AFTER_CANCEL_PATCH = 'resume-while-closing-cancelled';

export interface BatchImportInput {
  batchId: string;
  settings: BatchSettings;
  /** Present only on a continued run. */
  carry?: BatchCarry;
}

type BatchActivities = ReturnType<typeof createBatchActivities>;

const db = proxyLocalActivities<BatchActivities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// Cancelling a large batch pages through every unfinished row; it heartbeats so a dead worker is
// noticed, and has no overall deadline beyond what a very large batch may need.
const cancelRows = proxyActivities<BatchActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Signals a run may take before continuing as new, well under the server's 10,000. */
const MAX_SIGNALS_PER_RUN = 4000;
const PAGE_SIZE = 100;

export async function BatchImport(input: BatchImportInput): Promise<BatchSummary> {
  const { batchId, settings } = input;
  const carry = input.carry ?? { cursor: 0, inFlight: [], paused: false, run: 1 };
  let cursor = carry.cursor;
  let paused = carry.paused;
  const inFlight = new Set<number>(carry.inFlight);
  let exhausted = false;
  let startedThisRun = 0;
  let signalsThisRun = 0;
  let wake = false;
  // Evaluated once per run: a run started before this change keeps the old behaviour throughout.
  const live = patched(ROW_LIVENESS_PATCH);
  const signalRequeues = patched(SIGNAL_REQUEUES_PATCH);
  let firstPass = carry.firstPass ?? input.carry === undefined;
  let lastReconcile = Date.now();

  // Counters come from the database at the start of every run, so they cannot drift; signals keep
  // them current in between. The query is answerable from the first workflow task (a query is never
  // part of history, so registering it before the first activity changes no replay): until the
  // counters are read it says so, instead of failing with QueryNotRegisteredError right after a
  // start or a continue-as-new.
  const counts = {} as Record<RowStatus, number>;
  let countersRead = false;
  setHandler(progressQuery, () => ({
    batchId,
    paused,
    inFlight: inFlight.size,
    cursor,
    run: carry.run,
    countersRead,
    counts: { ...counts },
  }));
  // Steering signals are handled from the first workflow task (a cancel path may need them before
  // the counters are read). Handlers write no history: registering them earlier changes no replay.
  setHandler(pauseSignal, () => {
    paused = true;
    wake = true;
  });
  // Resumes taken so far: a resume that comes while a cancelled run is closing must not be lost.
  let resumes = 0;
  setHandler(resumeSignal, () => {
    resumes += 1;
    paused = false;
    wake = true;
    // An operator's resume also gives a workflow back to rows waiting for review whose workflow
    // is gone (terminated while waiting): one pass that includes them. Rescans never do.
    if (live) {
      cursor = 0;
      exhausted = false;
      firstPass = true;
    }
  });
  // Bare retryFailed signals not yet acted on (their rows still FAILED in PostgreSQL).
  let requeueRequests = carry.requeuePending ? 1 : 0;
  let requeuesDone = 0;
  setHandler(retryFailedSignal, (request) => {
    // The service (or a reset row) has re-queued the rows it meant; a bare signal asks the batch to.
    if (signalRequeues && !request?.requeued) requeueRequests += 1;
    // Page again from the top.
    cursor = 0;
    exhausted = false;
    firstPass = false;
    wake = true;
  });
  // Every upsert is a history event: write the batch's status only when it changes.
  let shownStatus: string | undefined;
  const showStatus = (value: string) => {
    if (value === shownStatus) return;
    upsertSearchAttributes([...(shownStatus === undefined ? [{ key: BatchIdKey, value: batchId }] : []), { key: ImportStatusKey, value }]);
    shownStatus = value;
  };
  /** The batch was cancelled: every unfinished row is cancelled, then the batch shows it. */
  const cancelBatch = () =>
    CancellationScope.nonCancellable(async () => {
      await cancelRows.cancelBatchRows({ batchId });
      if (patched(CANCELLED_STATUS_PATCH)) {
        showStatus('CANCELLED');
        setCurrentDetails(`cancelled (run ${carry.run}): the rows not yet imported were cancelled`);
      }
    });
  /**
   * The run was cancelled: cancel the rows, then close. An operator may have resumed the batch
   * while this run was closing (the service re-queues the cancelled rows and sets it RUNNING, then
   * signals; the signal reaches this run, not a new one): then the batch goes on in a fresh run
   * instead of leaving RUNNING rows with no workflow.
   */
  const cancelAndClose = async (err: unknown): Promise<never> => {
    const resumesAtCancel = resumes;
    await cancelBatch();
    if (resumes > resumesAtCancel && patched(RESUME_AFTER_CANCEL_PATCH)) {
      await continueAsNew<typeof BatchImport>({
        batchId,
        settings,
        carry: { cursor: 0, inFlight: [], paused: false, run: carry.run + 1, firstPass: true },
      });
    }
    throw err;
  };
  /** A step before the main loop: a cancel that lands here cancels the rows all the same. */
  const beforeLoop = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      if (isCancellation(err) && patched(EARLY_CANCEL_PATCH)) await cancelAndClose(err);
      throw err;
    }
  };

  Object.assign(counts, (await beforeLoop(() => db.batchCounts({ batchId }))).byStatus);
  countersRead = true;
  // The Web UI's "Current Details": the counts an operator would otherwise query for.
  const showDetails = () =>
    setCurrentDetails(batchDetails({ counts, state: paused ? 'paused' : 'running', inFlight: inFlight.size, run: carry.run }));
  // A report that reached the previous run after it had decided to continue-as-new is applied to
  // that run's state, not to the carried in-flight set; PostgreSQL says which carried rows are
  // still active, so no slot stays held by a row that has already finished.
  if (inFlight.size > 0) {
    const active = new Set(await beforeLoop(() => db.activeLines({ batchId, lines: [...inFlight] })));
    for (const line of [...inFlight]) if (!active.has(line)) inFlight.delete(line);
  }

  const count = (from: RowStatus, to: RowStatus) => {
    counts[from] = Math.max(0, counts[from] - 1);
    counts[to] += 1;
  };
  setHandler(rowTransitionSignal, ({ line, from, to }) => {
    signalsThisRun += 1;
    // QUEUED → SCRAPING was counted when the row was started (rows started before the lean
    // reports still send it).
    if (from !== to && !(from === 'QUEUED' && to === 'SCRAPING')) count(from, to);
    if (to === 'PENDING_REVIEW' || isTerminal(to)) inFlight.delete(line);
    // A decided row persists: active again, and tracked, so that no rescan is needed to find it.
    else if (live && from === 'PENDING_REVIEW') inFlight.add(line);
    wake = true;
  });
  showStatus(paused ? 'PAUSED' : 'RUNNING');

  const startRow = async (row: NextRow) => {
    // Reserve the slot before starting: a fast child may report back before startChild resolves.
    const holdsSlot = row.status !== 'PENDING_REVIEW';
    if (holdsSlot) inFlight.add(row.line);
    // A row started from QUEUED is counted as SCRAPING now: it does not report that step itself.
    const fromQueued = row.status === 'QUEUED';
    if (fromQueued) count('QUEUED', 'SCRAPING');
    try {
      await startChild(KrithiImport, {
        workflowId: rowWorkflowId(batchId, row.line),
        args: [{ batchId, rowId: row.rowId, line: row.line, site: row.site, settings }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // What an operator reads in the Web UI's list and on the workflow's page.
        ...rowSummary(batchId, row),
        typedSearchAttributes: [
          { key: BatchIdKey, value: batchId },
          { key: ImportStatusKey, value: row.status },
          { key: SourceSiteKey, value: row.site },
        ],
      });
    } catch (err) {
      // Already running (a duplicate start after a retry or recovery) counts as started.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        inFlight.delete(row.line);
        if (fromQueued) count('SCRAPING', 'QUEUED');
        throw err;
      }
    }
  };

  try {
    for (;;) {
      if (requeueRequests > requeuesDone) {
        requeuesDone = requeueRequests;
        await db.requeueFailed({ batchId, actor: 'temporal-signal', requestKey: `${workflowInfo().runId}:${requeuesDone}` });
        cursor = 0;
        exhausted = false;
      }
      // Fill the window.
      while (!paused && !exhausted && inFlight.size < settings.window && startedThisRun < settings.rowsPerRun) {
        const limit = Math.min(PAGE_SIZE, settings.window - inFlight.size, settings.rowsPerRun - startedThisRun);
        const page = await db.nextRows({ batchId, afterLine: cursor, limit, ...(live ? { includeWaiting: firstPass } : {}) });
        if (page.length === 0) {
          exhausted = true;
          break;
        }
        await Promise.all((live ? page.filter((r) => !inFlight.has(r.line)) : page).map(startRow));
        cursor = page[page.length - 1]!.line;
        startedThisRun += page.length;
      }

      if (exhausted && inFlight.size === 0) {
        const fresh = await db.batchCounts({ batchId });
        Object.assign(counts, fresh.byStatus);
        if (fresh.unfinished === 0 && requeueRequests === requeuesDone) break;
        // Rows that are neither running nor waiting for review (re-queued, or left behind by a
        // lost Temporal database): page again from the top.
        if (fresh.startable > 0 && !paused) {
          cursor = 0;
          exhausted = false;
          firstPass = false;
          continue;
        }
      }

      if (
        startedThisRun >= settings.rowsPerRun ||
        signalsThisRun >= MAX_SIGNALS_PER_RUN ||
        workflowInfo().continueAsNewSuggested
      ) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof BatchImport>({
          batchId,
          settings,
          carry: { cursor, inFlight: [...inFlight], paused, run: carry.run + 1, ...(live ? { firstPass } : {}) },
        });
      }

      showDetails();
      wake = false;
      const woke = await condition(() => wake, settings.reconcileIntervalMs);
      if (live) {
        // Safety net, at least once per interval however busy the batch is: rows whose report we
        // missed, and rows whose workflow closed without a terminal status (terminated, failed
        // for good, a run that was closing when it was started again) give their slot back.
        if (inFlight.size > 0 && (!woke || Date.now() - lastReconcile >= settings.reconcileIntervalMs)) {
          lastReconcile = Date.now();
          const { active, closed } = await db.reconcileInFlight({ batchId, lines: [...inFlight] });
          for (const line of [...inFlight]) if (!active.includes(line)) inFlight.delete(line);
          if (closed > 0) Object.assign(counts, (await db.batchCounts({ batchId })).byStatus);
        }
      } else if (!woke && inFlight.size > 0) {
        // Safety net: drop rows whose report we may have missed.
        const active = await db.activeLines({ batchId, lines: [...inFlight] });
        for (const line of [...inFlight]) if (!active.includes(line)) inFlight.delete(line);
      }
      showStatus(paused ? 'PAUSED' : 'RUNNING');
    }
  } catch (err) {
    if (isCancellation(err)) await cancelAndClose(err);
    throw err;
  }

  await condition(allHandlersFinished);
  const summary = await db.completeBatch({ batchId, ...(live ? { onlyIfFinished: true } : {}) });
  const requeuePending = requeueRequests > requeuesDone;
  if (live && ((summary.status !== 'COMPLETED' && summary.status !== 'CANCELLED') || (requeuePending && summary.status === 'COMPLETED'))) {
    // Rows were re-queued (retry-failed) after the last count, or a bare retryFailed signal came
    // while the batch closed: carry on in a fresh run.
    await continueAsNew<typeof BatchImport>({
      batchId,
      settings,
      carry: { cursor: 0, inFlight: [], paused, run: carry.run + 1, firstPass: false, ...(requeuePending ? { requeuePending } : {}) },
    });
  }
  showStatus(summary.status);
  setCurrentDetails(batchDetails({ counts: summary.counts, state: summary.status.toLowerCase(), inFlight: 0, run: carry.run }));
  return summary;
}

/** The row workflow's user metadata: a one-line summary (title, raga, site) and a short detail. */
export function rowSummary(
  batchId: string,
  row: { line: number; site: string; title?: string | null; raga?: string | null },
): { staticSummary: string; staticDetails: string } {
  const title = row.title?.trim() || 'untitled';
  const raga = row.raga?.trim() || 'raga unknown';
  return {
    staticSummary: `${title} · ${raga} · ${row.site}`,
    staticDetails: `Manifest line ${row.line} of batch \`${batchId}\`: **${title}**, raga ${raga}, from ${row.site}.`,
  };
}
