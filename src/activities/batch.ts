/**
 * Batch activities: paging rows for BatchImport, counting from PostgreSQL (the source of truth for
 * counters), cancelling every unfinished row, and closing the batch with its summary.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import { batchCounts, batchSummary, requeueFailedRows } from '../db/batches';
import { rowWorkflowId, type BatchSummary, type RowStatus } from '../shared';
import { STARTABLE, TERMINAL, UNFINISHED, transitionRow, transitionRows } from '../db/rows';

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

/** How a row workflow ended, or null while it runs. Not found (never started, or long gone) counts as ended. */
async function closedAs(client: Client, workflowId: string): Promise<{ status: string; runId: string } | null> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? null : { status: d.status.name, runId: d.runId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'NOT_FOUND', runId: 'none' };
    throw err;
  }
}

export function createBatchActivities({ sql, client }: BatchDeps) {
  return {
    /**
     * The next unfinished rows after `afterLine`. Rows waiting for review are included only when
     * asked (the first pass of a fresh batch run): a rescan never touches them, so a review costs
     * no batch work.
     */
    async nextRows({
      batchId,
      afterLine,
      limit,
      includeWaiting = true,
    }: {
      batchId: string;
      afterLine: number;
      limit: number;
      includeWaiting?: boolean;
    }): Promise<NextRow[]> {
      const statuses = includeWaiting ? UNFINISHED : STARTABLE;
      const rows = await sql`
        SELECT id, line, site, status, title, raga FROM import_rows
        WHERE batch_id = ${batchId} AND kind = 'record' AND line > ${afterLine}
          AND status = ANY(${statuses as RowStatus[]}::text[])
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
          AND status = ANY(${STARTABLE as RowStatus[]}::text[])`;
      return rows.map((r) => r.line as number);
    },

    /**
     * Of `lines` (the rows the batch counts as in flight), those whose row is still active in
     * PostgreSQL and whose workflow still runs in Temporal. A row whose workflow has closed
     * without a terminal status (terminated, failed for good) is closed FAILED here, with the way
     * its workflow ended as the error type; a QUEUED row whose latest run is an earlier, closed
     * one (started again while that run was closing) is only let go, for the next rescan.
     */
    async reconcileInFlight({ batchId, lines }: { batchId: string; lines: number[] }): Promise<{ active: number[]; closed: number }> {
      const rows = await sql`
        SELECT id::text, line, status FROM import_rows
        WHERE batch_id = ${batchId} AND line = ANY(${lines}::int[])
          AND status = ANY(${STARTABLE as RowStatus[]}::text[])`;
      const active: number[] = [];
      let closed = 0;
      for (const r of rows) {
        const line = r.line as number;
        const ended = await closedAs(client(), rowWorkflowId(batchId, line));
        if (!ended) {
          active.push(line);
          continue;
        }
        closed += 1;
        if (r.status === 'QUEUED') continue;
        await sql.begin((tx) =>
          transitionRow(tx as unknown as Sql, {
            rowId: r.id as string,
            to: 'FAILED',
            from: ['SCRAPING', 'RESOLVING', 'PERSISTING'],
            actor: 'system',
            eventKey: `row:${r.id}:workflow-closed:${ended.runId}`,
            errorType: `WORKFLOW_${ended.status}`,
            errorMessage: `the row's workflow ended ${ended.status} while the row was ${r.status}; retry-failed runs it again`,
          }),
        );
      }
      return { active, closed };
    },

    /**
     * The batch's `retryFailed` signal sent bare (an operator's `temporal workflow signal`): queues
     * the batch's FAILED rows again, as the service's retry-failed does. Keyed by the signal, so a
     * retried call writes nothing twice. A batch being cancelled retries nothing.
     */
    async requeueFailed({ batchId, actor, requestKey }: { batchId: string; actor: string; requestKey: string }): Promise<{ requeued: number }> {
      const { requeued } = await sql.begin((tx) =>
        requeueFailedRows(tx as unknown as Sql, { batchId, actor, eventKeyPrefix: `batch:${batchId}:retry-signal:${requestKey}` }),
      );
      return { requeued };
    },

    /**
     * Cancels every unfinished row of the batch — running, queued, or waiting for review — paging
     * through PostgreSQL rather than trusting the workflow's in-flight set. Heartbeats its position
     * so a retry resumes where the last attempt stopped.
     */
    async cancelBatchRows({ batchId }: { batchId: string }): Promise<{ cancelled: number }> {
      const ctx = Context.current();
      // One cancel of the batch per workflow run: its closing event is keyed by the run. An attempt
      // that finds it is the retry of an attempt that finished but whose completion was lost (its
      // worker died first). An operator may have resumed the batch since (RUNNING, rows re-queued
      // as new attempts, the closing run signalled to continue); writing CANCELLING and CANCELLED
      // again would undo that resume and leave the new run's rows under a batch that says
      // CANCELLED, whose reviews are refused. The model-based test found it (seed 68, a worker
      // SIGKILLed mid-cancel): nothing writes here twice.
      const closedKey = `batch:${batchId}:cancelled:${ctx.info.workflowExecution?.runId ?? 'none'}`;
      const [closed] = await sql`SELECT (data->>'cancelled')::int AS cancelled FROM audit_events WHERE event_key = ${closedKey}`;
      if (closed) return { cancelled: Number(closed.cancelled ?? 0) };
      await sql`UPDATE batches SET status = 'CANCELLING', updated_at = now() WHERE id = ${batchId} AND status <> 'CANCELLED'`;
      let afterId = Number((ctx.info.heartbeatDetails as { afterId?: number } | undefined)?.afterId ?? 0);
      let cancelled = 0;
      for (;;) {
        const page = await sql`
          SELECT id, line FROM import_rows
          WHERE batch_id = ${batchId} AND kind = 'record' AND id > ${afterId}
            AND status <> ALL(${TERMINAL as RowStatus[]}::text[])
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
        const marked = await sql.begin((tx) =>
          transitionRows(tx as unknown as Sql, {
            batchId,
            ids,
            from: UNFINISHED,
            to: 'CANCELLED',
            actor: 'system',
            eventKeyPrefix: `batch:${batchId}:cancel:${ctx.info.workflowExecution?.runId ?? "none"}`,
            eventType: 'ROW_CANCELLED',
          }),
        );
        cancelled += marked.length;
        afterId = Number(page[page.length - 1]!.id);
        ctx.heartbeat({ afterId });
      }
      // The closing event and the status in one transaction: a retry sees both or neither.
      await sql.begin(async (tx) => {
        await tx`
          INSERT INTO audit_events (event_key, type, batch_id, actor, data)
          VALUES (${closedKey}, 'BATCH_CANCELLED', ${batchId}, 'system', ${tx.json({ cancelled } as never)})
          ON CONFLICT (event_key) DO NOTHING`;
        await tx`UPDATE batches SET status = 'CANCELLED', completed_at = now(), updated_at = now() WHERE id = ${batchId}`;
      });
      return { cancelled };
    },

    /**
     * Marks the batch COMPLETED. With `onlyIfFinished`, under the batch's row lock (which
     * retry-failed and resume take too) and only if no row is unfinished: rows re-queued after
     * the workflow's last count are never closed over.
     */
    async completeBatch({ batchId, onlyIfFinished = false }: { batchId: string; onlyIfFinished?: boolean }): Promise<BatchSummary> {
      await sql.begin(async (tx) => {
        await tx`SELECT 1 FROM batches WHERE id = ${batchId} FOR UPDATE`;
        if (onlyIfFinished) {
          const [open] = await tx`
            SELECT 1 FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record'
              AND status = ANY(${UNFINISHED as RowStatus[]}::text[]) LIMIT 1`;
          if (open) return;
        }
        await tx`
          UPDATE batches SET status = 'COMPLETED', completed_at = coalesce(completed_at, now()), updated_at = now()
          WHERE id = ${batchId} AND status IN ('RUNNING','PAUSED')`;
      });
      return batchSummary(sql, batchId);
    },
  };
}
