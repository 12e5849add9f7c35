/**
 * `npm start` (`krithi-import serve`): the service for real use, in the foreground — workers and
 * the HTTP API in one process. It starts a Temporal engine (`--temporal dev|postgres|cluster`,
 * default dev) only when TEMPORAL_ADDRESS is unset or with --dev; a configured server that does not answer is waited for (never swapped for a
 * throwaway one). Without API_TOKENS it refuses to start, except with --dev, which makes one admin
 * token and prints it once. Ctrl-C / SIGTERM stop the listener, drain the workers, and exit.
 * --api-only runs the HTTP API without workers, for deployments that scale the two apart (and for
 * the benchmark, which measures the API's memory on its own).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app';
import type { ApiToken, Config } from '../config';
import { startFixtureSite, type FixtureSite } from '../fixture-site/server';
import { parseManifestAll } from '../manifest/parse';
import { createServices } from '../services';
import { batchSettingsFrom } from '../services/settings';
import { connectTemporal, prepareDatabase, type TemporalHandle } from '../stack';
import { parseTemporalMode } from '../temporal/engine';
import { startProcessObservability } from '../observability/process';
import { startObservedWorkers } from '../worker';
import { info } from './output';

const MANIFEST_DIR = fileURLToPath(new URL('../../data/manifests/', import.meta.url));

export async function runServe(baseConfig: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dev: { type: 'boolean', default: false },
      // Offline demonstrations: the blogs' pages come from the local fixture site.
      'fixture-site': { type: 'boolean', default: false },
      'api-only': { type: 'boolean', default: false },
      // The engine serve starts when TEMPORAL_ADDRESS is unset or with --dev (src/temporal/engine.ts).
      temporal: { type: 'string', default: 'dev' },
    },
  });
  const mode = parseTemporalMode(values.temporal);
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
  const services = createServices({ sql, client: temporal.client, reviewDeadlineHours: config.review.deadlineHours });
  const app = createApp({
    observe: { metrics: obs.metrics, logger: obs.logger },
    services,
    tokens,
    settings: batchSettingsFrom(config),
    manifestMaxBytes: config.manifestMaxBytes,
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    temporalUiUrl: temporal.uiUrl,
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
