/**
 * Review application service: list the rows waiting for a human and take decisions. Override ids
 * are checked against PostgreSQL first (the workflow's update validator can only see workflow
 * state), then the decision goes to the row's workflow as the `review` update, which answers once
 * the workflow has recorded it.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { checkNewRaga, NewRagaError, newRagaId } from '../resolution/new-raga';
import { WorkflowErrorType, decisionTextProblem, rowWorkflowId, type ReviewDecision, type ReviewResult } from '../shared';
import { reviewUpdate } from '../workflows/messages';
import { ServiceError } from './errors';
import { findRowId, rowRef } from './row-ref';

export interface ReviewServiceDeps {
  sql: Sql;
  client: Client;
  /** How long to wait for a worker to take the update before answering UNAVAILABLE. */
  updateTimeoutMs?: number;
  /** A row waiting longer than this is overdue: flagged, never expired (REVIEW_DEADLINE_HOURS). */
  reviewDeadlineHours?: number;
}

export interface PendingRow {
  /** The row's public name, `<batchId>:<line>`. */
  row: string;
  id: string;
  batchId: string;
  line: number;
  title: string | null;
  raga: string | null;
  url: string | null;
  confidence: string | null;
  reasons: string[];
  errorType: string | null;
  errorMessage: string | null;
  /** When the row began waiting (ISO 8601). */
  waitingSince: string;
  /** Waiting longer than the review deadline. */
  overdue: boolean;
  /** What the page said and the resolver's best candidates (at most 3 each), per entity. */
  candidates: {
    composer: EntityCandidates | null;
    /** One per raga the page names (several for a ragamalika). */
    ragas: EntityCandidates[];
    tala: EntityCandidates | null;
  };
  /** The resolver's suggestion: approve without overrides takes these. */
  chosen: { composerId: string | null; ragaIds: string[]; talaId: string | null };
}

export interface EntityCandidates {
  input: string | null;
  candidates: { id: string; name: string; score: number }[];
}

interface StoredEntity {
  match?: { input?: string; candidates?: { id: string; name: string; score: number }[] } | null;
}

const entityCandidates = (e: StoredEntity | undefined): EntityCandidates | null =>
  e?.match
    ? {
        input: e.match.input ?? null,
        candidates: (e.match.candidates ?? []).slice(0, 3).map((c) => ({ id: c.id, name: c.name, score: c.score })),
      }
    : null;

export interface ListPendingOptions {
  batchId?: string;
  limit?: number;
  afterId?: string;
  /** Only rows waiting longer than the review deadline. */
  overdue?: boolean;
}

export function createReviewService({ sql, client, updateTimeoutMs = 10_000, reviewDeadlineHours = 72 }: ReviewServiceDeps) {
  const deadlineSeconds = reviewDeadlineHours * 3600;
  return {
    async listPending(opts: ListPendingOptions = {}): Promise<PendingRow[]> {
      const rows = await sql`
        SELECT id, batch_id, line, title, raga, url, confidence, review_reasons, error_type, error_message,
               resolution, status_changed_at, status_changed_at < now() - make_interval(secs => ${deadlineSeconds}) AS overdue
        FROM import_rows
        WHERE status = 'PENDING_REVIEW'
          ${opts.batchId ? sql`AND batch_id = ${opts.batchId}` : sql``}
          ${opts.afterId ? sql`AND id > ${opts.afterId}` : sql``}
          ${opts.overdue ? sql`AND status_changed_at < now() - make_interval(secs => ${deadlineSeconds})` : sql``}
        ORDER BY id LIMIT ${opts.limit ?? 100}`;
      return rows.map((r) => {
        const res = (r.resolution ?? {}) as {
          composer?: StoredEntity;
          ragas?: StoredEntity[];
          tala?: StoredEntity;
          chosen?: { composerId?: string | null; ragaIds?: string[]; talaId?: string | null };
        };
        return {
        row: rowRef(r.batch_id as string, r.line as number),
        id: String(r.id),
        batchId: r.batch_id as string,
        line: r.line as number,
        title: r.title as string | null,
        raga: r.raga as string | null,
        url: r.url as string | null,
        confidence: r.confidence as string | null,
        reasons: (r.review_reasons as string[] | null) ?? [],
        errorType: r.error_type as string | null,
        errorMessage: r.error_message as string | null,
        waitingSince: (r.status_changed_at as Date).toISOString(),
        overdue: r.overdue as boolean,
        candidates: {
          composer: entityCandidates(res.composer),
          ragas: (res.ragas ?? []).map(entityCandidates).filter((x): x is EntityCandidates => x !== null),
          tala: entityCandidates(res.tala),
        },
        chosen: {
          composerId: res.chosen?.composerId ?? null,
          ragaIds: res.chosen?.ragaIds ?? [],
          talaId: res.chosen?.talaId ?? null,
        },
        };
      });
    },

    /** `row` is `<batchId>:<line>` or the numeric row id. */
    async review(row_: string, decisionIn: ReviewDecision): Promise<ReviewResult> {
      let decision = decisionIn;
      // Bytes no row can store are refused here, before anything is looked up or confirmed.
      const textProblem = decisionTextProblem(decision);
      if (textProblem) throw new ServiceError('INVALID', textProblem);
      // A reference or an id of at most 18 digits (a longer one cannot name a row).
      const rowId = (await findRowId(sql, row_)) ?? '';
      if (!rowId) throw new ServiceError('NOT_FOUND', `row ${row_.slice(0, 40)} not found`);
      const [row] = await sql`
        SELECT r.id, r.batch_id, r.line, r.status, r.kind, r.resolution, b.status AS batch_status,
               (extract(epoch from r.status_changed_at) * 1000000)::bigint::text AS round
        FROM import_rows r JOIN batches b ON b.id = r.batch_id WHERE r.id = ${rowId}`;
      if (!row || row.kind !== 'record') throw new ServiceError('NOT_FOUND', `row ${row_.slice(0, 40)} not found`);
      const name = rowRef(row.batch_id as string, row.line as number);
      const fingerprint = decisionFingerprint(rowId, decision);
      if (row.status !== 'PENDING_REVIEW') {
        // A retried request (the first answer was lost on the way) gets the answer the first got.
        const first = await confirmedAnswer(sql, rowId, fingerprint);
        if (first) return first;
        throw new ServiceError('CONFLICT', `row ${name} is ${row.status}, not awaiting review`, { status: row.status });
      }
      if (row.batch_status === 'CANCELLED' || row.batch_status === 'CANCELLING')
        throw new ServiceError('CONFLICT', `batch ${row.batch_id} is cancelled`);
      decision = await withCheckedNewRaga(sql, decision);
      await checkOverrides(sql, decision);
      checkDecidable(row.resolution as { chosen?: { composerId?: string | null; ragaIds?: string[] } } | null, decision);

      const handle = client.workflow.getHandle(rowWorkflowId(row.batch_id as string, row.line as number));
      try {
        return await client.withDeadline(Date.now() + updateTimeoutMs, () =>
          // The same request sent again while the row is in the same round of review carries the
          // same id: Temporal answers it with the first one's outcome instead of a conflict.
          handle.executeUpdate(reviewUpdate, { args: [decision], updateId: `${fingerprint}:${row.round}` }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const type = err.cause.type;
          if (type === WorkflowErrorType.INVALID_DECISION) throw new ServiceError('INVALID', err.cause.message);
          throw new ServiceError('CONFLICT', err.cause.message, { type });
        }
        if (err instanceof WorkflowNotFoundError) {
          const first = await confirmedAnswer(sql, rowId, fingerprint);
          if (first) return first;
          throw new ServiceError('CONFLICT', `row ${name} has no running workflow; resume its batch first`);
        }
        if (isDeadline(err))
          throw new ServiceError('UNAVAILABLE', 'no worker took the review within the time limit; try again', {
            retryAfterSeconds: 5,
          });
        throw err;
      }
    },
  };
}

/**
 * Identifies a request: the row and everything the decision says (reviewer included), in a
 * canonical form, so the same request sent twice has the same key and a different one does not.
 */
export function decisionFingerprint(rowId: string, d: ReviewDecision): string {
  const o = d.overrides ?? {};
  const canonical = JSON.stringify([
    d.decision,
    d.reviewer,
    d.note ?? null,
    o.composerId ?? null,
    o.ragaIds ?? null,
    o.talaId === undefined ? '-' : o.talaId,
    o.title ?? null,
    o.newRaga ?? null,
  ]);
  return `review:${rowId}:${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

/** The answer a decision with this fingerprint got, if it is the row's last stored decision. */
async function confirmedAnswer(sql: Sql, rowId: string, fingerprint: string): Promise<ReviewResult | null> {
  const [ev] = await sql`
    SELECT data->>'to' AS to, data->>'requestKey' AS key FROM audit_events
    WHERE row_id = ${rowId} AND type = 'REVIEW_DECIDED' ORDER BY id DESC LIMIT 1`;
  if (!ev || typeof ev.key !== 'string' || !ev.key.startsWith(`${fingerprint}:`)) return null;
  return { status: ev.to === 'REJECTED' ? 'REJECTED' : 'PERSISTING' };
}

/** An approval must end with a composer and a raga, chosen by the resolver or by the reviewer. */
function checkDecidable(resolution: { chosen?: { composerId?: string | null; ragaIds?: string[] } } | null, d: ReviewDecision) {
  if (d.decision !== 'approve') return;
  const chosen = resolution?.chosen;
  if (!chosen) return;
  if (!chosen.composerId && !d.overrides?.composerId)
    throw new ServiceError('INVALID', 'approved without a composer: choose one (overrides.composerId)', { field: 'overrides.composerId' });
  if (!chosen.ragaIds?.length && !d.overrides?.ragaIds?.length)
    throw new ServiceError('INVALID', 'approved without a raga: choose one (overrides.ragaIds)', { field: 'overrides.ragaIds' });
}

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * A decision adding a raga: the raga is checked (name, melakarta parent, scale inside the parent but
 * for named anya svaras, an id not yet taken), the note is required as its source, and `ragaIds`
 * comes to name it. The raga itself is written when the row is persisted, with the import.
 */
export async function withCheckedNewRaga(sql: Sql, decision: ReviewDecision): Promise<ReviewDecision> {
  const newRaga = decision.overrides?.newRaga;
  if (!newRaga) return decision;
  if (decision.decision !== 'approve') throw new ServiceError('INVALID', 'a new raga can only come with an approval');
  if (!decision.note?.trim())
    throw new ServiceError('INVALID', 'a new raga needs a note saying where its name and scale come from (it is kept as the source)');
  const [parent] = await sql`SELECT (meta->>'melakarta')::int AS mela FROM ragas WHERE id = ${newRaga.parent ?? ''}`;
  let checked;
  try {
    checked = checkNewRaga(newRaga, (parent?.mela as number | null) ?? undefined);
  } catch (err) {
    if (err instanceof NewRagaError) throw new ServiceError('INVALID', err.message);
    throw err;
  }
  const [taken] = await sql`SELECT id, name FROM ragas WHERE id = ${checked.id}`;
  if (taken) throw new ServiceError('CONFLICT', `raga '${checked.id}' (${String(taken.name)}) already exists: choose it instead`, { id: checked.id });
  const ragaIds = decision.overrides?.ragaIds ?? [checked.id];
  if (!ragaIds.includes(checked.id)) throw new ServiceError('INVALID', `the ragas chosen (${ragaIds.join(', ')}) do not include the new raga '${checked.id}'`);
  const { scale: _scale, ...stored } = checked;
  return { ...decision, overrides: { ...decision.overrides, ragaIds, newRaga: stored } };
}

/** Every override id must exist (a raga the decision adds excepted); the first missing one is named. */
export async function checkOverrides(sql: Sql, decision: ReviewDecision): Promise<void> {
  const o = decision.overrides;
  if (!o) return;
  const missing: string[] = [];
  if (o.composerId && !(await sql`SELECT 1 FROM composers WHERE id = ${o.composerId}`).length)
    missing.push(`composer '${o.composerId}'`);
  const ragaIds = (o.ragaIds ?? []).filter((id) => !o.newRaga || id !== newRagaId(o.newRaga));
  if (ragaIds.length) {
    const found = new Set((await sql`SELECT id FROM ragas WHERE id = ANY(${ragaIds}::text[])`).map((r) => r.id));
    for (const id of ragaIds) if (!found.has(id)) missing.push(`raga '${id}'`);
  }
  if (o.talaId && !(await sql`SELECT 1 FROM talas WHERE id = ${o.talaId}`).length) missing.push(`tala '${o.talaId}'`);
  if (missing.length) throw new ServiceError('INVALID', `unknown ${missing.join(', ')}`, { missing });
}

function isDeadline(err: unknown): boolean {
  // The client reports a poll that ran out of time as its own error type, or as gRPC's code.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const e = err as { code?: number; cause?: { code?: number } };
  // gRPC DEADLINE_EXCEEDED = 4
  return e?.code === 4 || e?.cause?.code === 4 || /deadline/i.test(String((err as Error)?.message));
}
