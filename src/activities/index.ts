/**
 * Activity factories, wired once per worker process with their dependencies. The main queue runs
 * row and batch activities; each source site's queue runs only the scrape activity.
 */
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import type { Metrics } from '../observability/metrics';
import type { Fetcher } from '../scraping/fetcher';
import { createBatchActivities } from './batch';
import type { ReferenceCache } from './reference-cache';
import { createRowActivities } from './rows';
import { createScrapeActivities } from './scrape';

export interface ActivityDeps {
  sql: Sql;
  client: () => Client;
  reference: ReferenceCache;
  fetcher: Fetcher;
  metrics?: Metrics;
}

export function createMainActivities(deps: ActivityDeps) {
  return {
    ...createRowActivities({ sql: deps.sql, client: deps.client, reference: deps.reference, metrics: deps.metrics }),
    ...createBatchActivities({ sql: deps.sql, client: deps.client }),
  };
}

export { createScrapeActivities };
