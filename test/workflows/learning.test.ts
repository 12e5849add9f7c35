/**
 * Learning from reviews and probable duplicates, through the real workflows: a reviewer's override
 * becomes an alias that the next batch resolves alone; a row that repeats a catalogued krithi or an
 * earlier row of its batch waits for a reviewer with the candidate named.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowStatus } from '../../src/shared';
import { createHarness, SITES, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ window: 10 });
});
afterAll(async () => {
  await h?.close();
});

/** A spelling no reference entry is near: consonant clusters only. */
function unknownSpelling(): string {
  const letters = 'bcdfgklmnprstvz';
  const word = [...randomBytes(7)].map((b) => letters[b % letters.length]).join('');
  return `${word}x rAgaM`;
}

function csv(rows: { title: string; raga: string; url: string }[]): string {
  return `${['Krithi,Raga,Hyperlink', ...rows.map((r) => `${r.title},${r.raga},${r.url}`)].join('\r\n')}\r\n`;
}

const url = (tag: string, i: number, site = SITES[0]) => `https://${site}/2024/02/${tag}-${i}.html`;

async function waitStatus(batchId: string, line: number, status: RowStatus) {
  return h.waitFor(async () => {
    const [row] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${batchId} AND line = ${line}`;
    return row?.status === status ? row : undefined;
  }, `row ${line} to be ${status}`);
}

describe('when a reviewer resolves an unknown raga spelling by hand', () => {
  it('then the spelling becomes an audited alias and the next batch’s row with it resolves HIGH by alias and is imported', async () => {
    const tag = randomBytes(3).toString('hex');
    const spelling = unknownSpelling();
    const first = await h.submit(csv([{ title: `first ${tag}`, raga: spelling, url: url(tag, 1) }]));
    const pending = await waitStatus(first.batchId, 2, 'PENDING_REVIEW');
    expect(pending.confidence).not.toBe('HIGH');
    const resolvedInput = (pending.resolution as { ragas: { match: { input: string } }[] }).ragas[0]!.match.input;

    await h.reviews.review(String(pending.id), {
      decision: 'approve',
      reviewer: 'meera',
      overrides: { ragaIds: ['mechakalyani'] },
    });
    await waitStatus(first.batchId, 2, 'IMPORTED');

    const aliases = await h.sql`SELECT * FROM entity_aliases WHERE kind = 'raga' AND alias = ${resolvedInput}`;
    expect(aliases).toHaveLength(1);
    expect(aliases[0]).toMatchObject({ entity_id: 'mechakalyani', source: 'reviewer', created_by: 'meera' });
    const audits = await h.sql`SELECT * FROM audit_events WHERE row_id = ${pending.id} AND type = 'ALIAS_LEARNED'`;
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'meera', data: { kind: 'raga', alias: resolvedInput, entityId: 'mechakalyani' } });

    const second = await h.submit(csv([{ title: `second ${tag}`, raga: spelling, url: url(tag, 2) }]));
    const summary = await h.client.workflow.getHandle(second.workflowId).result();
    expect(summary.counts.IMPORTED).toBe(1);
    const [row] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${second.batchId} AND line = 2`;
    expect(row!.confidence).toBe('HIGH');
    const raga = (row!.resolution as { ragas: { match: { best: { id: string; reason: string } } }[] }).ragas[0]!;
    expect(raga.match.best).toMatchObject({ id: 'mechakalyani', reason: 'alias' });
    const [k] = await h.sql`SELECT * FROM krithis WHERE id = ${row!.krithi_id}`;
    expect(k!.raga_ids).toEqual(['mechakalyani']);
    expect(k!.reviewer_fields).toEqual([]);
  });
});

describe('when a reviewer approves a row with a raga the reference lacks', () => {
  it('then the raga is added with its scale, parent and the note as source, audited, with the import; the next batch resolves it HIGH', async () => {
    const tag = randomBytes(3).toString('hex');
    const spelling = unknownSpelling();
    const name = `Tstraga ${tag}`;
    const first = await h.submit(csv([{ title: `first ${tag}`, raga: spelling, url: url(tag, 1) }]));
    const pending = await waitStatus(first.batchId, 2, 'PENDING_REVIEW');
    const note = `Sambamoorthy, South Indian Music vol. 4, p. ${tag}`;

    // A scale leaving its parent without naming the anya svara is refused before anything is sent or written.
    await expect(
      h.reviews.review(String(pending.id), {
        decision: 'approve',
        reviewer: 'meera',
        note,
        overrides: { newRaga: { name, parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G2 R2 S' } },
      }),
    ).rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(/G2 lies outside the parent harikambhoji/) });
    expect(await h.sql`SELECT 1 FROM import_rows WHERE id = ${pending.id} AND status = 'PENDING_REVIEW'`).toHaveLength(1);

    await h.reviews.review(String(pending.id), {
      decision: 'approve',
      reviewer: 'meera',
      note,
      overrides: { newRaga: { name, parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S' } },
    });
    const imported = await waitStatus(first.batchId, 2, 'IMPORTED');
    const id = `tstraga-${tag}`;
    const [raga] = await h.sql`SELECT * FROM ragas WHERE id = ${id}`;
    expect(raga).toMatchObject({ name, source: 'reviewer', created_by: 'meera' });
    expect(raga!.meta).toMatchObject({
      parent: 'harikambhoji',
      arohanam: 'S R2 M1 P D2 S',
      avarohanam: 'S D2 P M1 G3 R2 S',
      scale: { notes: ['S', 'R2', 'G3', 'M1', 'P', 'D2'], bhashanga: false },
      source: 'reviewer',
      sourceNote: note,
    });
    const [k] = await h.sql`SELECT * FROM krithis WHERE id = ${imported.krithi_id}`;
    expect(k!.raga_ids).toEqual([id]);
    const audits = await h.sql`SELECT type, actor, data FROM audit_events WHERE row_id = ${pending.id} AND type IN ('RAGA_ADDED', 'KRITHI_CREATED') ORDER BY type`;
    expect(audits.map((a) => a.type)).toEqual(['KRITHI_CREATED', 'RAGA_ADDED']);
    expect(audits[1]).toMatchObject({ actor: 'meera', data: { id, name, parent: 'harikambhoji', note } });
    // Written in the import's transaction: the raga's row and the krithi's commit together.
    const [times] = await h.sql`
      SELECT (SELECT xmin::text FROM ragas WHERE id = ${id}) AS raga_tx, (SELECT xmin::text FROM krithis WHERE id = ${imported.krithi_id}) AS krithi_tx`;
    expect(times!.raga_tx).toBe(times!.krithi_tx);

    const second = await h.submit(csv([{ title: `second ${tag}`, raga: name, url: url(tag, 2) }]));
    const summary = await h.client.workflow.getHandle(second.workflowId).result();
    expect(summary.counts.IMPORTED).toBe(1);
    const [row] = await h.sql`SELECT * FROM import_rows WHERE batch_id = ${second.batchId} AND line = 2`;
    expect(row!.confidence).toBe('HIGH');
    const best = (row!.resolution as { ragas: { match: { best: Record<string, unknown> } }[] }).ragas[0]!.match.best;
    expect(best).toMatchObject({ id, reason: 'exact', parent: 'harikambhoji', scale: 'S R2 M1 P D2 S / S D2 P M1 G3 R2 S' });
  });
});

describe('when a row repeats a krithi already in the catalogue under another source', () => {
  it('then it waits for review flagged as a probable duplicate naming the existing krithi, though its title is spelled differently', async () => {
    const tag = randomBytes(3).toString('hex');
    const first = await h.submit(csv([{ title: `abhayAmbA jagadambA ${tag}`, raga: 'kalyANi', url: url(tag, 1) }]));
    await h.client.workflow.getHandle(first.workflowId).result();
    const imported = await waitStatus(first.batchId, 2, 'IMPORTED');

    const second = await h.submit(csv([{ title: `Abhayamba Jagadamba ${tag}`, raga: 'Kalyani', url: url(tag, 2) }]));
    const row = await waitStatus(second.batchId, 2, 'PENDING_REVIEW');
    const reasons = row.review_reasons as string[];
    expect(reasons.filter((r) => r.startsWith(`probable duplicate of krithi ${imported.krithi_id} (`))).toHaveLength(1);
    expect(row.confidence).toBe('HIGH');
    const dup = (row.resolution as { duplicateOf: { kind: string; krithiId: string }[] }).duplicateOf;
    expect(dup).toEqual([expect.objectContaining({ kind: 'krithi', krithiId: String(imported.krithi_id) })]);
  });
});

type Candidate = { kind: 'krithi' | 'row'; rowId?: string; line?: number; krithiId?: string; importedBy?: { rowId: string; line: number } };
const candidatesOf = (row: Record<string, unknown>) => ((row.resolution as { duplicateOf?: Candidate[] }).duplicateOf ?? []);

describe('when two rows of one batch are the same krithi under different sources', () => {
  it('then the earlier is imported and the later waits for review with the earlier named exactly once, whichever finishes first', async () => {
    // Window 10: the two rows race. The guarantee does not depend on who wins: one candidate,
    // naming the earlier row — as that row, or as the krithi it imported.
    const tag = randomBytes(3).toString('hex');
    const res = await h.submit(
      csv([
        { title: `SrI rAma ${tag}`, raga: 'tODi', url: url(tag, 1) },
        { title: `Sri Rama ${tag}`, raga: 'Thodi', url: url(tag, 2) },
        { title: `other ${tag}`, raga: 'tODi', url: url(tag, 3) },
      ]),
    );
    const earlier = await waitStatus(res.batchId, 2, 'IMPORTED');
    const later = await waitStatus(res.batchId, 3, 'PENDING_REVIEW');
    await waitStatus(res.batchId, 4, 'IMPORTED');
    const candidates = candidatesOf(later);
    expect(candidates).toHaveLength(1);
    const named = candidates[0]!.kind === 'row' ? candidates[0]!.rowId : candidates[0]!.importedBy?.rowId;
    expect(named).toBe(String(earlier.id));
    expect((later.review_reasons as string[]).filter((r) => r.startsWith('probable duplicate'))).toHaveLength(1);
  });

  it('then, when the earlier is imported before the later is resolved, the later names the krithi once, with the row that imported it', async () => {
    // Window 1 forces the order: row 2 is IMPORTED before row 3 starts.
    const tag = randomBytes(3).toString('hex');
    const res = await h.submit(
      csv([
        { title: `SrI rAma ${tag}`, raga: 'tODi', url: url(tag, 1) },
        { title: `Sri Rama ${tag}`, raga: 'Thodi', url: url(tag, 2) },
      ]),
      { window: 1 },
    );
    const earlier = await waitStatus(res.batchId, 2, 'IMPORTED');
    const later = await waitStatus(res.batchId, 3, 'PENDING_REVIEW');
    expect(new Date(later.updated_at as string).getTime()).toBeGreaterThanOrEqual(new Date(earlier.updated_at as string).getTime());
    expect(candidatesOf(later)).toEqual([
      expect.objectContaining({
        kind: 'krithi',
        krithiId: String(earlier.krithi_id),
        importedBy: { rowId: String(earlier.id), batchId: res.batchId, line: 2 },
      }),
    ]);
    const reasons = (later.review_reasons as string[]).filter((r) => r.startsWith('probable duplicate'));
    expect(reasons).toEqual([
      expect.stringMatching(new RegExp(`^probable duplicate of krithi ${earlier.krithi_id} \\(.*\\), imported by row ${earlier.id} \\(line 2\\) of this batch$`)),
    ]);
  });

  it('then, when the later is resolved while the earlier is not yet imported, the later names the row once, and still once after the earlier is imported', async () => {
    // Window 1 and a page whose raga differs from its manifest line: row 2 resolves to the page's
    // tODi and waits for a reviewer (the sources disagree), holding no slot; row 3 (tODi) is then
    // resolved while row 2 has no krithi. Only the test's approval lets row 2 reach the catalogue.
    const tag = randomBytes(3).toString('hex');
    const source = csv([
      { title: `SrI rAma ${tag}`, raga: 'kalyANi', url: url(tag, 1) },
      { title: `Sri Rama ${tag}`, raga: 'Thodi', url: url(tag, 2) },
    ]);
    h.site.addRows([
      { url: url(tag, 1), title: `SrI rAma ${tag}`, raga: 'tODi' },
      { url: url(tag, 2), title: `Sri Rama ${tag}`, raga: 'Thodi' },
    ]);
    const res = await h.batches.submit({
      source,
      createdBy: 'test',
      maxBytes: h.config.manifestMaxBytes,
      settings: { ...h.settings, window: 1 },
    });
    const earlier = await waitStatus(res.batchId, 2, 'PENDING_REVIEW');
    expect(earlier.krithi_id).toBeNull();
    const later = await waitStatus(res.batchId, 3, 'PENDING_REVIEW');
    expect(candidatesOf(later)).toEqual([expect.objectContaining({ kind: 'row', rowId: String(earlier.id), line: 2 })]);
    expect((later.review_reasons as string[]).filter((r) => r.startsWith('probable duplicate'))).toEqual([
      `probable duplicate of row ${earlier.id} (line 2) of this batch`,
    ]);

    await h.reviews.review(String(earlier.id), { decision: 'approve', reviewer: 'meera' });
    const imported = await waitStatus(res.batchId, 2, 'IMPORTED');
    expect(imported.krithi_id).not.toBeNull();
    const [after] = await h.sql`SELECT * FROM import_rows WHERE id = ${later.id}`;
    expect(candidatesOf(after!)).toHaveLength(1);
  });
});
