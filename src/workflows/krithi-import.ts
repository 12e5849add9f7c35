/**
 * KrithiImport: one manifest row, scrape → resolve → decide → persist.
 *
 * Guarantees: the row's state lives in PostgreSQL and this workflow resumes from it, so a restart,
 * a retry-failed or a recovery after the Temporal database was lost never repeats finished work;
 * every status change is written to the row, mirrored in the ImportStatus search attribute and
 * reported to the batch by signal (the changes that matter to it); a row that needs a human waits durably, for as long as it
 * takes, for a `review` update (or the same decision as a signal); persist is exactly-once per
 * source page (an idempotency-keyed upsert in one transaction with its audit event).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createRowActivities } from '../activities/rows';
import type { createScrapeActivities } from '../activities/scrape';
import {
  isTerminal,
  WorkflowErrorType,
  batchWorkflowId,
  type BatchSettings,
  type ReviewDecision,
  type RowStatus,
} from '../shared';
import { taskQueues } from '../temporal/task-queues';
import {
  ComposerKey,
  ImportStatusKey,
  ResolutionConfidenceKey,
  reviewSignal,
  reviewUpdate,
  rowStatusQuery,
  rowTransitionSignal,
} from './messages';

/** Rows that resolved before this change replay without the Composer/ResolutionConfidence upsert. */
export const RESOLUTION_ATTRIBUTES_PATCH = 'resolution-search-attributes';

/**
 * Fewer events per row (docs/PERFORMANCE.md, Tuning): the batch counts a row it starts from QUEUED
 * as SCRAPING itself, so the row sends no report when it starts scraping (a signal, and a workflow
 * task on each side); and resolveRow moves the row to RESOLVING inside its own call, so that step
 * costs one local activity instead of two and no search-attribute upsert. Rows started before
 * this change replay on the old path.
 */
export const LEAN_ROW_PATCH = 'lean-row-reports';

export interface KrithiImportInput {
  batchId: string;
  rowId: string;
  line: number;
  site: string;
  settings: BatchSettings;
}

export interface KrithiImportResult {
  rowId: string;
  status: RowStatus;
  errorType?: string;
}

type RowActivities = ReturnType<typeof createRowActivities>;
type ScrapeActivities = ReturnType<typeof createScrapeActivities>;

// DB-only steps run as local activities: no task-queue round trip, recorded as a marker. Each is
// idempotent (status writes are conditional, audit events keyed), so a re-run after a crash is safe.
const db = proxyLocalActivities<RowActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500ms', maximumInterval: '10 seconds', maximumAttempts: 20 },
});

// Persist is a normal activity so it survives a worker crash mid-call with a visible attempt count;
// INVALID_OVERRIDE is permanent (the reviewer must choose again), anything else is a DB hiccup.
const persist = proxyActivities<RowActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});

function validateDecision(d: ReviewDecision | undefined): string | null {
  if (!d || typeof d !== 'object') return 'decision payload missing';
  if (d.decision !== 'approve' && d.decision !== 'reject') return `decision must be approve or reject`;
  if (typeof d.reviewer !== 'string' || d.reviewer.trim() === '') return 'reviewer name missing';
  if (d.decision === 'reject' && d.overrides && Object.keys(d.overrides).length > 0)
    return 'a rejection takes no overrides';
  if (d.overrides?.ragaIds && (!Array.isArray(d.overrides.ragaIds) || d.overrides.ragaIds.length === 0))
    return 'ragaIds must be a non-empty list';
  return null;
}

export async function KrithiImport(input: KrithiImportInput): Promise<KrithiImportResult> {
  const { batchId, rowId, line, settings } = input;
  const queues = taskQueues(settings.taskQueuePrefix);
  const scrape = proxyActivities<ScrapeActivities>({
    taskQueue: queues.scrape(input.site),
    // Time from scheduling to start includes waiting for the site's rate limit; only the call
    // itself is bounded here.
    startToCloseTimeout: '60 seconds',
    heartbeatTimeout: '10 seconds',
    // With the server's fairness on, a site's queue serves batches in turn instead of first come,
    // first served, so a small batch is not stuck behind a large one draining the same site.
    priority: { fairnessKey: batchId },
    retry: {
      initialInterval: settings.scrape.initialRetryMs,
      backoffCoefficient: 2,
      maximumInterval: settings.scrape.maxRetryMs,
      maximumAttempts: settings.scrape.maxAttempts,
    },
  });

  let status: RowStatus = 'QUEUED';
  let decision: ReviewDecision | undefined;
  let rejectedSignals = 0;
  const batch = getExternalWorkflowHandle(batchWorkflowId(batchId));

  // Reports go out without waiting, but the workflow waits for them before it completes: a signal
  // command still in flight when the workflow closes is not delivered. A batch that is closed or
  // gone (recovery, a finished batch) is harmless.
  const reports: Promise<void>[] = [];
  const report = (from: RowStatus, to: RowStatus) => {
    reports.push(batch.signal(rowTransitionSignal, { line, from, to }).catch(() => undefined));
  };
  // The batch hears of the changes that matter to it — a row starts (takes a window slot), waits
  // for a human or leaves review, ends — as one transition from the status it last heard of.
  // Passing through RESOLVING and PERSISTING is folded into the next report: every signal is a
  // history event on both sides and a workflow task on the batch, so this saves three per row.
  let reported: RowStatus = 'QUEUED';
  const flush = () => {
    if (reported !== status) report(reported, status);
    reported = status;
  };
  const mattersToBatch = (from: RowStatus, to: RowStatus) =>
    to === 'SCRAPING' || to === 'PENDING_REVIEW' || from === 'PENDING_REVIEW' || isTerminal(to);

  const moveTo = async (
    to: RowStatus,
    extra: { errorType?: string; errorMessage?: string; decision?: ReviewDecision; reasons?: string[] } = {},
    alsoShow: SearchAttributeUpdatePair[] = [],
  ) => {
    const from = status;
    await db.setRowStatus({ rowId, to, ...extra });
    status = to;
    upsertSearchAttributes([{ key: ImportStatusKey, value: to }, ...alsoShow]);
    if (from !== to && mattersToBatch(from, to)) flush();
  };

  // Composer and confidence, for filtering in the Web UI. Every upsert is a history event: only a
  // change is written.
  const shown: { composer?: string; confidence?: string } = {};
  const resolutionAttributes = (r: { composer?: string | null; confidence: string }): SearchAttributeUpdatePair[] => {
    const composer = r.composer ?? undefined;
    const pairs = [
      ...(composer && composer !== shown.composer ? [{ key: ComposerKey, value: composer }] : []),
      ...(r.confidence !== shown.confidence ? [{ key: ResolutionConfidenceKey, value: r.confidence }] : []),
    ];
    Object.assign(shown, { composer: composer ?? shown.composer, confidence: r.confidence });
    return pairs;
  };
  // Before lean-row-reports: an upsert of its own, right after resolving.
  const showResolution = (r: { composer?: string | null; confidence: string }) => {
    if (!patched(RESOLUTION_ATTRIBUTES_PATCH)) return;
    const pairs = resolutionAttributes(r);
    if (pairs.length > 0) upsertSearchAttributes(pairs);
  };

  setHandler(rowStatusQuery, () => status);
  setHandler(
    reviewUpdate,
    (d) => {
      decision = d;
      return { status: d.decision === 'approve' ? 'PERSISTING' : 'REJECTED' };
    },
    {
      validator: (d) => {
        if (status !== 'PENDING_REVIEW')
          throw ApplicationFailure.create({
            type: WorkflowErrorType.NOT_AWAITING_REVIEW,
            message: `row is ${status}, not awaiting review`,
            nonRetryable: true,
          });
        if (decision)
          throw ApplicationFailure.create({
            type: WorkflowErrorType.ALREADY_DECIDED,
            message: `row was already decided (${decision.decision} by ${decision.reviewer})`,
            nonRetryable: true,
          });
        const problem = validateDecision(d);
        if (problem)
          throw ApplicationFailure.create({ type: WorkflowErrorType.INVALID_DECISION, message: problem, nonRetryable: true });
      },
    },
  );
  setHandler(reviewSignal, async (d) => {
    const problem =
      status !== 'PENDING_REVIEW'
        ? `row is ${status}, not awaiting review`
        : decision
          ? 'row was already decided'
          : validateDecision(d);
    if (!problem) {
      decision = d;
      return;
    }
    // A signal cannot answer its sender: the refusal goes to the audit trail instead.
    rejectedSignals += 1;
    await db.recordAudit({
      eventKey: `row:${rowId}:review-signal-refused:${workflowInfo().runId}:${rejectedSignals}`,
      type: 'REVIEW_SIGNAL_REFUSED',
      batchId,
      rowId,
      actor: typeof d?.reviewer === 'string' && d.reviewer ? d.reviewer : 'unknown',
      data: { reason: problem, decision: d ?? null },
    });
  });

  const finish = async (): Promise<KrithiImportResult> => {
    await Promise.all(reports);
    await condition(allHandlersFinished);
    return { rowId, status };
  };

  try {
    const state = await db.loadRow({ rowId });
    status = state.status;
    const lean = patched(LEAN_ROW_PATCH);
    // What the batch counts this row as: its status when the batch (re)started it — except that a
    // batch counts a row it starts from QUEUED as SCRAPING from the start.
    reported = lean && status === 'QUEUED' ? 'SCRAPING' : status;
    if (isTerminal(status)) {
      // Already finished (a duplicate start, a retry of a closed batch): tell the batch, nothing else.
      report(status, status);
      return await finish();
    }

    if (!settings.sites.includes(input.site)) {
      await moveTo('FAILED', {
        errorType: 'BLOCKED_URL',
        errorMessage: `host ${input.site} is not on the list of source sites`,
      });
      return await finish();
    }

    if (status === 'QUEUED' || status === 'SCRAPING') {
      await moveTo('SCRAPING');
      try {
        await scrape.scrapePage({ rowId, attempt: state.attempt });
      } catch (err) {
        if (isCancellation(err)) throw err;
        const { type, message } = failureDetails(err);
        await moveTo('FAILED', { errorType: type, errorMessage: message });
        return await finish();
      }
    }

    if (status === 'SCRAPING' || status === 'RESOLVING') {
      let resolution;
      // Composer and confidence go out with the next status, in one upsert.
      let shownWithNext: SearchAttributeUpdatePair[] = [];
      if (lean) {
        // resolveRow writes RESOLVING itself; a status held for milliseconds is not worth a
        // search-attribute upsert, and the batch hears only of where the row goes next.
        resolution = await db.resolveRow({ rowId, enter: true });
        status = 'RESOLVING';
        shownWithNext = resolutionAttributes(resolution);
      } else {
        await moveTo('RESOLVING');
        resolution = await db.resolveRow({ rowId });
        showResolution(resolution);
      }
      if (resolution.autoApprove) await moveTo('PERSISTING', {}, shownWithNext);
      else if (settings.reviewPolicy === 'auto') {
        const d: ReviewDecision = {
          decision: resolution.decidable ? 'approve' : 'reject',
          reviewer: 'auto-policy',
          note: resolution.reasons.join('; '),
        };
        if (d.decision === 'reject') {
          await moveTo('REJECTED', { decision: d, reasons: resolution.reasons }, shownWithNext);
          return await finish();
        }
        await moveTo('PERSISTING', { decision: d, reasons: resolution.reasons }, shownWithNext);
      } else await moveTo('PENDING_REVIEW', { reasons: resolution.reasons }, shownWithNext);
    }

    for (;;) {
      if (status === 'PENDING_REVIEW') {
        await condition(() => decision !== undefined);
        const d = decision as unknown as ReviewDecision;
        if (d.decision === 'reject') {
          await moveTo('REJECTED', { decision: d });
          return await finish();
        }
        await moveTo('PERSISTING', { decision: d });
      }
      const result = await persist.persistKrithi({ rowId, attempt: state.attempt });
      if (result.outcome === 'IMPORTED') {
        status = 'IMPORTED'; // persist wrote the status in its own transaction
        upsertSearchAttributes([{ key: ImportStatusKey, value: status }]);
        flush();
        return await finish();
      }
      if (result.outcome === 'SKIPPED') {
        status = result.status;
        upsertSearchAttributes([{ key: ImportStatusKey, value: status }]);
        flush();
        return await finish();
      }
      // An override id that no longer exists, or a difference from fields a reviewer set earlier:
      // back to a human, with the reason on the row.
      log.info('persist needs review', { rowId, reason: result.reason });
      decision = undefined;
      await moveTo('PENDING_REVIEW', { errorType: result.errorType, errorMessage: result.reason, reasons: [result.reason] });
    }
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        const res = await db.cancelRow({ rowId });
        status = res.status;
        if (res.changed) flush();
        upsertSearchAttributes([{ key: ImportStatusKey, value: status }]);
        await Promise.all(reports);
      });
    }
    throw err;
  }
}

function failureDetails(err: unknown): { type: string; message: string } {
  let cause: unknown = err;
  if (err instanceof ActivityFailure) cause = err.cause ?? err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ERROR', message: cause.message };
  if (cause instanceof Error) {
    const timeout = cause.name === 'TimeoutFailure';
    return { type: timeout ? 'TIMEOUT' : 'ERROR', message: cause.message };
  }
  return { type: 'ERROR', message: String(err) };
}
