/**
 * Worker processes: one worker on the main queue (workflows and database activities) and one per
 * source site on that site's scrape queue. On SIGINT/SIGTERM the SDK's runtime stops polling, lets
 * in-flight tasks finish within the grace time, and `run` resolves.
 */
import { Client, type Connection } from '@temporalio/client';
import {
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMainActivities, createScrapeActivities } from './activities/index';
import { createReferenceCache } from './activities/reference-cache';
import type { Config } from './config';
import { startProcessObservability, type ProcessObservability } from './observability/process';
import type { Sql } from './db/client';
import { createLogger, temporalLogger, type Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import type { Fetcher } from './scraping/fetcher';
import { createSiteFetcher } from './scraping/site-fetcher';
import { createHostPacer } from './scraping/host-pacer';
import { createQueueRateReader } from './temporal/queue-rates';
import { createPageCacheStore } from './db/page-cache';
import { taskQueues } from './temporal/task-queues';
import { ensureQueueRateLimit } from './temporal/namespace-setup';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

let bundlePromise: Promise<{ codePath: string }> | undefined;
/**
 * The workflow bundle: the one `npm run build` wrote (production: WORKFLOW_BUNDLE_PATH), or, in
 * development, one built by a child process and cached on disk by a hash of the sources (webpack in
 * the worker itself would keep ~110 MB of its memory for the worker's lifetime).
 */
export function workflowBundle(prebuiltPath?: string): Promise<{ codePath: string }> {
  if (prebuiltPath) return Promise.resolve({ codePath: prebuiltPath });
  bundlePromise ??= (async () => {
    const srcDir = fileURLToPath(new URL('./', import.meta.url));
    const cacheDir = fileURLToPath(new URL('../node_modules/.cache/krithi-import/', import.meta.url));
    const codePath = join(cacheDir, `workflow-bundle-${sourcesHash(srcDir)}.js`);
    if (!existsSync(codePath)) {
      mkdirSync(cacheDir, { recursive: true });
      const script = fileURLToPath(new URL('../scripts/bundle-workflows.ts', import.meta.url));
      await new Promise<void>((resolve, reject) => {
        // From the repo root, so `--import tsx` resolves wherever the worker was started.
        const child = spawn(process.execPath, ['--import', 'tsx', script, codePath], {
          cwd: fileURLToPath(new URL('../', import.meta.url)),
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`workflow bundling failed (${code})`))));
      });
    }
    return { codePath };
  })();
  return bundlePromise;
}

/** Hash of every TypeScript source under src/ (the bundle's inputs are a subset). */
function sourcesHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) hash.update(p).update(readFileSync(p));
    }
  };
  walk(dir);
  hash.update(readFileSync(fileURLToPath(new URL('../package-lock.json', import.meta.url))));
  return hash.digest('hex').slice(0, 16);
}

export interface WorkerOptions {
  config: Config;
  address: string;
  sql: Sql;
  /** Inject a fetcher (tests); default: the configured HTTP fetcher. */
  fetcher?: Fetcher;
  /** Set each site queue's rate limit through the server API before polling (default true). */
  applyRateLimits?: boolean;
  /** Domain metrics handed to the activities (default: none counted). */
  metrics?: Metrics;
  /** The JSON logger that workflow, activity and SDK lines go to (default: one at LOG_LEVEL). */
  logger?: Logger;
  /**
   * host:port where the SDK's own Prometheus exporter listens (see observability/metrics-server).
   * Takes effect only for the first workers of a process: the runtime is installed once.
   */
  sdkMetricsAddress?: string;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Resolves when every worker has stopped. */
  run(): Promise<void>;
  shutdown(): void;
}

let runtimeInstalled = false;
/**
 * The SDK runtime, once per process: its logger forwards workflow, activity, SDK and core lines to
 * the JSON logger (which filters by LOG_LEVEL); with an address, the SDK's own metrics (workflow
 * task latencies and failures, schedule-to-start, slots, polls) are exported in Prometheus format.
 */
function installRuntime(logger: Logger, sdkMetricsAddress: string | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: temporalLogger(logger),
      telemetryOptions: {
        logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
        ...(sdkMetricsAddress
          ? {
              metrics: {
                prometheus: {
                  bindAddress: sdkMetricsAddress,
                  countersTotalSuffix: true,
                  unitSuffix: true,
                  useSecondsForDurations: true,
                },
              },
            }
          : {}),
      },
    });
  } catch {
    // Already installed by this process (a test harness): keep it.
  }
}

export async function createWorkers(opts: WorkerOptions): Promise<RunningWorkers> {
  const { config, sql } = opts;
  installRuntime(opts.logger ?? createLogger({ level: config.logLevel }), opts.sdkMetricsAddress);
  const queues = taskQueues(config.taskQueuePrefix);
  const connection = await NativeConnection.connect({ address: opts.address });
  let client: Client | undefined;
  let clientConnection: Connection | undefined;
  const getClient = () => {
    if (!client) throw new Error('Temporal client not ready');
    return client;
  };
  const { Connection: ClientConnection } = await import('@temporalio/client');
  clientConnection = await ClientConnection.connect({ address: opts.address });
  client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });

  if (opts.applyRateLimits ?? true) {
    for (const host of config.sites.hosts) {
      // Only where unset: a limit an operator set for one site survives this worker's restart.
      await ensureQueueRateLimit(clientConnection, config.temporal.namespace, queues.scrape(host), config.sites.ratePerSecond);
    }
  }

  // SSRF-checked HTTP paced per host at the site queue's own limit, robots.txt, and the PostgreSQL
  // page cache unless PAGE_CACHE=off.
  const pacer = createHostPacer({
    rateFor: createQueueRateReader({
      connection: clientConnection,
      namespace: config.temporal.namespace,
      queueFor: (host) => queues.scrape(host),
      fallback: config.sites.ratePerSecond,
    }),
  });
  const fetcher = opts.fetcher ?? createSiteFetcher(config, { pageCache: createPageCacheStore(sql), pacer });
  const reference = createReferenceCache(sql, {
    thresholds: { high: config.resolution.high, low: config.resolution.low },
  });
  const deps = { sql, client: getClient, reference, fetcher, metrics: opts.metrics };
  const shutdownGraceTime = config.worker.shutdownGraceMs;

  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: queues.main,
    workflowBundle: await workflowBundle(config.worker.bundlePath),
    activities: createMainActivities(deps),
    shutdownGraceTime,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: 50,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
  });
  const scrapeActivities = createScrapeActivities(deps);
  const scrapers = await Promise.all(
    config.sites.hosts.map((host) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: queues.scrape(host),
        activities: scrapeActivities,
        shutdownGraceTime,
        // The server-side queue limit is the politeness limit; this only bounds local concurrency.
        maxConcurrentActivityTaskExecutions: 20,
      }),
    ),
  );
  const workers = [main, ...scrapers];
  return {
    workers,
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await clientConnection?.close().catch(() => {});
        await connection.close().catch(() => {});
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}

/**
 * Workers for a long-running command, observed: the process's logger and metrics (and the SDK's
 * exporter, merged into the same endpoint) wired in. `close` stops the metrics endpoint.
 */
export async function startObservedWorkers(
  command: string,
  opts: Omit<WorkerOptions, 'metrics' | 'logger' | 'sdkMetricsAddress'>,
): Promise<{ workers: RunningWorkers; obs: ProcessObservability }> {
  const obs = await startProcessObservability(opts.config, opts.sql, { command, withSdkMetrics: true });
  const workers = await createWorkers({
    ...opts,
    metrics: obs.metrics,
    logger: obs.logger,
    sdkMetricsAddress: obs.sdkMetricsAddress,
  });
  return { workers, obs };
}
