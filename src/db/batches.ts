/** Batch-level queries shared by activities and application services. */
import { emptyCounts, type BatchStatus, type BatchSummary, type RowStatus } from '../shared';
import { UNFINISHED } from './rows';
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
