/**
 * Hono middleware for the HTTP API: request metrics and one JSON log line per request. Mount it
 * first (`app.use('*', observeRequests({ metrics, logger }))`) so it sees every answer, including
 * the problem responses of auth and rate limiting. The route label is the matched pattern
 * (`/v1/batches/:batchId`), never the raw path, so ids cannot blow up the label set; the log line
 * carries the concrete ids instead. Headers are not logged (they carry tokens).
 */
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface ObserveRequestsOptions {
  metrics?: Metrics;
  logger?: Logger;
}

export function observeRequests({ metrics, logger }: ObserveRequestsOptions): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    let failed: unknown;
    try {
      await next();
    } catch (err) {
      failed = err;
      throw err;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = handlerRoute(c);
      const status = failed && c.res.status < 500 ? 500 : c.res.status;
      metrics?.apiRequests.inc({ method: c.req.method, route, status: String(status) });
      metrics?.apiSeconds.observe({ method: c.req.method, route }, seconds);
      if (logger) {
        const params = c.req.param() as Record<string, string>;
        const caller = (c.get as (k: string) => unknown)('caller') as { name?: string } | undefined;
        logger[status >= 500 ? 'error' : 'info'](
          {
            http: { method: c.req.method, route, path: c.req.path, status, ms: Math.round(seconds * 1000) },
            ...(params.batchId ? { batchId: params.batchId } : {}),
            ...(params.rowId ? { rowId: params.rowId } : {}),
            ...(caller?.name ? { caller: caller.name } : {}),
            ...(failed ? { err: failed } : {}),
          },
          'api request',
        );
      }
    }
  };
}

/** The pattern of the last matched handler that is not a catch-all middleware. */
function handlerRoute(c: Parameters<MiddlewareHandler>[0]): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const path = routes[i]!.path;
    if (path !== '*' && path !== '/*') return path;
  }
  return 'unmatched';
}
