/**
 * The domain's Prometheus metrics: one registry per process, created once and handed to the
 * activity factories, the API middleware and the metrics endpoint. Nothing here is global, so
 * several workers (or test harnesses) in one process keep their counts apart.
 *
 * Names are the contract with docs/SLO.md and ops/prometheus/rules.yml: rename them there too.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sql } from '../db/client';
import { RETRYABLE_SCRAPE_ERRORS } from '../scraping/errors';

export const METRIC_PREFIX = 'krithi_';

/** Scrape attempts that end in a transient (retryable) outcome count against the per-site error-rate SLO. */
const TRANSIENT_SCRAPE_ERRORS: ReadonlySet<string> = new Set(RETRYABLE_SCRAPE_ERRORS);

export interface MetricsOptions {
  /**
   * Twice the rate-limit bound of one row, in seconds: a row that takes longer from its scrape
   * being scheduled to reaching a terminal or awaiting-review state misses the latency SLO.
   */
  rowSettleBoundSeconds?: number;
  /** Rows waiting for review longer than this are overdue. */
  reviewDeadlineHours?: number;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  const rowSettleBoundSeconds = opts.rowSettleBoundSeconds ?? 100;
  const reviewDeadlineHours = opts.reviewDeadlineHours ?? 72;

  const rowTransitions = new Counter({
    name: `${METRIC_PREFIX}row_transitions_total`,
    help: 'Row status changes written to PostgreSQL, by the status entered and the error type (none when no error)',
    labelNames: ['status', 'error_type'] as const,
    registers: [registry],
  });
  const rowSettleSeconds = new Histogram({
    name: `${METRIC_PREFIX}row_settle_seconds`,
    help: 'Time from a row entering SCRAPING to its first terminal or awaiting-review state',
    labelNames: ['site'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const rowsSettled = new Counter({
    name: `${METRIC_PREFIX}rows_settled_total`,
    help: 'Rows that reached a terminal or awaiting-review state, by whether they did so within the latency bound',
    labelNames: ['site', 'within_bound'] as const,
    registers: [registry],
  });
  const rowSettleBound = new Gauge({
    name: `${METRIC_PREFIX}row_settle_bound_seconds`,
    help: 'The latency bound of the row SLO: twice BATCH_WINDOW / SITE_RATE_LIMIT, as configured in this process',
    registers: [registry],
  });
  rowSettleBound.set(rowSettleBoundSeconds);

  const scrapeAttempts = new Counter({
    name: `${METRIC_PREFIX}scrape_attempts_total`,
    help: 'Scrape activity attempts by site and outcome (ok, or the error type); transient says whether it counts against the error-rate SLO',
    labelNames: ['site', 'outcome', 'transient'] as const,
    registers: [registry],
  });
  const scrapeSeconds = new Histogram({
    name: `${METRIC_PREFIX}scrape_duration_seconds`,
    help: 'Duration of one scrape attempt (fetch, extract, store) by site and outcome',
    labelNames: ['site', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40],
    registers: [registry],
  });
  const scrapeWaitSeconds = new Histogram({
    name: `${METRIC_PREFIX}scrape_rate_limit_wait_seconds`,
    help: "Delay between a scrape attempt being scheduled and a worker starting it: mostly the site queue's rate limit",
    labelNames: ['site'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  const resolutions = new Counter({
    name: `${METRIC_PREFIX}resolutions_total`,
    help: 'Rows resolved against the reference catalogue, by confidence and whether they were approved automatically',
    labelNames: ['confidence', 'auto_approved'] as const,
    registers: [registry],
  });
  const krithisPersisted = new Counter({
    name: `${METRIC_PREFIX}krithis_persisted_total`,
    help: 'Krithis written by an import, created or updated',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  const apiRequests = new Counter({
    name: `${METRIC_PREFIX}api_requests_total`,
    help: 'HTTP API requests by method, matched route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const apiSeconds = new Histogram({
    name: `${METRIC_PREFIX}api_request_duration_seconds`,
    help: 'HTTP API request duration by method and matched route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    rowSettleBoundSeconds,
    reviewDeadlineHours,
    rowTransitions,
    rowSettleSeconds,
    rowsSettled,
    scrapeAttempts,
    scrapeSeconds,
    scrapeWaitSeconds,
    resolutions,
    krithisPersisted,
    apiRequests,
    apiSeconds,

    /** One row status change actually written (not a repeated write of the same status). */
    rowTransition(status: string, errorType?: string | null): void {
      rowTransitions.inc({ status, error_type: errorType ?? 'none' });
    },
    /** A row reached its first terminal or awaiting-review state `seconds` after entering SCRAPING. */
    rowSettled(site: string, seconds: number): void {
      rowSettleSeconds.observe({ site }, seconds);
      rowsSettled.inc({ site, within_bound: String(seconds <= rowSettleBoundSeconds) });
    },
    scrapeAttempt(site: string, outcome: string, seconds: number): void {
      const transient = String(TRANSIENT_SCRAPE_ERRORS.has(outcome));
      scrapeAttempts.inc({ site, outcome, transient });
      scrapeSeconds.observe({ site, outcome }, seconds);
    },
  };
}

export interface ReviewQueueSnapshot {
  depth: number;
  oldestAgeSeconds: number;
  overdue: number;
}

/**
 * Gauges read from PostgreSQL when /metrics is scraped: the review queue's depth, the age of its
 * oldest row and how many rows are past the deadline. The query uses the partial index on
 * PENDING_REVIEW rows and its answer is cached for `cacheMs`, so frequent scrapes (or several
 * Prometheus servers) cost one query per interval. Every process reports the same values:
 * aggregate them with max(), never sum(). A failed read keeps the last values, counts the
 * failure, and is not cached: the rest of the endpoint still answers.
 */
export function registerReviewQueueGauges(metrics: Metrics, sql: Sql, opts: { cacheMs?: number } = {}): void {
  const cacheMs = opts.cacheMs ?? 5_000;
  const deadlineSeconds = metrics.reviewDeadlineHours * 3600;
  const readErrors = new Counter({
    name: `${METRIC_PREFIX}review_queue_read_errors_total`,
    help: 'Failed reads of the review queue from PostgreSQL while serving /metrics',
    registers: [metrics.registry],
  });
  let cached: { at: number; value: Promise<ReviewQueueSnapshot | null> } | undefined;
  const snapshot = (): Promise<ReviewQueueSnapshot | null> => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      const value = readReviewQueue(sql, deadlineSeconds).catch(() => {
        readErrors.inc();
        cached = undefined;
        return null;
      });
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
  const gauge = (name: string, help: string, pick: (s: ReviewQueueSnapshot) => number) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers: [metrics.registry],
      async collect() {
        const s = await snapshot();
        if (s) this.set(pick(s));
      },
    });
  gauge('review_queue_depth', 'Rows awaiting review (all batches)', (s) => s.depth);
  gauge('review_oldest_age_seconds', 'How long the oldest row awaiting review has waited (0 when none waits)', (s) => s.oldestAgeSeconds);
  gauge('review_overdue_rows', 'Rows waiting for review longer than REVIEW_DEADLINE_HOURS', (s) => s.overdue);
  new Gauge({
    name: `${METRIC_PREFIX}review_deadline_seconds`,
    help: 'REVIEW_DEADLINE_HOURS of this process, in seconds',
    registers: [metrics.registry],
  }).set(deadlineSeconds);
}

async function readReviewQueue(sql: Sql, deadlineSeconds: number): Promise<ReviewQueueSnapshot> {
  const [row] = await sql`
    SELECT count(*)::int AS depth,
           COALESCE(EXTRACT(EPOCH FROM now() - min(status_changed_at)), 0)::float8 AS oldest,
           (count(*) FILTER (WHERE status_changed_at < now() - make_interval(secs => ${deadlineSeconds})))::int AS overdue
    FROM import_rows WHERE status = 'PENDING_REVIEW'`;
  return {
    depth: (row?.depth as number) ?? 0,
    oldestAgeSeconds: (row?.oldest as number) ?? 0,
    overdue: (row?.overdue as number) ?? 0,
  };
}
