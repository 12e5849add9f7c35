/**
 * The scrape activity runs on its site's own task queue, whose server-side rate limit is the
 * politeness limit. It fetches, extracts and stores the page's data on the row; only a small
 * summary travels back through the workflow history.
 */
import { Context } from '@temporalio/activity';
import type { Sql } from '../db/client';
import { extractKrithi } from '../scraping/extract';
import type { Fetcher } from '../scraping/fetcher';
import { toApplicationFailure } from './failures';

export interface ScrapeInput {
  rowId: string;
  attempt: number;
}

export interface ScrapeSummary {
  title: string | null;
  ragas: number;
  sections: number;
  tala: boolean;
}

export interface ScrapeDeps {
  sql: Sql;
  fetcher: Fetcher;
}

export function createScrapeActivities({ sql, fetcher }: ScrapeDeps) {
  return {
    async scrapePage({ rowId }: ScrapeInput): Promise<ScrapeSummary> {
      const [row] = await sql`SELECT url, normalized_url FROM import_rows WHERE id = ${rowId}`;
      if (!row) throw new Error(`row ${rowId} not found`);
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      // Heartbeat while the request is in flight so a worker that died mid-fetch is noticed within
      // the heartbeat timeout, not after the whole start-to-close timeout.
      const beat = setInterval(() => ctx.heartbeat(), 2_000);
      try {
        const page = await fetcher(row.normalized_url as string, { signal });
        const extraction = extractKrithi(page.html, page.finalUrl);
        const scraped = { ...extraction, fetchedAt: page.fetchedAt, finalUrl: page.finalUrl, httpStatus: page.status, fromCache: page.fromCache ?? false };
        await sql`UPDATE import_rows SET scraped = ${sql.json(scraped as never)}, updated_at = now() WHERE id = ${rowId}`;
        return {
          title: extraction.title,
          ragas: extraction.ragas.length,
          sections: extraction.sections.length,
          tala: extraction.tala !== null,
        };
      } catch (err) {
        throw toApplicationFailure(err);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
