/**
 * Reverting a batch: remove the krithis it created that nobody has touched since.
 *
 * A krithi is untouched when `version = 1 AND last_row_id = created_row_id`: every later write
 * (a re-import of the same source page by another row or batch, with or without a reviewer's
 * fields) goes through persist, which bumps `version` and moves `last_row_id`. Such krithis are
 * kept and listed, because someone's later work depends on them. Krithis that only this batch
 * touched are deleted in one transaction, each with a `KRITHI_REVERTED` audit event holding the
 * deleted row (so a revert can itself be undone by hand), plus one `BATCH_REVERTED` event.
 *
 * The rows that had imported them become `CANCELLED` with `error_type = 'REVERTED'` and the
 * krithi id in `error_message`; `krithi_id` is cleared. CANCELLED is terminal (nothing picks the
 * row up again) and keeps the batch's counts adding up; `retry-failed` leaves it alone.
 *
 * Only a settled batch (COMPLETED or CANCELLED) can be reverted: while rows still persist, a krithi
 * could be created after the plan was made.
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client';
import { getBatch } from '../db/batches';
import { REVERTED_ERROR_TYPE, transitionRows } from '../db/rows';
import { ServiceError } from './errors';

export { REVERTED_ERROR_TYPE } from '../db/rows';

export interface RevertCandidate {
  krithiId: string;
  title: string;
  rowId: string;
  line: number | null;
}

export interface KeptKrithi {
  krithiId: string;
  title: string;
  version: number;
  /** The batch whose row last wrote it. */
  lastBatchId: string | null;
}

export interface RevertPlan {
  batchId: string;
  batchStatus: string;
  revertible: RevertCandidate[];
  kept: KeptKrithi[];
}

export interface RevertResult {
  batchId: string;
  reverted: number;
  kept: number;
  krithiIds: string[];
}

export function createRevertService({ sql }: { sql: Sql }) {
  const requireSettled = async (batchId: string) => {
    const batch = await getBatch(sql, batchId);
    if (!batch) throw new ServiceError('NOT_FOUND', `batch ${batchId} not found`);
    if (batch.status !== 'COMPLETED' && batch.status !== 'CANCELLED')
      throw new ServiceError('CONFLICT', `batch ${batchId} is ${batch.status}; cancel it or let it finish before reverting`);
    return batch;
  };

  const plan = async (tx: Sql, batchId: string, lock: boolean) => {
    const rows = await tx`
      SELECT k.id::text AS id, k.title, k.version, k.created_row_id::text AS created_row_id,
             k.last_row_id::text AS last_row_id, r.line, lr.batch_id AS last_batch_id
      FROM krithis k
      LEFT JOIN import_rows r ON r.id = k.created_row_id
      LEFT JOIN import_rows lr ON lr.id = k.last_row_id
      WHERE k.created_batch_id = ${batchId}
      ORDER BY k.id
      ${lock ? tx`FOR UPDATE OF k` : tx``}`;
    const revertible: RevertCandidate[] = [];
    const kept: KeptKrithi[] = [];
    for (const r of rows) {
      if (r.version === 1 && r.last_row_id === r.created_row_id)
        revertible.push({ krithiId: r.id, title: r.title, rowId: r.created_row_id, line: r.line ?? null });
      else kept.push({ krithiId: r.id, title: r.title, version: r.version, lastBatchId: r.last_batch_id ?? null });
    }
    return { revertible, kept };
  };

  return {
    /** What a revert would do, without changing anything (the CLI shows it before asking). */
    async plan(batchId: string): Promise<RevertPlan> {
      const batch = await requireSettled(batchId);
      return { batchId, batchStatus: batch.status, ...(await plan(sql, batchId, false)) };
    },

    async revert(batchId: string, actor: string): Promise<RevertResult> {
      await requireSettled(batchId);
      return sql.begin(async (tx) => {
        // Re-checked under the row locks: a re-import that committed after the plan was shown is kept.
        const { revertible, kept } = await plan(tx as unknown as Sql, batchId, true);
        const ids = revertible.map((c) => c.krithiId);
        if (ids.length > 0) {
          const deleted = await tx`DELETE FROM krithis WHERE id = ANY(${ids}::bigint[]) RETURNING *`;
          for (const k of deleted) {
            await tx`
              INSERT INTO audit_events (event_key, type, batch_id, row_id, krithi_id, actor, data)
              VALUES (${`krithi:${k.id}:reverted`}, 'KRITHI_REVERTED', ${batchId}, ${k.created_row_id}, ${k.id}, ${actor},
                      ${tx.json({ krithi: k } as never)})`;
          }
          // IMPORTED → CANCELLED, through the row state machine (audited per row).
          await transitionRows(tx as unknown as Sql, {
            batchId,
            from: ['IMPORTED'],
            to: 'CANCELLED',
            krithiIds: ids,
            errorType: REVERTED_ERROR_TYPE,
            errorMessage: `krithi {krithi} removed by revert (${actor})`,
            actor,
            eventKeyPrefix: `batch:${batchId}:revert:${Date.now()}`,
            eventType: 'ROW_REVERTED',
          });
        }
        await tx`
          INSERT INTO audit_events (event_key, type, batch_id, actor, data)
          VALUES (${`batch:${batchId}:reverted:${Date.now()}:${randomBytes(4).toString('hex')}`}, 'BATCH_REVERTED',
                  ${batchId}, ${actor}, ${tx.json({ reverted: ids, kept: kept.map((k) => k.krithiId) } as never)})`;
        return { batchId, reverted: ids.length, kept: kept.length, krithiIds: ids };
      });
    },
  };
}

export type RevertService = ReturnType<typeof createRevertService>;
