/**
 * robots.txt, fetched once per origin and kept in memory (per worker process) for `ttlMs`, then
 * obeyed before every page request. Parsing and matching are robots-parser's (RFC 9309 longest
 * match, wildcards, `$`). Per RFC 9309 a 4xx robots.txt means "no rules"; a 5xx or an unreachable
 * robots.txt is not guessed at: the page is not fetched and the row retries with that error.
 * Crawl-delay is not read: the per-site task-queue rate limit is the politeness limit.
 */
import robotsParser from 'robots-parser';
import { ScrapeError, ScrapeErrorType } from './errors';
import type { Fetcher } from './fetcher';

export interface RobotsOptions {
  /** The raw fetcher (SSRF checks included); called with `purpose: 'robots'`. */
  fetcher: Fetcher;
  /** The product token matched against `User-agent:` lines, e.g. `krithi-import`. */
  agent: string;
  ttlMs: number;
  now?: () => number;
}

interface Rules {
  isAllowed(url: string, ua?: string): boolean | undefined;
}

export interface RobotsGuard {
  /** Resolves when `url` may be fetched; throws ROBOTS_DISALLOWED (or the robots.txt fetch error). */
  check(url: string, signal?: AbortSignal): Promise<void>;
}

const ALLOW_ALL: Rules = { isAllowed: () => true };

export function createRobotsGuard({ fetcher, agent, ttlMs, now = Date.now }: RobotsOptions): RobotsGuard {
  const cache = new Map<string, { rules: Rules; expires: number }>();
  const inFlight = new Map<string, Promise<Rules>>();

  async function load(origin: string, signal?: AbortSignal): Promise<Rules> {
    const robotsUrl = `${origin}/robots.txt`;
    const res = await fetcher(robotsUrl, { purpose: 'robots', ...(signal ? { signal } : {}) });
    if (res.status >= 400) return ALLOW_ALL;
    return robotsParser(robotsUrl, res.html) as Rules;
  }

  function rulesFor(origin: string, signal?: AbortSignal): Promise<Rules> {
    const hit = cache.get(origin);
    if (hit && hit.expires > now()) return Promise.resolve(hit.rules);
    let pending = inFlight.get(origin);
    if (!pending) {
      // Concurrent scrapes of one site share a single robots.txt request.
      pending = load(origin, signal)
        .then((rules) => {
          cache.set(origin, { rules, expires: now() + ttlMs });
          return rules;
        })
        .finally(() => inFlight.delete(origin));
      inFlight.set(origin, pending);
    }
    return pending;
  }

  return {
    async check(url, signal) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return; // not a URL: the fetcher refuses it as BLOCKED_URL
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
      const rules = await rulesFor(u.origin, signal);
      if (rules.isAllowed(u.href, agent) === false) {
        throw new ScrapeError(ScrapeErrorType.ROBOTS_DISALLOWED, `robots.txt of ${u.host} disallows ${u.pathname}${u.search} for ${agent}`, {
          url,
        });
      }
    },
  };
}

/** A fetcher that asks robots.txt first. */
export function withRobots(fetcher: Fetcher, guard: RobotsGuard): Fetcher {
  return async (url, opts = {}) => {
    await guard.check(url, opts.signal);
    return fetcher(url, opts);
  };
}
