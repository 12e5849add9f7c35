/**
 * The review page in a real browser (Debian's chromium via playwright-core): sign in with a token,
 * approve one row, override one row's raga found with the server-rendered search (no scripts: the
 * page's CSP allows none), reject one; choose every raga of a ragamalika; page past the first 50
 * rows; follow a row's links to its audit history. PostgreSQL and the row workflows show exactly
 * those decisions. Saves a screenshot in .state/ (UPDATE_SCREENSHOTS=1 writes docs/review-page.png, the
 * README's picture, so an ordinary run leaves the tree clean).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowWorkflowId } from '../../src/shared';
import { unknownRaga } from '../support/harness';
import { createApiHarness, servePages, TOKENS, type ApiHarness } from './api-harness';

let h: ApiHarness;
let browser: Browser;
let server: ReturnType<typeof serve>;
let base: string;

beforeAll(async () => {
  h = await createApiHarness({ temporalUiUrl: 'http://127.0.0.1:8233' });
  server = await new Promise((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
async function signedIn() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${base}/review/login`);
  await page.fill('input[name=token]', TOKENS.reviewer);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/review`);
  return page;
}

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await h?.close();
});

describe('when a reviewer works through the queue in a browser', () => {
  it('then approve, raga override and reject reach PostgreSQL and the workflows, with scraped text escaped', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const csv = [
      'Krithi,Raga,Hyperlink',
      `<b>bold ${tag}</b> krithi,bilahari xq,https://guru-guha.blogspot.com/2024/02/${tag}-0.html`,
      `second ${tag},bilahari xq,https://syamakrishnavaibhavam.blogspot.com/2024/02/${tag}-1.html`,
      `third ${tag},bilahari xq,https://thyagaraja-vaibhavam.blogspot.com/2024/02/${tag}-2.html`,
    ].join('\r\n');
    await servePages(h, csv);
    const sub = await h.call('POST', '/v1/batches', { role: 'operator', body: csv, headers: { 'content-type': 'text/csv' } });
    const { batchId } = await sub.json();
    const rows = await h.waitFor(async () => {
      const r = await h.rows(batchId);
      return r.length === 3 && r.every((x) => x.status === 'PENDING_REVIEW') ? r : undefined;
    }, 'three rows awaiting review');
    const [a, b, c] = rows;
    const key = (r: { line: number }) => `${batchId}-${r.line}`;
    const ref = (r: { line: number }) => `${batchId}:${r.line}`;

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const first = await page.goto(`${base}/review`);
    expect(page.url()).toBe(`${base}/review/login`);
    expect(first?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    await page.fill('input[name=token]', TOKENS.reviewer);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/review`);
    const cookie = (await page.context().cookies()).find((k) => k.name === 'krithi_review');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/review' });

    await page.goto(`${base}/review?batch=${batchId}`);
    expect(await page.locator('article.row').count()).toBe(3);
    // Scraped text is shown as text, never as markup.
    expect((await page.locator(`#row-${key(a!)} h2`).innerText()).toLowerCase()).toContain(`<b>bold ${tag}</b>`);
    expect(await page.locator(`#row-${key(a!)} h2 b`).count()).toBe(0);
    expect(await page.locator(`#row-${key(a!)} .cands fieldset`).first().innerText()).toMatch(/Bilahari \(bilahari, score 0\.\d\d/);
    // Each raga candidate shows its parent and scale, so near-namesakes can be told apart.
    expect(await page.locator(`#row-${key(a!)} .cands fieldset`).first().innerText()).toContain(
      'parent dhirasankarabharanam · S R2 G3 P D2 S / S N3 D2 P M1 G3 R2 S (ANya SwaRa*: N2)',
    );
    // The row is named as everywhere else, and links to its workflow and its audit history.
    expect(await page.locator(`#row-${key(a!)} .meta`).first().innerText()).toContain(`row ${ref(a!)} (batch ${batchId}, line ${a!.line})`);
    expect(await page.locator(`#row-${key(a!)} a`, { hasText: 'Temporal Web UI' }).getAttribute('href')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(rowWorkflowId(batchId, a!.line))}`,
    );
    // Every control has a name that says what it does (not "select <title>").
    const bulkBox = page.getByRole('checkbox', { name: 'include in “Approve selected”' });
    expect(await bulkBox.count()).toBe(3);
    mkdirSync('.state', { recursive: true });
    await page.screenshot({ path: process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/review-page.png' : '.state/review-page.png', fullPage: false });

    await page.click(`#row-${key(a!)} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${ref(a!)}: PERSISTING`);

    // Another raga, found with the search box of the row's raga (a GET form: works without scripts).
    await page.fill(`#row-${key(b!)} input[name=q][form=s-${key(b!)}-raga-0]`, 'bhairavi');
    await page.click(`#row-${key(b!)} button[form=s-${key(b!)}-raga-0]`);
    await page.waitForURL((u) => u.pathname === `/review/rows/${ref(b!)}` && u.searchParams.get('q') === 'bhairavi');
    await page.getByRole('radio', { name: /^Bhairavi \(bhairavi, found\)/ }).check();
    await page.click(`#row-${key(b!)} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${ref(b!)}: PERSISTING (with overrides)`);

    await page.goto(`${base}/review?batch=${batchId}`);
    await page.click(`#row-${key(c!)} button[value=reject]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${ref(c!)}: REJECTED`);
    expect(await page.locator('article.row').count()).toBe(0);

    const final = await h.waitFor(async () => {
      const r = await h.sql`
        SELECT r.id::text, r.status, r.reviewer, r.review_overrides, k.raga_ids
        FROM import_rows r LEFT JOIN krithis k ON k.id = r.krithi_id WHERE r.batch_id = ${batchId} ORDER BY r.line`;
      return r.every((x) => x.status === 'IMPORTED' || x.status === 'REJECTED') ? r : undefined;
    }, 'decisions applied');
    expect(final.map((r) => [r.status, r.reviewer])).toEqual([
      ['IMPORTED', 'reviewer-ann'],
      ['IMPORTED', 'reviewer-ann'],
      ['REJECTED', 'reviewer-ann'],
    ]);
    expect(final[0]!.review_overrides).toBeNull();
    expect(final[0]!.raga_ids).toEqual(['bilahari']);
    expect(final[1]!.review_overrides).toEqual({ ragaIds: ['bhairavi'] });
    expect(final[1]!.raga_ids).toEqual(['bhairavi']);
    for (const r of [a, b, c]) {
      // The row is terminal in PostgreSQL a moment before its workflow closes: wait for the close.
      const handle = h.client.workflow.getHandle(rowWorkflowId(batchId, r!.line));
      await handle.result();
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    }
    // The audit history link shows the decision with who made it.
    await page.goto(`${base}/review/rows/${ref(b!)}#history`);
    const history = await page.locator('#history').innerText();
    expect(history).toContain(`Audit history of row ${ref(b!)}`);
    expect(history).toMatch(/reviewer-ann/);
    await page.close();
  });

  it('then a ragamalika gets a choice for each of its ragas, and the queue pages past 50 rows', async () => {
    const page = await signedIn();
    const tag = Math.random().toString(36).slice(2, 8);
    // The reviewer's choice for the second raga becomes an alias of Bhairavi for every later row in
    // this database, so its spelling is one no other test uses (a shared one such as kalyANi sent
    // every later file's rows to review).
    const second = unknownRaga();
    const csv = ['Krithi,Raga,Hyperlink', `malika ${tag},"rAgamAlikA (hindolam xq, ${second})",https://guru-guha.blogspot.com/2024/03/${tag}-m.html`].join('\r\n');
    await servePages(h, csv);
    const { batchId } = await (await h.call('POST', '/v1/batches', { role: 'operator', body: csv, headers: { 'content-type': 'text/csv' } })).json();
    const [row] = await h.waitFor(async () => {
      const r = await h.rows(batchId);
      return r.length === 1 && r[0]!.status === 'PENDING_REVIEW' ? r : undefined;
    }, 'the ragamalika row awaiting review');
    const key = `${batchId}-${row!.line}`;
    const ref = `${batchId}:${row!.line}`;
    await page.goto(`${base}/review?batch=${batchId}`);
    const legends = await page.locator(`#row-${key} legend`).allInnerTexts();
    expect(legends.slice(0, 2)).toEqual([
      'Raga 1 of 2 (ragamalika) — the page says “hindolam xq”',
      `Raga 2 of 2 (ragamalika) — the page says “${second}”`,
    ]);
    // The second raga is changed through its own search box; the first keeps the resolver's choice.
    await page.fill(`#row-${key} input[name=q][form=s-${key}-raga-1]`, 'bhairavi');
    await page.click(`#row-${key} button[form=s-${key}-raga-1]`);
    await page.waitForURL((u) => u.searchParams.get('index') === '1');
    await page.getByRole('radio', { name: /^Bhairavi \(bhairavi, found\)/ }).check();
    await page.getByRole('radio', { name: /^Hindolam \(hindolam,/ }).check();
    await page.click(`#row-${key} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${ref}: PERSISTING (with overrides)`);
    const [done] = await h.waitFor(async () => {
      const r = await h.sql`SELECT r.status, r.review_overrides, k.raga_ids FROM import_rows r LEFT JOIN krithis k ON k.id = r.krithi_id WHERE r.batch_id = ${batchId}`;
      return r[0]?.status === 'IMPORTED' ? r : undefined;
    }, 'the ragamalika imported');
    expect(done!.review_overrides).toEqual({ ragaIds: ['hindolam', 'bhairavi'] });
    expect(done!.raga_ids).toEqual(['hindolam', 'bhairavi']);

    // 55 rows waiting in one batch: 50 on the first page, the other 5 one link further.
    const many = ['Krithi,Raga,Hyperlink', ...Array.from({ length: 55 }, (_, i) => `paged ${tag} ${i},kalyani,https://guru-guha.blogspot.com/2024/04/${tag}-${i}.html`)].join('\r\n');
    const settings = h.settings;
    const sub = await h.services.batches.submit({ source: many, createdBy: 'test', maxBytes: 1e6, settings, start: false });
    await h.sql`UPDATE import_rows SET status = 'PENDING_REVIEW' WHERE batch_id = ${sub.batchId}`;
    await h.sql`UPDATE batches SET status = 'RUNNING' WHERE id = ${sub.batchId}`;
    await page.goto(`${base}/review?batch=${sub.batchId}`);
    expect(await page.locator('article.row').count()).toBe(50);
    await page.getByRole('link', { name: 'next 50 rows' }).click();
    await page.waitForURL(/after=/);
    const rest = await page.locator('article.row h2').allInnerTexts();
    expect(rest).toEqual([50, 51, 52, 53, 54].map((i) => `paged ${tag} ${i}`));
    expect(await page.getByRole('link', { name: 'next 50 rows' }).count()).toBe(0);
    await page.getByRole('link', { name: 'first page' }).click();
    // A click does not wait for the page it opens: count once that page has loaded, not while the
    // new document is still being parsed (a run under load counted 43).
    await page.waitForURL((u) => u.pathname === '/review' && !u.searchParams.has('after'));
    expect(await page.locator('article.row').count()).toBe(50);
    await page.close();
  });

  it('then a raga the reference lacks is added from the page with its scale, the note as its source, with the import', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const csv = ['Krithi,Raga,Hyperlink', `newraga ${tag},zzqx ${tag},https://thyagaraja-vaibhavam.blogspot.com/2024/03/${tag}-0.html`].join('\r\n');
    await servePages(h, csv);
    const sub = await h.call('POST', '/v1/batches', { role: 'operator', body: csv, headers: { 'content-type': 'text/csv' } });
    const { batchId } = await sub.json();
    const [row] = await h.waitFor(async () => {
      const r = await h.rows(batchId);
      return r.length === 1 && r[0]!.status === 'PENDING_REVIEW' ? r : undefined;
    }, 'the row awaiting review');

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/review/login`);
    await page.fill('input[name=token]', TOKENS.reviewer);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/review`);
    await page.goto(`${base}/review?batch=${batchId}`);
    const form = `#row-${batchId}-${row!.line}`;
    // A scale outside the parent is refused with the reason, and nothing changes.
    await page.click(`${form} details.new-raga summary`);
    await page.fill(`${form} input[name=newRagaName]`, `Tstpage ${tag}`);
    await page.fill(`${form} input[name=newRagaParent]`, 'harikambhoji');
    await page.fill(`${form} input[name=newRagaArohanam]`, 'S R2 M1 P D2 S');
    await page.fill(`${form} input[name=newRagaAvarohanam]`, 'S D2 P M2 G3 R2 S');
    await page.fill(`${form} input[name=note]`, `T. K. Govinda Rao, p. ${tag}`);
    await page.click(`${form} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toMatch(/M2 lies outside the parent harikambhoji/);
    expect(await h.sql`SELECT 1 FROM ragas WHERE id = ${`tstpage-${tag}`}`).toHaveLength(0);

    await page.click(`${form} details.new-raga summary`);
    await page.fill(`${form} input[name=newRagaName]`, `Tstpage ${tag}`);
    await page.fill(`${form} input[name=newRagaParent]`, 'harikambhoji');
    await page.fill(`${form} input[name=newRagaArohanam]`, 'S R2 M1 P D2 S');
    await page.fill(`${form} input[name=newRagaAvarohanam]`, 'S D2 P M1 G3 R2 S');
    await page.fill(`${form} input[name=note]`, `T. K. Govinda Rao, p. ${tag}`);
    await page.click(`${form} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${batchId}:${row!.line}: PERSISTING (with overrides)`);
    const [k] = await h.waitFor(async () => {
      const r = await h.sql`SELECT k.raga_ids FROM import_rows r JOIN krithis k ON k.id = r.krithi_id WHERE r.id = ${row!.id} AND r.status = 'IMPORTED'`;
      return r.length ? r : undefined;
    }, 'the row imported');
    expect(k!.raga_ids).toEqual([`tstpage-${tag}`]);
    const [raga] = await h.sql`SELECT name, source, created_by, meta FROM ragas WHERE id = ${`tstpage-${tag}`}`;
    expect(raga).toMatchObject({ name: `Tstpage ${tag}`, source: 'reviewer', created_by: 'reviewer-ann' });
    expect(raga!.meta).toMatchObject({ parent: 'harikambhoji', sourceNote: `T. K. Govinda Rao, p. ${tag}`, scale: { bhashanga: false } });
    expect(await h.sql`SELECT 1 FROM audit_events WHERE row_id = ${row!.id} AND type = 'RAGA_ADDED' AND actor = 'reviewer-ann'`).toHaveLength(1);
    await page.close();
  });

  it('then a form post without the session CSRF token is refused and changes nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/review/login`);
    await page.fill('input[name=token]', TOKENS.admin);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/review`);
    // The session cookie goes along (same browser context); only the CSRF token is wrong.
    const before = await h.tableCounts();
    const res = await page.request.post(`${base}/review/bulk`, { form: { ids: '1', csrf: 'forged' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    const withToken = await page.request.post(`${base}/review/rows/1`, { form: { decision: 'approve' }, maxRedirects: 0 });
    expect(withToken.status()).toBe(403);
    expect(await h.tableCounts()).toEqual(before);
    await page.close();
  });

  it('then an operator token cannot sign in to review', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/review/login`);
    await page.fill('input[name=token]', TOKENS.operator);
    await page.click('button[type=submit]');
    await page.waitForURL(/error=role/);
    expect(await page.locator('.flash').innerText()).toMatch(/cannot review/);
    await page.close();
  });
});
