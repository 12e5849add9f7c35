/**
 * Issue 13: the row state machine under failure and concurrency. Each test is named after the
 * item of the issue it reproduces (the attack as it was run against a live stack) and failed
 * before the fix it stands for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { WorkflowUpdateFailedError, type Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createBatchActivities } from '../../src/activities/batch';
import { ServiceError } from '../../src/services/errors';
import { createBulkReview } from '../../src/services/bulk-review';
import { createRevertService } from '../../src/services/revert';
import { batchWorkflowId, isTerminal, rowWorkflowId, type BatchProgress, type RowStatus } from '../../src/shared';
import { progressQuery, reviewSignal, reviewUpdate, rowTransitionSignal } from '../../src/workflows/messages';
import { queueRateLimit, setQueueRateLimit } from '../../src/temporal/namespace-setup';
import { taskQueues } from '../../src/temporal/task-queues';
import { createHarness, manifest, unknownRaga, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ window: 20 });
});
afterAll(async () => {
  await h?.close();
});

const urlsOf = (csv: string) => csv.trim().split('\r\n').slice(1).map((l) => l.split(',')[2]!);

async function waitRows(batchId: string, done: (rows: Awaited<ReturnType<Harness['rows']>>) => boolean, what: string, ms?: number) {
  return h.waitFor(async () => {
    const rows = await h.rows(batchId);
    return done(rows) ? rows : undefined;
  }, what, ms);
}

async function rowByLine(batchId: string, line: number) {
  const [row] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${batchId} AND line = ${line}`;
  return row!;
}

/** The batch's progress, or undefined while its run cannot answer yet (just started, no task done). */
async function progressOf(handle: { query: (q: typeof progressQuery) => Promise<BatchProgress> }) {
  return handle.query(progressQuery).catch(() => undefined);
}

async function batchEvents(batchId: string) {
  const history = await h.client.workflow.getHandle(batchWorkflowId(batchId)).fetchHistory();
  return history.events ?? [];
}
const { EventType } = proto.temporal.api.enums.v1;
/** Attempts to start a child: each one initiated (and, for a row already running, failed). */
const startChildEvents = (events: { eventType?: unknown }[]) =>
  events.filter((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED).length;

describe('item 2: when an approval and a rejection of one row are sent at the same moment', () => {
  it('then the decision stored for every row is the one the API confirmed, audited once', async () => {
    const bulk = createBulkReview({ sql: h.sql, reviews: h.reviews });
    // Three rounds of eight rows: the race is between two updates reaching an idle workflow.
    for (let round = 0; round < 3; round++) {
      const res = await h.submit(manifest(8, { raga: unknownRaga() }));
      const rows = await waitRows(res.batchId, (r) => r.length === 8 && r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
      const confirmed = new Map<string, 'approve' | 'reject'>();
      await Promise.all(
        rows.map(async (row) => {
          // A single decision from one reviewer and a bulk one from another, as two browsers would.
          const [single, many] = await Promise.allSettled([
            h.reviews.review(row.id, { decision: 'approve', reviewer: 'ravi', overrides: { ragaIds: ['mechakalyani'] } }),
            bulk({ ids: [row.id] }, { decision: 'reject', reviewer: 'meera' }),
          ]);
          const approved = single.status === 'fulfilled';
          const rejected = many.status === 'fulfilled' && many.value.applied === 1;
          expect(approved !== rejected, `row ${row.id}: exactly one decision confirmed`).toBe(true);
          confirmed.set(row.id, approved ? 'approve' : 'reject');
        }),
      );
      const done = await waitRows(res.batchId, (r) => r.every((x) => isTerminal(x.status)), 'every row decided');
      for (const row of done) {
        const want = confirmed.get(row.id)!;
        expect(row.status, `row ${row.id}`).toBe(want === 'approve' ? 'IMPORTED' : 'REJECTED');
        const [stored] = await h.sql`SELECT review_decision FROM import_rows WHERE id = ${row.id}`;
        expect(stored!.review_decision).toBe(want);
        const audited = await h.sql`
          SELECT data->'decision'->>'decision' AS d FROM audit_events WHERE row_id = ${row.id} AND type = 'REVIEW_DECIDED'`;
        expect(audited.map((a) => a.d)).toEqual([want]);
      }
    }
  });
});

describe('item 2: when a decision is accepted', () => {
  it('then no database write runs inside the workflow task that accepts it (a task the server may discard); an activity scheduled by it writes the decision', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    const [row] = await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row in review');
    await h.reviews.review(row!.id, { decision: 'reject', reviewer: 'ravi' });
    await waitRows(res.batchId, (r) => r[0]?.status === 'REJECTED', 'row rejected');
    const events = (await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).fetchHistory()).events ?? [];
    const accepted = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(accepted).toBeGreaterThan(0);
    // The events the accepting task's completion wrote: from its WorkflowTaskCompleted to the next task.
    let start = accepted;
    while (events[start]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) start--;
    let end = accepted;
    while (end < events.length && events[end]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) end++;
    const sameTask = events.slice(start, end);
    // A local activity runs while the task is being worked on, before the server has kept it.
    const localActivities = sameTask.filter(
      (e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    expect(localActivities).toEqual([]);
    const scheduled = sameTask.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['recordDecision']);
  });
});

describe('item 6: when the same review request is sent twice', () => {
  it('then the second gets the first one’s answer, even after the row has moved on, and a different decision a conflict', async () => {
    const res = await h.submit(manifest(2, { raga: unknownRaga() }));
    const rows = await waitRows(res.batchId, (r) => r.length === 2 && r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
    const reject = { decision: 'reject' as const, reviewer: 'ravi', note: 'not a krithi' };
    // Sent twice at once (a client that retried before the first answer came back).
    const both = await Promise.all([h.reviews.review(rows[0]!.id, reject), h.reviews.review(rows[0]!.id, reject)]);
    expect(both).toEqual([{ status: 'REJECTED' }, { status: 'REJECTED' }]);
    // Sent again after the row has been rejected and its workflow has closed.
    await waitRows(res.batchId, (r) => r[0]?.status === 'REJECTED', 'row rejected');
    expect(await h.reviews.review(rows[0]!.id, reject)).toEqual({ status: 'REJECTED' });
    await expect(h.reviews.review(rows[0]!.id, { ...reject, reviewer: 'meera' })).rejects.toMatchObject({ code: 'CONFLICT' });
    // An approval retried after it was confirmed.
    const approve = { decision: 'approve' as const, reviewer: 'ravi', overrides: { ragaIds: ['mechakalyani'] } };
    expect(await h.reviews.review(rows[1]!.id, approve)).toEqual({ status: 'PERSISTING' });
    expect(await h.reviews.review(rows[1]!.id, approve)).toEqual({ status: 'PERSISTING' });
    await waitRows(res.batchId, (r) => r[1]?.status === 'IMPORTED', 'row imported');
    expect(await h.reviews.review(rows[1]!.id, approve)).toEqual({ status: 'PERSISTING' });
  });
});

describe('item 9: when a row without a raga is approved without choosing one', () => {
  it('then the approval is refused as invalid, by the service and by the workflow, and the row stays in review', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    const [row] = await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row in review');
    const err = await h.reviews.review(row!.id, { decision: 'approve', reviewer: 'ravi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('INVALID');
    expect((err as ServiceError).message).toContain('without a raga');
    // Straight to the workflow, as a client that skipped the service would.
    const direct = await h.client.workflow
      .getHandle(rowWorkflowId(res.batchId, 2))
      .executeUpdate(reviewUpdate, { args: [{ decision: 'approve', reviewer: 'ravi' }] })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((direct as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('INVALID_DECISION');
    expect((await rowByLine(res.batchId, 2)).status).toBe('PENDING_REVIEW');
    expect(await h.reviews.review(row!.id, { decision: 'reject', reviewer: 'ravi' })).toEqual({ status: 'REJECTED' });
  });
});

describe('item 1: when a row’s workflow is terminated while it scrapes, with a window of 1', () => {
  it('then the row ends FAILED with how its workflow ended, and the rows after it are imported', async () => {
    const csv = manifest(3);
    h.site.setFault(urlsOf(csv)[0]!, 'slow-drip');
    const res = await h.submit(csv, { window: 1, reconcileIntervalMs: 1000 });
    await waitRows(res.batchId, (r) => r[0]?.status === 'SCRAPING', 'row 2 scraping');
    await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).terminate('operator stops this row');
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts).toMatchObject({ IMPORTED: 2, FAILED: 1, QUEUED: 0, SCRAPING: 0 });
    const row = await rowByLine(res.batchId, 2);
    expect(row.status).toBe('FAILED');
    expect(row.error_type).toBe('WORKFLOW_TERMINATED');
  });
});

describe('item 1: when retry-failed re-queues a row whose earlier run is still closing', () => {
  it('then the start that finds that run does not hold the slot once it has closed, and the row is run again', async () => {
    const csv = manifest(1);
    const [url] = urlsOf(csv);
    h.site.setFault(url!, 'slow-drip');
    const res = await h.submit(csv, { window: 1, reconcileIntervalMs: 1000 });
    await waitRows(res.batchId, (r) => r[0]?.status === 'SCRAPING', 'row 2 scraping');
    // The row's run has written FAILED and reported it, and is on its way out; the batch, with
    // nothing else to do, closes.
    await h.sql`UPDATE import_rows SET status = 'FAILED', error_type = 'HTTP_SERVER_ERROR' WHERE batch_id = ${res.batchId} AND line = 2`;
    await h.client.workflow.getHandle(res.workflowId).signal(rowTransitionSignal, { line: 2, from: 'SCRAPING', to: 'FAILED' });
    await h.client.workflow.getHandle(res.workflowId).result();
    // An operator retries it at once: the batch's new run tries to start the row while the
    // earlier run still exists …
    expect((await h.batches.retryFailed(res.batchId, 'operator')).requeued).toBe(1);
    await h.waitFor(
      async () => (await batchEvents(res.batchId)).some((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED),
      'the new run to find the earlier row run',
    );
    // … which then closes without writing anything more.
    h.site.setFault(url!, 'none');
    await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).terminate('the earlier run closing');
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts).toMatchObject({ IMPORTED: 1, QUEUED: 0 });
    expect((await rowByLine(res.batchId, 2)).attempt).toBe(2);
  });
});

describe('item 3: when some of many rows waiting for review are decided', () => {
  it('then the batch starts no other row and records a few events per decision', async () => {
    const res = await h.submit(manifest(12, { raga: unknownRaga() }));
    const rows = await waitRows(res.batchId, (r) => r.length === 12 && r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
    // Settled: the batch has heard of every row.
    const handle = h.client.workflow.getHandle(res.workflowId);
    await h.waitFor(async () => (await progressOf(handle))?.counts.PENDING_REVIEW === 12, 'batch to count 12 in review');
    const before = await batchEvents(res.batchId);
    // Four decisions at once, so that the batch hears of rows persisting, not only of rows done.
    await Promise.all(
      rows.slice(0, 4).map((r) =>
        h.reviews.review(r.id, { decision: 'approve', reviewer: 'ravi', overrides: { ragaIds: ['mechakalyani'] } }),
      ),
    );
    await h.waitFor(async () => (await progressOf(handle))?.counts.IMPORTED === 4, 'batch to count the imports');
    const after = await batchEvents(res.batchId);
    // Before: every decision rescanned the batch and tried to start each waiting row again.
    expect(startChildEvents(after) - startChildEvents(before)).toBe(0);
    // Per decision: two reports (out of review, imported), each a signal and a workflow task or
    // two, and a count.
    expect(after.length - before.length).toBeLessThanOrEqual(4 * 24);
  });
});

describe('item 4: when retry-failed re-queues rows just as the batch closes', () => {
  it('then the closing step sees them and leaves the batch running', async () => {
    const csv = manifest(1);
    h.site.setFault(urlsOf(csv)[0]!, 'server-error-always');
    const res = await h.submit(csv);
    await h.client.workflow.getHandle(res.workflowId).result();
    const activities = createBatchActivities({ sql: h.sql, client: () => h.client });
    // The workflow counted 0 unfinished rows and is about to close the batch when retry-failed's
    // transaction (the row re-queued, the batch RUNNING) commits; then its closing step lands.
    await h.sql`UPDATE import_rows SET status = 'QUEUED', attempt = attempt + 1 WHERE batch_id = ${res.batchId}`;
    await h.sql`UPDATE batches SET status = 'RUNNING', completed_at = NULL WHERE id = ${res.batchId}`;
    const summary = await activities.completeBatch({ batchId: res.batchId, onlyIfFinished: true });
    expect(summary.status).toBe('RUNNING');
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
    expect(batch!.status).toBe('RUNNING');
    h.site.setFault(urlsOf(csv)[0]!, 'none');
    expect(await h.batches.ensureRunning(res.batchId)).toBe(true);
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED', 'the re-queued row imported');
  });
});

describe('item 5: when a row is cancelled while a decision on it is sent', () => {
  it('then a decision the workflow confirmed is the one stored on the cancelled row', async () => {
    const res = await h.submit(manifest(4, { raga: unknownRaga() }));
    const rows = await waitRows(res.batchId, (r) => r.length === 4 && r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
    const outcomes = await Promise.all(
      rows.map(async (row, i) => {
        const handle = h.client.workflow.getHandle(rowWorkflowId(res.batchId, row.line));
        const decide = handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', reviewer: 'ravi' }] });
        const cancel = handle.cancel();
        const [d] = await Promise.allSettled([i % 2 ? decide : cancel.then(() => decide), cancel]);
        return { id: row.id, confirmed: d.status === 'fulfilled' };
      }),
    );
    await waitRows(res.batchId, (r) => r.every((x) => isTerminal(x.status)), 'rows settled');
    for (const o of outcomes) {
      const [row] = await h.sql`SELECT status, review_decision FROM import_rows WHERE id = ${o.id}`;
      if (o.confirmed) expect(row!.review_decision, `row ${o.id}: confirmed reject stored`).toBe('reject');
      else expect(row!.review_decision).toBeNull();
    }
  });
});

describe('item 9: when resume is sent right after cancel', () => {
  it('then the resume is refused while the batch is being cancelled', async () => {
    const res = await h.submit(manifest(2, { raga: unknownRaga() }));
    await waitRows(res.batchId, (r) => r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
    await h.batches.cancel(res.batchId, 'ops');
    await expect(h.batches.resume(res.batchId, 'ops')).rejects.toMatchObject({ code: 'CONFLICT' });
    await h.client.workflow.getHandle(res.workflowId).result().catch(() => undefined);
    await h.waitFor(async () => (await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`)[0]?.status === 'CANCELLED', 'batch cancelled');
  });
});

describe('item 9: when retry-failed is sent to a paused batch', () => {
  it('then the batch stays paused, in PostgreSQL as in its workflow', async () => {
    const csv = `${manifest(1).trimEnd()}\r\n${manifest(1, { raga: unknownRaga() }).split('\r\n')[1]}\r\n`;
    h.site.setFault(urlsOf(csv)[0]!, 'server-error-always');
    const res = await h.submit(csv);
    await waitRows(res.batchId, (r) => r[0]?.status === 'FAILED' && r[1]?.status === 'PENDING_REVIEW', 'one failed, one in review');
    await h.batches.pause(res.batchId, 'ops');
    expect((await h.batches.retryFailed(res.batchId, 'ops')).requeued).toBe(1);
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
    expect(batch!.status).toBe('PAUSED');
    expect((await h.client.workflow.getHandle(res.workflowId).query(progressQuery)).paused).toBe(true);
    expect((await rowByLine(res.batchId, 2)).status).toBe('QUEUED');
    await h.batches.cancel(res.batchId, 'ops');
  });
});

describe('item 9: when a paused batch gets a new run (its Temporal side was lost)', () => {
  it('then the new run starts paused and starts no row', async () => {
    const res = await h.submit(manifest(4, { raga: unknownRaga() }), { window: 2 });
    await h.batches.pause(res.batchId, 'ops');
    const handle = h.client.workflow.getHandle(res.workflowId);
    await h.waitFor(async () => (await progressOf(handle))?.paused, 'batch paused');
    await handle.terminate('Temporal side lost');
    const started = async () => (await h.rows(res.batchId)).filter((r) => r.status !== 'QUEUED').length;
    await new Promise((r) => setTimeout(r, 1500));
    const before = await started();
    expect(await h.batches.ensureRunning(res.batchId)).toBe(true);
    await h.waitFor(async () => (await progressOf(handle))?.paused, 'the new run paused');
    // The pause came with the start, before the run's first workflow task was even scheduled, so
    // no task of the run ever saw the batch unpaused (a pause signalled after the start arrives
    // once the first task may already have started rows: whether it did is a race, this is not).
    const events = (await handle.fetchHistory()).events ?? [];
    const firstTask = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const pause = events.findIndex(
      (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && e.workflowExecutionSignaledEventAttributes?.signalName === 'pause',
    );
    expect(pause, 'the pause signal is in the new run').toBeGreaterThan(0);
    expect(pause, 'the pause precedes the first workflow task').toBeLessThan(firstTask);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await started()).toBe(before);
    await h.batches.cancel(res.batchId, 'ops');
  });
});

describe('item 9: when a batch whose import was reverted is cancelled and resumed', () => {
  it('then the reverted rows stay reverted and only the cancelled ones run again', async () => {
    const csv = `${manifest(1).trimEnd()}\r\n${manifest(1, { raga: unknownRaga() }).split('\r\n')[1]}\r\n`;
    const res = await h.submit(csv);
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED' && r[1]?.status === 'PENDING_REVIEW', 'one imported, one in review');
    await h.batches.cancel(res.batchId, 'ops');
    await h.waitFor(async () => (await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`)[0]?.status === 'CANCELLED', 'batch cancelled');
    const revert = createRevertService({ sql: h.sql });
    expect((await revert.revert(res.batchId, 'ops')).reverted).toBe(1);
    await h.batches.resume(res.batchId, 'ops');
    await waitRows(res.batchId, (r) => r[1]?.status === 'PENDING_REVIEW', 'the cancelled row back in review');
    const reverted = await rowByLine(res.batchId, 2);
    expect(reverted.status).toBe('CANCELLED');
    expect(reverted.error_type).toBe('REVERTED');
    await h.batches.cancel(res.batchId, 'ops');
  });
});

describe('item 7: when a review decision holds a NUL byte', () => {
  it('then it is refused as invalid before anything is confirmed, by the service and as a signal, and the row still waits', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    const [row] = await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row in review');
    // What the review page sends for a note with a NUL in it.
    const err = await h.reviews.review(row!.id, { decision: 'reject', reviewer: 'ravi', note: 'a\u0000b' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID', message: 'note contains control characters' });
    await expect(
      h.reviews.review(row!.id, { decision: 'approve', reviewer: 'ravi', overrides: { ragaIds: ['x\u0000y'] } }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    // A signal cannot be answered: its refusal is audited (with the NUL made storable).
    await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).signal(reviewSignal, { decision: 'reject', reviewer: 'ops', note: 'a\u0000b' });
    const refused = await h.waitFor(async () => {
      const r = await h.sql`SELECT data FROM audit_events WHERE row_id = ${row!.id} AND type = 'REVIEW_SIGNAL_REFUSED'`;
      return r.length ? r : undefined;
    }, 'the refusal audited');
    expect(refused[0]!.data.reason).toBe('note contains control characters');
    expect((await rowByLine(res.batchId, 2)).status).toBe('PENDING_REVIEW');
    expect(await h.reviews.review(row!.id, { decision: 'reject', reviewer: 'ravi', note: 'fine' })).toEqual({ status: 'REJECTED' });
  });
});

describe('item 10: when an operator has set one site’s rate limit and a worker starts again', () => {
  it('then the operator’s limit is kept, and the other sites follow the configured limit', async () => {
    const ns = h.config.temporal.namespace;
    const conn = h.client.connection as Connection;
    const queues = taskQueues(h.settings.taskQueuePrefix);
    const [site, other] = h.config.sites.hosts;
    // As `temporal task-queue config set --queue-rps-limit 0.5` does it: another identity.
    await setQueueRateLimit(conn, ns, queues.scrape(site!), 0.5, 'ops@cli');
    const restarted = await createHarness({ taskQueuePrefix: h.settings.taskQueuePrefix, ratePerSecond: 150 });
    try {
      expect((await queueRateLimit(conn, ns, queues.scrape(site!)))?.requestsPerSecond).toBe(0.5);
      // A limit the configuration set earlier (200) follows the configuration (now 150).
      expect((await queueRateLimit(conn, ns, queues.scrape(other!)))?.requestsPerSecond).toBe(150);
    } finally {
      await restarted.close();
    }
  });
});

export type { RowStatus };
