/**
 * Per-caller request limit on /v1: a fixed one-minute window per token name, started by its first
 * request and counted in PostgreSQL (src/db/api-state.ts), so the limit holds for the service as a
 * whole however many API processes serve it. Over the limit the answer is 429 with Retry-After
 * until the window turns.
 */
import type { MiddlewareHandler } from 'hono';
import type { ApiStateStore } from '../db/api-state';
import type { ApiEnv } from './auth';
import { Problem } from './problems';

const WINDOW_MS = 60_000;

export function rateLimit(opts: { perMinute: number; store: Pick<ApiStateStore, 'hit'>; now?: () => number }): MiddlewareHandler<ApiEnv> {
  const now = opts.now ?? Date.now;
  return async (c, next) => {
    const t = now();
    const w = await opts.store.hit(c.get('caller').name, new Date(t), WINDOW_MS);
    const remaining = Math.max(0, opts.perMinute - w.count);
    const reset = Math.max(1, Math.ceil((w.windowStart.getTime() + WINDOW_MS - t) / 1000));
    if (w.count > opts.perMinute)
      throw new Problem(429, `more than ${opts.perMinute} requests a minute for this token; retry in ${reset} s`, {}, {
        'retry-after': String(reset),
      });
    c.header('ratelimit', `limit=${opts.perMinute}, remaining=${remaining}, reset=${reset}`);
    await next();
  };
}
