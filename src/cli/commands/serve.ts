/**
 * `npm start` (`krithi-import serve`): the service for real use, in the foreground — workers and
 * the HTTP API in one process. It starts a Temporal dev server only when TEMPORAL_ADDRESS is unset
 * or with --dev; a configured server that does not answer is waited for (never swapped for a
 * throwaway one). Without API_TOKENS it refuses to start, except with --dev, which makes one admin
 * token and prints it once. Ctrl-C / SIGTERM stop the listener, drain the workers, and exit.
 * --api-only runs the HTTP API without workers, for deployments that scale the two apart (and for
 * the benchmark, which measures the API's memory on its own).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApiToken, Config } from '../../config';
import type { FixtureSite } from '../../fixture-site/server';
import type { TemporalHandle } from '../../stack';
import { defineCommand } from '../command';
import { info } from '../output';

const MANIFEST_DIR = fileURLToPath(new URL('../../../data/manifests/', import.meta.url));

export const serveCommand = defineCommand({
  name: 'serve',
  aliases: ['start'],
  summary: 'worker + HTTP API + review page in the foreground (npm start)',
  details: 'Without API_TOKENS it refuses to start, except with --dev.',
  options: {
    dev: { type: 'boolean', help: 'use the local Temporal dev server and make a one-time admin token' },
    // Offline demonstrations: the blogs' pages come from the local fixture site.
    'fixture-site': { type: 'boolean', help: "serve the source sites' pages from the offline fixture site" },
    'api-only': { type: 'boolean', help: 'the API without a worker (to scale the two apart)' },
    // The engine serve starts when TEMPORAL_ADDRESS is unset or with --dev (src/temporal/engine.ts).
    temporal: { type: 'string', help: 'the engine started when TEMPORAL_ADDRESS is unset: dev (default), postgres or cluster' },
  },
  run: ({ config, values }) => runServe(config, values),
});

async function runServe(
  baseConfig: Config,
  values: { dev?: boolean; 'fixture-site'?: boolean; 'api-only'?: boolean; temporal?: string },
): Promise<number> {
  const { parseTemporalMode } = await import('../../temporal/engine');
  const mode = parseTemporalMode(values.temporal ?? 'dev');
  const { serve } = await import('@hono/node-server');
  const { createApp } = await import('../../api/app');
  const { writeFixtureMarker } = await import('../../fixture-site/marker');
  const { startFixtureSite } = await import('../../fixture-site/server');
  const { parseManifestAll } = await import('../../manifest/parse');
  const { createServices } = await import('../../services');
  const { batchSettingsFrom } = await import('../../services/settings');
  const { connectTemporal, prepareDatabase } = await import('../../stack');
  const { startProcessObservability } = await import('../../observability/process');
  const { startObservedWorkers } = await import('../../worker');
  const dev = values.dev ?? false;
  let tokens: ApiToken[] | null = baseConfig.api.tokens;
  if (!tokens) {
    if (!dev) {
      info('refusing to start: API_TOKENS is not set (a JSON array of {name, role, token}); use --dev for a local trial');
      return 2;
    }
    const token = randomBytes(24).toString('base64url');
    tokens = [{ name: 'dev-admin', role: 'admin', sha256: createHash('sha256').update(token).digest('hex') }];
    info(`--dev: generated an admin token for this run (shown once):\n\n  ${token}\n`);
  }

  let site: FixtureSite | null = null;
  let config: Config = dev ? { ...baseConfig, temporal: { ...baseConfig.temporal, address: undefined } } : baseConfig;
  if (values['fixture-site']) {
    site = await startFixtureSite({ port: 0 });
    for (const file of readdirSync(MANIFEST_DIR).filter((f) => f.endsWith('.csv'))) {
      const { entries } = await parseManifestAll(readFileSync(`${MANIFEST_DIR}${file}`), { maxBytes: config.manifestMaxBytes });
      site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
    }
    config = {
      ...config,
      sites: { ...config.sites, ratePerSecond: Math.max(config.sites.ratePerSecond, 20) },
      fetch: { ...config.fetch, hostOverrides: { ...site.hostOverrides(config.sites.hosts), ...config.fetch.hostOverrides } },
    };
    info(`the offline fixture site stands in for ${config.sites.hosts.join(', ')}`);
  }

  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      info('stopping…');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  info('preparing PostgreSQL…');
  const sql = await prepareDatabase(config.databaseUrl, { max: 20 });
  let temporal: TemporalHandle | null = null;
  while (!temporal && !stopping) {
    try {
      temporal = await connectTemporal(config, { startServer: !config.temporal.address, mode });
    } catch (err) {
      if (!config.temporal.address) throw err;
      info(`Temporal at ${config.temporal.address} is unreachable (${(err as Error).message.split('\n')[0]}); retrying in 5 s (Ctrl-C to stop)`);
      await Promise.race([new Promise((r) => setTimeout(r, 5000)), stopped]);
    }
  }
  if (!temporal) {
    await sql.end({ timeout: 5 });
    await site?.close();
    return 0;
  }

  const apiOnly = values['api-only'] ?? false;
  const { workers, obs } = apiOnly
    ? { workers: null, obs: await startProcessObservability(config, sql, { command: 'serve' }) }
    : await startObservedWorkers('serve', { config, address: temporal.address, sql });
  const running = workers?.run();
  const removeMarker =
    site && workers ? writeFixtureMarker(config.stateDir, { temporalAddress: temporal.address, baseUrl: site.baseUrl, command: 'serve' }) : () => {};
  const services = createServices({ sql, client: temporal.client, reviewDeadlineHours: config.review.deadlineHours });
  const app = createApp({
    observe: { metrics: obs.metrics, logger: obs.logger },
    services,
    tokens,
    settings: batchSettingsFrom(config),
    manifestMaxBytes: config.manifestMaxBytes,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    temporalUiUrl: temporal.uiUrl,
    temporalNamespace: config.temporal.namespace,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.api.port, hostname: config.api.host }, () => resolve(s));
    s.once('error', reject);
  });
  const base = `http://${config.api.host}:${config.api.port}`;
  info(
    [
      apiOnly
        ? `krithi-import is serving the API only (no worker; Temporal ${temporal.address})`
        : `krithi-import is serving (worker on ${config.taskQueuePrefix}-*, Temporal ${temporal.address})`,
      `  API          ${base}/v1`,
      `  API docs     ${base}/docs  (${base}/openapi.json)`,
      `  review page  ${base}/review`,
      `  health       ${base}/healthz`,
      `  Temporal     ${temporal.backend.mode ?? 'external'} on ${temporal.backend.persistence}` +
        (temporal.backend.frontends.length > 1 ? ` (frontends ${temporal.backend.frontends.join(', ')})` : ''),
      ...(temporal.uiUrl ? [`  Temporal UI  ${temporal.uiUrl}`] : []),
      ...(obs.server ? [`  metrics      ${obs.server.url}`] : []),
      'Ctrl-C to stop',
    ].join('\n'),
  );

  await stopped;
  removeMarker();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  workers?.shutdown();
  await running?.catch(() => {});
  await obs.close();
  await temporal.close();
  await sql.end({ timeout: 5 });
  await site?.close();
  info('stopped');
  return 0;
}
