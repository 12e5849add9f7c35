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

/**
 * Spacing is this much wider than 1/rate: the few milliseconds between a release and the request
 * reaching the wire (the event loop, the socket) must not bring two requests of one process into
 * one window of 1/rate.
 */
export const PACING_MARGIN = 1.05;

export function createHostPacer(opts: PacerOptions): HostPacer {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  /** Per host: when the last request was actually released, and the tail of the queue of waiters. */
  const hosts = new Map<string, { releasedAt: number; tail: Promise<void> }>();
  return {
    async acquire(host, signal) {
      const rate = await opts.rateFor(host);
      if (rate === null || !(rate > 0)) return;
      const interval = (1000 / rate) * PACING_MARGIN;
      const h = hosts.get(host) ?? { releasedAt: -Infinity, tail: Promise.resolve() };
      hosts.set(host, h);
      // Waiters go one at a time, each measured from the moment the one before it was actually
      // released (not from a planned slot), so one late wake-up never shortens the next gap.
      const before = h.tail;
      let done!: () => void;
      h.tail = new Promise<void>((r) => (done = r));
      try {
        await before;
        if (signal?.aborted) throw signal.reason;
        const wait = h.releasedAt + interval - now();
        if (wait > 0) await sleep(wait, signal);
        h.releasedAt = now();
      } finally {
        done();
      }
    },
  };
}

/** `fetcher` with every page request paced per host; robots.txt reads are not paced (at most one
 * per host per robots TTL, and pacing them would push back the page that needs them). */
export function withHostPacing(fetcher: Fetcher, pacer: HostPacer): Fetcher {
  return async (url, opts) => {
    if (opts?.purpose !== 'robots') await pacer.acquire(new URL(url).hostname.toLowerCase(), opts?.signal);
    return fetcher(url, opts);
  };
}
