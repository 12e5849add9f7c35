/** The access table of the README, cell by cell: every route × no token, operator, reviewer, admin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness, type Role } from './api-harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ workers: false });
});
afterAll(async () => {
  await h?.close();
});

type Access = 'public' | 'read' | 'operate' | 'review';
interface RouteCase {
  method: string;
  path: string;
  access: Access;
  /** What an allowed caller gets (requests are built to change nothing). */
  allowed: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const NO_BATCH = 'zzzzzzzzzzzz';
const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/healthz', access: 'public', allowed: 200 },
  { method: 'GET', path: '/openapi.json', access: 'public', allowed: 200 },
  { method: 'GET', path: '/docs', access: 'public', allowed: 200 },
  { method: 'GET', path: '/v1/batches', access: 'read', allowed: 200 },
  { method: 'GET', path: `/v1/batches/${NO_BATCH}`, access: 'read', allowed: 404 },
  { method: 'GET', path: `/v1/batches/${NO_BATCH}/report?format=csv`, access: 'read', allowed: 404 },
  { method: 'GET', path: '/v1/imports', access: 'read', allowed: 200 },
  { method: 'GET', path: '/v1/imports/999999999', access: 'read', allowed: 404 },
  { method: 'GET', path: '/v1/ragas?q=todi', access: 'read', allowed: 200 },
  { method: 'GET', path: '/v1/composers', access: 'read', allowed: 200 },
  { method: 'GET', path: '/v1/talas', access: 'read', allowed: 200 },
  // A manifest without the required columns: allowed callers get 422 and nothing is stored.
  { method: 'POST', path: '/v1/batches', access: 'operate', allowed: 422, body: 'a,b\r\n1,2\r\n', headers: { 'content-type': 'text/csv' } },
  { method: 'POST', path: `/v1/batches/${NO_BATCH}/cancel`, access: 'operate', allowed: 404 },
  { method: 'POST', path: `/v1/batches/${NO_BATCH}/pause`, access: 'operate', allowed: 404 },
  { method: 'POST', path: `/v1/batches/${NO_BATCH}/resume`, access: 'operate', allowed: 404 },
  { method: 'POST', path: `/v1/batches/${NO_BATCH}/retry-failed`, access: 'operate', allowed: 404 },
  { method: 'POST', path: '/v1/imports/999999999/review', access: 'review', allowed: 404, body: { decision: 'approve' } },
  { method: 'POST', path: '/v1/imports/999999999/retry', access: 'operate', allowed: 404 },
  { method: 'POST', path: '/v1/imports/review', access: 'review', allowed: 200, body: { decision: 'approve', ids: ['999999999'] } },
  { method: 'POST', path: '/v1/ragas', access: 'review', allowed: 400, body: { name: '' } },
  { method: 'POST', path: '/v1/composers', access: 'review', allowed: 400, body: { name: '' } },
  { method: 'POST', path: '/v1/talas', access: 'review', allowed: 400, body: { name: '' } },
  { method: 'POST', path: '/v1/ragas/no-such-raga/aliases', access: 'review', allowed: 404, body: { alias: 'x' } },
  { method: 'POST', path: '/v1/composers/no-such-composer/aliases', access: 'review', allowed: 404, body: { alias: 'x' } },
  { method: 'POST', path: '/v1/talas/no-such-tala/aliases', access: 'review', allowed: 404, body: { alias: 'x' } },
];

const ROLES: (Role | null)[] = [null, 'operator', 'reviewer', 'admin'];
const ALLOWED: Record<Access, (Role | null)[]> = {
  public: [null, 'operator', 'reviewer', 'admin'],
  read: ['operator', 'reviewer', 'admin'],
  operate: ['operator', 'admin'],
  review: ['reviewer', 'admin'],
};

const cells = ROUTES.flatMap((r) =>
  ROLES.map((role) => ({
    ...r,
    role,
    expected: ALLOWED[r.access].includes(role) ? r.allowed : role === null ? 401 : 403,
  })),
);

describe('when each route is called by each kind of caller', () => {
  it.each(cells)('then $method $path as $role answers $expected', async (cell) => {
    const before = await h.tableCounts();
    const res = await h.call(cell.method, cell.path, { role: cell.role, body: cell.body, headers: cell.headers });
    expect(res.status).toBe(cell.expected);
    if (cell.expected >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
    if (cell.expected === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await h.tableCounts()).toEqual(before);
  });

  it('then every /v1 route of the OpenAPI document is in the table', async () => {
    const doc = await (await h.app.request('/openapi.json')).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const tested = new Set(
      ROUTES.map((r) => `${r.method} ${r.path.split('?')[0]!.replace(NO_BATCH, '{id}').replace(/\/999999999/, '/{id}').replace(/\/no-such-[a-z]+\//, '/{id}/')}`),
    );
    expect(documented.filter((d) => d.includes('/v1/')).filter((d) => !tested.has(d))).toEqual([]);
  });

  it('then a token that is not configured, or sent other than as Bearer, is 401', async () => {
    for (const authorization of ['Bearer not-a-configured-token-000000', 'Basic b3BlcmF0b3I6eA==', 'bearer', `Token ${'x'.repeat(20)}`]) {
      const res = await h.app.request('/v1/batches', { headers: { authorization } });
      expect(res.status).toBe(401);
    }
  });
});
