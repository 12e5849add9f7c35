/**
 * Politeness at the point of sending. The server's task-queue limit paces when scrape tasks are
 * *dispatched*; between dispatch and the request leaving this process lie a database read, a
 * robots.txt check, garbage collection and the scheduler, and those delays differ per task, so
 * tasks dispatched a second apart can reach the site together. The pacer spaces this process's
 * requests to one host at least 1/rate apart, so however the dispatches bunch on the way, one
 * process never sends a host more than its rate in any one-second window, and N processes never
 * more than N times it (never more than the server's own bound with two workers).
 */
import type { Fetcher } from './fetcher';

export interface PacerOptions {
  /** Requests per second allowed to `host` now; null or ≤ 0: do not pace this host. */
  rateFor(host: string): number | null | Promise<number | null>;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HostPacer {
  /** Resolves when this process may send the next request to `host`; rejects if `signal` aborts. */
  acquire(host: string, signal?: AbortSignal): Promise<void>;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createHostPacer(opts: PacerOptions): HostPacer {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  /** The earliest time the next request to each host may leave. */
  const nextAt = new Map<string, number>();
  return {
    async acquire(host, signal) {
      const rate = await opts.rateFor(host);
      if (rate === null || !(rate > 0)) return;
      const interval = 1000 / rate;
      // The slot is reserved before sleeping, so concurrent callers queue one interval apart.
      const t = now();
      const slot = Math.max(t, nextAt.get(host) ?? 0);
      nextAt.set(host, slot + interval);
      if (slot > t) {
        try {
          await sleep(slot - t, signal);
        } catch (err) {
          // A cancelled wait gives its slot back only if nobody queued behind it.
          if (nextAt.get(host) === slot + interval) nextAt.set(host, slot);
          throw err;
        }
      }
    },
  };
}

/** `fetcher` with every call paced per host (one slot per call, whatever it fetches inside). */
export function withHostPacing(fetcher: Fetcher, pacer: HostPacer): Fetcher {
  return async (url, opts) => {
    await pacer.acquire(new URL(url).hostname.toLowerCase(), opts?.signal);
    return fetcher(url, opts);
  };
}
