/**
 * Pause/resume, the review decision as a signal (what `temporal workflow signal --query` sends),
 * re-imports that meet reviewer-set fields, and composer disagreement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchWorkflowId, rowWorkflowId } from '../../src/shared';
import { pauseSignal, progressQuery, resumeSignal, reviewSignal } from '../../src/workflows/messages';
import { createHarness, manifest, unknownRaga, SITES, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ window: 2 });
});
afterAll(async () => {
  await h?.close();
});

const urlsOf = (csv: string) => csv.trim().split('\r\n').slice(1).map((l) => l.split(',')[2]!);

async function statusOf(batchId: string, line: number): Promise<string> {
  const [r] = await h.sql`SELECT status FROM import_rows WHERE batch_id = ${batchId} AND line = ${line}`;
  return r!.status as string;
}

describe('when a batch is paused', () => {
  it('then it starts no new rows until resumed, and then finishes', async () => {
    const csv = manifest(6);
    for (const u of urlsOf(csv)) h.site.setFault(u, 'slow');
    const res = await h.submit(csv, { window: 1 });
    const handle = h.client.workflow.getHandle(batchWorkflowId(res.batchId));
    await h.waitFor(async () => (await statusOf(res.batchId, 2)) === 'SCRAPING', 'first row scraping');
    await handle.signal(pauseSignal);
    await h.waitFor(async () => (await statusOf(res.batchId, 2)) === 'IMPORTED', 'first row done');
    // Paused: row 3 must not start while we wait well past a slow page's time.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await statusOf(res.batchId, 3)).toBe('QUEUED');
    const progress = await handle.query(progressQuery);
    expect(progress.paused).toBe(true);
    expect(progress.inFlight).toBe(0);
    await handle.signal(resumeSignal);
    const summary = await handle.result();
    expect(summary.counts.IMPORTED).toBe(6);
  });
});

describe('when a review decision arrives as a signal', () => {
  it('then a valid one is applied, and an invalid one is recorded in the audit and ignored', async () => {
    const res = await h.submit(manifest(2, { raga: unknownRaga() }));
    await h.waitFor(async () => {
      const rows = await h.rows(res.batchId);
      return rows.every((r) => r.status === 'PENDING_REVIEW') ? rows : undefined;
    }, 'both rows in review');
    const row2 = h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2));
    const row3 = h.client.workflow.getHandle(rowWorkflowId(res.batchId, 3));
    // Invalid: no reviewer name.
    await row2.signal(reviewSignal, { decision: 'approve', reviewer: '', overrides: { ragaIds: ['mechakalyani'] } });
    await row3.signal(reviewSignal, { decision: 'reject', reviewer: 'ops' });
    await h.waitFor(async () => (await statusOf(res.batchId, 3)) === 'REJECTED', 'row 3 rejected by signal');
    const refused = await h.waitFor(async () => {
      const r = await h.sql`
        SELECT a.data FROM audit_events a JOIN import_rows r ON r.id = a.row_id
        WHERE r.batch_id = ${res.batchId} AND r.line = 2 AND a.type = 'REVIEW_SIGNAL_REFUSED'`;
      return r.length ? r : undefined;
    }, 'refusal audited');
    expect(refused[0]!.data.reason).toBe('reviewer name missing');
    expect(await statusOf(res.batchId, 2)).toBe('PENDING_REVIEW');
    await row2.signal(reviewSignal, { decision: 'approve', reviewer: 'ops', overrides: { ragaIds: ['mechakalyani'] } });
    await h.waitFor(async () => (await statusOf(res.batchId, 2)) === 'IMPORTED', 'row 2 imported by signal');
  });
});

describe('when a source is imported again after a reviewer set its raga', () => {
  it('then the reviewer’s value is kept and the difference goes to review', async () => {
    const url = `https://${SITES[0]}/2024/02/reviewed-raga.html`;
    const first = await h.submit(`Krithi,Raga,Hyperlink\r\nreviewed song,${unknownRaga()},${url}\r\n`);
    await h.waitFor(async () => (await statusOf(first.batchId, 2)) === 'PENDING_REVIEW', 'first import in review');
    const [r1] = await h.rows(first.batchId);
    await h.reviews.review(r1!.id, { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['hanumatodi'] } });
    await h.waitFor(async () => (await statusOf(first.batchId, 2)) === 'IMPORTED', 'first import done');

    // Same source, a later manifest where the raga resolves confidently to something else.
    const second = await h.submit(`Krithi,Raga,Hyperlink,Note\r\nreviewed song,kalyANi,${url},again\r\n`);
    const row = await h.waitFor(async () => {
      const [r] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${second.batchId} AND line = 2`;
      return r!.status === 'PENDING_REVIEW' && r!.error_type ? r : undefined;
    }, 're-import in review');
    expect(row.error_type).toBe('REVIEWED_FIELDS_DIFFER');
    const [k] = await h.sql`SELECT raga_ids FROM krithis WHERE source_key = ${row.source_key}`;
    expect(k!.raga_ids).toEqual(['hanumatodi']);
  });
});

describe('when the manifest names a composer the site disagrees with', () => {
  it('then the row goes to review with the conflict as a reason', async () => {
    const url = `https://${SITES[2]}/2024/03/composer-conflict.html`; // a Tyagaraja site
    const res = await h.submit(`Krithi,Raga,Hyperlink,Composer\r\nconflicted,kalyANi,${url},Syama Sastri\r\n`);
    const row = await h.waitFor(async () => {
      const [r] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${res.batchId} AND line = 2`;
      return r!.status === 'PENDING_REVIEW' ? r : undefined;
    }, 'row in review');
    expect((row.review_reasons as string[]).join(' ')).toMatch(/composer/i);
    expect(row.resolution.chosen.composerId).toBe('syama-sastri'); // the manifest column comes first
  });
});
