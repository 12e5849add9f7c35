/**
 * `npm run demo [-- --temporal dev|postgres|cluster]`: the whole system on one machine, offline. Starts (or reuses) a Temporal dev
 * server with the Web UI, prepares PostgreSQL, serves the manifest's pages from the fixture site,
 * runs the workers in this process, submits the manifest and follows it until every row is
 * terminal or awaiting review. The last line of stdout is the JSON summary.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config';
import { defineCommand } from '../command';
import { info, out } from '../output';

const DEFAULT_MANIFEST = fileURLToPath(new URL('../../../data/manifests/Musical-Trinity-Krithi-Test-60.csv', import.meta.url));

export const demoCommand = defineCommand({
  name: 'demo',
  args: '[manifest]',
  positionals: { min: 0, max: 1 },
  summary: 'import a manifest end to end against the offline fixture site (default: the 60-row test manifest)',
  details:
    'Starts (or reuses) a Temporal dev server with the Web UI, prepares PostgreSQL, runs the workers in this\n' +
    'process, submits the manifest and follows it. The last line of stdout is the JSON summary.',
  options: {
    keep: { type: 'boolean', help: 'leave the stack running after the summary (Ctrl-C stops it), to review the waiting rows' },
    temporal: { type: 'string', help: 'the engine: dev (default; the dev server with the Web UI), postgres (one server node on PostgreSQL), cluster (two nodes)' },
  },
  run: ({ config, values, positionals }) =>
    runDemo(config, { manifest: positionals[0], keep: values.keep ?? false, temporal: values.temporal as string | undefined }),
});

export async function runDemo(baseConfig: Config, values: { manifest?: string; keep: boolean; temporal?: string }): Promise<number> {
  const { parseTemporalMode } = await import('../../temporal/engine');
  const mode = parseTemporalMode(values.temporal ?? 'dev');
  const { batchCounts, getBatch } = await import('../../db/batches');
  const { writeFixtureMarker } = await import('../../fixture-site/marker');
  const { startFixtureSite } = await import('../../fixture-site/server');
  const { parseManifestAll } = await import('../../manifest/parse');
  const { createBatchService } = await import('../../services/batches');
  const { batchSettingsFrom } = await import('../../services/settings');
  const { connectTemporal, prepareDatabase } = await import('../../stack');
  const { startObservedWorkers } = await import('../../worker');
  const manifestPath = values.manifest ?? DEFAULT_MANIFEST;
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
  const removeMarker = writeFixtureMarker(config.stateDir, { temporalAddress: temporal.address, baseUrl: site.baseUrl, command: 'demo' });

  const stop = async () => {
    removeMarker();
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
          `  npx krithi-import review list --batch ${batchId}\n  npx krithi-import review approve ${batchId}:<line> [--raga ID]`,
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
