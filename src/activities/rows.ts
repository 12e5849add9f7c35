/**
 * Row activities: the database side of KrithiImport. Every write is conditional or keyed, so a
 * retried or replayed call (a local activity re-run after a crash) changes nothing twice.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import { requeueFailedRows } from '../db/batches';
import { signalBatch } from '../temporal/batch-signal';
import { retryFailedSignal } from '../workflows/messages';
import { decideApproval, resolveRow, type ResolveInput } from '../resolution/policy';
import type { ReviewDecision, RowStatus } from '../shared';
import { UNFINISHED, transitionRow, type RowChangeResult } from '../db/rows';
import { composerForSite } from '../resolution/reference';
import type { ReferenceCache } from './reference-cache';
import { recordReviewerAliases, recordReviewerRaga } from '../db/reference';
import { checkNewRaga, NewRagaError, newRagaId } from '../resolution/new-raga';
import { aliasesFromReview, type StoredResolution } from '../resolution/learning';
import { describeDuplicate, findProbableDuplicates } from './duplicates';
import {
  intendedKrithi,
  lockRow,
  markImported,
  PersistErrorType,
  referenceProblem,
  upsertKrithi,
  type ChosenEntities,
  type PersistOutcome,
} from './persist';
import type { Metrics } from '../observability/metrics';

export interface RowDeps {
  sql: Sql;
  /** Temporal client (a reset row re-opens its batch); lazy so activities can be built before connecting. */
  client?: () => Client;
  reference: ReferenceCache;
  /** Domain metrics of this worker process (absent: counted nowhere). */
  metrics?: Metrics;
}

export interface RowState {
  status: RowStatus;
  attempt: number;
  /** What the resolver could not choose (an approval must supply it). */
  missing?: ('composer' | 'raga')[];
  /** A reset run found its row FAILED but could not queue it again: why. */
  resetRefused?: string;
}

export interface LoadRowInput {
  rowId: string;
  /** The run asking. A retried row's earlier, closed runs are deleted from Temporal (see loadRow). */
  run?: { workflowId: string; runId: string };
  /**
   * Set by a run that a `temporal workflow reset` created (its run id): a FAILED row is queued
   * again as a new attempt, as `retry` would, and its batch pages again (or runs again if it had
   * completed). Idempotent per run.
   */
  afterReset?: string;
}

export interface RecordDecisionInput {
  rowId: string;
  decision: ReviewDecision;
  /** The review update's id: a retried request is answered from the stored decision. */
  requestKey?: string;
}

export interface SetRowStatusInput {
  rowId: string;
  to: RowStatus;
  /** The attempt the writing run works on: a stale run's write is refused (see transitionRow). */
  attempt?: number;
  errorType?: string;
  errorMessage?: string;
  decision?: ReviewDecision;
  reasons?: string[];
}

export interface AuditInput {
  eventKey: string;
  type: string;
  batchId?: string;
  rowId?: string;
  krithiId?: string;
  actor: string;
  data?: Record<string, unknown>;
}

export interface ResolveRowInput {
  rowId: string;
  /** Move the row to RESOLVING first (the workflow then skips its own status step). */
  enter?: boolean;
  /**
   * Also take the step after resolving, in the same call (the workflow then needs no status
   * write, persist activity or workflow task of its own for it): an automatically approved row, or
   * one the `auto` review policy approves, is persisted at once; the policy's rejection ends it
   * REJECTED; anything else waits in PENDING_REVIEW. `attempt` fences the writes as the workflow's own.
   */
  decide?: { attempt: number; reviewPolicy: 'human' | 'auto' };
}

export interface ResolveOutcome {
  autoApprove: boolean;
  /** A composer and at least one raga were chosen: an approval could be persisted as is. */
  decidable: boolean;
  confidence: 'HIGH' | 'MEDIUM' | 'LOW';
  /** Name of the chosen composer, shown as the row's Composer search attribute. */
  composer: string | null;
  reasons: string[];
  /** What the resolver could not choose (an approval must supply it). */
  missing?: ('composer' | 'raga')[];
  /** Set when the row could not enter RESOLVING (cancelled meanwhile): where it is instead. */
  status?: RowStatus;
  /** With `decide`: where the step after resolving left the row. */
  settled?: SettledStep;
}

/**
 * Where resolveRow's `decide` left the row: IMPORTED, REJECTED, PENDING_REVIEW (with why), or
 * PERSISTING when the persist is to be tried again by the workflow's persist activity.
 */
export interface SettledStep {
  status: RowStatus;
  errorType?: string;
  errorMessage?: string;
  reasons?: string[];
}

export { PersistErrorType, type ChosenEntities, type PersistOutcome } from './persist';

/** Key for an audit event written by an activity: stable across its retries. */
function activityEventKey(rowId: string, what: string): string {
  const info = Context.current().info;
  return `row:${rowId}:wf:${info.workflowExecution?.runId ?? "none"}:act:${info.activityId}:${what}`;
}

/** Statuses where a row stops needing the machine: the end of the latency SLO's clock. */
const SETTLED = ['PENDING_REVIEW', 'IMPORTED', 'REJECTED', 'FAILED'];

export function createRowActivities({ sql, client, reference, metrics }: RowDeps) {
  /**
   * Deletes a retried row's closed earlier runs from Temporal, so that Temporal's view is the
   * row's current state: `ExecutionStatus="Failed"` counts exactly the rows that are FAILED now,
   * and a reset by that query never reaches a superseded run (resetting one terminates the row's
   * current run). Their failure stays in PostgreSQL: the row's STATUS_CHANGED → FAILED event and
   * this audit event naming the runs. Best effort: a failure here never holds the import up.
   */
  const deleteSupersededRuns = async (rowId: string, run: { workflowId: string; runId: string }): Promise<void> => {
    if (!client) return;
    try {
      const c = client();
      const deleted: { runId: string; status: string }[] = [];
      for await (const w of c.workflow.list({ query: `WorkflowId = ${JSON.stringify(run.workflowId)}` })) {
        if (w.runId === run.runId || w.status.name === 'RUNNING') continue;
        await c.workflowService.deleteWorkflowExecution({
          namespace: c.options.namespace,
          workflowExecution: { workflowId: run.workflowId, runId: w.runId },
        });
        deleted.push({ runId: w.runId, status: w.status.name });
      }
      if (deleted.length > 0)
        await sql`
          INSERT INTO audit_events (event_key, type, batch_id, row_id, actor, data)
          SELECT ${`row:${rowId}:superseded-runs:${run.runId}`}, 'SUPERSEDED_RUNS_DELETED', batch_id, id, 'worker',
                 ${sql.json({ workflowId: run.workflowId, currentRunId: run.runId, deleted } as never)}
          FROM import_rows WHERE id = ${rowId}
          ON CONFLICT (event_key) DO NOTHING`;
    } catch (err) {
      Context.current().log.warn('could not delete superseded runs', { rowId, workflowId: run.workflowId, error: (err as Error).message });
    }
  };

  /**
   * A reset run's FAILED row, queued again (requeueFailedRows: under the batch's lock, refused for
   * a cancelled batch); then the batch hears of it.
   */
  const requeueAfterReset = async (rowId: string, runId: string): Promise<{ refused?: string }> => {
    const eventKeyPrefix = `row:${rowId}:temporal-reset:${runId}`;
    const [row] = await sql`SELECT batch_id, line FROM import_rows WHERE id = ${rowId}`;
    const batchId = row!.batch_id as string;
    const outcome = await sql.begin(async (tx) => {
      const { requeued, refused } = await requeueFailedRows(tx as unknown as Sql, { batchId, lines: [row!.line as number], actor: 'temporal-reset', eventKeyPrefix });
      // Requeued now, or by an earlier try of this call (its audit event is there): tell the batch.
      const [earlier] = requeued || refused ? [] : await tx`SELECT 1 FROM audit_events WHERE event_key = ${`${eventKeyPrefix}:batch`}`;
      return { tell: requeued > 0 || Boolean(earlier), refused };
    });
    if (outcome.refused) return { refused: `batch ${batchId} is ${outcome.refused}: resume it to run its rows again` };
    if (outcome.tell) {
      if (!client) throw new Error('a reset row needs a Temporal client to reach its batch');
      const [batch] = await sql`SELECT id, settings FROM batches WHERE id = ${batchId}`;
      await signalBatch(client(), batch as { id: string; settings: unknown }, retryFailedSignal, { requeued: true });
    }
    return {};
  };

  /**
   * Seconds since the row last entered SCRAPING (its audit event), when this change is the row's
   * first settled state of the attempt: not a reviewed row, not a cancellation.
   */
  const settleSeconds = async (tx: Sql, rowId: string): Promise<number | null> => {
    const [ev] = await tx`
      SELECT EXTRACT(EPOCH FROM clock_timestamp() - at)::float8 AS seconds FROM audit_events
      WHERE row_id = ${rowId} AND type = 'STATUS_CHANGED' AND data->>'to' = 'SCRAPING'
      ORDER BY id DESC LIMIT 1`;
    return ev ? (ev.seconds as number) : null;
  };

  /**
   * Moves the row to `to` through the state machine (db/rows.ts) and audits the change; a change
   * the table refuses (a terminal row is never reopened) leaves the row where it is, and the
   * answer says where that is.
   */
  const changeStatus = async (input: SetRowStatusInput): Promise<{ changed: boolean; status: RowStatus }> => {
    const { rowId, to, decision } = input;
    // Filled inside the transaction, counted once it has committed.
    const settled: { site?: string; seconds?: number } = {};
    const result = await sql.begin(async (tx): Promise<RowChangeResult> => {
      const res = await transitionRow(tx as unknown as Sql, {
        rowId,
        to,
        // A terminal row is never reopened by its workflow.
        from: UNFINISHED,
        attempt: input.attempt,
        actor: decision?.reviewer ?? 'system',
        eventKey: activityEventKey(rowId, `status:${to}`),
        errorType: input.errorType,
        errorMessage: input.errorMessage,
        reasons: input.reasons,
        decision,
      });
      if (res.changed && res.from !== 'PENDING_REVIEW' && SETTLED.includes(to) && !res.reviewedAt && !decision) {
        const seconds = await settleSeconds(tx as unknown as Sql, rowId);
        if (seconds !== null) Object.assign(settled, { site: res.site, seconds });
      }
      return res;
    });
    if (result.changed) {
      metrics?.rowTransition(to, input.errorType);
      Context.current().log.debug('row status changed', { rowId, status: to, errorType: input.errorType ?? null });
    }
    if (settled.site !== undefined && settled.seconds !== undefined) metrics?.rowSettled(settled.site, settled.seconds);
    return { changed: result.changed, status: result.status };
  };

  /**
   * Upserts the krithi by its source key in one transaction with the row's status and its audit
   * event (see persistKrithi).
   */
  const persistRow = async ({ rowId, attempt }: { rowId: string; attempt: number }): Promise<PersistOutcome> => {
    let learned = 0;
    // Filled inside the transaction, counted once it has committed.
    const written: { operation?: 'created' | 'updated'; site?: string; settleSeconds?: number | null } = {};
    const outcome = await sql.begin(async (t): Promise<PersistOutcome> => {
      const tx = t as unknown as Sql;
      const locked = await lockRow(tx, rowId);
      if ('done' in locked) return locked.done;
      const { row } = locked;
      const k = intendedKrithi(row);
      // A raga the reviewer adds with this decision is written with the import; check it again here.
      const newRaga = k.overrides.newRaga;
      if (newRaga) {
        const problems = await newRagaProblems(tx, newRaga, row.review_note as string | null);
        if (problems.length) return { outcome: 'NEEDS_REVIEW', errorType: PersistErrorType.INVALID_OVERRIDE, reason: problems.join('; ') };
      }
      const problem = await referenceProblem(tx, k, newRaga ? newRagaId(newRaga) : undefined);
      if (problem) return problem;
      const upserted = await upsertKrithi(tx, rowId, row, k);
      if ('needsReview' in upserted) return upserted.needsReview;
      const { krithiId, existed } = upserted;
      await markImported(tx, { rowId, attempt, row, k, krithiId, existed });
      if (newRaga && row.reviewer) {
        await recordReviewerRaga(t, {
          raga: { ...newRaga, id: newRagaId(newRaga) },
          note: row.review_note as string,
          reviewer: row.reviewer as string,
          batchId: row.batch_id as string,
          rowId,
          eventKeyPrefix: `row:${rowId}:attempt:${attempt}`,
        });
        learned += 1;
      }
      // Spellings the reviewer resolved by hand become aliases, in the same transaction as the import.
      if (row.reviewer && row.review_overrides) {
        const added = await recordReviewerAliases(t, {
          aliases: aliasesFromReview(row.resolution as StoredResolution | null, k.overrides),
          reviewer: row.reviewer as string,
          batchId: row.batch_id as string,
          rowId,
          eventKeyPrefix: `row:${rowId}:attempt:${attempt}`,
        });
        learned += added.length;
      }
      Object.assign(written, {
        operation: existed ? 'updated' : 'created',
        site: row.site as string,
        // An automatically approved row settles here; a reviewed one settled when it began waiting.
        settleSeconds: row.reviewed_at ? null : await settleSeconds(tx as unknown as Sql, rowId),
      });
      return { outcome: 'IMPORTED', krithiId };
    });
    if (written.operation) {
      metrics?.rowTransition('IMPORTED');
      metrics?.krithisPersisted.inc({ operation: written.operation });
      if (written.site && typeof written.settleSeconds === 'number') metrics?.rowSettled(written.site, written.settleSeconds);
      Context.current().log.debug('krithi persisted', { rowId, operation: written.operation, ...outcome });
    }
    // This worker's matcher picks new aliases and ragas up at once; other workers within their check interval.
    if (learned > 0) reference.invalidate();
    return outcome;
  };

  /**
   * The step after resolving, taken inside resolveRow (`decide`): the same status changes, with the
   * same audit, as the workflow's own steps would write — PERSISTING then the persist transaction,
   * REJECTED by policy, or PENDING_REVIEW; a persist that needs a human sends the row back to review
   * as the persist step does. A retry of the whole call finds the row past RESOLVING and changes
   * nothing (resolveRow answers with where the row is).
   */
  const settleResolved = async (
    rowId: string,
    decide: NonNullable<ResolveRowInput['decide']>,
    r: Pick<ResolveOutcome, 'autoApprove' | 'decidable' | 'reasons'>,
  ): Promise<SettledStep> => {
    const { attempt } = decide;
    let moved;
    if (r.autoApprove) moved = await changeStatus({ rowId, to: 'PERSISTING', attempt });
    else if (decide.reviewPolicy === 'auto') {
      const decision: ReviewDecision = { decision: r.decidable ? 'approve' : 'reject', reviewer: 'auto-policy', note: r.reasons.join('; ') };
      moved = await changeStatus({ rowId, to: r.decidable ? 'PERSISTING' : 'REJECTED', attempt, decision, reasons: r.reasons });
    } else moved = await changeStatus({ rowId, to: 'PENDING_REVIEW', attempt, reasons: r.reasons });
    if (moved.status !== 'PERSISTING') return { status: moved.status, reasons: r.reasons };
    const persisted = await persistRow({ rowId, attempt });
    if (persisted.outcome === 'IMPORTED') return { status: 'IMPORTED' };
    if (persisted.outcome === 'SKIPPED') return { status: persisted.status };
    const back = await changeStatus({
      rowId,
      to: 'PENDING_REVIEW',
      attempt,
      errorType: persisted.errorType,
      errorMessage: persisted.reason,
      reasons: [persisted.reason],
    });
    return { status: back.status, errorType: persisted.errorType, errorMessage: persisted.reason, reasons: [persisted.reason] };
  };

  return {
    async loadRow({ rowId, run, afterReset }: LoadRowInput): Promise<RowState> {
      const read = async () => (await sql`SELECT status, attempt, resolution FROM import_rows WHERE id = ${rowId} AND kind = 'record'`)[0];
      let row = await read();
      if (!row) throw new Error(`row ${rowId} not found`);
      let reset: { refused?: string } | undefined;
      if (afterReset && (row.status === 'FAILED' || row.status === 'QUEUED')) {
        reset = await requeueAfterReset(rowId, afterReset);
        row = (await read())!;
      }
      // A retried row (a new attempt) has earlier runs that closed Failed: they are superseded.
      if (run && (row.attempt as number) > 1) await deleteSupersededRuns(rowId, run);
      const chosen = (row.resolution as { chosen?: ChosenEntities } | null)?.chosen;
      return {
        status: row.status as RowStatus,
        attempt: row.attempt as number,
        ...(chosen ? { missing: missingOf(chosen) } : {}),
        ...(reset?.refused ? { resetRefused: reset.refused } : {}),
      };
    },

    /**
     * Writes a review decision the row's workflow accepted: PENDING_REVIEW → PERSISTING (approve)
     * or REJECTED, with the decision and the request that carried it, in one transaction. Only
     * from PENDING_REVIEW: a retried call, or a row that has moved on, changes nothing.
     */
    async recordDecision({ rowId, decision, requestKey }: RecordDecisionInput): Promise<{ changed: boolean; status: RowStatus }> {
      const to: RowStatus = decision.decision === 'approve' ? 'PERSISTING' : 'REJECTED';
      const res = await sql.begin((tx) =>
        transitionRow(tx as unknown as Sql, {
          rowId,
          to,
          from: ['PENDING_REVIEW'],
          actor: decision.reviewer,
          eventKey: activityEventKey(rowId, `decision`),
          decision,
          requestKey,
        }),
      );
      if (res.changed) metrics?.rowTransition(to);
      return { changed: res.changed, status: res.status };
    },

    /** Moves a non-terminal row to `to` and audits the change. A terminal row is never reopened. */
    setRowStatus: changeStatus,

    /**
     * Resolves composer, ragas and tala against the reference; stores candidates and the choice.
     * With `enter`, it first moves the row to RESOLVING itself (audited as any status change), so
     * the workflow needs one local activity for the step instead of two; with `decide` it also
     * takes the next step (settleResolved), so an automatically approved row is resolved and
     * persisted by one local activity: no PERSISTING write, persist activity or workflow task of
     * the workflow's own (docs/PERFORMANCE.md, Tuning).
     */
    async resolveRow({ rowId, enter = false, decide }: ResolveRowInput): Promise<ResolveOutcome> {
      if (enter) {
        const entered = await changeStatus({ rowId, to: 'RESOLVING' });
        if (entered.status !== 'RESOLVING')
          return { autoApprove: false, decidable: false, confidence: 'LOW', composer: null, reasons: [], status: entered.status };
      }
      const [row] = await sql`
        SELECT r.title, r.raga, r.raw, r.site, r.scraped, r.source_key, r.batch_id, r.line
        FROM import_rows r WHERE r.id = ${rowId}`;
      if (!row) throw new Error(`row ${rowId} not found`);
      const matcher = await reference.matcher();
      const scraped = (row.scraped ?? {}) as {
        title?: string | null;
        composer?: string | null;
        ragas?: string[];
        tala?: string | null;
        provenance?: Record<string, string>;
      };
      const raw = (row.raw ?? {}) as Record<string, string>;
      const extra = lowerKeys(raw);
      const input: ResolveInput = {
        title: scraped.title ?? (row.title as string | null),
        composerHints: [
          ...(extra.composer ? [{ source: 'manifest' as const, value: extra.composer }] : []),
          ...(scraped.composer
            ? [{ source: (scraped.provenance?.composer === 'mudra' ? 'mudra' : 'page') as 'mudra' | 'page', value: scraped.composer }]
            : []),
          ...siteComposerHint(row.site as string),
        ],
        ragas: scraped.ragas && scraped.ragas.length > 0 ? scraped.ragas : row.raga ? [row.raga as string] : [],
        tala: scraped.tala ?? extra.tala ?? null,
      };
      const resolution = resolveRow(matcher, input);
      const approval = decideApproval(resolution);
      const reasons = [...approval.reasons];

      // The manifest's own raga must agree with the page's when both are confidently resolved.
      if (row.raga && scraped.ragas && scraped.ragas.length > 0) {
        const manifestRaga = matcher.match('raga', row.raga as string);
        const pageIds = resolution.ragas.map((r) => r.chosen?.id).filter(Boolean);
        if (manifestRaga.confidence === 'HIGH' && manifestRaga.best && !pageIds.includes(manifestRaga.best.id)) {
          reasons.push(`manifest raga '${row.raga}' (${manifestRaga.best.name}) differs from the page's`);
        }
      }
      const chosen: ChosenEntities = {
        composerId: resolution.composer.chosen?.id ?? null,
        ragaIds: resolution.ragas.map((r) => r.chosen?.id).filter((x): x is string => !!x),
        talaId: resolution.tala.chosen?.id ?? null,
      };

      // Same title (by comparison key), composer and ragas as a catalogue krithi from another source or
      // an earlier row of this batch: a probable duplicate, held for a reviewer with the candidate.
      const duplicateOf = chosen.composerId
        ? await findProbableDuplicates(sql, matcher, {
            rowId,
            batchId: row.batch_id as string,
            line: row.line as number,
            sourceKey: row.source_key as string,
            titles: [input.title, row.title as string | null],
            composerId: chosen.composerId,
            ragaIds: chosen.ragaIds,
          })
        : [];
      reasons.push(...duplicateOf.map((d) => describeDuplicate(d, row.batch_id as string)));
      const autoApprove = approval.autoApprove && reasons.length === approval.reasons.length;
      await sql`
        UPDATE import_rows SET
          resolution = ${sql.json({ ...resolution, chosen, ...(duplicateOf.length ? { duplicateOf } : {}) } as never)},
          confidence = ${resolution.confidence},
          review_reasons = ${sql.json(reasons as never)},
          updated_at = now()
        WHERE id = ${rowId}`;
      metrics?.resolutions.inc({ confidence: resolution.confidence, auto_approved: String(autoApprove) });
      const outcome: ResolveOutcome = {
        autoApprove,
        decidable: chosen.composerId !== null && chosen.ragaIds.length > 0,
        confidence: resolution.confidence,
        composer: resolution.composer.chosen?.name ?? null,
        reasons,
        missing: missingOf(chosen),
      };
      return decide ? { ...outcome, settled: await settleResolved(rowId, decide, outcome) } : outcome;
    },

    /**
     * Upserts the krithi by its source key in one transaction with the row's status and its audit
     * event. Reviewer-set fields of an existing krithi are never overwritten by an automatic import.
     */
    persistKrithi: persistRow,

    /** Marks a row CANCELLED unless it already ended. */
    async cancelRow({ rowId, attempt }: { rowId: string; attempt?: number }): Promise<{ changed: boolean; status: RowStatus }> {
      const res = await sql.begin((tx) =>
        transitionRow(tx as unknown as Sql, {
          rowId,
          to: 'CANCELLED',
          from: UNFINISHED,
          // The cancel of an earlier attempt's run never cancels the row's next attempt.
          attempt,
          actor: 'system',
          eventKey: activityEventKey(rowId, 'cancelled'),
          eventType: 'ROW_CANCELLED',
        }),
      );
      // Already terminal: nothing changed (a cancelled row is not cancelled twice either).
      const changed = res.changed;
      if (changed) metrics?.rowTransition('CANCELLED');
      return { changed, status: res.status };
    },

    async recordAudit(input: AuditInput): Promise<void> {
      await sql`
        INSERT INTO audit_events (event_key, type, batch_id, row_id, krithi_id, actor, data)
        VALUES (${input.eventKey}, ${input.type}, ${input.batchId ?? null}, ${input.rowId ?? null},
                ${input.krithiId ?? null}, ${input.actor}, ${sql.json((input.data ?? {}) as never)})
        ON CONFLICT (event_key) DO NOTHING`;
    },
  };
}

function missingOf(chosen: ChosenEntities): ('composer' | 'raga')[] {
  return [...(chosen.composerId ? [] : ['composer' as const]), ...(chosen.ragaIds.length ? [] : ['raga' as const])];
}

function lowerKeys(raw: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.trim().toLowerCase(), String(v ?? '').trim()]).filter(([, v]) => v));
}

/** The site implies the composer (each source blog is devoted to one of the Trinity). */
function siteComposerHint(site: string): ResolveInput['composerHints'] {
  const composer = composerForSite(site);
  return composer ? [{ source: 'site', value: composer.name }] : [];
}

/** Why a reviewer's new raga cannot be added now (empty when it can): re-checked inside persist's transaction. */
async function newRagaProblems(sql: Sql, raga: NonNullable<NonNullable<ReviewDecision['overrides']>['newRaga']>, note: string | null): Promise<string[]> {
  if (!note?.trim()) return [`new raga '${raga.name}' has no note to keep as its source`];
  const id = newRagaId(raga);
  const [taken] = await sql`SELECT 1 FROM ragas WHERE id = ${id}`;
  if (taken) return [`raga '${id}' was added meanwhile: choose it instead`];
  const [parent] = await sql`SELECT (meta->>'melakarta')::int AS mela FROM ragas WHERE id = ${raga.parent}`;
  try {
    checkNewRaga(raga, (parent?.mela as number | null) ?? undefined);
    return [];
  } catch (err) {
    if (err instanceof NewRagaError) return [err.message];
    throw err;
  }
}
