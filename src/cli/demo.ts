/**
 * `npm run demo [-- --temporal dev|postgres|cluster]`: the whole system on one machine, offline.
 * Starts (or reuses) a Temporal engine — the dev server with the Web UI (default), one real server
 * node on PostgreSQL, or a two-node cluster (src/temporal/engine.ts) — prepares PostgreSQL, serves the manifest's pages from the fixture site,
 * runs the workers in this process, submits the manifest and follows it until every row is
 * terminal or awaiting review. The last line of stdout is the JSON summary, which names the
 * backend it ran on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { batchCounts, getBatch } from '../db/batches';
import { startFixtureSite } from '../fixture-site/server';
import { parseManifestAll } from '../manifest/parse';
import { createBatchService } from '../services/batches';
import { batchSettingsFrom } from '../services/settings';
import { connectTemporal, prepareDatabase } from '../stack';
import { parseTemporalMode } from '../temporal/engine';
import { startObservedWorkers } from '../worker';
import { info, out } from './output';

const DEFAULT_MANIFEST = fileURLToPath(new URL('../../data/manifests/Musical-Trinity-Krithi-Test-60.csv', import.meta.url));

export async function runDemo(baseConfig: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { keep: { type: 'boolean', default: false }, temporal: { type: 'string', default: 'dev' } },
  });
  const mode = parseTemporalMode(values.temporal);
  const manifestPath = positionals[0] ?? DEFAULT_MANIFEST;
  const bytes = readFileSync(manifestPath);
  const t0 = Date.now();

  // The fixture site stands in for the three blogs: no request leaves this machine.
  const site = await startFixtureSite({ port: 0 });
  const { entries } = await parseManifestAll(bytes, { maxBytes: baseConfig.manifestMaxBytes });
  site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  const config: Config = {
    ...baseConfig,
    // Demo pace: faster than the production 1 request/second per site, still a real server-side limit.
    sites: { ...baseConfig.sites, ratePerSecond: Math.max(baseConfig.sites.ratePerSecond, 20) },
    scrape: { ...baseConfig.scrape, initialRetryMs: Math.min(baseConfig.scrape.initialRetryMs, 500) },
    fetch: { ...baseConfig.fetch, hostOverrides: { ...site.hostOverrides(baseConfig.sites.hosts), ...baseConfig.fetch.hostOverrides } },
  };

  info('preparing PostgreSQL…');
  const sql = await prepareDatabase(config.databaseUrl, { max: 20 });
  info(`starting Temporal (${mode})…`);
  const temporal = await connectTemporal(config, { startServer: true, mode });
  if (temporal.engine) info(`Temporal ${mode}: ${temporal.backend.persistence} persistence, frontends ${temporal.engine.frontends.join(', ')}`);
  const { workers, obs } = await startObservedWorkers('demo', { config, address: temporal.address, sql });
  if (obs.server) info(`metrics: curl ${obs.server.url}`);
  const running = workers.run();

  const stop = async () => {
    workers.shutdown();
    await running.catch(() => {});
    await obs.close();
    await temporal.close();
    await site.close();
    await sql.end({ timeout: 5 });
  };

  try {
    const batches = createBatchService({ sql, client: temporal.client });
    const submitted = await batches.submit({
      source: bytes,
      name: manifestPath.split('/').pop(),
      createdBy: 'demo',
      maxBytes: config.manifestMaxBytes,
      settings: batchSettingsFrom(config),
    });
    const { batchId } = submitted;
    info(
      `${submitted.existing ? 'resuming existing' : 'submitted'} batch ${batchId}: ${submitted.acceptedRows} rows, ` +
        `${submitted.invalidRows.length} invalid, ${submitted.duplicates.length} duplicates`,
    );
    if (temporal.uiUrl)
      info(`Web UI: ${temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=BatchId%3D%22${batchId}%22`);

    let last = '';
    for (;;) {
      const c = await batchCounts(sql, batchId);
      const s = c.byStatus;
      const line = `imported ${s.IMPORTED} · review ${s.PENDING_REVIEW} · failed ${s.FAILED} · rejected ${s.REJECTED} · in progress ${c.startable}`;
      if (line !== last) info(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
      last = line;
      if (c.startable === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const batch = await getBatch(sql, batchId);
    const c = (await batchCounts(sql, batchId)).byStatus;
    const summary = {
      batchId,
      total: batch!.totalRecords,
      imported: c.IMPORTED,
      awaitingReview: c.PENDING_REVIEW,
      rejected: c.REJECTED,
      failed: c.FAILED,
      invalidRows: batch!.invalidRows,
      duplicates: batch!.duplicateRows,
      ...(c.CANCELLED ? { cancelled: c.CANCELLED } : {}),
      // Which engine carried it: the mode this run started (or "external" for one it found
      // running), the store the server reports, and how many frontends it started.
      temporal: temporal.backend.mode ?? 'external',
      temporalStore: temporal.backend.persistence,
      temporalFrontends: temporal.backend.frontends.length,
    };
    info(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (summary.awaitingReview > 0)
      info(
        `${summary.awaitingReview} rows await review: npm run demo -- --keep, then in another terminal\n` +
          `  npx krithi-import review list --batch ${batchId}\n  npx krithi-import review approve <rowId> [--raga ID]`,
      );
    out(summary);
    if (values.keep) {
      info('stack kept running (Ctrl-C to stop)');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } finally {
    await stop();
  }
}
