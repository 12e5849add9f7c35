/**
 * Per-caller request limit on /v1: a fixed one-minute window per token name, in memory (one API
 * process). Over the limit the answer is 429 with Retry-After until the window turns.
 */
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './auth';
import { Problem } from './problems';

export function rateLimit(opts: { perMinute: number; now?: () => number }): MiddlewareHandler<ApiEnv> {
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const key = c.get('caller').name;
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    const remaining = Math.max(0, opts.perMinute - w.count);
    const reset = Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
    if (w.count > opts.perMinute)
      throw new Problem(429, `more than ${opts.perMinute} requests a minute for this token; retry in ${reset} s`, {}, {
        'retry-after': String(reset),
      });
    c.header('ratelimit', `limit=${opts.perMinute}, remaining=${remaining}, reset=${reset}`);
    await next();
  };
}
