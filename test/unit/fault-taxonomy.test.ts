/**
 * Every error type of the scraping taxonomy, produced by the real site fetcher (SSRF checks,
 * robots.txt, HTTP) against the fixture site's fault modes, and mapped to the Temporal failure the
 * workflow sees: the stable type, retryable or not, and Retry-After as the next retry delay.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../src/activities/failures';
import { parseConfig } from '../../src/config';
import { startFixtureSite, type FixtureFault, type FixtureSite } from '../../src/fixture-site/server';
import { ScrapeError, ScrapeErrorType, RETRYABLE_SCRAPE_ERRORS } from '../../src/scraping/errors';
import { extractKrithi } from '../../src/scraping/extract';
import type { Fetcher } from '../../src/scraping/fetcher';
import { createSiteFetcher } from '../../src/scraping/site-fetcher';

const SITES = ['guru-guha.blogspot.com', 'syamakrishnavaibhavam.blogspot.com', 'thyagaraja-vaibhavam.blogspot.com'];
let site: FixtureSite;
let fetcher: Fetcher;
let n = 0;
let disallowed: string;
const covered = new Set<string>();

/** A fresh page URL on a site with `fault` set. */
function page(fault: FixtureFault, host = SITES[n % 3]!): string {
  const url = `https://${host}/2012/03/fault-${fault}-${n++}.html`;
  site.addRows([{ url, title: 'SrI rAma', raga: 'tODi' }]);
  site.setFault(url, fault);
  return url;
}

async function scrape(url: string): Promise<void> {
  const p = await fetcher(url);
  extractKrithi(p.html, p.finalUrl);
}

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false, slowMs: 1500, dripMs: 3000 });
  // Before the first robots.txt is read: the fetcher keeps it for ROBOTS_CACHE_TTL_MS.
  disallowed = page('robots-disallowed');
  const config = parseConfig({
    SOURCE_SITES: [...SITES, 'unresolvable.test'].join(','),
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
    FETCH_HEADERS_TIMEOUT_MS: '400',
    FETCH_BODY_TIMEOUT_MS: '800',
    PAGE_CACHE: 'off',
  });
  fetcher = createSiteFetcher(config, {
    resolve: async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    },
  });
});
afterAll(() => site.close());

describe('when a page fails in a known way, then the scrape fails with its taxonomy type', () => {
  it.each<[FixtureFault | 'unresolvable', ScrapeErrorType, boolean]>([
    ['not-found', ScrapeErrorType.HTTP_NOT_FOUND, false],
    ['gone', ScrapeErrorType.HTTP_GONE, false],
    ['forbidden', ScrapeErrorType.HTTP_CLIENT_ERROR, false],
    ['redirect-loop', ScrapeErrorType.HTTP_CLIENT_ERROR, false],
    ['server-error-always', ScrapeErrorType.HTTP_SERVER_ERROR, true],
    ['rate-limited-always', ScrapeErrorType.RATE_LIMITED, true],
    ['slow', ScrapeErrorType.TIMEOUT, true],
    ['slow-drip', ScrapeErrorType.TIMEOUT, true],
    ['unresolvable', ScrapeErrorType.DNS_FAILURE, true],
    ['reset', ScrapeErrorType.CONNECTION_FAILED, true],
    ['huge', ScrapeErrorType.TOO_LARGE, false],
    ['gzip-bomb', ScrapeErrorType.TOO_LARGE, false],
    ['not-html', ScrapeErrorType.NOT_HTML, false],
    ['redirect-private', ScrapeErrorType.BLOCKED_URL, false],
    ['robots-disallowed', ScrapeErrorType.ROBOTS_DISALLOWED, false],
    ['no-krithi', ScrapeErrorType.NO_KRITHI_FOUND, false],
  ])('%s → %s (retryable %s)', async (fault, type, retryable) => {
    const url = fault === 'unresolvable' ? 'https://unresolvable.test/x.html' : fault === 'robots-disallowed' ? disallowed : page(fault);
    const err = await scrape(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScrapeError);
    expect((err as ScrapeError).type).toBe(type);
    expect((err as ScrapeError).retryable).toBe(retryable);
    expect(RETRYABLE_SCRAPE_ERRORS.includes(type)).toBe(retryable);
    const failure = toApplicationFailure(err) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(!retryable);
    if (type === ScrapeErrorType.RATE_LIMITED) expect(failure.nextRetryDelay).toBe(2000);
    covered.add(type);
  });

  it('then every type of the taxonomy was produced above', () => {
    expect([...covered].sort()).toEqual(Object.values(ScrapeErrorType).sort());
  });
});

describe('when a disallowed page is asked for', () => {
  it('then robots.txt is fetched but the page is not', async () => {
    const url = page('robots-disallowed', 'syamakrishnavaibhavam.blogspot.com');
    const path = new URL(url).pathname;
    const fresh = createSiteFetcher(parseConfig({ FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)), PAGE_CACHE: 'off' }));
    const before = site.requests('all').length;
    await expect(fresh(url)).rejects.toMatchObject({ type: ScrapeErrorType.ROBOTS_DISALLOWED });
    const seen = site.requests('all').slice(before);
    expect(seen.map((r) => [r.kind, r.path])).toEqual([['robots', '/robots.txt']]);
    expect(seen.some((r) => r.path === path)).toBe(false);
  });
});

describe('when a page needs work to read but is fine', () => {
  it('then a redirect chain within the limit is followed, each hop logged as a redirect', async () => {
    const url = page('redirect-chain');
    const before = site.requests('all').length;
    const p = await fetcher(url);
    expect(p.finalUrl).toBe(`${url}?hop=3`);
    expect(extractKrithi(p.html, p.finalUrl).ragas).toEqual(['tODi']);
    expect(site.requests('all').slice(before).filter((r) => r.kind === 'redirect')).toHaveLength(3);
  });

  it('then a windows-1252 page declared only in <meta> decodes correctly', async () => {
    const url = page('windows-1252', 'thyagaraja-vaibhavam.blogspot.com');
    const p = await fetcher(url);
    expect(p.html).toContain('‘SrI rAma’ – rAga tODi');
    expect(extractKrithi(p.html, p.finalUrl).ragas).toEqual(['tODi']);
  });
});
