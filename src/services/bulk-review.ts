/**
 * Bulk review: the same decision for explicit rows or for the rows a filter selects. Each row
 * goes through the single-row review (same checks, same workflow update); rows already decided
 * are skipped, other refusals are reported per row and do not stop the rest.
 */
import type { Sql } from '../db/client';
import { WorkflowErrorType, type Confidence, type ReviewDecision } from '../shared';
import { ServiceError } from './errors';
import type { ReviewService } from './reviews';

export const BULK_MAX_ROWS = 500;
const CONFIDENCE_AT_LEAST: Record<Confidence, Confidence[]> = {
  LOW: ['LOW', 'MEDIUM', 'HIGH'],
  MEDIUM: ['MEDIUM', 'HIGH'],
  HIGH: ['HIGH'],
};
/** How many updates are in flight at once: enough to be quick, few enough not to crowd a worker. */
const CONCURRENCY = 8;

export type BulkSelection =
  | { ids: string[] }
  | { filter: { batchId: string; minConfidence?: Confidence } };

export interface BulkResult {
  decision: 'approve' | 'reject';
  applied: number;
  skipped: number;
  failed: { id: string; reason: string }[];
}

export function createBulkReview({ sql, reviews }: { sql: Sql; reviews: ReviewService }) {
  return async (selection: BulkSelection, decision: Omit<ReviewDecision, 'overrides'>): Promise<BulkResult> => {
    let ids: string[];
    if ('ids' in selection) {
      if (selection.ids.length > BULK_MAX_ROWS)
        throw new ServiceError('INVALID', `at most ${BULK_MAX_ROWS} ids per request`, { tooMany: true });
      ids = [...new Set(selection.ids)];
    } else {
      const f = selection.filter;
      const rows = await sql`
        SELECT id::text FROM import_rows
        WHERE batch_id = ${f.batchId} AND kind = 'record' AND status = 'PENDING_REVIEW'
          ${f.minConfidence ? sql`AND confidence = ANY(${CONFIDENCE_AT_LEAST[f.minConfidence]}::text[])` : sql``}
        ORDER BY id LIMIT ${BULK_MAX_ROWS}`;
      ids = rows.map((r) => r.id as string);
    }
    const result: BulkResult = { decision: decision.decision, applied: 0, skipped: 0, failed: [] };
    let next = 0;
    const work = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        try {
          await reviews.review(id, decision);
          result.applied++;
        } catch (err) {
          if (err instanceof ServiceError && err.code === 'CONFLICT' && alreadyDecided(err)) result.skipped++;
          else if (err instanceof ServiceError) result.failed.push({ id, reason: err.message });
          else result.failed.push({ id, reason: 'internal error' });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, work));
    result.failed.sort((a, b) => Number(a.id) - Number(b.id));
    return result;
  };
}

/** The row left review before this request reached it (someone else decided it). */
function alreadyDecided(err: ServiceError): boolean {
  const d = err.details ?? {};
  return (
    typeof d.status === 'string' ||
    d.type === WorkflowErrorType.ALREADY_DECIDED ||
    d.type === WorkflowErrorType.NOT_AWAITING_REVIEW
  );
}
