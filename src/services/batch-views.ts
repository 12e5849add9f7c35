/**
 * Read-side of batches for the API: the list (newest first, keyset pages), one batch's detail
 * (counts per row status, timings, errors grouped by type) and its report (every line of the
 * manifest with its outcome). Reads PostgreSQL only: it is the record after Temporal forgets.
 */
import type { Sql } from '../db/client';
import { batchWorkflowId, type RowStatus } from '../shared';
import type { BatchService } from './batches';
import { encodeCursor } from './cursor';
import { csvLine } from './csv';
import { rowRef } from './row-ref';

export interface BatchListItem {
  batchId: string;
  name: string | null;
  status: string;
  totalRecords: number;
  acceptedRows: number;
  invalidRows: number;
  duplicateRows: number;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
}

export interface ReportRow {
  /** The row's public name, `<batchId>:<line>`. */
  row: string;
  line: number;
  kind: string;
  title: string | null;
  raga: string | null;
  url: string | null;
  status: RowStatus | null;
  krithiId: string | null;
  composerId: string | null;
  ragaIds: string[];
  talaId: string | null;
  reviewer: string | null;
  errorType: string | null;
  errorMessage: string | null;
}

const iso = (d: unknown): string | null => (d instanceof Date ? d.toISOString() : d == null ? null : String(d));

export function createBatchViews({ sql, batches }: { sql: Sql; batches: BatchService }) {
  return {
    async list(opts: { after?: [string, string]; limit: number }): Promise<{ items: BatchListItem[]; nextCursor: string | null }> {
      const rows = await sql`
        SELECT id, name, status, total_records, accepted_rows, invalid_rows, duplicate_rows, created_by, created_at, completed_at
        FROM batches
        WHERE manifest_sha256 NOT LIKE 'pending:%'
          ${opts.after ? sql`AND (created_at, id) < (${opts.after[0]}::timestamptz, ${opts.after[1]})` : sql``}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
      const items = rows.slice(0, opts.limit).map((b) => ({
        batchId: b.id as string,
        name: b.name as string | null,
        status: b.status as string,
        totalRecords: b.total_records as number,
        acceptedRows: b.accepted_rows as number,
        invalidRows: b.invalid_rows as number,
        duplicateRows: b.duplicate_rows as number,
        createdBy: b.created_by as string,
        createdAt: iso(b.created_at)!,
        completedAt: iso(b.completed_at),
      }));
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? encodeCursor([last.createdAt, last.batchId]) : null };
    },

    async detail(batchId: string) {
      const { batch, counts, progress } = await batches.status(batchId);
      const [t] = await sql`
        SELECT min(status_changed_at) FILTER (WHERE kind = 'record') AS first_change,
               max(status_changed_at) FILTER (WHERE kind = 'record') AS last_change,
               max(reviewed_at) AS last_review
        FROM import_rows WHERE batch_id = ${batchId}`;
      const errors = await sql`
        SELECT error_type, count(*)::int AS n, min(line)::int AS first_line, (array_agg(error_message ORDER BY line))[1] AS sample
        FROM import_rows WHERE batch_id = ${batchId} AND error_type IS NOT NULL
        GROUP BY error_type ORDER BY n DESC, error_type`;
      const completedAt = batch.completedAt;
      return {
        batchId,
        workflowId: batchWorkflowId(batchId),
        name: batch.name,
        status: batch.status,
        createdBy: batch.createdBy,
        totalRecords: batch.totalRecords,
        acceptedRows: batch.acceptedRows,
        invalidRows: batch.invalidRows,
        duplicateRows: batch.duplicateRows,
        counts,
        timings: {
          createdAt: iso(batch.createdAt),
          completedAt: iso(completedAt),
          lastRowChangeAt: iso(t?.last_change),
          lastReviewAt: iso(t?.last_review),
          elapsedMs: (completedAt ?? new Date()).getTime() - batch.createdAt.getTime(),
        },
        errors: errors.map((e) => ({
          type: e.error_type as string,
          count: e.n as number,
          firstLine: e.first_line as number,
          sample: e.sample as string | null,
        })),
        progress,
      };
    },

    /** Every line of the batch in order, streamed in pages so a large report never sits in memory. */
    async *report(batchId: string): AsyncGenerator<ReportRow[]> {
      const cursor = sql`
        SELECT r.line, r.kind, coalesce(r.title, r.raw->>'Krithi') AS title, coalesce(r.raga, r.raw->>'Raga') AS raga,
               coalesce(r.url, r.raw->>'Hyperlink') AS url, r.status, r.krithi_id::text AS krithi_id, r.reviewer,
               r.error_type, r.error_message, r.resolution->'chosen' AS chosen, r.review_overrides AS overrides,
               k.composer_id, k.raga_ids, k.tala_id
        FROM import_rows r LEFT JOIN krithis k ON k.id = r.krithi_id
        WHERE r.batch_id = ${batchId} ORDER BY r.line`.cursor(500);
      for await (const rows of cursor) {
        yield rows.map((r) => {
          const chosen = (r.chosen ?? {}) as { composerId?: string | null; ragaIds?: string[]; talaId?: string | null };
          const o = (r.overrides ?? {}) as { composerId?: string; ragaIds?: string[]; talaId?: string | null };
          const imported = r.krithi_id != null;
          return {
            row: rowRef(batchId, r.line as number),
            line: r.line as number,
            kind: r.kind as string,
            title: r.title as string | null,
            raga: r.raga as string | null,
            url: r.url as string | null,
            status: r.status as RowStatus | null,
            krithiId: r.krithi_id as string | null,
            composerId: imported ? (r.composer_id as string | null) : (o.composerId ?? chosen.composerId ?? null),
            ragaIds: imported ? ((r.raga_ids as string[]) ?? []) : (o.ragaIds ?? chosen.ragaIds ?? []),
            talaId: imported ? (r.tala_id as string | null) : (o.talaId ?? chosen.talaId ?? null),
            reviewer: r.reviewer as string | null,
            errorType: r.error_type as string | null,
            errorMessage: r.error_message as string | null,
          };
        });
      }
    },
  };
}

export type BatchViews = ReturnType<typeof createBatchViews>;

export { csvCell } from './csv';

export const REPORT_COLUMNS = [
  'row', 'line', 'kind', 'title', 'raga', 'url', 'status', 'krithiId', 'composerId', 'ragaIds', 'talaId', 'reviewer',
  'errorType', 'errorMessage',
] as const satisfies readonly (keyof ReportRow)[];

export function reportCsvLine(row: ReportRow): string {
  return csvLine(REPORT_COLUMNS.map((c) => row[c]));
}
