/**
 * The review page in a real browser (Debian's chromium via playwright-core): sign in with a token,
 * approve one row, override one row's raga, reject one; then PostgreSQL and the row workflows
 * show exactly those decisions. Also saves the screenshot in docs/.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowWorkflowId } from '../../src/shared';
import { createApiHarness, servePages, TOKENS, type ApiHarness } from './api-harness';

let h: ApiHarness;
let browser: Browser;
let server: ReturnType<typeof serve>;
let base: string;

beforeAll(async () => {
  h = await createApiHarness();
  server = await new Promise((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
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
    expect((await page.locator(`#row-${a!.id} h2`).innerText()).toLowerCase()).toContain(`<b>bold ${tag}</b>`);
    expect(await page.locator(`#row-${a!.id} h2 b`).count()).toBe(0);
    expect(await page.locator(`#row-${a!.id} .cands fieldset`).first().innerText()).toMatch(/Bilahari \(bilahari, 0\.\d\d/);
    // Each raga candidate shows its parent and scale, so near-namesakes can be told apart.
    expect(await page.locator(`#row-${a!.id} .cands fieldset`).first().innerText()).toContain(
      'parent dhirasankarabharanam · S R2 G3 P D2 S / S N3 D2 P M1 G3 R2 S (ANya SwaRa*: N2)',
    );
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/review-page.png', fullPage: false });

    await page.click(`#row-${a!.id} button[value=approve]`);
    await page.waitForURL(/msg=/);
    expect(await page.locator('.flash').innerText()).toBe(`row ${a!.id}: PERSISTING`);
    await page.fill(`#row-${b!.id} input[name=ragaIdOther]`, 'bhairavi');
    await page.click(`#row-${b!.id} button[value=approve]`);
    await page.waitForURL((u) => u.toString().includes(`row+${b!.id}`) || u.toString().includes(`row%20${b!.id}`));
    expect(await page.locator('.flash').innerText()).toBe(`row ${b!.id}: PERSISTING (with overrides)`);
    await page.click(`#row-${c!.id} button[value=reject]`);
    await page.waitForURL((u) => u.toString().includes(`row+${c!.id}`) || u.toString().includes(`row%20${c!.id}`));
    expect(await page.locator('.flash').innerText()).toBe(`row ${c!.id}: REJECTED`);
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
      const d = await h.client.workflow.getHandle(rowWorkflowId(batchId, r!.line)).describe();
      expect(d.status.name).toBe('COMPLETED');
    }
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
    const form = `#row-${row!.id}`;
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
    expect(await page.locator('.flash').innerText()).toBe(`row ${row!.id}: PERSISTING (with overrides)`);
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
