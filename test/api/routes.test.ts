import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, silentLogger } from '../../src/api/app';
import { manifest } from '../support/harness';
import { apiTokens, createApiHarness, servePages, TOKENS, type ApiHarness } from './api-harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => {
  expect(h.errors).toEqual([]);
  await h?.close();
});

const submitCsv = async (csv: string, headers: Record<string, string> = {}) => {
  await servePages(h, csv);
  return h.call('POST', '/v1/batches?name=test.csv', { role: 'operator', body: csv, headers: { 'content-type': 'text/csv', ...headers } });
};
const rowsOf = (batchId: string) =>
  h.sql`SELECT id::text, line, status, reviewer, error_type FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record' ORDER BY line`;
const waitStatus = (batchId: string, pred: (rows: { status: string }[]) => boolean, what: string) =>
  h.waitFor(async () => {
    const rows = (await rowsOf(batchId)) as unknown as { id: string; status: string; reviewer: string | null }[];
    return pred(rows) ? rows : undefined;
  }, what);

describe('when a manifest is submitted over HTTP', () => {
  it('then a text/csv body answers 202 with the batch, and the same bytes again answer 200 with the same id', async () => {
    const csv = `${manifest(3).trimEnd()}\r\nbad row,kalyANi,notaurl\r\n`;
    const res = await submitCsv(csv);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ total: 4, acceptedRows: 3, duplicates: [] });
    expect(body.invalidRows).toEqual([{ line: 5, reason: expect.any(String) }]);
    expect(body.workflowId).toBe(`batch-${body.batchId}`);
    expect(res.headers.get('location')).toBe(`/v1/batches/${body.batchId}`);
    const again = await submitCsv(csv);
    expect(again.status).toBe(200);
    expect((await again.json()).batchId).toBe(body.batchId);
    const [b] = await h.sql`SELECT created_by, name FROM batches WHERE id = ${body.batchId}`;
    expect(b).toMatchObject({ created_by: 'operator-ann', name: 'test.csv' });
  });

  it('then a multipart file field and a gzip-encoded body are accepted, the file name cleaned', async () => {
    const csv = manifest(2);
    await servePages(h, csv);
    const form = new FormData();
    form.set('file', new File([csv], '../../etc/x\u0000y.csv', { type: 'text/csv' }));
    const res = await h.call('POST', '/v1/batches', { role: 'admin', body: form });
    expect(res.status).toBe(202);
    const { batchId } = await res.json();
    const [b] = await h.sql`SELECT name FROM batches WHERE id = ${batchId}`;
    expect(b!.name).toBe('xy.csv');

    const gz = manifest(2);
    await servePages(h, gz);
    const res2 = await h.call('POST', '/v1/batches', {
      body: gzipSync(gz),
      headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
    });
    expect(res2.status).toBe(202);
    expect((await res2.json()).acceptedRows).toBe(2);
  });

  it('then a body over the limit after decoding is 413, even when its compressed form is small', async () => {
    const small = createApp({
      services: h.services,
      tokens: apiTokens,
      settings: h.settings,
      manifestMaxBytes: 2000,
      rateLimitPerMinute: 1000,
      logger: silentLogger,
    });
    const big = `Krithi,Raga,Hyperlink\r\n${'x'.repeat(50_000)},kalyANi,https://guru-guha.blogspot.com/a.html\r\n`;
    const before = await h.tableCounts();
    const res = await small.request('/v1/batches', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.operator}`, 'content-type': 'text/csv', 'content-encoding': 'gzip' },
      body: gzipSync(big),
    });
    expect(gzipSync(big).length).toBeLessThan(2000);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await h.tableCounts()).toEqual(before);
  });
});

describe('when a batch is followed and steered', () => {
  it('then the list pages newest first, the detail has counts, timings and grouped errors, and the report neutralises formulas', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const csv = `Krithi,Raga,Hyperlink\r\n=HYPERLINK("x"),kalyANi,https://guru-guha.blogspot.com/2024/01/${tag}-f.html\r\n@sum,kalyANi,https://guru-guha.blogspot.com/2024/01/${tag}-g.html\r\nno url,kalyANi,\r\n`;
    const res = await submitCsv(csv);
    expect(res.status).toBe(202);
    const { batchId } = await res.json();
    await waitStatus(batchId, (rows) => rows.every((r) => ['IMPORTED', 'PENDING_REVIEW', 'FAILED'].includes(r.status)), 'rows settled');

    const detail = await (await h.call('GET', `/v1/batches/${batchId}`, { role: 'reviewer' })).json();
    expect(detail).toMatchObject({ batchId, totalRecords: 3, acceptedRows: 2, invalidRows: 1 });
    expect(detail.counts.IMPORTED + detail.counts.PENDING_REVIEW + detail.counts.FAILED).toBe(2);
    expect(detail.errors).toContainEqual(expect.objectContaining({ type: 'INVALID_RECORD', count: 1, firstLine: 4 }));
    expect(typeof detail.timings.elapsedMs).toBe('number');

    const page1 = await (await h.call('GET', '/v1/batches?limit=1', { role: 'operator' })).json();
    expect(page1.items[0].batchId).toBe(batchId);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await (await h.call('GET', `/v1/batches?limit=1&cursor=${page1.nextCursor}`, { role: 'operator' })).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].batchId).not.toBe(batchId);

    const csvReport = await h.call('GET', `/v1/batches/${batchId}/report?format=csv`, { role: 'operator' });
    expect(csvReport.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csvReport.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('row,line,kind,title,raga,url,status,krithiId,composerId,ragaIds,talaId,reviewer,errorType,errorMessage');
    expect(lines[1]).toMatch(new RegExp(`^${batchId}:2,2,record,"'=HYPERLINK\\(""x""\\)"`));
    expect(lines[2]).toMatch(new RegExp(`^${batchId}:3,3,record,'@sum,`));
    expect(lines[3]).toMatch(new RegExp(`^${batchId}:4,4,invalid,no url,kalyANi,,,.*INVALID_RECORD`));
    const jsonReport = await (await h.call('GET', `/v1/batches/${batchId}/report`, { role: 'operator' })).json();
    expect(jsonReport.rows.map((r: { line: number }) => r.line)).toEqual([2, 3, 4]);
  });

  it('then pause, resume and cancel answer 202 and the batch follows; a second cancel is 409', async () => {
    const csv = manifest(4, { raga: 'kamboji y' });
    const { batchId } = await (await submitCsv(csv)).json();
    expect((await h.call('POST', `/v1/batches/${batchId}/pause`, { role: 'operator' })).status).toBe(202);
    expect((await h.call('POST', `/v1/batches/${batchId}/resume`, { role: 'operator' })).status).toBe(202);
    await waitStatus(batchId, (rows) => rows.every((r) => r.status === 'PENDING_REVIEW'), 'rows awaiting review');
    const cancel = await h.call('POST', `/v1/batches/${batchId}/cancel`, { role: 'operator' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ batchId, status: 'CANCELLING' });
    await h.waitFor(async () => (await h.sql`SELECT status FROM batches WHERE id = ${batchId}`)[0]?.status === 'CANCELLED', 'cancelled');
    const again = await h.call('POST', `/v1/batches/${batchId}/cancel`, { role: 'operator' });
    expect(again.status).toBe(409);
    const [row] = await rowsOf(batchId);
    const review = await h.call('POST', `/v1/imports/${row!.id}/review`, { role: 'reviewer', body: { decision: 'approve' } });
    expect(review.status).toBe(409);
    expect((await h.call('GET', '/v1/batches/zzzzzzzzzzzz', { role: 'operator' })).status).toBe(404);
  });
});

describe('when rows await review', () => {
  it('then search finds them, the detail shows candidates, and approve-with-override, reject, 404, 409 and 422 behave', async () => {
    const csv = manifest(3, { raga: 'mechakalyanam' });
    const { batchId } = await (await submitCsv(csv)).json();
    const rows = await waitStatus(batchId, (r) => r.length === 3 && r.every((x) => x.status === 'PENDING_REVIEW'), 'review');
    const [a, b, c] = rows as { id: string }[];

    const search: { items: { id: string }[]; nextCursor: string } = await (await h.call('GET', `/v1/imports?status=PENDING_REVIEW&batchId=${batchId}&limit=2`, { role: 'operator' })).json();
    expect(search.items.map((r: { id: string }) => r.id)).toEqual([a!.id, b!.id]);
    const next = await (await h.call('GET', `/v1/imports?status=PENDING_REVIEW&batchId=${batchId}&cursor=${search.nextCursor}`, { role: 'operator' })).json();
    expect(next.items.map((r: { id: string }) => r.id)).toEqual([c!.id]);
    const q = await (await h.call('GET', `/v1/imports?batchId=${batchId}&q=${encodeURIComponent('krithi')}`, { role: 'operator' })).json();
    expect(q.items).toHaveLength(3);

    const detail = await (await h.call('GET', `/v1/imports/${a!.id}`, { role: 'operator' })).json();
    expect(detail).toMatchObject({ id: a!.id, batchId, status: 'PENDING_REVIEW', raw: expect.any(Object) });
    expect(detail.scraped.sections.length).toBeGreaterThan(0);
    expect(detail.resolution.ragas[0].match.candidates[0]).toMatchObject({ id: expect.any(String), score: expect.any(Number) });
    expect(detail.history.length).toBeGreaterThan(0);

    const bad = await h.call('POST', `/v1/imports/${a!.id}/review`, {
      role: 'reviewer',
      body: { decision: 'approve', overrides: { ragaIds: ['no-such-raga'] } },
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail).toMatch(/no-such-raga/);

    const ok = await h.call('POST', `/v1/imports/${a!.id}/review`, {
      role: 'reviewer',
      body: { decision: 'approve', overrides: { ragaIds: ['saveri'] }, note: 'checked the page' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: a!.id, status: 'PERSISTING' });
    const rej = await h.call('POST', `/v1/imports/${b!.id}/review`, { role: 'admin', body: { decision: 'reject' } });
    expect(await rej.json()).toEqual({ id: b!.id, status: 'REJECTED' });

    const twice = await h.call('POST', `/v1/imports/${b!.id}/review`, {
      role: 'reviewer',
      body: { decision: 'approve', overrides: { ragaIds: ['no-such-raga'] } },
    });
    expect(twice.status).toBe(409); // 409 before 422
    expect((await h.call('POST', '/v1/imports/999999999/review', { role: 'reviewer', body: { decision: 'approve' } })).status).toBe(404);

    await waitStatus(batchId, (r) => r[0]?.status === 'IMPORTED', 'approved row imported');
    const [stored] = await h.sql`
      SELECT r.reviewer, r.review_note, k.raga_ids FROM import_rows r JOIN krithis k ON k.id = r.krithi_id WHERE r.id = ${a!.id}`;
    expect(stored).toMatchObject({ reviewer: 'reviewer-ann', review_note: 'checked the page', raga_ids: ['saveri'] });
    const [audit] = await h.sql`SELECT actor FROM audit_events WHERE row_id = ${a!.id} AND type = 'ROW_REVIEWED'`;
    expect(audit?.actor ?? (await h.sql`SELECT actor FROM audit_events WHERE row_id = ${a!.id} AND actor = 'reviewer-ann'`)[0]?.actor).toBe('reviewer-ann');

    const bulk = await h.call('POST', '/v1/imports/review', { role: 'reviewer', body: { decision: 'reject', ids: [a!.id, c!.id, '999999998'] } });
    expect(bulk.status).toBe(200);
    expect(await bulk.json()).toEqual({ decision: 'reject', applied: 1, skipped: 1, failed: [{ id: '999999998', reason: expect.stringMatching(/not found/) }] });
  });

  it('then a bulk approval by filter applies to every pending row of the batch, and more than 500 ids is 413', async () => {
    const { batchId } = await (await submitCsv(manifest(3, { raga: 'sAvEri x' }))).json();
    await waitStatus(batchId, (r) => r.length === 3 && r.every((x) => x.status === 'PENDING_REVIEW'), 'review');
    const res = await h.call('POST', '/v1/imports/review', { role: 'reviewer', body: { decision: 'approve', filter: { batchId } } });
    expect(await res.json()).toEqual({ decision: 'approve', applied: 3, skipped: 0, failed: [] });
    const tooMany = await h.call('POST', '/v1/imports/review', {
      role: 'reviewer',
      body: { decision: 'approve', ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) },
    });
    expect(tooMany.status).toBe(413);
  });
});

describe('when the reference is searched and extended', () => {
  it('then search finds by name and alias, a reviewer adds a raga and an alias, and a repeat is 409', async () => {
    const found = await (await h.call('GET', '/v1/ragas?q=kalyani', { role: 'operator' })).json();
    expect(found.items.map((r: { id: string }) => r.id)).toContain('mechakalyani');
    expect((await (await h.call('GET', '/v1/talas?q=adi', { role: 'operator' })).json()).items[0].id).toBe('adi');
    expect((await (await h.call('GET', '/v1/composers?q=tyagaraja', { role: 'operator' })).json()).items[0].id).toBe('tyagaraja');
    const added = await h.call('POST', '/v1/ragas', { role: 'reviewer', body: { name: 'Qwzx Rāgam', aliases: ['qwzx ragam'] } });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ id: 'qwzx-ragam', name: 'Qwzx Rāgam', aliases: ['qwzx ragam'], source: 'reviewer' });
    expect((await h.call('POST', '/v1/ragas', { role: 'reviewer', body: { name: 'Qwzx Rāgam' } })).status).toBe(409);
    const alias = await h.call('POST', '/v1/ragas/qwzx-ragam/aliases', { role: 'admin', body: { alias: 'kvzx' } });
    expect((await alias.json()).aliases).toEqual(['kvzx', 'qwzx ragam']);
    const [row] = await h.sql`SELECT created_by, source FROM ragas WHERE id = 'qwzx-ragam'`;
    expect(row).toEqual({ created_by: 'reviewer-ann', source: 'reviewer' });
  });
});

describe('when the service itself is asked about', () => {
  it('then /healthz, /openapi.json and /docs answer without a token', async () => {
    const health = await h.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { postgres: true, temporal: true } });
    const doc = await (await h.app.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/batches', '/v1/batches/{id}', '/v1/batches/{id}/report', '/v1/imports', '/v1/imports/{id}/review', '/v1/imports/review', '/v1/ragas']),
    );
    expect(doc.paths['/v1/imports/{id}/review'].post.requestBody.content['application/json'].schema).toBeDefined();
    const docs = await h.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/v1/imports/{id}/review');
  });

  it('then a token over its rate limit gets 429 with Retry-After, and another token is unaffected', async () => {
    // The windows are counted per token name in the shared database, across every app on it:
    // names of their own keep the other tests' requests out of these windows.
    const tag = Math.random().toString(36).slice(2, 8);
    const limited = createApp({
      services: h.services,
      tokens: apiTokens.map((t) => ({ ...t, name: `${t.name}-${tag}` })),
      settings: h.settings,
      manifestMaxBytes: 1000,
      rateLimitPerMinute: 3,
      logger: silentLogger,
    });
    const get = (t: string) => limited.request('/v1/talas', { headers: { authorization: `Bearer ${t}` } });
    for (let i = 0; i < 3; i++) expect((await get(TOKENS.operator)).status).toBe(200);
    const res = await get(TOKENS.operator);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await get(TOKENS.reviewer)).status).toBe(200);
  });
});

describe('when no worker takes a review', () => {
  it('then the review answers 503 with Retry-After and the row stays pending', async () => {
    const { batchId } = await (await submitCsv(manifest(1, { raga: 'kamboji y' }))).json();
    const [row] = (await waitStatus(batchId, (r) => r[0]?.status === 'PENDING_REVIEW', 'review')) as { id: string }[];
    h.workers?.shutdown();
    await new Promise((r) => setTimeout(r, 3000));
    const { createServices } = await import('../../src/services');
    const impatient = createApp({
      services: createServices({ sql: h.sql, client: h.client, updateTimeoutMs: 1500 }),
      tokens: apiTokens,
      settings: h.settings,
      manifestMaxBytes: 1000,
      rateLimitPerMinute: 1000,
      logger: h.logger,
    });
    const res = await impatient.request(`/v1/imports/${row!.id}/review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.reviewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const [after] = await rowsOf(batchId);
    expect(after!.status).toBe('PENDING_REVIEW');
  });
});
