/**
 * Batch activities: paging rows for BatchImport, counting from PostgreSQL (the source of truth for
 * counters), cancelling every unfinished row, and closing the batch with its summary.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import { batchCounts, batchSummary } from '../db/batches';
import { rowWorkflowId, type BatchSummary, type RowStatus } from '../shared';

export interface BatchDeps {
  sql: Sql;
  /** Temporal client, for cancelling row workflows; lazy so activities can be built before connecting. */
  client: () => Client;
}

export interface NextRow {
  rowId: string;
  line: number;
  site: string;
  status: RowStatus;
  /** The manifest's title and raga: the row workflow's summary in the Web UI. */
  title?: string | null;
  raga?: string | null;
}

export function createBatchActivities({ sql, client }: BatchDeps) {
  return {
    async nextRows({ batchId, afterLine, limit }: { batchId: string; afterLine: number; limit: number }): Promise<NextRow[]> {
      const rows = await sql`
        SELECT id, line, site, status, title, raga FROM import_rows
        WHERE batch_id = ${batchId} AND kind = 'record' AND line > ${afterLine}
          AND status NOT IN ('IMPORTED','REJECTED','FAILED','CANCELLED')
        ORDER BY line LIMIT ${limit}`;
      return rows.map((r) => ({
        rowId: String(r.id),
        line: r.line as number,
        site: r.site as string,
        status: r.status as RowStatus,
        title: r.title as string | null,
        raga: r.raga as string | null,
      }));
    },

    async batchCounts({ batchId }: { batchId: string }) {
      return batchCounts(sql, batchId);
    },

    /** Of `lines`, those still actively processing (not terminal, not waiting for review). */
    async activeLines({ batchId, lines }: { batchId: string; lines: number[] }): Promise<number[]> {
      const rows = await sql`
        SELECT line FROM import_rows
        WHERE batch_id = ${batchId} AND line = ANY(${lines}::int[])
          AND status NOT IN ('IMPORTED','REJECTED','FAILED','CANCELLED','PENDING_REVIEW')`;
      return rows.map((r) => r.line as number);
    },

    /**
     * Cancels every unfinished row of the batch — running, queued, or waiting for review — paging
     * through PostgreSQL rather than trusting the workflow's in-flight set. Heartbeats its position
     * so a retry resumes where the last attempt stopped.
     */
    async cancelBatchRows({ batchId }: { batchId: string }): Promise<{ cancelled: number }> {
      const ctx = Context.current();
      await sql`UPDATE batches SET status = 'CANCELLING', updated_at = now() WHERE id = ${batchId} AND status <> 'CANCELLED'`;
      let afterId = Number((ctx.info.heartbeatDetails as { afterId?: number } | undefined)?.afterId ?? 0);
      let cancelled = 0;
      for (;;) {
        const page = await sql`
          SELECT id, line FROM import_rows
          WHERE batch_id = ${batchId} AND kind = 'record' AND id > ${afterId}
            AND status NOT IN ('IMPORTED','REJECTED','FAILED','CANCELLED')
          ORDER BY id LIMIT 100`;
        if (page.length === 0) break;
        await Promise.all(
          page.map(async (r) => {
            try {
              await client().workflow.getHandle(rowWorkflowId(batchId, r.line as number)).cancel();
            } catch (err) {
              if (!(err instanceof WorkflowNotFoundError)) throw err; // never started, or already closed
            }
          }),
        );
        // The rows' own workflows mark themselves CANCELLED; rows with no running workflow are
        // marked here. Both writes are conditional, so whichever comes second changes nothing.
        const ids = page.map((r) => String(r.id));
        const marked = await sql`
          UPDATE import_rows SET status = 'CANCELLED', status_changed_at = now(), updated_at = now()
          WHERE id = ANY(${ids}::bigint[]) AND status NOT IN ('IMPORTED','REJECTED','FAILED','CANCELLED')
          RETURNING id`;
        cancelled += marked.length;
        afterId = Number(page[page.length - 1]!.id);
        ctx.heartbeat({ afterId });
      }
      await sql`
        INSERT INTO audit_events (event_key, type, batch_id, actor, data)
        VALUES (${`batch:${batchId}:cancelled`}, 'BATCH_CANCELLED', ${batchId}, 'system', ${sql.json({ cancelled } as never)})
        ON CONFLICT (event_key) DO NOTHING`;
      await sql`UPDATE batches SET status = 'CANCELLED', completed_at = now(), updated_at = now() WHERE id = ${batchId}`;
      return { cancelled };
    },

    async completeBatch({ batchId }: { batchId: string }): Promise<BatchSummary> {
      await sql`
        UPDATE batches SET status = 'COMPLETED', completed_at = coalesce(completed_at, now()), updated_at = now()
        WHERE id = ${batchId} AND status IN ('RUNNING','PAUSED')`;
      return batchSummary(sql, batchId);
    },
  };
}
