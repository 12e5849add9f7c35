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
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { WorkflowErrorType, rowWorkflowId, type ReviewDecision, type ReviewResult } from '../shared';
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
    async review(row_: string, decision: ReviewDecision): Promise<ReviewResult> {
      const rowId = (await findRowId(sql, row_)) ?? '';
      if (!rowId) throw new ServiceError('NOT_FOUND', `row ${row_} not found`);
      const [row] = await sql`
        SELECT r.id, r.batch_id, r.line, r.status, r.kind, b.status AS batch_status
        FROM import_rows r JOIN batches b ON b.id = r.batch_id WHERE r.id = ${rowId}`;
      if (!row || row.kind !== 'record') throw new ServiceError('NOT_FOUND', `row ${row_} not found`);
      const name = rowRef(row.batch_id as string, row.line as number);
      if (row.batch_status === 'CANCELLED' || row.batch_status === 'CANCELLING')
        throw new ServiceError('CONFLICT', `batch ${row.batch_id} is cancelled`);
      if (row.status !== 'PENDING_REVIEW')
        throw new ServiceError('CONFLICT', `row ${name} is ${row.status}, not awaiting review`, { status: row.status });
      await checkOverrides(sql, decision);

      const handle = client.workflow.getHandle(rowWorkflowId(row.batch_id as string, row.line as number));
      try {
        return await client.withDeadline(Date.now() + updateTimeoutMs, () =>
          handle.executeUpdate(reviewUpdate, { args: [decision] }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const type = err.cause.type;
          if (type === WorkflowErrorType.INVALID_DECISION) throw new ServiceError('INVALID', err.cause.message);
          throw new ServiceError('CONFLICT', err.cause.message, { type });
        }
        if (err instanceof WorkflowNotFoundError)
          throw new ServiceError('CONFLICT', `row ${name} has no running workflow; resume its batch first`);
        if (isDeadline(err))
          throw new ServiceError('UNAVAILABLE', 'no worker took the review within the time limit; try again', {
            retryAfterSeconds: 5,
          });
        throw err;
      }
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;

/** Every override id must exist; the first missing one is named. */
export async function checkOverrides(sql: Sql, decision: ReviewDecision): Promise<void> {
  const o = decision.overrides;
  if (!o) return;
  const missing: string[] = [];
  if (o.composerId && !(await sql`SELECT 1 FROM composers WHERE id = ${o.composerId}`).length)
    missing.push(`composer '${o.composerId}'`);
  if (o.ragaIds?.length) {
    const found = new Set((await sql`SELECT id FROM ragas WHERE id = ANY(${o.ragaIds}::text[])`).map((r) => r.id));
    for (const id of o.ragaIds) if (!found.has(id)) missing.push(`raga '${id}'`);
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
