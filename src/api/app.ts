/**
 * The HTTP API: /v1 (Bearer tokens, per-token rate limit), /healthz, /openapi.json, /docs and the
 * review page. Built from the application services it is handed, so tests drive it through
 * `app.request` against the same services `npm start` wires. Every error leaves as problem+json.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { ApiToken } from '../config';
import { observeRequests, type ObserveRequestsOptions } from '../observability/http';
import type { Services } from '../services';
import type { BatchSettings } from '../shared';
import { bearerAuth, type ApiEnv } from './auth';
import { docsPage } from './docs';
import { Problem, problemResponse, toProblem } from './problems';
import { rateLimit } from './rate-limit';
import { reviewPage } from './review-page';
import { batchRoutes } from './routes/batches';
import { importRoutes } from './routes/imports';
import { referenceRoutes } from './routes/reference';
import { validationHook } from './schemas';

export interface ApiLogger {
  info(entry: Record<string, unknown>): void;
  error(entry: Record<string, unknown>): void;
}

export const consoleLogger: ApiLogger = {
  info: (e) => console.log(JSON.stringify({ level: 'info', ...e })),
  error: (e) => console.error(JSON.stringify({ level: 'error', ...e })),
};

export const silentLogger: ApiLogger = { info: () => {}, error: () => {} };

export interface AppOptions {
  services: Services;
  tokens: readonly ApiToken[];
  settings: BatchSettings;
  manifestMaxBytes: number;
  rateLimitPerMinute: number;
  logger?: ApiLogger;
  /** Where the Temporal Web UI is, for links from the review page (optional). */
  temporalUiUrl?: string | null;
  temporalNamespace?: string;
  /** Cookies carry Secure when the service is reached over HTTPS (behind a TLS proxy). */
  secureCookies?: boolean;
  /** Request metrics and JSON request logs (the process's observability); replaces `logger`'s request lines. */
  observe?: ObserveRequestsOptions;
}

/** JSON bodies are small; only manifests are large, and they have their own limit. */
const JSON_BODY_MAX = 1024 * 1024;

export function createApp(opts: AppOptions) {
  const logger = opts.logger ?? consoleLogger;
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook as never });

  if (opts.observe) app.use('*', observeRequests(opts.observe));
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    if (opts.observe) return; // observeRequests logged it
    // Path only: query strings may carry search text; headers (tokens) are never logged.
    logger.info({
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      status: c.res.status,
      ms: Math.round(performance.now() - t0),
      caller: c.get('caller')?.name,
    });
  });

  app.get('/healthz', async (c) => {
    const h = await opts.services.health();
    const ok = h.postgres && h.temporal;
    if (!ok)
      return problemResponse(
        c,
        new Problem(503, `not ready: postgres ${h.postgres ? 'ok' : 'unreachable'}, temporal ${h.temporal ? 'ok' : 'unreachable'}`, {
          checks: h,
        }, { 'retry-after': '5' }),
      );
    return c.json({ status: 'ok', checks: h });
  });

  app.use('/v1/*', bearerAuth(opts.tokens));
  app.use('/v1/*', rateLimit({ perMinute: opts.rateLimitPerMinute, store: opts.services.apiState }));
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'POST' && c.req.path === '/v1/batches') return next();
    return bodyLimit({
      maxSize: JSON_BODY_MAX,
      onError: () => {
        throw new Problem(413, `request bodies are limited to ${JSON_BODY_MAX} bytes`);
      },
    })(c, next);
  });
  app.route('/v1', batchRoutes({ services: opts.services, settings: opts.settings, manifestMaxBytes: opts.manifestMaxBytes }));
  app.route('/v1', importRoutes({ services: opts.services }));
  app.route('/v1', referenceRoutes({ services: opts.services }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'krithi-import API',
        version: '1',
        description:
          'Bulk import of krithis: submit manifests, follow and steer batches, review uncertain rows. ' +
          'Every /v1 route takes "Authorization: Bearer <token>"; errors are application/problem+json (RFC 9457).',
      },
    });
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => {
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'");
    return c.html(docsPage(document() as never));
  });

  app.route(
    '/review',
    reviewPage({
      services: opts.services,
      tokens: opts.tokens,
      secureCookies: opts.secureCookies ?? false,
      temporalUiUrl: opts.temporalUiUrl ?? null,
      temporalNamespace: opts.temporalNamespace,
    }),
  );
  app.get('/', (c) => c.redirect('/docs'));

  // A known path with another method is 405 (with Allow), an unknown path 404.
  const known = () =>
    app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, re: new RegExp(`^${r.path.replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}$`) }));
  app.notFound((c) => {
    const allowed = [...new Set(known().filter((r) => r.re.test(c.req.path)).map((r) => r.method))];
    if (allowed.length)
      return problemResponse(c, new Problem(405, `${c.req.method} is not allowed here; use ${allowed.join(', ')}`, {}, { allow: allowed.join(', ') }));
    return problemResponse(c, new Problem(404, `no route ${c.req.method} ${c.req.path.slice(0, 200)}`));
  });

  app.onError((err, c) => {
    const p = toProblem(err);
    if (p) return problemResponse(c, p);
    logger.error({ msg: 'unhandled error', method: c.req.method, path: c.req.path.slice(0, 200), error: String((err as Error)?.stack ?? err) });
    return problemResponse(c, new Problem(500, 'the request could not be completed; it has been logged'));
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
