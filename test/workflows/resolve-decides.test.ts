/**
 * resolveRow with `decide` (patch resolve-decides-and-persists), in MockActivityEnvironment on the
 * real PostgreSQL: the step after resolving is taken in the same call, through the same state
 * machine and persist transaction as the workflow's own steps — an automatically approved row is
 * imported exactly once even when the call is run again (a local activity re-run after a crash),
 * the `auto` policy decides a row the resolver is unsure of, a human policy parks it, and a persist
 * that needs a human sends the row back to review with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRowActivities, type ResolveOutcome, type ResolveRowInput } from '../../src/activities/rows';
import { createReferenceCache } from '../../src/activities/reference-cache';
import { createHarness, SITES, unknownRaga, type Harness } from '../support/harness';

let h: Harness;
let activities: ReturnType<typeof createRowActivities>;
beforeAll(async () => {
  // No workers: the activities are called directly, the rows' workflows never run.
  h = await createHarness({ workers: false });
  activities = createRowActivities({ sql: h.sql, reference: createReferenceCache(h.sql) });
});
afterAll(async () => {
  await h?.close();
});

/** A row as the scrape leaves it: SCRAPING, with what the page gave (a Dikshitar site, so the site names the composer). */
async function scrapedRow(opts: { title: string; raga: string; url?: string }): Promise<{ rowId: string; batchId: string; url: string }> {
  const url = opts.url ?? `https://${SITES[0]}/2024/02/${opts.title.replaceAll(' ', '-')}.html`;
  const { batchId } = await h.submit(`Krithi,Raga,Hyperlink\r\n${opts.title},${opts.raga},${url}\r\n`);
  const [row] = await h.sql`SELECT id::text AS id FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record'`;
  const scraped = { title: opts.title, composer: 'Muthuswami Dikshitar', ragas: [opts.raga], tala: 'Adi', sections: [{ kind: 'pallavi', text: 'x' }] };
  await h.sql`UPDATE import_rows SET status = 'SCRAPING', scraped = ${h.sql.json(scraped as never)} WHERE id = ${row!.id}`;
  return { rowId: row!.id as string, batchId, url };
}

async function statusChanges(rowId: string): Promise<string[]> {
  const rows = await h.sql`SELECT type, data->>'to' AS to FROM audit_events WHERE row_id = ${rowId} ORDER BY id`;
  return rows.map((r) => (r.type === 'STATUS_CHANGED' ? `→${r.to}` : String(r.type)));
}

/** One call of the activity, as a worker would run it. */
const resolve = (input: ResolveRowInput): Promise<ResolveOutcome> => new MockActivityEnvironment().run(activities.resolveRow, input) as Promise<ResolveOutcome>;

describe('when an automatically approved row is resolved with decide', () => {
  it('then the one call imports it, audited RESOLVING → PERSISTING and then KRITHI_CREATED (the event of the persist transaction), and running the call again imports nothing twice', async () => {
    const tag = `decide ${Date.now().toString(36)}`;
    const { rowId } = await scrapedRow({ title: `${tag} akhilandeshvari`, raga: 'kalyANi' });
    const input = { rowId, enter: true, decide: { attempt: 1, reviewPolicy: 'human' as const } };

    const first = await resolve(input);
    expect(first.autoApprove).toBe(true);
    expect(first.settled).toEqual({ status: 'IMPORTED' });
    const [row] = await h.sql`SELECT status, krithi_id FROM import_rows WHERE id = ${rowId}`;
    expect(row!.status).toBe('IMPORTED');
    expect(row!.krithi_id).not.toBeNull();
    const events = await statusChanges(rowId);
    expect(events.filter((e) => e.startsWith('→'))).toEqual(['→RESOLVING', '→PERSISTING']);
    expect(events.filter((e) => e === 'KRITHI_CREATED')).toHaveLength(1);
    expect(events.at(-1)).toBe('KRITHI_CREATED');

    // A re-run (the local activity again after a crash before its result reached history).
    const again = await resolve(input);
    expect(again.status).toBe('IMPORTED');
    expect(again.settled).toBeUndefined();
    const krithis = await h.sql`SELECT id FROM krithis WHERE source_key = (SELECT source_key FROM import_rows WHERE id = ${rowId})`;
    expect(krithis).toHaveLength(1);
    expect(await statusChanges(rowId)).toEqual(events);
  });
});

describe('when the resolver is unsure of a row (a raga nobody knows)', () => {
  it('then the auto policy rejects it in the same call, with its decision stored; a human policy parks it for review with the reasons', async () => {
    const tag = `unsure ${Date.now().toString(36)}`;
    const auto = await scrapedRow({ title: `${tag} one`, raga: unknownRaga() });
    const byPolicy = await resolve({ rowId: auto.rowId, enter: true, decide: { attempt: 1, reviewPolicy: 'auto' } });
    expect(byPolicy.autoApprove).toBe(false);
    expect(byPolicy.decidable).toBe(false);
    expect(byPolicy.settled?.status).toBe('REJECTED');
    const [rejected] = await h.sql`SELECT status, review_decision, reviewer FROM import_rows WHERE id = ${auto.rowId}`;
    expect(rejected).toMatchObject({ status: 'REJECTED', review_decision: 'reject', reviewer: 'auto-policy' });

    const human = await scrapedRow({ title: `${tag} two`, raga: unknownRaga() });
    const parked = await resolve({ rowId: human.rowId, enter: true, decide: { attempt: 1, reviewPolicy: 'human' } });
    expect(parked.settled?.status).toBe('PENDING_REVIEW');
    expect(parked.settled?.reasons?.length).toBeGreaterThan(0);
    expect(parked.settled?.reasons).toEqual(parked.reasons);
    const [waiting] = await h.sql`SELECT status, krithi_id FROM import_rows WHERE id = ${human.rowId}`;
    expect(waiting).toMatchObject({ status: 'PENDING_REVIEW', krithi_id: null });
  });
});

describe('when the krithi a row would update carries a field a reviewer set, and the import differs', () => {
  it('then the call sends the row back to review with the reason, audited PERSISTING → PENDING_REVIEW, and the krithi is untouched', async () => {
    const tag = `locked ${Date.now().toString(36)}`;
    const first = await scrapedRow({ title: `${tag} kamalambike`, raga: 'kalyANi' });
    await resolve({ rowId: first.rowId, enter: true, decide: { attempt: 1, reviewPolicy: 'human' } });
    const [{ krithi_id: krithiId }] = (await h.sql`SELECT krithi_id FROM import_rows WHERE id = ${first.rowId}`) as unknown as [{ krithi_id: string }];
    await h.sql`UPDATE krithis SET title = 'kamalAmbikE (as the reviewer wrote it)', reviewer_fields = ARRAY['title'] WHERE id = ${krithiId}`;

    // The same page again, in a later batch.
    const second = await scrapedRow({ title: `${tag} kamalambike`, raga: 'kalyANi', url: first.url });
    const res = await resolve({ rowId: second.rowId, enter: true, decide: { attempt: 1, reviewPolicy: 'human' } });
    expect(res.autoApprove).toBe(true);
    expect(res.settled).toMatchObject({ status: 'PENDING_REVIEW', errorType: 'REVIEWED_FIELDS_DIFFER' });
    expect(res.settled?.reasons).toEqual([res.settled?.errorMessage]);
    expect(res.settled?.errorMessage).toContain(`krithi ${krithiId}`);
    const changes = (await statusChanges(second.rowId)).filter((e) => e.startsWith('→'));
    expect(changes).toEqual(['→RESOLVING', '→PERSISTING', '→PENDING_REVIEW']);
    const [krithi] = await h.sql`SELECT title, last_row_id::text AS last FROM krithis WHERE id = ${krithiId}`;
    expect(krithi).toMatchObject({ title: 'kamalAmbikE (as the reviewer wrote it)', last: first.rowId });
  });
});
