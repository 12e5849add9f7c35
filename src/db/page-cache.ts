/** The page_cache table (migration 002): one stored copy of each fetched page. */
import type { Sql } from './client';
import type { CachedPage, PageCacheStore } from '../scraping/page-cache';

export function createPageCacheStore(sql: Sql): PageCacheStore {
  return {
    async get(url) {
      const [r] = await sql`
        SELECT url, final_url, status, content_type, html, etag, last_modified, fetched_at, expires_at
        FROM page_cache WHERE url = ${url}`;
      if (!r) return undefined;
      return {
        url: r.url as string,
        finalUrl: r.final_url as string,
        status: r.status as number,
        contentType: r.content_type as string,
        html: r.html as string,
        etag: (r.etag as string | null) ?? null,
        lastModified: (r.last_modified as string | null) ?? null,
        fetchedAt: (r.fetched_at as Date).toISOString(),
        expiresAt: (r.expires_at as Date).getTime(),
      };
    },
    async put(p) {
      await sql`
        INSERT INTO page_cache (url, final_url, status, content_type, html, etag, last_modified, fetched_at, expires_at)
        VALUES (${p.url}, ${p.finalUrl}, ${p.status}, ${p.contentType}, ${p.html}, ${p.etag}, ${p.lastModified},
                ${new Date(p.fetchedAt)}, ${new Date(p.expiresAt)})
        ON CONFLICT (url) DO UPDATE SET
          final_url = EXCLUDED.final_url, status = EXCLUDED.status, content_type = EXCLUDED.content_type,
          html = EXCLUDED.html, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
          fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at`;
    },
    async extend(url, expiresAt) {
      await sql`UPDATE page_cache SET expires_at = ${new Date(expiresAt)} WHERE url = ${url}`;
    },
  };
}
