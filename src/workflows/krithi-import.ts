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
  currentUpdateInfo,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createRowActivities } from '../activities/rows';
import type { createScrapeActivities } from '../activities/scrape';
import {
  decisionTextProblem,
  isTerminal,
  WorkflowErrorType,
  batchWorkflowId,
  type BatchSettings,
  type ReviewDecision,
  type ReviewResult,
  type RowStatus,
} from '../shared';
import { taskQueues } from '../temporal/task-queues';
import { rowDetails } from './details';
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

/**
 * Fewer events per row, again: resolveRow also takes the step after resolving (resolveRow's
 * `decide`), so an automatically approved row is resolved and persisted by one local activity, and
 * its composer, confidence and final status go out in one search-attribute upsert. Per such row:
 * no PERSISTING write of the workflow's own, no persist activity (three events) and no workflow
 * task to take its result (three more). Rows that reach PERSISTING another way (an approval by a
 * reviewer, a persist to be tried again) use the persist activity as before. Rows started before
 * this change replay on the lean path.
 */
export const FOLDED_PERSIST_PATCH = 'resolve-decides-and-persists';

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

// Decisions are written by a normal activity: it is scheduled only when the workflow task that
// accepted the update completes, so a speculative task the server later discards (a concurrent
// update won) leaves no trace — a local activity would already have run inside it. Retried
// without limit: a confirmed decision is never dropped for a database outage.
const decisions = proxyActivities<RowActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Decisions are written by an activity after the update is accepted (see `decisions`). */
export const CONFIRMED_DECISIONS_PATCH = 'confirmed-decisions';
/** Any failure of the row ends it FAILED with its type, instead of failing the workflow silently. */
export const ROW_FAILURES_PATCH = 'row-failures-end-failed';
/**
 * A row that ends FAILED closes its workflow as Failed (red in the Web UI, `ExecutionStatus="Failed"`),
 * with its error type and message as the failure, after it has reported to its batch. Before this,
 * such a run completed with `{status: 'FAILED'}` and looked green.
 */
export const FAILED_CLOSES_FAILED_PATCH = 'failed-row-closes-failed';

function validateDecision(d: ReviewDecision | undefined): string | null {
  if (!d || typeof d !== 'object') return 'decision payload missing';
  if (d.decision !== 'approve' && d.decision !== 'reject') return `decision must be approve or reject`;
  if (typeof d.reviewer !== 'string' || d.reviewer.trim() === '') return 'reviewer name missing';
  if (d.decision === 'reject' && d.overrides && Object.keys(d.overrides).length > 0)
    return 'a rejection takes no overrides';
  if (d.overrides?.ragaIds && (!Array.isArray(d.overrides.ragaIds) || d.overrides.ragaIds.length === 0))
    return 'ragaIds must be a non-empty list';
  return decisionTextProblem(d);
}

/** What the review handlers need to know about the row to judge a decision. */
export interface ReviewState {
  status: RowStatus;
  /** Cancellation of the row has been requested: no decision is taken any more. */
  cancelling: boolean;
  decision?: ReviewDecision;
  /** Entities the resolver could not choose (unknown for rows resolved before this was kept). */
  missing?: ('composer' | 'raga')[];
}

export interface ReviewRefusal {
  type: (typeof WorkflowErrorType)[keyof typeof WorkflowErrorType];
  message: string;
}

/**
 * Why a decision cannot be taken now, or null: the one rule for the update's validator and the
 * signal handler alike.
 */
export function reviewRefusal(row: ReviewState, d: ReviewDecision | undefined): ReviewRefusal | null {
  if (row.cancelling)
    return { type: WorkflowErrorType.NOT_AWAITING_REVIEW, message: `row is being cancelled, not awaiting review` };
  if (row.status !== 'PENDING_REVIEW')
    return { type: WorkflowErrorType.NOT_AWAITING_REVIEW, message: `row is ${row.status}, not awaiting review` };
  if (row.decision)
    return {
      type: WorkflowErrorType.ALREADY_DECIDED,
      message: `row was already decided (${row.decision.decision} by ${row.decision.reviewer})`,
    };
  const problem = validateDecision(d);
  if (problem) return { type: WorkflowErrorType.INVALID_DECISION, message: problem };
  // An approval persist would bounce straight back to review: refuse it while the reviewer is there.
  if (d!.decision === 'approve' && row.missing) {
    if (row.missing.includes('composer') && !d!.overrides?.composerId)
      return { type: WorkflowErrorType.INVALID_DECISION, message: 'approved without a composer: choose one (overrides.composerId)' };
    if (row.missing.includes('raga') && !d!.overrides?.ragaIds?.length)
      return { type: WorkflowErrorType.INVALID_DECISION, message: 'approved without a raga: choose one (overrides.ragaIds)' };
  }
  return null;
}

type Extra = { errorType?: string; errorMessage?: string; decision?: ReviewDecision; reasons?: string[] };

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

  const row: ReviewState = { status: 'QUEUED', cancelling: false };
  // The status now (a plain comparison would be narrowed by TypeScript across an await).
  const at = (s: RowStatus) => row.status === s;
  // The update id (or signal) that carried the decision, stored with it.
  let requestKey: string | undefined;
  // What writing the accepted decision left the row as (the update answers from it).
  let written: { decision: ReviewDecision; status: RowStatus } | undefined;
  let rejectedSignals = 0;
  let attempt = 1;
  const batch = getExternalWorkflowHandle(batchWorkflowId(batchId));

  // ---- Reports to the batch ----
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
    if (reported !== row.status) report(reported, row.status);
    reported = row.status;
  };
  const mattersToBatch = (from: RowStatus, to: RowStatus) =>
    to === 'SCRAPING' || to === 'PENDING_REVIEW' || from === 'PENDING_REVIEW' || isTerminal(to);

  /** Takes the status the database answered (a refused change leaves the row where it is). */
  const arrive = (from: RowStatus, to: RowStatus, alsoShow: SearchAttributeUpdatePair[] = []) => {
    row.status = to;
    upsertSearchAttributes([{ key: ImportStatusKey, value: to }, ...alsoShow]);
    if (from !== to && mattersToBatch(from, to)) flush();
  };
  const moveTo = async (to: RowStatus, extra: Extra = {}, alsoShow: SearchAttributeUpdatePair[] = []) => {
    const from = row.status;
    const res = await db.setRowStatus({ rowId, to, attempt, ...extra });
    // Rows recorded before the state machine answered with the status asked for.
    arrive(from, res.status ?? to, alsoShow);
    if (row.status === to) showDetails(extra);
    if (row.status === 'FAILED' && to === 'FAILED')
      failedWith = { type: extra.errorType ?? 'ERROR', message: extra.errorMessage ?? 'failed' };
  };
  /** How this run ended the row FAILED (not set when the row was already FAILED when it started). */
  let failedWith: { type: string; message: string } | undefined;
  /** The Web UI's "Current Details": where the row is and since when (not part of history). */
  const showDetails = (extra: Extra = {}) =>
    setCurrentDetails(
      rowDetails({
        status: row.status,
        site: input.site,
        attempt,
        now: Date.now(),
        reasons: extra.reasons,
        errorType: extra.errorType,
        errorMessage: extra.errorMessage,
      }),
    );

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

  // ---- Handlers ----
  setHandler(rowStatusQuery, () => row.status);
  setHandler(
    reviewUpdate,
    async (d) => {
      row.decision = d;
      requestKey = currentUpdateInfo()?.id;
      const answer: ReviewResult = { status: d.decision === 'approve' ? 'PERSISTING' : 'REJECTED' };
      if (!patched(CONFIRMED_DECISIONS_PATCH)) return answer;
      // Answer once the decision is stored: a caller that reads the row after a 200 sees it. A
      // cancellation of the row does not cut this short: the cancel step stores the decision first.
      await CancellationScope.nonCancellable(() => condition(() => written?.decision === d));
      if (written!.status !== answer.status)
        throw ApplicationFailure.create({
          type: WorkflowErrorType.NOT_AWAITING_REVIEW,
          message: `row is ${written!.status}; the decision was not taken`,
          nonRetryable: true,
        });
      return answer;
    },
    {
      validator: (d) => {
        const refusal = reviewRefusal(cancelAware(row), d);
        if (refusal) throw ApplicationFailure.create({ ...refusal, nonRetryable: true });
      },
    },
  );
  setHandler(reviewSignal, async (d) => {
    const refusal = reviewRefusal(cancelAware(row), d);
    if (!refusal) {
      row.decision = d;
      requestKey = undefined;
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
      // A NUL cannot be stored in jsonb: the refused payload is kept with it made visible.
      data: JSON.parse(JSON.stringify({ reason: refusal.message, decision: d ?? null }).replaceAll('\\u0000', '\\ufffd')),
    });
  });

  const finish = async (): Promise<KrithiImportResult> => {
    await Promise.all(reports);
    await condition(allHandlersFinished);
    return { rowId, status: row.status };
  };

  // ---- Steps ----
  /** Fetches and extracts the page; a failure that outlasts its retries ends the row FAILED. */
  const scrapeStep = async (): Promise<void> => {
    await moveTo('SCRAPING');
    if (!at('SCRAPING')) return;
    try {
      await scrape.scrapePage({ rowId, attempt });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const { type, message } = failureDetails(err);
      await moveTo('FAILED', { errorType: type, errorMessage: message });
    }
  };

  /** Resolves composer, ragas and tala; chooses auto-import, a policy decision, or review. */
  const resolveStep = async (lean: boolean): Promise<void> => {
    let resolution;
    // Composer and confidence go out with the next status, in one upsert.
    let shownWithNext: SearchAttributeUpdatePair[] = [];
    if (lean) {
      // resolveRow writes RESOLVING itself; a status held for milliseconds is not worth a
      // search-attribute upsert, and the batch hears only of where the row goes next.
      const decide = patched(FOLDED_PERSIST_PATCH) ? { attempt, reviewPolicy: settings.reviewPolicy === 'auto' ? ('auto' as const) : ('human' as const) } : undefined;
      resolution = await db.resolveRow({ rowId, enter: true, ...(decide ? { decide } : {}) });
      if (resolution.status && resolution.status !== 'RESOLVING') return arrive(row.status, resolution.status);
      row.status = 'RESOLVING';
      shownWithNext = resolutionAttributes(resolution);
      if (resolution.settled) {
        // Resolved and decided (imported, rejected by policy, or waiting for review) in that one call.
        const { status, ...details } = resolution.settled;
        row.missing = resolution.missing;
        arrive('RESOLVING', status, shownWithNext);
        if (row.status === status) showDetails(details);
        return;
      }
    } else {
      await moveTo('RESOLVING');
      resolution = await db.resolveRow({ rowId });
      showResolution(resolution);
    }
    row.missing = resolution.missing;
    if (resolution.autoApprove) await moveTo('PERSISTING', {}, shownWithNext);
    else if (settings.reviewPolicy === 'auto') {
      const d: ReviewDecision = {
        decision: resolution.decidable ? 'approve' : 'reject',
        reviewer: 'auto-policy',
        note: resolution.reasons.join('; '),
      };
      await moveTo(d.decision === 'reject' ? 'REJECTED' : 'PERSISTING', { decision: d, reasons: resolution.reasons }, shownWithNext);
    } else await moveTo('PENDING_REVIEW', { reasons: resolution.reasons }, shownWithNext);
  };

  /** Writes the accepted decision (PENDING_REVIEW → PERSISTING or REJECTED). */
  const recordDecision = async (d: ReviewDecision): Promise<void> => {
    if (patched(CONFIRMED_DECISIONS_PATCH)) {
      const from = row.status;
      const res = await decisions.recordDecision({ rowId, decision: d, requestKey });
      written = { decision: d, status: res.status };
      arrive(from, res.status);
    } else await moveTo(d.decision === 'reject' ? 'REJECTED' : 'PERSISTING', { decision: d });
  };

  /** Waits for a decision when in review, then persists; a persist that needs a human goes back. */
  const reviewAndPersistStep = async (): Promise<void> => {
    for (;;) {
      if (row.status === 'PENDING_REVIEW') {
        await condition(() => row.decision !== undefined);
        await recordDecision(row.decision!);
        if (!at('PERSISTING')) return;
      }
      const result = await persist.persistKrithi({ rowId, attempt });
      if (result.outcome === 'IMPORTED' || result.outcome === 'SKIPPED') {
        // persist wrote IMPORTED in its own transaction; SKIPPED: the row left PERSISTING meanwhile.
        row.status = result.outcome === 'IMPORTED' ? 'IMPORTED' : result.status;
        upsertSearchAttributes([{ key: ImportStatusKey, value: row.status }]);
        flush();
        return;
      }
      // An override id that no longer exists, or a difference from fields a reviewer set earlier:
      // back to a human, with the reason on the row.
      log.info('persist needs review', { rowId, reason: result.reason });
      row.decision = undefined;
      await moveTo('PENDING_REVIEW', { errorType: result.errorType, errorMessage: result.reason, reasons: [result.reason] });
      if (!at('PENDING_REVIEW')) return;
    }
  };

  /** The batch (or an operator) cancelled the row: a decision already confirmed is kept, then CANCELLED. */
  const cancelStep = async (): Promise<void> => {
    row.cancelling = true;
    await CancellationScope.nonCancellable(async () => {
      if (row.decision && row.status === 'PENDING_REVIEW' && patched(CONFIRMED_DECISIONS_PATCH)) {
        const res = await decisions.recordDecision({ rowId, decision: row.decision, requestKey });
        written = { decision: row.decision, status: res.status };
        row.status = res.status;
      }
      const res = await db.cancelRow({ rowId, attempt });
      row.status = res.status;
      if (res.changed) flush();
      upsertSearchAttributes([{ key: ImportStatusKey, value: row.status }]);
      await Promise.all(reports);
      // An update waiting on its decision's write answers before the workflow closes.
      if (written) await condition(allHandlersFinished);
    });
  };

  /** Anything else that outlasted its retries (a database outage): the row ends FAILED, with its type. */
  const failStep = async (err: unknown): Promise<boolean> => {
    if (!patched(ROW_FAILURES_PATCH)) return false;
    const { type, message } = failureDetails(err);
    try {
      await moveTo('FAILED', { errorType: type, errorMessage: message });
    } catch {
      // The database is still away: the workflow fails, and the batch's reconcile step, which asks
      // Temporal whether its rows still run, closes the row FAILED instead.
      return false;
    }
    return true;
  };

  const result = await runSteps();
  if (result.status === 'FAILED' && failedWith && patched(FAILED_CLOSES_FAILED_PATCH)) {
    // After finish(): the batch has heard of it and every handler has answered.
    throw ApplicationFailure.create({
      type: failedWith.type,
      message: failedWith.message,
      nonRetryable: true,
      details: [{ batchId, rowId, line, status: 'FAILED', attempt }],
    });
  }
  return result;

  async function runSteps(): Promise<KrithiImportResult> {
    try {
      // A run that `temporal workflow reset` (or the Web UI's Reset) created has a run id other
      // than the one on its start event (rows never continue-as-new): its row, if FAILED, is
      // queued again as a new attempt and its batch told, so a reset retries the row.
      const info = workflowInfo();
      const afterReset = info.runId !== info.originalExecutionRunId ? info.runId : undefined;
      const state = await db.loadRow({ rowId, run: { workflowId: info.workflowId, runId: info.runId }, ...(afterReset ? { afterReset } : {}) });
      if (state.resetRefused) failedWith = { type: 'RETRY_REFUSED', message: state.resetRefused };
      row.status = state.status;
      row.missing = state.missing;
      attempt = state.attempt;
      const lean = patched(LEAN_ROW_PATCH);
      // What the batch counts this row as: its status when the batch (re)started it — except that a
      // batch counts a row it starts from QUEUED as SCRAPING from the start.
      reported = lean && row.status === 'QUEUED' ? 'SCRAPING' : row.status;
      if (isTerminal(row.status)) {
        // Already finished (a duplicate start, a retry of a closed batch): tell the batch, nothing else.
        report(row.status, row.status);
        return await finish();
      }
      if (!settings.sites.includes(input.site)) {
        await moveTo('FAILED', {
          errorType: 'BLOCKED_URL',
          errorMessage: `host ${input.site} is not on the list of source sites`,
        });
        return await finish();
      }
      if (row.status === 'QUEUED' || row.status === 'SCRAPING') await scrapeStep();
      if (row.status === 'SCRAPING' || row.status === 'RESOLVING') await resolveStep(lean);
      if (row.status === 'PENDING_REVIEW' || row.status === 'PERSISTING') await reviewAndPersistStep();
      return await finish();
    } catch (err) {
      if (isCancellation(err)) {
        await cancelStep();
        throw err;
      }
      if (await failStep(err)) return await finish();
      throw err;
    }
  }
}

/** The validator may run after a cancellation was requested but before the workflow reacted to it. */
function cancelAware(row: ReviewState): ReviewState {
  return CancellationScope.current().consideredCancelled ? { ...row, cancelling: true } : row;
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
