/**
 * RFC 9457 problem details. Every error the API answers is one of these, with a `detail` that
 * tells the caller what to change; internal errors get a generic one and go to the log.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ManifestError } from '../manifest/errors';
import { ServiceError } from '../services/errors';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problemResponse(c: Context, p: Problem): Response {
  const body = { type: 'about:blank', title: TITLES[p.status] ?? 'Error', status: p.status, detail: p.detail, instance: c.req.path, ...p.extra };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers },
  });
}

const MANIFEST_STATUS: Record<string, number> = {
  NOT_UTF8: 400,
  MALFORMED_CSV: 400,
  NO_HEADER: 422,
  MISSING_COLUMN: 422,
  NO_ROWS: 422,
  TOO_LARGE: 413,
};

const SERVICE_STATUS: Record<string, number> = { NOT_FOUND: 404, CONFLICT: 409, INVALID: 422, UNAVAILABLE: 503 };

/** The problem an error stands for, or null when it is unexpected (a bug or an outage). */
export function toProblem(err: unknown): Problem | null {
  if (err instanceof Problem) return err;
  if (err instanceof ManifestError) {
    return new Problem(MANIFEST_STATUS[err.code] ?? 400, `manifest refused: ${err.message}`, {
      code: err.code,
      ...(err.line ? { line: err.line } : {}),
    });
  }
  if (err instanceof ServiceError) {
    const status = SERVICE_STATUS[err.code] ?? 400;
    const retry = err.details?.retryAfterSeconds;
    const extra = { code: err.code, ...(err.details && 'missing' in err.details ? { missing: err.details.missing } : {}) };
    return new Problem(status, err.message, extra, retry ? { 'retry-after': String(retry) } : {});
  }
  if (err instanceof HTTPException) {
    const status = err.status >= 400 && err.status < 500 ? err.status : 400;
    return new Problem(status, err.message || TITLES[status] || 'bad request');
  }
  return null;
}
