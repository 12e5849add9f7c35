/**
 * Batch application services: submit a manifest, follow it, pause, resume, cancel, retry the
 * failed rows. The logic lives here once; the CLI and the HTTP API call it.
 */
import { randomBytes } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Sql } from '../db/client';
import { batchCounts, getBatch, requeueFailedRows, type BatchRecord } from '../db/batches';
import { INITIAL_STATUS, transitionRows } from '../db/rows';
import { parseManifest, type ManifestSource } from '../manifest/parse';
import { titleKey } from '../resolution/title-key';
import { WORKFLOW_TYPES, batchWorkflowId, type BatchProgress, type BatchSettings, type RowStatus } from '../shared';
import { signalBatch as signalBatchWorkflow } from '../temporal/batch-signal';
import { taskQueues } from '../temporal/task-queues';
import { pauseSignal, progressQuery, resumeSignal, retryFailedSignal } from '../workflows/messages';
import { ServiceError } from './errors';
import { findRowId } from './row-ref';

export interface SubmitInput {
  source: ManifestSource;
  name?: string;
  createdBy: string;
  maxBytes: number;
  settings: BatchSettings;
  /** Start the BatchImport workflow (default true); the benchmark's baseline stores rows only. */
  start?: boolean;
}

export interface SubmitResult {
  batchId: string;
  workflowId: string;
  /** True when a byte-identical manifest had been submitted before: this is that batch. */
  existing: boolean;
  status: string;
  total: number;
  acceptedRows: number;
  invalidRows: { line: number; field: string | null; reason: string }[];
  duplicates: { line: number; duplicateOfLine: number }[];
}

export interface BatchServiceDeps {
  sql: Sql;
  client: Client;
}

const ROW_CHUNK = 500;
const ROW_COLUMNS = [
  'batch_id', 'line', 'raw', 'kind', 'title', 'raga', 'url', 'normalized_url', 'site', 'source_key', 'status',
  'duplicate_of_line', 'error_type', 'error_message', 'title_key',
] as const;

/** Opaque, URL-safe, short: 12 base32 characters (60 bits). */
export function newBatchId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(12)].map((b) => alphabet[b & 31]).join('');
}

class AlreadySubmitted extends Error {
  constructor(readonly batchId: string) {
    super('already submitted');
  }
}

export function createBatchService({ sql, client }: BatchServiceDeps) {
  const startWorkflow = async (batchId: string, settings: BatchSettings): Promise<void> => {
    try {
      await client.workflow.start(WORKFLOW_TYPES.batch, {
        workflowId: batchWorkflowId(batchId),
        taskQueue: taskQueues(settings.taskQueuePrefix).main,
        args: [{ batchId, settings }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  const signalBatch = <Args extends unknown[]>(batch: BatchRecord, signal: SignalDefinition<Args>, ...args: Args) =>
    signalBatchWorkflow(client, batch, signal, ...args);

  const isRunning = async (batchId: string): Promise<boolean> => {
    try {
      const d = await client.workflow.getHandle(batchWorkflowId(batchId)).describe();
      return d.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  const requireBatch = async (batchId: string): Promise<BatchRecord> => {
    const batch = await getBatch(sql, batchId);
    if (!batch) throw new ServiceError('NOT_FOUND', `batch ${batchId} not found`);
    return batch;
  };

  /** Changes the batch's status under its row lock if `allowed`, with an audit event. */
  const lockedChange = async (
    batchId: string,
    allowed: (b: BatchRecord) => boolean,
    to: string,
    auditType: string,
    actor: string,
    refusal: (b: BatchRecord) => string = (b) => `batch ${batchId} is ${b.status}`,
  ): Promise<void> => {
    await sql.begin(async (tx) => {
      const batch = await lockBatch(tx as unknown as Sql, batchId);
      if (!allowed(batch)) throw new ServiceError('CONFLICT', refusal(batch));
      await tx`UPDATE batches SET status = ${to}, updated_at = now() WHERE id = ${batchId}`;
      await audit(tx as unknown as Sql, batchId, auditType, actor);
    });
  };

  /**
   * Makes sure an unfinished batch has a running BatchImport. Needed after the Temporal side was
   * lost (a fresh dev-server file, a lost cluster): PostgreSQL still knows every row, and the new
   * run picks them up where they stood.
   */
  const ensureRunning = async (batchId: string): Promise<boolean> => {
    const batch = await requireBatch(batchId);
    if (batch.status === 'COMPLETED' || batch.status === 'CANCELLED') return false;
    if (await isRunning(batchId)) return false;
    // A paused batch starts paused: the pause arrives with the start, before any row is started.
    if (batch.status === 'PAUSED') await signalBatch(batch, pauseSignal);
    else await startWorkflow(batchId, batch.settings as BatchSettings);
    return true;
  };

  const service = {
    ensureRunning,

    async submit(input: SubmitInput): Promise<SubmitResult> {
      const batchId = newBatchId();
      const invalidRows: SubmitResult['invalidRows'] = [];
      const duplicates: SubmitResult['duplicates'] = [];
      let total = 0;
      let accepted = 0;
      let seenSha: string | undefined;
      try {
        // One transaction: a file refused half-way (not UTF-8, too large) leaves nothing behind.
        await sql.begin(async (tx) => {
          await tx`
            INSERT INTO batches (id, name, manifest_sha256, manifest_bytes, status, total_records, accepted_rows,
                                 invalid_rows, duplicate_rows, settings, created_by)
            VALUES (${batchId}, ${input.name ?? null}, ${`pending:${batchId}`}, 0, 'RUNNING', 0, 0, 0, 0,
                    ${tx.json(input.settings as never)}, ${input.createdBy})`;
          const gen = parseManifest(input.source, { maxBytes: input.maxBytes });
          let chunk: Record<string, unknown>[] = [];
          const flush = async () => {
            if (chunk.length === 0) return;
            const rows = chunk.map((r) => Object.fromEntries(ROW_COLUMNS.map((c) => [c, r[c] ?? null])));
            await tx`INSERT INTO import_rows ${tx(rows as never, ROW_COLUMNS as never)}`;
            chunk = [];
          };
          for (;;) {
            const next = await gen.next();
            if (next.done) {
              await flush();
              const summary = next.value;
              seenSha = summary.sha256;
              const [prior] = await tx`SELECT id FROM batches WHERE manifest_sha256 = ${summary.sha256}`;
              if (prior) throw new AlreadySubmitted(prior.id as string);
              await tx`
                UPDATE batches SET manifest_sha256 = ${summary.sha256}, manifest_bytes = ${summary.bytes},
                       total_records = ${summary.totalRecords}, accepted_rows = ${summary.accepted},
                       invalid_rows = ${summary.invalid}, duplicate_rows = ${summary.duplicates}
                WHERE id = ${batchId}`;
              await tx`
                INSERT INTO audit_events (event_key, type, batch_id, actor, data)
                VALUES (${`batch:${batchId}:submitted`}, 'BATCH_SUBMITTED', ${batchId}, ${input.createdBy},
                        ${tx.json({ ...summary, name: input.name ?? null } as never)})`;
              total = summary.totalRecords;
              accepted = summary.accepted;
              break;
            }
            const e = next.value;
            const base = { batch_id: batchId, line: e.line, raw: tx.json(e.raw as never) };
            if (e.kind === 'record') {
              chunk.push({
                ...base,
                kind: 'record',
                title: e.title,
                title_key: titleKey(e.title),
                raga: e.raga,
                url: e.url,
                normalized_url: e.normalizedUrl,
                site: e.site,
                source_key: e.sourceKey,
                status: INITIAL_STATUS,
              });
            } else if (e.kind === 'invalid') {
              invalidRows.push({ line: e.line, field: e.field, reason: e.reason });
              chunk.push({ ...base, kind: 'invalid', error_type: 'INVALID_RECORD', error_message: e.reason });
            } else {
              duplicates.push({ line: e.line, duplicateOfLine: e.duplicateOfLine });
              chunk.push({
                ...base,
                kind: 'duplicate',
                normalized_url: e.normalizedUrl,
                duplicate_of_line: e.duplicateOfLine,
                error_type: 'DUPLICATE',
                error_message: `same source as line ${e.duplicateOfLine}`,
              });
            }
            if (chunk.length >= ROW_CHUNK) await flush();
          }
        });
      } catch (err) {
        // The same bytes submitted twice at once: the loser of the race finds the winner's batch.
        if ((err as { code?: string; constraint_name?: string }).code === '23505') {
          const [prior] = seenSha ? await sql`SELECT id FROM batches WHERE manifest_sha256 = ${seenSha}` : [];
          if (prior) err = new AlreadySubmitted(prior.id as string);
        }
        if (err instanceof AlreadySubmitted) {
          await ensureRunning(err.batchId);
          return existingResult(sql, err.batchId);
        }
        throw err;
      }
      if (accepted > 0 && input.start !== false) await startWorkflow(batchId, input.settings);
      else await sql`UPDATE batches SET status = 'COMPLETED', completed_at = now() WHERE id = ${batchId}`;
      return {
        batchId,
        workflowId: batchWorkflowId(batchId),
        existing: false,
        status: accepted > 0 ? 'RUNNING' : 'COMPLETED',
        total,
        acceptedRows: accepted,
        invalidRows,
        duplicates,
      };
    },

    /**
     * `progress: false` skips the workflow query: a poller (the CLI's watch) reads PostgreSQL only,
     * so a batch whose worker is down cannot stall it.
     */
    async status(batchId: string, opts: { progress?: boolean } = {}): Promise<{
      batch: BatchRecord;
      counts: Record<RowStatus, number>;
      progress: BatchProgress | null;
    }> {
      const batch = await requireBatch(batchId);
      const counts = await batchCounts(sql, batchId);
      let progress: BatchProgress | null = null;
      if (opts.progress !== false && batch.status !== 'COMPLETED' && batch.status !== 'CANCELLED') {
        try {
          progress = await client.workflow.getHandle(batchWorkflowId(batchId)).query(progressQuery);
        } catch {
          progress = null; // not running (or no worker to answer): PostgreSQL is the record anyway
        }
      }
      return { batch, counts: counts.byStatus, progress };
    },

    async pause(batchId: string, actor: string) {
      await lockedChange(batchId, (b) => b.status === 'RUNNING' || b.status === 'PAUSED', 'PAUSED', 'BATCH_PAUSED', actor);
      await signalBatch(await requireBatch(batchId), pauseSignal);
    },

    async resume(batchId: string, actor: string) {
      await sql.begin(async (tx) => {
        const batch = await lockBatch(tx as unknown as Sql, batchId);
        if (batch.status === 'COMPLETED') throw new ServiceError('CONFLICT', `batch ${batchId} is COMPLETED`);
        // A cancel in progress wins over a resume sent with it: the answer says so.
        if (batch.status === 'CANCELLING') throw new ServiceError('CONFLICT', `batch ${batchId} is being cancelled`);
        if (batch.status === 'CANCELLED') {
          // A cancelled batch starts again: its cancelled rows go back to the queue as new
          // attempts — not the rows a revert removed, which stay removed.
          await transitionRows(tx as unknown as Sql, {
            batchId,
            from: ['CANCELLED'],
            to: 'QUEUED',
            newAttempt: true,
            exceptReverted: true,
            actor,
            eventKeyPrefix: `batch:${batchId}:resume:${Date.now()}`,
            eventType: 'ROW_REQUEUED',
          });
        }
        await tx`UPDATE batches SET status = 'RUNNING', completed_at = NULL, updated_at = now() WHERE id = ${batchId}`;
        await audit(tx as unknown as Sql, batchId, 'BATCH_RESUMED', actor);
      });
      await signalBatch(await requireBatch(batchId), resumeSignal);
    },

    async cancel(batchId: string, actor: string) {
      // CANCELLING is written at once, under the batch's lock: a resume or retry-failed sent at
      // the same moment sees it and is refused, instead of both being answered 202.
      await lockedChange(
        batchId,
        (b) => b.status === 'RUNNING' || b.status === 'PAUSED',
        'CANCELLING',
        'BATCH_CANCEL_REQUESTED',
        actor,
        (b) => `batch ${batchId} is already ${b.status}`,
      );
      // No workflow to do it (Temporal side lost): run the same cancellation through a new run.
      if (!(await isRunning(batchId))) await startWorkflow(batchId, (await requireBatch(batchId)).settings as BatchSettings);
      await client.workflow.getHandle(batchWorkflowId(batchId)).cancel();
    },

    /** Re-queues the failed rows as new attempts and makes sure a batch run picks them up. */
    /**
     * Queues FAILED rows again as new attempts: every one of the batch, or only `lines` (one row's
     * retry). A line that is not FAILED is refused, naming its status, and nothing is queued.
     */
    async retryFailed(batchId: string, actor: string, opts: { lines?: number[] } = {}): Promise<{ requeued: number }> {
      const requeued = await sql.begin(async (tx) => {
        // The batch's lock orders this against the workflow closing the batch (completeBatch).
        const batch = await lockBatch(tx as unknown as Sql, batchId);
        if (batch.status === 'CANCELLED' || batch.status === 'CANCELLING')
          throw new ServiceError('CONFLICT', `batch ${batchId} is ${batch.status}; resume it instead`);
        if (opts.lines) {
          const found = await tx`
            SELECT line, status FROM import_rows
            WHERE batch_id = ${batchId} AND kind = 'record' AND line = ANY(${opts.lines}::int[])`;
          for (const line of opts.lines) {
            const row = found.find((r) => r.line === line);
            if (!row) throw new ServiceError('NOT_FOUND', `row ${batchId}:${line} not found (no record on that line)`);
            if (row.status !== 'FAILED')
              throw new ServiceError('CONFLICT', `row ${batchId}:${line} is ${row.status as string}; only a FAILED row is retried`);
          }
        }
        const { requeued } = await requeueFailedRows(tx as unknown as Sql, {
          batchId,
          ...(opts.lines ? { lines: opts.lines } : {}),
          actor,
          eventKeyPrefix: `batch:${batchId}:retry-failed:${Date.now()}:${randomBytes(4).toString('hex')}`,
        });
        return requeued;
      });
      if (requeued === 0) return { requeued };
      // A running batch pages again; a closed one — or one whose run is closing right now — gets
      // a new run under the same workflow id.
      await signalBatch(await requireBatch(batchId), retryFailedSignal, { requeued: true });
      return { requeued };
    },

    /** One FAILED row again as a new attempt, named `<batchId>:<line>` (or by its numeric id). */
    async retryRow(refOrId: string, actor: string): Promise<{ row: string; requeued: number }> {
      const id = await findRowId(sql, refOrId);
      if (!id) throw new ServiceError('NOT_FOUND', `row ${refOrId} not found`);
      const [r] = await sql`SELECT batch_id, line FROM import_rows WHERE id = ${id}`;
      const batchId = r!.batch_id as string;
      const line = r!.line as number;
      const { requeued } = await service.retryFailed(batchId, actor, { lines: [line] });
      return { row: `${batchId}:${line}`, requeued };
    },
  };
  return service;
}

export type BatchService = ReturnType<typeof createBatchService>;

async function lockBatch(tx: Sql, batchId: string): Promise<BatchRecord> {
  const [locked] = await tx`SELECT id FROM batches WHERE id = ${batchId} FOR UPDATE`;
  if (!locked) throw new ServiceError('NOT_FOUND', `batch ${batchId} not found`);
  return (await getBatch(tx, batchId))!;
}

async function audit(sql: Sql, batchId: string, type: string, actor: string) {
  await sql`
    INSERT INTO audit_events (event_key, type, batch_id, actor)
    VALUES (${`batch:${batchId}:${type}:${Date.now()}:${randomBytes(4).toString('hex')}`}, ${type}, ${batchId}, ${actor})`;
}

async function existingResult(sql: Sql, batchId: string): Promise<SubmitResult> {
  const batch = await getBatch(sql, batchId);
  if (!batch) throw new ServiceError('NOT_FOUND', `batch ${batchId} not found`);
  const invalid = await sql`
    SELECT line, error_message FROM import_rows WHERE batch_id = ${batchId} AND kind = 'invalid' ORDER BY line`;
  const dups = await sql`
    SELECT line, duplicate_of_line FROM import_rows WHERE batch_id = ${batchId} AND kind = 'duplicate' ORDER BY line`;
  return {
    batchId,
    workflowId: batchWorkflowId(batchId),
    existing: true,
    status: batch.status,
    total: batch.totalRecords,
    acceptedRows: batch.acceptedRows,
    invalidRows: invalid.map((r) => ({ line: r.line as number, field: null, reason: r.error_message as string })),
    duplicates: dups.map((r) => ({ line: r.line as number, duplicateOfLine: r.duplicate_of_line as number })),
  };
}
