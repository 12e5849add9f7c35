/**
 * BatchImport and KrithiImport against the real dev server, PostgreSQL and the fixture site.
 * One harness (workers, queues) per file; each test submits its own manifest, so workflow ids and
 * rows never collide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ServiceError } from '../../src/services/errors';
import { batchWorkflowId, rowWorkflowId, type RowStatus } from '../../src/shared';
import { reviewUpdate } from '../../src/workflows/messages';
import { createHarness, manifest, unknownRaga, SITES, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ window: 20 });
});
afterAll(async () => {
  await h?.close();
});

const settled = (s: RowStatus) => s !== 'QUEUED' && s !== 'SCRAPING' && s !== 'RESOLVING' && s !== 'PERSISTING';

async function waitRows(batchId: string, done: (rows: Awaited<ReturnType<Harness['rows']>>) => boolean, what: string) {
  return h.waitFor(async () => {
    const rows = await h.rows(batchId);
    return done(rows) ? rows : undefined;
  }, what);
}

async function rowByLine(batchId: string, line: number) {
  const [row] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${batchId} AND line = ${line}`;
  return row!;
}

describe('when a manifest of confidently resolvable rows is submitted', () => {
  it('then every row is imported once, the batch completes with exact counts and search attributes are set', async () => {
    const res = await h.submit(manifest(6));
    expect(res.acceptedRows).toBe(6);
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts.IMPORTED).toBe(6);
    expect(summary.status).toBe('COMPLETED');
    const krithis = await h.sql`SELECT k.* FROM krithis k JOIN import_rows r ON r.krithi_id = k.id WHERE r.batch_id = ${res.batchId}`;
    expect(krithis).toHaveLength(6);
    expect(krithis.every((k) => k.raga_ids[0] === 'mechakalyani')).toBe(true);
    expect(new Set(krithis.map((k) => k.composer_id))).toEqual(
      new Set(['muthuswami-dikshitar', 'syama-sastri', 'tyagaraja']),
    );
    const child = await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).describe();
    expect(child.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['BatchId', res.batchId],
        ['ImportStatus', 'IMPORTED'],
        ['SourceSite', SITES[0]],
      ]),
    );
    const [{ n }] = (await h.sql`SELECT count(*)::int AS n FROM audit_events WHERE batch_id = ${res.batchId} AND type = 'KRITHI_CREATED'`) as never as [{ n: number }];
    expect(n).toBe(6);
  });
});

describe('when a row cannot be resolved confidently', () => {
  it('then it waits for review, and an approval with a raga override imports it with the reviewer recorded', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row to await review');
    const [row] = await h.rows(res.batchId);
    const result = await h.reviews.review(row!.id, {
      decision: 'approve',
      reviewer: 'meera',
      note: 'it is kalyani',
      overrides: { ragaIds: ['mechakalyani'] },
    });
    expect(result.status).toBe('PERSISTING');
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED', 'row to be imported');
    const stored = await rowByLine(res.batchId, 2);
    expect(stored.reviewer).toBe('meera');
    const [k] = await h.sql`SELECT * FROM krithis WHERE id = ${stored.krithi_id}`;
    expect(k!.raga_ids).toEqual(['mechakalyani']);
    expect(k!.reviewer_fields).toEqual(['ragas']);
    await h.client.workflow.getHandle(res.workflowId).result();
  });

  it('then a plain approval imports the resolver’s best candidate', async () => {
    const res = await h.submit(manifest(1, { raga: 'gauri vAlAvali' }));
    await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row to await review');
    const [row] = await h.rows(res.batchId);
    await h.reviews.review(row!.id, { decision: 'approve', reviewer: 'meera' });
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED', 'row to be imported');
  });

  it('then a rejection ends it REJECTED, and a second decision is refused as a conflict', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row to await review');
    const [row] = await h.rows(res.batchId);
    const result = await h.reviews.review(row!.id, { decision: 'reject', reviewer: 'ravi', note: 'not a krithi' });
    expect(result.status).toBe('REJECTED');
    await waitRows(res.batchId, (r) => r[0]?.status === 'REJECTED', 'row to be rejected');
    await expect(h.reviews.review(row!.id, { decision: 'approve', reviewer: 'ravi' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts.REJECTED).toBe(1);
    const [{ n }] = (await h.sql`SELECT count(*)::int AS n FROM krithis WHERE source_key = (SELECT source_key FROM import_rows WHERE id = ${row!.id})`) as never as [{ n: number }];
    expect(n).toBe(0);
  });

  it('then an override id that does not exist is refused before the update, and one that slips through returns the row to review', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    await waitRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'row to await review');
    const [row] = await h.rows(res.batchId);
    const err = await h.reviews
      .review(row!.id, { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['no-such-raga'] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).code).toBe('INVALID');

    // Straight to the workflow, as a client that skipped the check would: persist catches it.
    const handle = h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2));
    await handle.executeUpdate(reviewUpdate, {
      args: [{ decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['no-such-raga'] } }],
    });
    const back = await h.waitFor(async () => {
      const r = await rowByLine(res.batchId, 2);
      return r.status === 'PENDING_REVIEW' && r.error_type === 'INVALID_OVERRIDE' ? r : undefined;
    }, 'row back in review with INVALID_OVERRIDE');
    expect(back.error_message).toContain("raga 'no-such-raga' does not exist");
    // And it can be decided again.
    await h.reviews.review(row!.id, { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['mechakalyani'] } });
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED', 'row imported after a valid override');
  });

  it('then the update validator refuses a decision on a row that is not awaiting review', async () => {
    const csv = manifest(1);
    h.site.setFault(urlsOf(csv)[0]!, 'slow');
    const res = await h.submit(csv);
    await waitRows(res.batchId, (r) => r[0]?.status === 'SCRAPING', 'row to be scraping');
    const handle = h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2));
    const err = await handle
      .executeUpdate(reviewUpdate, { args: [{ decision: 'approve', reviewer: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('NOT_AWAITING_REVIEW');
    // The refused update left no trace: the row goes on to be imported.
    await waitRows(res.batchId, (r) => r[0]?.status === 'IMPORTED', 'row imported');
  });
});

function urlsOf(csv: string): string[] {
  return csv.trim().split('\r\n').slice(1).map((l) => l.split(',')[2]!);
}
function hitsFor(url: string) {
  const u = new URL(url);
  return h.site.requests().filter((r) => r.host === u.hostname && r.path === u.pathname);
}

describe('when a page is gone', () => {
  it('then the row ends FAILED with HTTP_NOT_FOUND after exactly one request', async () => {
    const csv = manifest(1);
    const [url] = urlsOf(csv);
    h.site.setFault(url!, 'not-found');
    const res = await h.submit(csv);
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts.FAILED).toBe(1);
    const row = await rowByLine(res.batchId, 2);
    expect(row.status).toBe('FAILED');
    expect(row.error_type).toBe('HTTP_NOT_FOUND');
    expect(hitsFor(url!)).toHaveLength(1);
  });
});

describe('when a site answers 500 once', () => {
  it('then the scrape is retried and the row is imported on the second request', async () => {
    const csv = manifest(1);
    const [url] = urlsOf(csv);
    h.site.setFault(url!, 'server-error-once');
    const res = await h.submit(csv);
    await h.client.workflow.getHandle(res.workflowId).result();
    expect((await rowByLine(res.batchId, 2)).status).toBe('IMPORTED');
    expect(hitsFor(url!).map((r) => r.status)).toEqual([500, 200]);
  });
});

describe('when the batch is cancelled', () => {
  it('then rows in flight and rows waiting for review all end CANCELLED', async () => {
    const csv = manifest(6, { raga: unknownRaga() }) ;
    const slow = manifest(6);
    const urls = urlsOf(slow);
    for (const u of urls) h.site.setFault(u, 'slow');
    // Rows 2–7 go to review; rows 8–13 are slow pages, still scraping when the cancel arrives.
    const combined = `${csv}${slow.split('\r\n').slice(1).join('\r\n')}`;
    const res = await h.submit(combined);
    await waitRows(res.batchId, (r) => r.filter((x) => x.status === 'PENDING_REVIEW').length === 6, 'six rows in review');
    const before = await h.rows(res.batchId);
    expect(before.some((r) => r.status === 'SCRAPING' || r.status === 'QUEUED')).toBe(true);
    // What `temporal workflow cancel --workflow-id batch-…` does.
    await h.client.workflow.getHandle(batchWorkflowId(res.batchId)).cancel();
    const rows = await waitRows(res.batchId, (r) => r.every((x) => settled(x.status) && x.status !== 'PENDING_REVIEW'), 'all rows to settle');
    expect(rows.filter((r) => r.status === 'CANCELLED').length).toBeGreaterThanOrEqual(6 + 1);
    expect(rows.every((r) => r.status === 'CANCELLED' || r.status === 'IMPORTED')).toBe(true);
    // The batch marks rows CANCELLED in PostgreSQL as it cancels their workflows; each workflow
    // then closes as cancelled.
    const reviewHandle = h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2));
    await expect(reviewHandle.result()).rejects.toThrow(WorkflowFailedError);
    const reviewChild = await reviewHandle.describe();
    expect(reviewChild.status.name).toBe('CANCELLED');
    expect(reviewChild.typedSearchAttributes.getAll().find((p) => p.key.name === 'ImportStatus')?.value).toBe('CANCELLED');
    const batchHandle = h.client.workflow.getHandle(res.workflowId);
    await expect(batchHandle.result()).rejects.toThrow(WorkflowFailedError);
    expect((await batchHandle.describe()).status.name).toBe('CANCELLED');
    const [batch] = await h.sql`SELECT status FROM batches WHERE id = ${res.batchId}`;
    expect(batch!.status).toBe('CANCELLED');
  });
});

describe('when the window is 2', () => {
  it('then never more than 2 rows are actively processing at once', async () => {
    const csv = manifest(8);
    for (const u of urlsOf(csv)) h.site.setFault(u, 'slow');
    const res = await h.submit(csv, { window: 2 });
    await h.client.workflow.getHandle(res.workflowId).result();
    // Each row's active interval, from its first write (SCRAPING) to its last (IMPORTED), lies
    // inside the time it held a window slot; their largest overlap bounds the window from below.
    const spans = (await h.sql`
      SELECT r.line, min(a.at) AS start, max(a.at) AS stop FROM audit_events a JOIN import_rows r ON r.id = a.row_id
      WHERE r.batch_id = ${res.batchId} GROUP BY r.line`) as never as { start: Date; stop: Date }[];
    const points = spans.flatMap((s) => [
      { t: s.start.getTime(), d: 1 },
      { t: s.stop.getTime(), d: -1 },
    ]);
    points.sort((a, b) => a.t - b.t || a.d - b.d);
    let cur = 0;
    let max = 0;
    for (const p of points) max = Math.max(max, (cur += p.d));
    expect(spans).toHaveLength(8);
    expect(max).toBeLessThanOrEqual(2);
    expect(max).toBe(2); // the window is used, not just respected
  });
});

describe('when a batch is larger than its rows per run', () => {
  it('then it continues-as-new at least twice and still ends with exact counts', async () => {
    const res = await h.submit(manifest(36), { rowsPerRun: 10, window: 5 });
    const summary = await h.client.workflow.getHandle(res.workflowId).result();
    expect(summary.counts.IMPORTED).toBe(36);
    expect((Object.values(summary.counts) as number[]).reduce((a, b) => a + b, 0)).toBe(36);
    const runs: string[] = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${res.workflowId}"` })) runs.push(wf.runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const [{ n }] = (await h.sql`SELECT count(*)::int AS n FROM krithis WHERE created_batch_id = ${res.batchId}`) as never as [{ n: number }];
    expect(n).toBe(36);
  });
});

describe('when failed rows are retried on a batch that has closed', () => {
  it('then a new run under the same workflow id imports them as a second attempt', async () => {
    const csv = manifest(3);
    const [bad] = urlsOf(csv);
    h.site.setFault(bad!, 'server-error-always');
    const res = await h.submit(csv);
    const first = await h.client.workflow.getHandle(res.workflowId).result();
    expect(first.counts.FAILED).toBe(1);
    expect((await rowByLine(res.batchId, 2)).error_type).toBe('HTTP_SERVER_ERROR');
    h.site.setFault(bad!, 'none');
    const { requeued } = await h.batches.retryFailed(res.batchId, 'operator');
    expect(requeued).toBe(1);
    const second = await h.client.workflow.getHandle(res.workflowId).result();
    expect(second.counts.IMPORTED).toBe(3);
    const row = await rowByLine(res.batchId, 2);
    expect(row.status).toBe('IMPORTED');
    expect(row.attempt).toBe(2);
  });
});

describe('when the same manifest is submitted again', () => {
  it('then the existing batch is returned and nothing is imported twice', async () => {
    const csv = manifest(2);
    const first = await h.submit(csv);
    await h.client.workflow.getHandle(first.workflowId).result();
    const again = await h.submit(csv);
    expect(again.existing).toBe(true);
    expect(again.batchId).toBe(first.batchId);
    const [{ n }] = (await h.sql`SELECT count(*)::int AS n FROM batches WHERE id = ${first.batchId}`) as never as [{ n: number }];
    expect(n).toBe(1);
  });
});

