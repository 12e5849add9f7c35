/**
 * The page cache in front of the fetcher: a fresh copy is served without a request; a stale one is
 * revalidated (If-None-Match / If-Modified-Since) and a 304 only extends its life; anything else is
 * fetched and stored. Only successful HTML pages are stored, so failures are always retried live.
 */
import type { FetchedPage, Fetcher } from './fetcher';

export interface CachedPage {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string;
  html: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface PageCacheStore {
  get(url: string): Promise<CachedPage | undefined>;
  put(page: CachedPage): Promise<void>;
  extend(url: string, expiresAt: number): Promise<void>;
}

export interface PageCacheOptions {
  ttlMs: number;
  now?: () => number;
}

function fromCache(c: CachedPage): FetchedPage {
  return {
    url: c.url,
    finalUrl: c.finalUrl,
    status: c.status,
    contentType: c.contentType,
    html: c.html,
    fetchedAt: c.fetchedAt,
    etag: c.etag,
    lastModified: c.lastModified,
    fromCache: true,
  };
}

export function withPageCache(fetcher: Fetcher, store: PageCacheStore, { ttlMs, now = Date.now }: PageCacheOptions): Fetcher {
  return async (url, opts = {}) => {
    if (opts.purpose === 'robots') return fetcher(url, opts);
    const cached = await store.get(url);
    if (cached && cached.expiresAt > now()) return fromCache(cached);
    const validators = cached && (cached.etag || cached.lastModified) ? { etag: cached.etag, lastModified: cached.lastModified } : undefined;
    const page = await fetcher(url, { ...opts, ...(validators ? { validators } : {}) });
    if (page.notModified && cached) {
      await store.extend(url, now() + ttlMs);
      return fromCache(cached);
    }
    if (page.status === 200) {
      await store.put({
        url,
        finalUrl: page.finalUrl,
        status: page.status,
        contentType: page.contentType,
        html: page.html,
        etag: page.etag ?? null,
        lastModified: page.lastModified ?? null,
        fetchedAt: page.fetchedAt,
        expiresAt: now() + ttlMs,
      });
    }
    return page;
  };
}
