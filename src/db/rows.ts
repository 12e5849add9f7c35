/**
 * The row state machine: the one place that writes a row's status. Every change is checked
 * against ROW_TRANSITIONS, written together with its audit event in the caller's transaction, and
 * answered with the row's new state. No other SQL names a status it writes.
 *
 * Why one module: concurrent writers (the row's workflow, the batch's reconcile step, cancel,
 * retry-failed, resume, revert) each used to carry their own idea of which change was allowed;
 * a decision written from the wrong state, or a terminal row reopened, was the result.
 */
import { ROW_STATUSES, TERMINAL_STATUSES, isTerminal, type ReviewDecision, type RowStatus } from '../shared';
import type { Sql } from './client';

/**
 * Allowed changes, from → to. A row may also be written with its own status again (a restarted
 * workflow re-entering the step it was in); that is not a change and is not audited twice.
 */
export const ROW_TRANSITIONS = {
  QUEUED: ['SCRAPING', 'FAILED', 'CANCELLED'],
  SCRAPING: ['RESOLVING', 'FAILED', 'CANCELLED'],
  RESOLVING: ['PERSISTING', 'PENDING_REVIEW', 'REJECTED', 'FAILED', 'CANCELLED'],
  PENDING_REVIEW: ['PERSISTING', 'REJECTED', 'FAILED', 'CANCELLED'],
  PERSISTING: ['IMPORTED', 'PENDING_REVIEW', 'FAILED', 'CANCELLED'],
  // A revert removes the krithi and closes the row as CANCELLED (error type REVERTED).
  IMPORTED: ['CANCELLED'],
  REJECTED: [],
  // retry-failed: a new attempt.
  FAILED: ['QUEUED'],
  // resume of a cancelled batch: a new attempt (never for a reverted row).
  CANCELLED: ['QUEUED'],
} as const satisfies Record<RowStatus, readonly RowStatus[]>;

/** The terminal statuses as SQL sees them (one constant: shared.ts's TERMINAL_STATUSES). */
export const TERMINAL = TERMINAL_STATUSES as readonly RowStatus[];

/** A record row's status when its batch is submitted. */
export const INITIAL_STATUS: RowStatus = 'QUEUED';

/** Rows not yet in a terminal status. */
export const UNFINISHED: readonly RowStatus[] = ROW_STATUSES.filter((s) => !isTerminal(s));

/** Unfinished rows a batch may have to (re)start: neither terminal nor waiting for a human. */
export const STARTABLE: readonly RowStatus[] = ['QUEUED', 'SCRAPING', 'RESOLVING', 'PERSISTING'];

/** A reverted row is CANCELLED with this error type; nothing re-queues it. */
export const REVERTED_ERROR_TYPE = 'REVERTED';

export function canTransition(from: RowStatus, to: RowStatus): boolean {
  return from === to || (ROW_TRANSITIONS[from] as readonly RowStatus[]).includes(to);
}

export interface RowChange {
  rowId: string;
  to: RowStatus;
  /** Only from these statuses (a narrower rule than the table, e.g. a decision needs PENDING_REVIEW). */
  from?: readonly RowStatus[];
  /**
   * Only while the row is on this attempt: a write from an earlier attempt's workflow (a cancel or
   * a failure landing after the row was queued again) is refused instead of undoing the retry.
   */
  attempt?: number;
  actor: string;
  /** Audit event key: stable across retries of the same write, so a retry audits once. */
  eventKey: string;
  /** Audit event type (default STATUS_CHANGED). */
  eventType?: string;
  errorType?: string | null;
  errorMessage?: string | null;
  reasons?: string[];
  decision?: ReviewDecision;
  /** Key of the review request that carried `decision` (a retried request is answered from it). */
  requestKey?: string;
  krithiId?: string;
  /** Extra audit data. */
  data?: Record<string, unknown>;
}

export interface RowChangeResult {
  /** The status moved (false: refused by the table or `from`, or already there). */
  changed: boolean;
  /** Refused: the row stays in `status`. */
  refused: boolean;
  from: RowStatus;
  status: RowStatus;
  batchId: string;
  site: string;
  reviewedAt: Date | null;
}

/** Moves one row, in `tx` (a transaction of the caller's), with its audit event. */
export async function transitionRow(tx: Sql, c: RowChange): Promise<RowChangeResult> {
  const [row] = await tx`SELECT status, attempt, batch_id, site, reviewed_at FROM import_rows WHERE id = ${c.rowId} FOR UPDATE`;
  if (!row) throw new Error(`row ${c.rowId} not found`);
  const from = row.status as RowStatus;
  const base = { from, batchId: row.batch_id as string, site: row.site as string, reviewedAt: row.reviewed_at as Date | null };
  if (!canTransition(from, c.to) || (c.from && !c.from.includes(from)) || (c.attempt !== undefined && c.attempt !== row.attempt))
    return { ...base, changed: false, refused: true, status: from };
  // Already there and finished: nothing to write (a reverted row keeps its REVERTED error type).
  if (from === c.to && isTerminal(from)) return { ...base, changed: false, refused: false, status: from };
  const d = c.decision;
  // The row's update and its audit event in one statement: one round trip instead of two, for
  // the four or five transitions every row makes (docs/PERFORMANCE.md, Inside the worker).
  await tx`
    WITH moved AS (
    UPDATE import_rows SET
      status = ${c.to},
      status_changed_at = CASE WHEN status = ${c.to} THEN status_changed_at ELSE now() END,
      error_type = ${c.errorType ?? null}::text,
      error_message = ${c.errorMessage ?? null}::text,
      krithi_id = coalesce(${c.krithiId ?? null}::bigint, krithi_id),
      review_reasons = CASE WHEN ${c.reasons ? 1 : 0}::int = 1 THEN ${tx.json((c.reasons ?? []) as never)} ELSE review_reasons END,
      review_decision = CASE WHEN ${d ? 1 : 0}::int = 1 THEN ${d?.decision ?? null}::text
                             WHEN ${c.to} = 'PENDING_REVIEW' THEN NULL ELSE review_decision END,
      review_overrides = CASE WHEN ${d ? 1 : 0}::int = 1 THEN ${d?.overrides ? tx.json(d.overrides as never) : null}::jsonb
                              WHEN ${c.to} = 'PENDING_REVIEW' THEN NULL ELSE review_overrides END,
      reviewer = CASE WHEN ${d ? 1 : 0}::int = 1 THEN ${d?.reviewer ?? null}::text ELSE reviewer END,
      review_note = CASE WHEN ${d ? 1 : 0}::int = 1 THEN ${d?.note ?? null}::text ELSE review_note END,
      reviewed_at = CASE WHEN ${d ? 1 : 0}::int = 1 THEN now() ELSE reviewed_at END,
      updated_at = now()
    WHERE id = ${c.rowId}
    RETURNING id)
    INSERT INTO audit_events (event_key, type, batch_id, row_id, krithi_id, actor, data)
    SELECT ${c.eventKey}, ${c.eventType ?? (d ? 'REVIEW_DECIDED' : 'STATUS_CHANGED')}, ${base.batchId}, moved.id,
           ${c.krithiId ?? null}::bigint, ${c.actor},
           ${tx.json({ from, to: c.to, errorType: c.errorType ?? null, decision: d ?? null,
                       ...(c.requestKey ? { requestKey: c.requestKey } : {}), ...c.data } as never)}
    FROM moved
    ON CONFLICT (event_key) DO NOTHING`;
  return { ...base, changed: from !== c.to, refused: false, status: c.to };
}

export interface BulkRowChange {
  batchId: string;
  to: RowStatus;
  from: readonly RowStatus[];
  /** Restrict to these row ids (default: every record row of the batch in `from`). */
  ids?: string[];
  /** Restrict to these lines of the batch. */
  lines?: number[];
  actor: string;
  /** Audit key prefix; each row's event is `<prefix>:<rowId>`. */
  eventKeyPrefix: string;
  eventType?: string;
  errorType?: string | null;
  errorMessage?: string | null;
  /** A new attempt: attempt + 1, and scrape/resolution results cleared. */
  newAttempt?: boolean;
  /** Leave reverted rows where they are. */
  exceptReverted?: boolean;
  /** Only rows holding one of these krithis; their krithi id is cleared (a revert). */
  krithiIds?: string[];
  data?: Record<string, unknown>;
}

/** Moves many rows of one batch at once (retry-failed, resume, cancel); audits each moved row. */
export async function transitionRows(tx: Sql, c: BulkRowChange): Promise<{ id: string; line: number; from: RowStatus }[]> {
  const from = c.from.filter((f) => canTransition(f, c.to) && f !== c.to);
  if (from.length === 0) return [];
  const moved = await tx`
    WITH target AS (
      SELECT id, status, error_type AS previous_error_type, error_message AS previous_error FROM import_rows
      WHERE batch_id = ${c.batchId} AND kind = 'record' AND status = ANY(${from as RowStatus[]}::text[])
        ${c.ids ? tx`AND id = ANY(${c.ids}::bigint[])` : tx``}
        ${c.lines ? tx`AND line = ANY(${c.lines}::int[])` : tx``}
        ${c.exceptReverted ? tx`AND error_type IS DISTINCT FROM ${REVERTED_ERROR_TYPE}` : tx``}
        ${c.krithiIds ? tx`AND krithi_id = ANY(${c.krithiIds}::bigint[])` : tx``}
      FOR UPDATE
    )
    UPDATE import_rows r SET
      status = ${c.to},
      status_changed_at = now(),
      updated_at = now(),
      error_type = ${c.errorType ?? null}::text,
      -- '{krithi}' in the message names the row's krithi (a revert says which one it removed).
      error_message = replace(${c.errorMessage ?? null}::text, '{krithi}', coalesce(r.krithi_id::text, '')),
      krithi_id = CASE WHEN ${c.krithiIds ? 1 : 0}::int = 1 THEN NULL ELSE r.krithi_id END,
      attempt = CASE WHEN ${c.newAttempt ? 1 : 0}::int = 1 THEN r.attempt + 1 ELSE r.attempt END,
      scraped = CASE WHEN ${c.newAttempt ? 1 : 0}::int = 1 THEN NULL ELSE r.scraped END,
      resolution = CASE WHEN ${c.newAttempt ? 1 : 0}::int = 1 THEN NULL ELSE r.resolution END,
      confidence = CASE WHEN ${c.newAttempt ? 1 : 0}::int = 1 THEN NULL ELSE r.confidence END
    FROM target WHERE r.id = target.id
    RETURNING r.id::text AS id, r.line, target.status AS from_status, r.attempt, target.previous_error_type, target.previous_error`;
  if (moved.length > 0) {
    const events = moved.map((m) => ({
      event_key: `${c.eventKeyPrefix}:${m.id}`,
      type: c.eventType ?? 'STATUS_CHANGED',
      batch_id: c.batchId,
      row_id: m.id as string,
      actor: c.actor,
      data: tx.json({
        from: m.from_status,
        to: c.to,
        attempt: m.attempt,
        errorType: c.errorType ?? null,
        // The error the change clears (a retried FAILED row's): the audit trail keeps it.
        ...(m.previous_error_type && c.errorType === undefined ? { previousError: { type: m.previous_error_type, message: m.previous_error } } : {}),
        ...c.data,
      } as never),
    }));
    await tx`
      INSERT INTO audit_events ${tx(events as never, ['event_key', 'type', 'batch_id', 'row_id', 'actor', 'data'] as never)}
      ON CONFLICT (event_key) DO NOTHING`;
  }
  return moved.map((m) => ({ id: m.id as string, line: m.line as number, from: m.from_status as RowStatus }));
}

/** SQL condition: the row is not terminal (the one list, as a parameter). */
export function notTerminal(sql: Sql) {
  return sql`status <> ALL(${TERMINAL as RowStatus[]}::text[])`;
}
