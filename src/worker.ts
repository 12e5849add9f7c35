/**
 * Worker processes: one worker on the main queue (workflows and database activities) and one per
 * source site on that site's scrape queue. On SIGINT/SIGTERM the SDK's runtime stops polling, lets
 * in-flight tasks finish within the grace time, and `run` resolves.
 */
import { Client, type Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createMainActivities, createScrapeActivities } from './activities/index';
import { createReferenceCache } from './activities/reference-cache';
import type { Config } from './config';
import type { Sql } from './db/client';
import type { Fetcher } from './scraping/fetcher';
import { createSiteFetcher } from './scraping/site-fetcher';
import { createPageCacheStore } from './db/page-cache';
import { taskQueues } from './temporal/task-queues';
import { setQueueRateLimit } from './temporal/namespace-setup';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per process (webpack; a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  return bundlePromise;
}

export interface WorkerOptions {
  config: Config;
  address: string;
  sql: Sql;
  /** Inject a fetcher (tests); default: the configured HTTP fetcher. */
  fetcher?: Fetcher;
  /** Set each site queue's rate limit through the server API before polling (default true). */
  applyRateLimits?: boolean;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Resolves when every worker has stopped. */
  run(): Promise<void>;
  shutdown(): void;
}

let runtimeInstalled = false;
/** The SDK runtime logs at the configured level (its INFO is a line per worker state change). */
function installRuntime(level: Config['logLevel']): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level.toUpperCase() as 'INFO' | 'WARN' | 'ERROR' | 'DEBUG') });
  } catch {
    // Already installed by this process (a test harness): keep it.
  }
}

export async function createWorkers(opts: WorkerOptions): Promise<RunningWorkers> {
  const { config, sql } = opts;
  installRuntime(config.logLevel === 'info' ? 'warn' : config.logLevel);
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
      await setQueueRateLimit(clientConnection, config.temporal.namespace, queues.scrape(host), config.sites.ratePerSecond);
    }
  }

  // SSRF-checked HTTP, robots.txt, and the PostgreSQL page cache unless PAGE_CACHE=off.
  const fetcher = opts.fetcher ?? createSiteFetcher(config, { pageCache: createPageCacheStore(sql) });
  const reference = createReferenceCache(sql, {
    thresholds: { high: config.resolution.high, low: config.resolution.low },
  });
  const deps = { sql, client: getClient, reference, fetcher };
  const shutdownGraceTime = config.worker.shutdownGraceMs;

  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: queues.main,
    workflowBundle: await workflowBundle(),
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

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string, meta?: unknown) => console.warn(m, meta ?? ''),
  error: (m: string, meta?: unknown) => console.error(m, meta ?? ''),
};
