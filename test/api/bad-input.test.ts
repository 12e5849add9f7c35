/**
 * A corpus of hostile and malformed requests. Each answers its 4xx as problem+json (never a 5xx,
 * never a stack trace), and the database is exactly as it was afterwards.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/services/cursor';
import { createApiHarness, type ApiHarness, type Role } from './api-harness';

let h: ApiHarness;
let before: Record<string, number>;
beforeAll(async () => {
  h = await createApiHarness({ workers: false });
  before = await h.tableCounts();
});
afterAll(async () => {
  await h?.close();
});

interface BadCase {
  name: string;
  method: string;
  path: string;
  status: number;
  role?: Role | null;
  body?: unknown;
  headers?: Record<string, string>;
}

const csv = { 'content-type': 'text/csv' };
const jsonCt = { 'content-type': 'application/json' };
const multipart = (parts: [string, string | File][]) => {
  const f = new FormData();
  for (const [k, v] of parts) f.append(k, v);
  return f;
};
const INJECTION = `'; DROP TABLE krithis; --`;

const CASES: BadCase[] = [
  // Manifests
  { name: 'CSV body that is not UTF-8', method: 'POST', path: '/v1/batches', status: 400, body: new Uint8Array([0x4b, 0x72, 0xff, 0xfe, 0x0a, 0xc3, 0x28]), headers: csv },
  { name: 'CSV without the required columns', method: 'POST', path: '/v1/batches', status: 422, body: 'Title,Link\r\nx,y\r\n', headers: csv },
  { name: 'CSV with a header and no rows', method: 'POST', path: '/v1/batches', status: 422, body: 'Krithi,Raga,Hyperlink\r\n', headers: csv },
  { name: 'empty CSV body', method: 'POST', path: '/v1/batches', status: 422, body: '', headers: csv },
  { name: 'CSV with an unclosed quote', method: 'POST', path: '/v1/batches', status: 400, body: 'Krithi,Raga,Hyperlink\r\n"abc,kalyANi,https://guru-guha.blogspot.com/x.html\r\n', headers: csv },
  { name: 'CSV whose header is an injection string', method: 'POST', path: '/v1/batches', status: 422, body: `${INJECTION},<script>,=cmd|' /C calc'!A0\r\n1,2,3\r\n`, headers: csv },
  { name: 'CSV header of bidi overrides and zero-width characters', method: 'POST', path: '/v1/batches', status: 422, body: '\uFEFF\u202EKrithi\u200B,Raga\u2066,Hyperlink\u0301\r\n', headers: csv },
  { name: 'CSV with one 100 kB header field', method: 'POST', path: '/v1/batches', status: 422, body: `${'K'.repeat(100_000)},Raga,Hyperlink\r\n`, headers: csv },
  { name: 'manifest sent as JSON', method: 'POST', path: '/v1/batches', status: 415, body: { rows: [] } },
  { name: 'manifest sent as text/plain', method: 'POST', path: '/v1/batches', status: 415, body: 'Krithi,Raga,Hyperlink', headers: { 'content-type': 'text/plain' } },
  { name: 'manifest without a content type', method: 'POST', path: '/v1/batches', status: 415, body: new Uint8Array([1, 2, 3]) },
  { name: 'unsupported Content-Encoding', method: 'POST', path: '/v1/batches', status: 415, body: 'x', headers: { ...csv, 'content-encoding': 'compress' } },
  { name: 'gzip Content-Encoding over bytes that are not gzip', method: 'POST', path: '/v1/batches', status: 400, body: 'Krithi,Raga,Hyperlink\r\n', headers: { ...csv, 'content-encoding': 'gzip' } },
  { name: 'gzip of a non-UTF-8 manifest', method: 'POST', path: '/v1/batches', status: 400, body: gzipSync(Buffer.from([0x4b, 0xff, 0xfe, 0x0a])), headers: { ...csv, 'content-encoding': 'gzip' } },
  { name: 'multipart without a file field', method: 'POST', path: '/v1/batches', status: 400, body: multipart([['name', 'x']]) },
  { name: 'multipart with the manifest in a text field', method: 'POST', path: '/v1/batches', status: 400, body: multipart([['file', 'Krithi,Raga,Hyperlink\r\n']]) },
  { name: 'multipart with a broken boundary', method: 'POST', path: '/v1/batches', status: 400, body: '--zz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=other' } },
  { name: 'multipart, hostile file name, no rows', method: 'POST', path: '/v1/batches', status: 422, body: multipart([['file', new File(['Krithi,Raga,Hyperlink\r\n'], '../../../etc/passwd\u0000<script>.csv')]]) },
  { name: 'submission name with 300 characters', method: 'POST', path: `/v1/batches?name=${'n'.repeat(300)}`, status: 400, body: 'Krithi,Raga,Hyperlink\r\n', headers: csv },
  { name: 'submission name with a NUL', method: 'POST', path: '/v1/batches?name=a%00b', status: 400, body: 'Krithi,Raga,Hyperlink\r\n', headers: csv },
  { name: 'item 7: submission name with an escape sequence and CR LF', method: 'POST', path: '/v1/batches?name=a%1B%5B31m%0D%0Ab', status: 400, body: 'Krithi,Raga,Hyperlink\r\n', headers: csv },
  { name: 'submission with an unknown query parameter', method: 'POST', path: '/v1/batches?priority=high', status: 400, body: 'Krithi,Raga,Hyperlink\r\n', headers: csv },
  // Queries
  { name: 'unknown query parameter on the batch list', method: 'GET', path: '/v1/batches?sort=asc', status: 400 },
  { name: 'cursor that is not base64url', method: 'GET', path: '/v1/batches?cursor=!!!', status: 400 },
  { name: 'cursor of the wrong shape', method: 'GET', path: `/v1/batches?cursor=${encodeCursor(['x'])}`, status: 400 },
  { name: 'row cursor carrying an injection', method: 'GET', path: `/v1/imports?cursor=${encodeCursor([INJECTION])}`, status: 400 },
  { name: 'limit of zero', method: 'GET', path: '/v1/batches?limit=0', status: 400 },
  { name: 'limit that is not a number', method: 'GET', path: '/v1/imports?limit=ten', status: 400 },
  { name: 'status not in the shared list', method: 'GET', path: '/v1/imports?status=DONE', status: 400 },
  { name: 'confidence not in the list', method: 'GET', path: '/v1/imports?confidence=SURE', status: 400 },
  { name: 'batchId filter with an injection', method: 'GET', path: `/v1/imports?batchId=${encodeURIComponent(INJECTION)}`, status: 400 },
  { name: 'search text with a NUL', method: 'GET', path: '/v1/imports?q=a%00b', status: 400 },
  { name: 'search text of 5,000 characters', method: 'GET', path: `/v1/imports?q=${'q'.repeat(5000)}`, status: 400 },
  { name: 'report in an unknown format', method: 'GET', path: '/v1/batches/zzzzzzzzzzzz/report?format=xlsx', status: 400 },
  { name: 'batch id with markup', method: 'GET', path: `/v1/batches/${encodeURIComponent('<script>alert(1)</script>')}`, status: 404 },
  { name: 'row id in full-width digits', method: 'GET', path: '/v1/imports/%EF%BC%91%EF%BC%92', status: 404 },
  { name: 'reference search with a NUL', method: 'GET', path: '/v1/ragas?q=%00', status: 400 },
  // Reviews
  { name: 'review with malformed JSON', method: 'POST', path: '/v1/imports/1/review', status: 400, body: '{"decision": "approve"', headers: jsonCt },
  { name: 'review with an unknown field', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'approve', admin: true } },
  { name: 'review with an unknown decision', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'maybe' } },
  { name: 'review with ragaIds not an array', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'approve', overrides: { ragaIds: 'todi' } } },
  { name: 'review with an injection as composer id', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'approve', overrides: { composerId: INJECTION } } },
  { name: 'review note with a NUL', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'reject', note: 'a\u0000b' } },
  { name: 'review note with a lone surrogate', method: 'POST', path: '/v1/imports/1/review', status: 400, body: '{"decision":"reject","note":"\\ud800x"}', headers: jsonCt },
  { name: 'review note of 3,000 characters', method: 'POST', path: '/v1/imports/1/review', status: 400, body: { decision: 'reject', note: 'n'.repeat(3000) } },
  { name: 'review body as text/plain', method: 'POST', path: '/v1/imports/1/review', status: 415, body: 'decision=approve', headers: { 'content-type': 'text/plain' } },
  { name: 'review body as a JSON array', method: 'POST', path: '/v1/imports/1/review', status: 400, body: '[1,2]', headers: jsonCt },
  { name: 'review of a row id that is not a number', method: 'POST', path: '/v1/imports/abc/review', status: 404, body: { decision: 'approve' } },
  { name: 'review of a row id beyond bigint', method: 'POST', path: '/v1/imports/99999999999999999999999/review', status: 404, body: { decision: 'approve' } },
  { name: 'bulk review with both ids and a filter', method: 'POST', path: '/v1/imports/review', status: 400, body: { decision: 'approve', ids: ['1'], filter: { batchId: 'abc' } } },
  { name: 'bulk review with neither ids nor a filter', method: 'POST', path: '/v1/imports/review', status: 400, body: { decision: 'approve' } },
  { name: 'bulk review of 501 ids', method: 'POST', path: '/v1/imports/review', status: 413, body: { decision: 'approve', ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) } },
  { name: 'bulk review filter with an injected batch id', method: 'POST', path: '/v1/imports/review', status: 400, body: { decision: 'approve', filter: { batchId: INJECTION } } },
  { name: 'JSON body over 1 MB', method: 'POST', path: '/v1/imports/review', status: 413, body: { decision: 'approve', note: 'x'.repeat(1_100_000) } },
  // Reference additions
  { name: 'new raga with an empty name', method: 'POST', path: '/v1/ragas', status: 400, body: { name: '' } },
  { name: 'new raga with a blank name', method: 'POST', path: '/v1/ragas', status: 400, body: { name: ' \t ' } },
  { name: 'new raga with an id that is not an id', method: 'POST', path: '/v1/ragas', status: 400, body: { id: 'Bad Id!', name: 'x' } },
  { name: 'new raga whose name yields no id', method: 'POST', path: '/v1/ragas', status: 422, body: { name: '🎵🎶' } },
  { name: 'new raga with aliases not an array', method: 'POST', path: '/v1/ragas', status: 400, body: { name: 'x', aliases: 'y' } },
  { name: 'new raga whose id already exists', method: 'POST', path: '/v1/ragas', status: 409, body: { name: 'Mechakalyani', id: 'mechakalyani' } },
  { name: 'alias on an id with an injection', method: 'POST', path: `/v1/ragas/${encodeURIComponent(INJECTION)}/aliases`, status: 404, body: { alias: 'x' } },
  // Methods, paths, credentials
  { name: 'DELETE on the batch list', method: 'DELETE', path: '/v1/batches', status: 405 },
  { name: 'PUT on a review', method: 'PUT', path: '/v1/imports/1/review', status: 405, body: { decision: 'approve' } },
  { name: 'GET on a batch control', method: 'GET', path: '/v1/batches/zzzzzzzzzzzz/cancel', status: 405 },
  { name: 'unknown /v1 path', method: 'GET', path: '/v1/krithis', status: 404 },
  { name: 'token with non-ASCII characters', method: 'GET', path: '/v1/batches', status: 401, role: null, headers: { authorization: 'Bearer t\u00f6ken' } },
  { name: 'token of 10,000 characters', method: 'GET', path: '/v1/batches', status: 401, role: null, headers: { authorization: `Bearer ${'a'.repeat(10_000)}` } },
];

describe('when hostile or malformed requests arrive', () => {
  it(`then the corpus has at least 40 requests (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('then "$name" answers $status as problem+json', async (c) => {
    const res = await h.call(c.method, c.path, { role: c.role === undefined ? 'admin' : c.role, body: c.body, headers: c.headers });
    const text = await res.text();
    expect({ status: res.status, text: text.slice(0, 300) }).toMatchObject({ status: c.status });
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ status: c.status, title: expect.any(String), detail: expect.any(String) });
    expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it('then the database is unchanged and nothing was logged as an internal error', async () => {
    expect(await h.tableCounts()).toEqual(before);
    expect(h.errors).toEqual([]);
  });
});

describe('item 7: when a manifest cell holds a NUL byte', () => {
  it('then the file is accepted with that row refused as INVALID_RECORD naming its column, and nothing holding the NUL is stored', async () => {
    const body = 'Krithi,Raga,Hyperlink,Note\r\nabhayAmbA,kalyANi,https://guru-guha.blogspot.com/2007/07/nul-cell.html,a\u0000b\r\n';
    const res = await h.call('POST', '/v1/batches?name=nul-cell', { role: 'admin', body, headers: csv });
    expect(res.status).toBe(202);
    const result = (await res.json()) as { batchId: string; acceptedRows: number; invalidRows: { line: number; reason: string }[] };
    expect(result.acceptedRows).toBe(0);
    expect(result.invalidRows).toEqual([{ line: 2, reason: 'Note contains a NUL byte' }]);
    const [row] = await h.sql`SELECT kind, error_type, raw FROM import_rows WHERE batch_id = ${result.batchId}`;
    expect(row).toMatchObject({ kind: 'invalid', error_type: 'INVALID_RECORD', raw: { Note: 'a\uFFFDb' } });
  });
});
