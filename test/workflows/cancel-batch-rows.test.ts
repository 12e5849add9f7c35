/**
 * cancelBatchRows in MockActivityEnvironment, on the real PostgreSQL and Temporal server: it pages
 * through every unfinished row (running, queued, waiting for review), cancels each row's workflow,
 * heartbeats its position after every page, a retry resumes after the last heartbeated row, and a
 * retry of an attempt that had finished writes nothing (a resume since then stands).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createBatchActivities } from '../../src/activities/batch';
import { rowWorkflowId, WORKFLOW_TYPES } from '../../src/shared';
import { createHarness, manifest, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // No workers: the batch and row workflows are started but nothing runs them.
  h = await createHarness({ workers: false });
});
afterAll(async () => {
  await h?.close();
});

async function rowsOf(batchId: string) {
  return (await h.sql`
    SELECT id::text, line, status FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record' ORDER BY import_rows.id`) as unknown as {
    id: string;
    line: number;
    status: string;
  }[];
}

/** Starts a row's workflow on a queue nobody polls: it stays running, so a cancel request is all that reaches it. */
async function startIdleRow(batchId: string, row: { id: string; line: number }) {
  return h.client.workflow.start(WORKFLOW_TYPES.row, {
    taskQueue: `${h.settings.taskQueuePrefix}-nobody`,
    workflowId: rowWorkflowId(batchId, row.line),
    args: [{ batchId, rowId: row.id, line: row.line, site: 'x', settings: h.settings }],
  });
}

async function cancelRequested(batchId: string, line: number): Promise<boolean> {
  const history = await h.client.workflow.getHandle(rowWorkflowId(batchId, line)).fetchHistory();
  return (history.events ?? []).some((e) => e.workflowExecutionCancelRequestedEventAttributes);
}

describe('when a batch of 230 rows is cancelled', () => {
  it("then every unfinished row is cancelled — its workflow too, if it runs — with a heartbeat after each page of 100", async () => {
    const { batchId } = await h.submit(manifest(230));
    const rows = await rowsOf(batchId);
    const [imported, waiting, running] = [rows[0]!, rows[5]!, rows[150]!];
    await h.sql`UPDATE import_rows SET status = 'IMPORTED' WHERE id = ${imported.id}`;
    await h.sql`UPDATE import_rows SET status = 'PENDING_REVIEW' WHERE id = ${waiting.id}`;
    await h.sql`UPDATE import_rows SET status = 'SCRAPING' WHERE id = ${running.id}`;
    await startIdleRow(batchId, waiting);
    await startIdleRow(batchId, running);

    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { cancelBatchRows } = createBatchActivities({ sql: h.sql, client: () => h.client });
    const result = await env.run(cancelBatchRows, { batchId });

    expect(result).toEqual({ cancelled: 229 });
    const unfinished = rows.filter((r) => r.id !== imported.id);
    expect(beats).toEqual([100, 200, 229].map((i) => ({ afterId: Number(unfinished[i - 1]!.id) })));
    expect(await cancelRequested(batchId, waiting.line)).toBe(true);
    expect(await cancelRequested(batchId, running.line)).toBe(true);
    const after = await rowsOf(batchId);
    expect(after.filter((r) => r.status === 'CANCELLED')).toHaveLength(229);
    expect(after.find((r) => r.id === imported.id)?.status).toBe('IMPORTED');
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${batchId}`;
    expect(batch!.status).toBe('CANCELLED');
  });
});

describe('when cancelBatchRows is retried after an attempt that heartbeated its position', () => {
  it('then it resumes after the heartbeated row, leaving the rows before it to the first attempt', async () => {
    const { batchId } = await h.submit(manifest(150));
    const rows = await rowsOf(batchId);
    const env = new MockActivityEnvironment({ heartbeatDetails: { afterId: Number(rows[99]!.id) }, attempt: 2 });
    const { cancelBatchRows } = createBatchActivities({ sql: h.sql, client: () => h.client });
    expect(await env.run(cancelBatchRows, { batchId })).toEqual({ cancelled: 50 });
    const after = await rowsOf(batchId);
    expect(after.slice(0, 100).every((r) => r.status === 'QUEUED')).toBe(true);
    expect(after.slice(100).every((r) => r.status === 'CANCELLED')).toBe(true);
  });
});

describe('when Temporal refuses a cancel for another reason than a workflow not found', () => {
  it('then the attempt fails (to be retried) before marking or heartbeating that page', async () => {
    const { batchId } = await h.submit(manifest(3));
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { name: 'ServiceError' });
    const client = { workflow: { getHandle: () => ({ cancel: async () => Promise.reject(unavailable) }) } } as unknown as Client;
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { cancelBatchRows } = createBatchActivities({ sql: h.sql, client: () => client });
    await expect(env.run(cancelBatchRows, { batchId })).rejects.toBe(unavailable);
    expect(beats).toEqual([]);
    expect((await rowsOf(batchId)).map((r) => r.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
  });
});

describe('when a cancel is retried after its first attempt finished and the batch was resumed since', () => {
  // The first attempt wrote CANCELLED, then its worker died before reporting it; an operator
  // resumed the batch (rows re-queued, batch RUNNING); the retry comes from the same run.
  it('then the retry changes nothing: the resumed batch stays RUNNING with its rows queued', async () => {
    const { batchId } = await h.submit(manifest(3));
    const run = { workflowId: `batch-${batchId}`, runId: 'run-being-closed' };
    const { cancelBatchRows } = createBatchActivities({ sql: h.sql, client: () => h.client });
    expect(await new MockActivityEnvironment({ workflowExecution: run }).run(cancelBatchRows, { batchId })).toEqual({ cancelled: 3 });
    await h.batches.resume(batchId, 'ops');
    expect((await rowsOf(batchId)).map((r) => r.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);

    const retry = new MockActivityEnvironment({ workflowExecution: run, attempt: 2 });
    expect(await retry.run(cancelBatchRows, { batchId })).toEqual({ cancelled: 3 });
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${batchId}`;
    expect(batch!.status).toBe('RUNNING');
    expect((await rowsOf(batchId)).map((r) => r.status)).toEqual(['QUEUED', 'QUEUED', 'QUEUED']);
  });

  it('then a later run cancelling the batch again still cancels it, and each cancel is audited once', async () => {
    const { batchId } = await h.submit(manifest(2));
    const { cancelBatchRows } = createBatchActivities({ sql: h.sql, client: () => h.client });
    await new MockActivityEnvironment({ workflowExecution: { workflowId: `batch-${batchId}`, runId: 'first' } }).run(cancelBatchRows, { batchId });
    await h.batches.resume(batchId, 'ops');
    const again = new MockActivityEnvironment({ workflowExecution: { workflowId: `batch-${batchId}`, runId: 'second' } });
    expect(await again.run(cancelBatchRows, { batchId })).toEqual({ cancelled: 2 });
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${batchId}`;
    expect(batch!.status).toBe('CANCELLED');
    expect((await rowsOf(batchId)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    const [{ n }] = (await h.sql`SELECT count(*)::int AS n FROM audit_events WHERE batch_id = ${batchId} AND type = 'BATCH_CANCELLED'`) as never as [{ n: number }];
    expect(n).toBe(2);
  });
});
