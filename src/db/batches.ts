/** Batch-level queries shared by activities and application services. */
import { emptyCounts, type BatchStatus, type BatchSummary, type RowStatus } from '../shared';
import { UNFINISHED, transitionRows } from './rows';
import type { Sql } from './client';

export interface BatchCounts {
  byStatus: Record<RowStatus, number>;
  /** Rows not in a terminal status. */
  unfinished: number;
  /** Unfinished rows that are not waiting for a reviewer (the batch may need to (re)start them). */
  startable: number;
}

export async function batchCounts(sql: Sql, batchId: string): Promise<BatchCounts> {
  const rows = await sql`
    SELECT status, count(*)::int AS n FROM import_rows
    WHERE batch_id = ${batchId} AND kind = 'record' GROUP BY status`;
  const byStatus = emptyCounts();
  for (const r of rows) byStatus[r.status as RowStatus] = r.n as number;
  const unfinished = UNFINISHED.reduce((sum, s) => sum + byStatus[s], 0);
  return { byStatus, unfinished, startable: unfinished - byStatus.PENDING_REVIEW };
}

export interface BatchRecord {
  id: string;
  name: string | null;
  status: BatchStatus;
  manifestSha256: string;
  totalRecords: number;
  acceptedRows: number;
  invalidRows: number;
  duplicateRows: number;
  settings: unknown;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
}

export async function getBatch(sql: Sql, batchId: string): Promise<BatchRecord | null> {
  const [b] = await sql`SELECT * FROM batches WHERE id = ${batchId}`;
  if (!b) return null;
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    manifestSha256: b.manifest_sha256,
    totalRecords: b.total_records,
    acceptedRows: b.accepted_rows,
    invalidRows: b.invalid_rows,
    duplicateRows: b.duplicate_rows,
    settings: b.settings,
    createdBy: b.created_by,
    createdAt: b.created_at,
    completedAt: b.completed_at,
  };
}

export async function batchSummary(sql: Sql, batchId: string): Promise<BatchSummary> {
  const batch = await getBatch(sql, batchId);
  if (!batch) throw new Error(`batch ${batchId} not found`);
  const counts = await batchCounts(sql, batchId);
  return {
    batchId,
    status: batch.status,
    totalRecords: batch.totalRecords,
    invalidRows: batch.invalidRows,
    duplicates: batch.duplicateRows,
    counts: counts.byStatus,
  };
}

export interface RequeueFailed {
  batchId: string;
  /** Only these lines (one row's retry); every FAILED row of the batch when absent. */
  lines?: number[];
  actor: string;
  /** Makes the audit events idempotent for one request (a retried activity writes nothing twice). */
  eventKeyPrefix: string;
}

/**
 * Queues FAILED rows again as new attempts, in the caller's transaction, under the batch's row
 * lock (taken here; it orders this against the workflow closing the batch): each row's change and
 * one batch event are audited, and a batch that had completed is RUNNING again. A batch being
 * cancelled, or cancelled, retries nothing (`refused` names its status: resume it instead). The one
 * way a failed row is retried — `retry`/`retry-failed` (service), the batch's `retryFailed` signal
 * and a `temporal workflow reset` of the row all come here.
 */
export async function requeueFailedRows(tx: Sql, c: RequeueFailed): Promise<{ requeued: number; refused?: BatchStatus }> {
  const [batch] = await tx`SELECT status FROM batches WHERE id = ${c.batchId} FOR UPDATE`;
  if (!batch) throw new Error(`batch ${c.batchId} not found`);
  if (batch.status === 'CANCELLED' || batch.status === 'CANCELLING') return { requeued: 0, refused: batch.status as BatchStatus };
  const rows = await transitionRows(tx, {
    batchId: c.batchId,
    from: ['FAILED'],
    to: 'QUEUED',
    ...(c.lines ? { lines: c.lines } : {}),
    newAttempt: true,
    actor: c.actor,
    eventKeyPrefix: c.eventKeyPrefix,
    eventType: 'ROW_REQUEUED',
  });
  if (rows.length === 0) return { requeued: 0 };
  // A paused batch stays paused (the rows wait for resume); a closed one runs again.
  await tx`
    UPDATE batches SET status = 'RUNNING', completed_at = NULL, updated_at = now()
    WHERE id = ${c.batchId} AND status = 'COMPLETED'`;
  await tx`
    INSERT INTO audit_events (event_key, type, batch_id, actor, data)
    VALUES (${`${c.eventKeyPrefix}:batch`}, 'BATCH_RETRY_FAILED', ${c.batchId}, ${c.actor},
            ${tx.json({ requeued: rows.length, ...(c.lines ? { lines: c.lines } : {}) } as never)})
    ON CONFLICT (event_key) DO NOTHING`;
  return { requeued: rows.length };
}
