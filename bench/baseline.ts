/**
 * The seed note's feed-forward pattern as a baseline: a bounded in-process queue and `window`
 * workers running the SAME scrape, resolve and persist activity code (through
 * MockActivityEnvironment, which gives them an activity context), with an in-process per-site rate
 * limit — and no Temporal. The ratio to it is the price of durability.
 */
import { readFileSync } from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Config } from '../src/config';
import type { Sql } from '../src/db/client';
import { createMainActivities, createScrapeActivities } from '../src/activities/index';
import { createReferenceCache } from '../src/activities/reference-cache';
import type { FixtureSite } from '../src/fixture-site/server';
import { parseManifestAll } from '../src/manifest/parse';
import { createFetcher } from '../src/scraping/fetcher';
import { createBatchService } from '../src/services/batches';
import { batchSettingsFrom } from '../src/services/settings';

export interface BaselineInput {
  sql: Sql;
  config: Config;
  files: string[];
  rate: number | undefined;
  window: number;
  site: FixtureSite;
}

export async function runBaseline(input: BaselineInput): Promise<{ rows: number; seconds: number }> {
  const { sql, config } = input;
  // The same rows under distinct URLs, so every persist is an insert as in the measured run.
  const rows: { rowId: string; site: string }[] = [];
  const service = createBatchService({ sql, client: null as never });
  for (const file of input.files) {
    const text = readFileSync(file, 'utf8').replace(/(https?:\/\/[^,\r\n]+)/g, '$1?baseline=1');
    const { entries } = await parseManifestAll(text);
    input.site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
    const res = await service.submit({
      source: text,
      createdBy: 'baseline',
      maxBytes: 1 << 30,
      settings: batchSettingsFrom(config),
      start: false,
    });
    const ids = await sql`SELECT id::text, site FROM import_rows WHERE batch_id = ${res.batchId} AND kind = 'record' ORDER BY line`;
    rows.push(...ids.map((r) => ({ rowId: r.id as string, site: r.site as string })));
  }
  const fetcher = createFetcher({
    ...config.fetch,
    allowedHosts: config.sites.hosts,
    hostOverrides: config.fetch.hostOverrides,
  });
  const reference = createReferenceCache(sql);
  const main = createMainActivities({ sql, client: () => null as never, reference, fetcher });
  const scrape = createScrapeActivities({ sql, fetcher });
  const env = new MockActivityEnvironment();

  // Per-site spacing: one request every 1/rate seconds, like the server's queue limit.
  const nextSlot = new Map<string, number>();
  const acquire = async (site: string) => {
    if (!input.rate) return;
    const now = Date.now();
    const at = Math.max(now, nextSlot.get(site) ?? 0);
    nextSlot.set(site, at + 1000 / input.rate);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };

  const queue = [...rows];
  const t0 = Date.now();
  const workerLoop = async () => {
    for (;;) {
      const row = queue.shift();
      if (!row) return;
      try {
        await env.run(main.setRowStatus, { rowId: row.rowId, to: 'SCRAPING' as const });
        await acquire(row.site);
        await env.run(scrape.scrapePage, { rowId: row.rowId, attempt: 1 });
        await env.run(main.setRowStatus, { rowId: row.rowId, to: 'RESOLVING' as const });
        const r = (await env.run(main.resolveRow, { rowId: row.rowId })) as Awaited<ReturnType<typeof main.resolveRow>>;
        if (!r.autoApprove && !r.decidable) {
          await env.run(main.setRowStatus, { rowId: row.rowId, to: 'REJECTED' as const });
          continue;
        }
        await env.run(main.setRowStatus, {
          rowId: row.rowId,
          to: 'PERSISTING' as const,
          ...(r.autoApprove ? {} : { decision: { decision: 'approve' as const, reviewer: 'auto-policy' } }),
        });
        await env.run(main.persistKrithi, { rowId: row.rowId, attempt: 1 });
      } catch (err) {
        await env.run(main.setRowStatus, { rowId: row.rowId, to: 'FAILED' as const, errorMessage: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: input.window }, workerLoop));
  return { rows: rows.length, seconds: (Date.now() - t0) / 1000 };
}
