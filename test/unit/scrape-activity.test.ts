/**
 * The scrape activity in MockActivityEnvironment, with the real site fetcher against the fixture
 * site: it heartbeats while a request is in flight (so a dead worker or a cancellation is noticed
 * within the heartbeat timeout), a cancellation aborts the request at once, and failures reach the
 * workflow as the Temporal failure the taxonomy says (activities/failures.ts). Only the two
 * statements it sends to PostgreSQL are stood in for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { createScrapeActivities } from '../../src/activities/scrape';
import { parseConfig } from '../../src/config';
import type { Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureFault, type FixtureSite } from '../../src/fixture-site/server';
import { ScrapeErrorType } from '../../src/scraping/errors';
import { createSiteFetcher } from '../../src/scraping/site-fetcher';

const HOST = 'guru-guha.blogspot.com';
let site: FixtureSite;
let n = 0;

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false, slowMs: 20_000, dripMs: 20_000 });
});
afterAll(() => site.close());
afterEach(() => {
  vi.useRealTimers();
});

/** A row whose page has `fault`, the statements the activity sent, and the activity itself. */
function scrapeOf(fault: FixtureFault, opts: { failSelect?: Error } = {}) {
  const url = `https://${HOST}/2013/05/activity-${fault}-${n++}.html`;
  site.addRows([{ url, title: 'SrI nAthAdi guruguhO', raga: 'mAyAmALavagauLa' }]);
  site.setFault(url, fault);
  const statements: { text: string; values: unknown[] }[] = [];
  const sql = Object.assign(
    async (strings: TemplateStringsArray, ...values: unknown[]) => {
      const text = strings.join('?');
      statements.push({ text, values });
      if (/^\s*SELECT url, normalized_url, site FROM import_rows/.test(text)) {
        if (opts.failSelect) throw opts.failSelect;
        return [{ url, normalized_url: url, site: HOST }];
      }
      return [];
    },
    { json: (v: unknown) => ({ json: v }) },
  ) as unknown as Sql;
  const config = parseConfig({
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides([HOST])),
    FETCH_HEADERS_TIMEOUT_MS: '60000',
    FETCH_BODY_TIMEOUT_MS: '60000',
    PAGE_CACHE: 'off',
  });
  const { scrapePage } = createScrapeActivities({ sql, fetcher: createSiteFetcher(config) });
  return { url, statements, scrapePage };
}

describe('when a page takes long to answer', () => {
  it('then the scrape heartbeats every 2 s while the request is in flight, and stops once the activity ends', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const { scrapePage } = scrapeOf('slow');
    const done = env.run(scrapePage, { rowId: '1', attempt: 1 });
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
    vi.advanceTimersByTime(2_000);
    vi.advanceTimersByTime(2_000);
    expect(beats).toHaveLength(2);
    env.cancel();
    await done.catch(() => undefined);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('when the scrape is cancelled while its request is in flight', () => {
  it('then the request is aborted at once (the body would take 20 s) and the activity ends cancelled, not failed with a scrape error type', async () => {
    const env = new MockActivityEnvironment();
    // Headers at once (the site logs the request), then a byte every 100 ms for 20 s.
    const { url, scrapePage } = scrapeOf('slow-drip');
    const done = env.run(scrapePage, { rowId: '1', attempt: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const path = new URL(url).pathname;
    await vi.waitFor(() => expect(site.requests('page').some((r) => r.path === path)).toBe(true), { timeout: 3_000 });
    env.cancel();
    const err = await done;
    // The cancellation itself, not an ApplicationFailure: the worker reports the attempt
    // cancelled, and the row does not end FAILED with a scrape error type.
    expect(err).toBeInstanceOf(CancelledFailure);
  });
});

describe('when the scrape fails', () => {
  it('then a permanent page error becomes a non-retryable ApplicationFailure with its type, status and URL', async () => {
    const env = new MockActivityEnvironment();
    const { url, scrapePage, statements } = scrapeOf('not-found');
    const err = await env.run(scrapePage, { rowId: '7', attempt: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ScrapeErrorType.HTTP_NOT_FOUND, nonRetryable: true, details: [{ status: 404, url }] });
    // Nothing was stored for the row.
    expect(statements.filter((s) => /UPDATE import_rows/.test(s.text))).toHaveLength(0);
  });

  it("then a 429 becomes a retryable ApplicationFailure whose next retry waits the server's Retry-After", async () => {
    const env = new MockActivityEnvironment();
    const { scrapePage } = scrapeOf('rate-limited-always');
    const err = await env.run(scrapePage, { rowId: '8', attempt: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ScrapeErrorType.RATE_LIMITED, nonRetryable: false, nextRetryDelay: 2000 });
  });

  it('then an error that is not a scrape error (the database) passes through unchanged, so Temporal retries it', async () => {
    const env = new MockActivityEnvironment();
    const outage = new Error('connection terminated unexpectedly');
    const { scrapePage } = scrapeOf('none', { failSelect: outage });
    await expect(env.run(scrapePage, { rowId: '9', attempt: 1 })).rejects.toBe(outage);
  });

  it('then a page that works is stored on the row and summarised', async () => {
    const env = new MockActivityEnvironment();
    const { scrapePage, statements } = scrapeOf('none');
    const summary = (await env.run(scrapePage, { rowId: '10', attempt: 1 })) as Awaited<ReturnType<typeof scrapePage>>;
    expect(summary.title).toBeTruthy();
    expect(summary.ragas).toBeGreaterThan(0);
    const update = statements.find((s) => /UPDATE import_rows SET scraped/.test(s.text));
    expect(update?.values.at(-1)).toBe('10');
  });
});
