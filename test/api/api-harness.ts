/**
 * The API over a test harness: real Temporal, PostgreSQL, workers and fixture site, one token per
 * role, and helpers to call it through `app.request`.
 */
import { createHash } from 'node:crypto';
import { createApp, type ApiLogger } from '../../src/api/app';
import type { ApiToken } from '../../src/config';
import { createServices } from '../../src/services';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness';

declare global {
  // Tests read JSON answers loosely; the assertions check their shape.
  interface Response {
    json(): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
}

export const TOKENS = {
  operator: 'operator-token-0123456789abcdef',
  reviewer: 'reviewer-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdefghij',
} as const;
export type Role = keyof typeof TOKENS;

export const apiTokens: ApiToken[] = (Object.entries(TOKENS) as [Role, string][]).map(([role, token]) => ({
  name: `${role}-ann`,
  role,
  sha256: createHash('sha256').update(token).digest('hex'),
}));

export interface ApiHarness extends Harness {
  app: ReturnType<typeof createApp>;
  /** Whatever the app logged as an error (an unexpected failure); tests expect none. */
  errors: Record<string, unknown>[];
  logger: ApiLogger;
  services: ReturnType<typeof createServices>;
  call(method: string, path: string, opts?: { role?: Role | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** Counts of the tables a request might touch. */
  tableCounts(): Promise<Record<string, number>>;
}

export async function createApiHarness(
  opts: HarnessOptions & { rateLimitPerMinute?: number; updateTimeoutMs?: number; temporalUiUrl?: string } = {},
): Promise<ApiHarness> {
  const h = await createHarness(opts);
  const errors: Record<string, unknown>[] = [];
  const logger: ApiLogger = { info: () => {}, error: (e) => errors.push(e) };
  const services = createServices({ sql: h.sql, client: h.client, updateTimeoutMs: opts.updateTimeoutMs });
  const app = createApp({
    services,
    tokens: apiTokens,
    settings: h.settings,
    manifestMaxBytes: h.config.manifestMaxBytes,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    logger,
    temporalUiUrl: opts.temporalUiUrl,
  });
  return Object.assign(h, {
    app,
    errors,
    logger,
    services,
    async call(method: string, path: string, o: { role?: Role | null; body?: unknown; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const role = o.role === undefined ? 'admin' : o.role;
      if (role) headers.authorization = `Bearer ${TOKENS[role]}`;
      let body: RequestInit['body'];
      if (o.body !== undefined) {
        if (typeof o.body === 'string' || o.body instanceof Uint8Array || o.body instanceof FormData) body = o.body as never;
        else {
          body = JSON.stringify(o.body);
          headers['content-type'] ??= 'application/json';
        }
      }
      return app.request(path, { method, headers, body });
    },
    async tableCounts() {
      const [r] = await h.sql`
        SELECT (SELECT count(*) FROM batches)::int AS batches, (SELECT count(*) FROM import_rows)::int AS import_rows,
               (SELECT count(*) FROM krithis)::int AS krithis, (SELECT count(*) FROM audit_events)::int AS audit_events,
               (SELECT count(*) FROM ragas)::int AS ragas, (SELECT count(*) FROM entity_aliases)::int AS entity_aliases`;
      return r as Record<string, number>;
    },
  });
}

/** Registers a manifest's rows with the fixture site so the workers can scrape them. */
export async function servePages(h: Harness, csv: string): Promise<void> {
  const { parseManifestAll } = await import('../../src/manifest/parse');
  const { entries } = await parseManifestAll(csv);
  h.site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
}
