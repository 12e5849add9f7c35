/**
 * Read-side of import rows for the API and the review page: a filtered search (keyset pages by
 * row id) and one row in full — raw manifest fields, what was scraped, the resolver's candidates
 * with scores and reasons, and the review history from the audit.
 */
import type { Sql } from '../db/client';
import type { Confidence, RowStatus } from '../shared';
import { encodeCursor } from './cursor';
import { ServiceError } from './errors';
import { findRowId, rowRef } from './row-ref';

export interface ImportSearch {
  status?: RowStatus;
  batchId?: string;
  confidence?: Confidence;
  q?: string;
  /** Only rows waiting for review longer than the review deadline (flagged, never expired). */
  overdue?: boolean;
  afterId?: string;
  limit: number;
}

export interface ImportSummary {
  /** The row's public name, `<batchId>:<line>`. */
  row: string;
  id: string;
  batchId: string;
  line: number;
  status: RowStatus;
  title: string | null;
  raga: string | null;
  url: string | null;
  confidence: Confidence | null;
  reasons: string[];
  errorType: string | null;
  errorMessage: string | null;
  reviewer: string | null;
  krithiId: string | null;
}

/** Escapes LIKE wildcards so a user's % or _ matches itself. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

const summary = (r: Record<string, unknown>): ImportSummary => ({
  row: rowRef(r.batch_id as string, r.line as number),
  id: String(r.id),
  batchId: r.batch_id as string,
  line: r.line as number,
  status: r.status as RowStatus,
  title: r.title as string | null,
  raga: r.raga as string | null,
  url: r.url as string | null,
  confidence: r.confidence as Confidence | null,
  reasons: (r.review_reasons as string[] | null) ?? [],
  errorType: r.error_type as string | null,
  errorMessage: r.error_message as string | null,
  reviewer: r.reviewer as string | null,
  krithiId: r.krithi_id == null ? null : String(r.krithi_id),
});

export function createImportService({ sql, reviewDeadlineHours = 72 }: { sql: Sql; reviewDeadlineHours?: number }) {
  return {
    async search(s: ImportSearch): Promise<{ items: ImportSummary[]; nextCursor: string | null }> {
      const rows = await sql`
        SELECT id, batch_id, line, status, title, raga, url, confidence, review_reasons, error_type, error_message,
               reviewer, krithi_id
        FROM import_rows
        WHERE kind = 'record'
          ${s.status ? sql`AND status = ${s.status}` : sql``}
          ${s.batchId ? sql`AND batch_id = ${s.batchId}` : sql``}
          ${s.confidence ? sql`AND confidence = ${s.confidence}` : sql``}
          ${s.q ? sql`AND (title ILIKE ${likePattern(s.q)} OR raga ILIKE ${likePattern(s.q)} OR url ILIKE ${likePattern(s.q)})` : sql``}
          ${s.overdue ? sql`AND status = 'PENDING_REVIEW' AND status_changed_at < now() - make_interval(secs => ${reviewDeadlineHours * 3600})` : sql``}
          ${s.afterId ? sql`AND id > ${s.afterId}` : sql``}
        ORDER BY id LIMIT ${s.limit + 1}`;
      const items = rows.slice(0, s.limit).map(summary);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > s.limit && last ? encodeCursor([last.id]) : null };
    },

    /** `ref` is `<batchId>:<line>` or the numeric row id. */
    async get(ref: string) {
      const id = await findRowId(sql, ref);
      if (!id) throw new ServiceError('NOT_FOUND', `import ${ref} not found`);
      const [r] = await sql`
        SELECT id, batch_id, line, kind, status, attempt, raw, title, raga, url, normalized_url, site, scraped, resolution,
               confidence, review_reasons, error_type, error_message, review_decision, review_overrides, reviewer,
               review_note, reviewed_at, krithi_id, created_at, status_changed_at
        FROM import_rows WHERE id = ${id} AND kind = 'record'`;
      if (!r) throw new ServiceError('NOT_FOUND', `import ${id} not found`);
      const history = await sql`
        SELECT type, actor, data, at FROM audit_events WHERE row_id = ${id} ORDER BY id`;
      return {
        ...summary(r),
        attempt: r.attempt as number,
        raw: r.raw as Record<string, string>,
        normalizedUrl: r.normalized_url as string | null,
        site: r.site as string | null,
        scraped: (r.scraped ?? null) as Record<string, unknown> | null,
        resolution: (r.resolution ?? null) as Record<string, unknown> | null,
        review: r.review_decision
          ? {
              decision: r.review_decision as string,
              overrides: r.review_overrides as Record<string, unknown> | null,
              reviewer: r.reviewer as string | null,
              note: r.review_note as string | null,
              at: (r.reviewed_at as Date | null)?.toISOString() ?? null,
            }
          : null,
        history: history.map((h) => ({
          type: h.type as string,
          actor: h.actor as string,
          data: h.data as Record<string, unknown>,
          at: (h.at as Date).toISOString(),
        })),
        statusChangedAt: (r.status_changed_at as Date).toISOString(),
      };
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
