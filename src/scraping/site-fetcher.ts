/**
 * The fetcher the scrape activity and `krithi-import extract` use, assembled from configuration:
 * the page cache (when a store is given) in front of robots.txt in front of the per-host pacer (when
 * given) in front of the SSRF-checked HTTP fetcher. A cache hit makes no request at all, not even for robots.txt.
 */
import type { Config } from '../config';
import { checkUrl, createFetcher, type FetchPolicy, type Fetcher, type Resolver } from './fetcher';
import { withPageCache, type PageCacheStore } from './page-cache';
import { createRobotsGuard, withRobots } from './robots';
import { withHostPacing, type HostPacer } from './host-pacer';

export function fetchPolicyFrom(config: Config, extra: { allowHosts?: string[]; resolve?: Resolver } = {}): FetchPolicy {
  const f = config.fetch;
  return {
    connectTimeoutMs: f.connectTimeoutMs,
    headersTimeoutMs: f.headersTimeoutMs,
    bodyTimeoutMs: f.bodyTimeoutMs,
    maxBytes: f.maxBytes,
    maxRedirects: f.maxRedirects,
    userAgent: f.userAgent,
    allowedHosts: [...config.sites.hosts, ...(extra.allowHosts ?? []).map((h) => h.toLowerCase())],
    hostOverrides: f.hostOverrides,
    allowPrivateHosts: f.allowPrivateHosts,
    ...(extra.resolve ? { resolve: extra.resolve } : {}),
  };
}

export interface SiteFetcherOptions {
  /** Omit (or disable in config) to fetch every page live. */
  pageCache?: PageCacheStore;
  allowHosts?: string[];
  resolve?: Resolver;
  /** Space this process's requests to each host (workers; a one-off `extract` needs none). */
  pacer?: HostPacer;
}

export function createSiteFetcher(config: Config, opts: SiteFetcherOptions = {}): Fetcher {
  const policy = fetchPolicyFrom(config, opts);
  const direct = createFetcher(policy);
  // Paced right above the wire: page requests leave one interval apart (robots.txt reads are not
  // paced); a cache hit makes no request and takes no slot.
  const raw = opts.pacer ? withHostPacing(direct, opts.pacer) : direct;
  const robots = createRobotsGuard({ fetcher: raw, agent: config.fetch.robotsAgent, ttlMs: config.fetch.robotsTtlMs });
  const polite = withRobots(raw, robots);
  const fetcher = opts.pageCache && config.pageCache.enabled ? withPageCache(polite, opts.pageCache, { ttlMs: config.pageCache.ttlMs }) : polite;
  // Refuse a hostile URL before anything else: robots.txt is fetched for the URL's origin, which
  // would otherwise strip credentials from `http://user:pw@host/` and ask the host about it.
  return async (url, fetchOpts) => {
    checkUrl(url, policy);
    return fetcher(url, fetchOpts);
  };
}
