/**
 * The scrape activity runs on its site's own task queue, whose server-side rate limit is the
 * politeness limit. It fetches, extracts and stores the page's data on the row; only a small
 * summary travels back through the workflow history.
 */
import { Context } from '@temporalio/activity';
import type { Sql } from '../db/client';
import { extractKrithi } from '../scraping/extract';
import type { Fetcher } from '../scraping/fetcher';
import { ApplicationFailure } from '@temporalio/common';
import type { Metrics } from '../observability/metrics';
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
  /** Domain metrics of this worker process (absent: counted nowhere). */
  metrics?: Metrics;
}

export function createScrapeActivities({ sql, fetcher, metrics }: ScrapeDeps) {
  return {
    async scrapePage({ rowId }: ScrapeInput): Promise<ScrapeSummary> {
      const ctx = Context.current();
      // Scheduled → started is the time this attempt waited in the site queue: its rate limit.
      const waitedMs = Math.max(0, Date.now() - ctx.info.currentAttemptScheduledTimestampMs);
      const started = performance.now();
      let outcome = 'ok';
      const [row] = await sql`SELECT url, normalized_url, site FROM import_rows WHERE id = ${rowId}`;
      if (!row) throw new Error(`row ${rowId} not found`);
      const site = row.site as string;
      metrics?.scrapeWaitSeconds.observe({ site }, waitedMs / 1000);
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
        const failure = toApplicationFailure(err);
        outcome = failure instanceof ApplicationFailure ? (failure.type ?? 'ERROR') : signal.aborted ? 'CANCELLED' : 'ERROR';
        ctx.log.warn('scrape attempt failed', { rowId, site, outcome, message: (failure as Error).message });
        throw failure;
      } finally {
        clearInterval(beat);
        metrics?.scrapeAttempt(site, outcome, (performance.now() - started) / 1000);
      }
    },
  };
}
