/**
 * The PostgreSQL page cache behind the scrape activity: a page scraped once is not fetched again
 * by a later batch (or a retried row) while its copy is fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPageCacheStore } from '../../src/db/page-cache';
import { createHarness, manifest, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ window: 10, pageCache: true });
});
afterAll(async () => {
  await h?.close();
});

const settled = (rows: Awaited<ReturnType<Harness['rows']>>) => rows.every((r) => !['QUEUED', 'SCRAPING', 'RESOLVING', 'PERSISTING'].includes(r.status));

describe('createPageCacheStore', () => {
  it('when a page is put, read, extended and replaced, then the row reflects each step', async () => {
    const store = createPageCacheStore(h.sql);
    const url = `https://guru-guha.blogspot.com/store-${Date.now()}.html`;
    expect(await store.get(url)).toBeUndefined();
    const page = {
      url,
      finalUrl: url,
      status: 200,
      contentType: 'text/html',
      html: '<p>pallavi</p>',
      etag: '"abc"',
      lastModified: null,
      fetchedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: Date.parse('2026-01-02T00:00:00Z'),
    };
    await store.put(page);
    expect(await store.get(url)).toEqual(page);
    await store.extend(url, Date.parse('2026-01-03T00:00:00Z'));
    expect((await store.get(url))?.expiresAt).toBe(Date.parse('2026-01-03T00:00:00Z'));
    await store.put({ ...page, html: '<p>anupallavi</p>', etag: null });
    expect(await store.get(url)).toMatchObject({ html: '<p>anupallavi</p>', etag: null });
  });
});

describe('when a second batch scrapes a page the first one scraped', () => {
  it('then the second scrape makes no request and its row records the cached copy', async () => {
    // Same URLs, different file (the raga column differs), so two batches.
    const first = await h.submit(manifest(3, { tag: 'cache1', raga: 'tODi' }));
    await h.waitFor(async () => settled(await h.rows(first.batchId)), 'first batch settled');
    const second = await h.submit(manifest(3, { tag: 'cache1', raga: 'kalyANi' }));
    expect(second.batchId).not.toBe(first.batchId);
    await h.waitFor(async () => settled(await h.rows(second.batchId)), 'second batch settled');

    const gets = h.site.requests('page').filter((r) => r.path.includes('cache1'));
    expect(gets).toHaveLength(3);
    const rows = await h.sql`
      SELECT batch_id, scraped->>'fromCache' AS from_cache, scraped->>'fetchedAt' AS fetched_at, normalized_url
      FROM import_rows WHERE batch_id IN (${first.batchId}, ${second.batchId}) AND kind = 'record' ORDER BY batch_id, line`;
    const byBatch = (id: string) => rows.filter((r) => r.batch_id === id);
    expect(byBatch(first.batchId).map((r) => r.from_cache)).toEqual(['false', 'false', 'false']);
    expect(byBatch(second.batchId).map((r) => r.from_cache)).toEqual(['true', 'true', 'true']);
    expect(byBatch(second.batchId).map((r) => r.fetched_at)).toEqual(byBatch(first.batchId).map((r) => r.fetched_at));
    const [c] = await h.sql`SELECT count(*)::int AS n FROM page_cache WHERE url = ANY(${rows.map((r) => r.normalized_url as string)}::text[])`;
    expect(c!.n).toBe(3);
  });
});
