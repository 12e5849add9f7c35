/**
 * What a long-running process (worker, API, demo) sets up to be observed: the JSON logger, the
 * domain metrics with the review-queue gauges, and — when its command has a metrics port — the
 * /metrics endpoint, with a loopback address for the Temporal SDK's exporter to merge in.
 */
import type { Config } from '../config';
import type { Sql } from '../db/client';
import { createLogger, logFormatFor, type Logger } from './logger';
import { createMetrics, registerReviewQueueGauges, type Metrics } from './metrics';
import { freeLoopbackAddress, metricsPortFor, startMetricsServer, type MetricsServer } from './metrics-server';

export interface ProcessObservability {
  logger: Logger;
  metrics: Metrics;
  /** Where the SDK exporter should listen (pass to createWorkers); undefined when metrics are off. */
  sdkMetricsAddress: string | undefined;
  server: MetricsServer | null;
  close(): Promise<void>;
}

/** Twice the worst-case rate-limit wait of one row: the whole window queued on one site. */
export function rowSettleBoundSeconds(config: Pick<Config, 'batch' | 'sites'>): number {
  return (2 * config.batch.window) / config.sites.ratePerSecond;
}

export async function startProcessObservability(
  config: Config,
  sql: Sql,
  opts: { command: string; withSdkMetrics?: boolean },
): Promise<ProcessObservability> {
  // The demo is a command a person watches: warnings and errors only, unless LOG_LEVEL says more.
  const logger = createLogger({
    level: opts.command === 'demo' ? config.cliLogLevel : config.logLevel,
    base: { command: opts.command },
    format: logFormatFor(config.logFormat),
  });
  const metrics = createMetrics({
    rowSettleBoundSeconds: rowSettleBoundSeconds(config),
    reviewDeadlineHours: config.review.deadlineHours,
  });
  registerReviewQueueGauges(metrics, sql);
  const port = metricsPortFor(config, opts.command);
  let server: MetricsServer | null = null;
  let sdkMetricsAddress: string | undefined;
  if (port !== null) {
    sdkMetricsAddress = opts.withSdkMetrics ? await freeLoopbackAddress() : undefined;
    server = await startMetricsServer({
      registry: metrics.registry,
      port,
      host: config.metrics.host,
      sdkMetricsUrl: sdkMetricsAddress ? `http://${sdkMetricsAddress}/metrics` : undefined,
    });
    logger.info({ metricsUrl: server.url }, 'metrics endpoint listening');
  }
  return {
    logger,
    metrics,
    sdkMetricsAddress,
    server,
    async close() {
      await server?.close();
    },
  };
}
