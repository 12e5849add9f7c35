/**
 * The rate limit each site's scrape queue has on the server now, as this worker's pacer needs it
 * (src/scraping/host-pacer.ts). Read with describeTaskQueue and kept for `ttlMs`, so an operator's
 * `temporal task-queue config set --queue-rps-limit` reaches the pacer within that time, without a
 * server call per request. A failed read keeps the last value (or `fallback` before the first).
 */
import type { Connection } from '@temporalio/client';
import { queueRateLimit } from './namespace-setup';

export interface QueueRateReaderOptions {
  connection: Connection;
  namespace: string;
  queueFor(host: string): string;
  /** Used until the first read succeeds, and for a host whose read keeps failing. */
  fallback: number | null;
  ttlMs?: number;
  now?: () => number;
  /** The read itself (tests); default: describeTaskQueue with reportConfig. */
  read?: (taskQueue: string) => Promise<number | null>;
}

export function createQueueRateReader(opts: QueueRateReaderOptions): (host: string) => Promise<number | null> {
  const ttlMs = opts.ttlMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const read =
    opts.read ?? (async (q: string) => (await queueRateLimit(opts.connection, opts.namespace, q))?.requestsPerSecond ?? null);
  const known = new Map<string, { rate: number | null; at: number }>();
  const pending = new Map<string, Promise<number | null>>();
  return async (host) => {
    const k = known.get(host);
    if (k && now() - k.at < ttlMs) return k.rate;
    let p = pending.get(host);
    if (!p) {
      const started: Promise<number | null> = read(opts.queueFor(host))
        .then((rate) => {
          known.set(host, { rate, at: now() });
          return rate;
        })
        .catch(() => {
          const rate = k?.rate ?? opts.fallback;
          // Try again after a short while, not on every request.
          known.set(host, { rate, at: now() - ttlMs + 1_000 });
          return rate;
        })
        .finally(() => pending.delete(host));
      pending.set(host, started);
      p = started;
    }
    return p;
  };
}
