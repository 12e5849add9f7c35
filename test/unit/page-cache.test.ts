import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { DEFAULT_FETCH_POLICY, createFetcher } from '../../src/scraping/fetcher';
import { withPageCache, type CachedPage, type PageCacheStore } from '../../src/scraping/page-cache';
import { createSiteFetcher } from '../../src/scraping/site-fetcher';

const HOST = 'thyagaraja-vaibhavam.blogspot.com';
let site: FixtureSite;
let i = 0;

function memoryStore(): PageCacheStore & { rows: Map<string, CachedPage> } {
  const rows = new Map<string, CachedPage>();
  return {
    rows,
    get: async (url) => rows.get(url),
    put: async (p) => void rows.set(p.url, p),
    extend: async (url, expiresAt) => {
      const r = rows.get(url);
      if (r) rows.set(url, { ...r, expiresAt });
    },
  };
}

function newPage(): string {
  const url = `https://${HOST}/2009/0${(i % 9) + 1}/cached-${i++}.html`;
  site.addRows([{ url, title: 'nagumOmu', raga: 'AbhEri' }]);
  return url;
}
const pageHits = (url: string) => site.requests('page').filter((r) => r.path === new URL(url).pathname);

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false });
});
afterAll(() => site.close());

const raw = () => createFetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 't', allowedHosts: [HOST], hostOverrides: site.hostOverrides([HOST]) });

describe('withPageCache', () => {
  it('when a page is fetched twice within the TTL, then the second makes no request', async () => {
    const url = newPage();
    const fetcher = withPageCache(raw(), memoryStore(), { ttlMs: 60_000 });
    const first = await fetcher(url);
    const second = await fetcher(url);
    expect(first.fromCache).toBeUndefined();
    expect(second).toMatchObject({ fromCache: true, html: first.html, finalUrl: url, fetchedAt: first.fetchedAt });
    expect(pageHits(url)).toHaveLength(1);
  });

  it('when the copy has expired, then it is revalidated with its ETag and a 304 keeps it', async () => {
    const url = newPage();
    let t = 0;
    const store = memoryStore();
    const fetcher = withPageCache(raw(), store, { ttlMs: 1000, now: () => t });
    const first = await fetcher(url);
    expect(first.etag).toMatch(/^".+"$/);
    t = 5000;
    const again = await fetcher(url);
    expect(again.html).toBe(first.html);
    expect(pageHits(url).map((r) => r.status)).toEqual([200, 304]);
    expect(store.rows.get(url)?.expiresAt).toBe(6000);
  });

  it('when the fetch fails, then nothing is stored and the next attempt goes to the site', async () => {
    const url = newPage();
    site.setFault(url, 'server-error-once');
    const store = memoryStore();
    const fetcher = withPageCache(raw(), store, { ttlMs: 60_000 });
    await expect(fetcher(url)).rejects.toMatchObject({ type: 'HTTP_SERVER_ERROR' });
    expect(store.rows.size).toBe(0);
    await fetcher(url);
    expect(pageHits(url).map((r) => r.status)).toEqual([500, 200]);
  });

  it('when PAGE_CACHE=off, then the site fetcher fetches every time even with a store', async () => {
    const url = newPage();
    const config = parseConfig({ FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides([HOST])), PAGE_CACHE: 'off' });
    const fetcher = createSiteFetcher(config, { pageCache: memoryStore() });
    await fetcher(url);
    await fetcher(url);
    expect(pageHits(url)).toHaveLength(2);
  });
});
