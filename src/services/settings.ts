import type { Config } from '../config';
import type { BatchSettings } from '../shared';

/** A batch's settings as fixed at submission from the process configuration. */
export function batchSettingsFrom(config: Config): BatchSettings {
  return {
    window: config.batch.window,
    rowsPerRun: config.batch.rowsPerRun,
    taskQueuePrefix: config.taskQueuePrefix,
    sites: config.sites.hosts,
    scrape: {
      maxAttempts: config.scrape.maxAttempts,
      initialRetryMs: config.scrape.initialRetryMs,
      maxRetryMs: Math.max(config.scrape.initialRetryMs, 60_000),
    },
    reconcileIntervalMs: 30_000,
    reviewPolicy: config.review.policy,
  };
}
