/**
 * Domain metrics and the /metrics endpoint without servers of our own: the exposition, the merge
 * of the SDK's text, which port each command uses, the latency-bound label and the review-queue
 * gauges' cache.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import type { Sql } from '../../src/db/client';
import { createMetrics, registerReviewQueueGauges } from '../../src/observability/metrics';
import { metricsPortFor, startMetricsServer, type MetricsServer } from '../../src/observability/metrics-server';
import { rowSettleBoundSeconds } from '../../src/observability/process';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function serve(opts: Parameters<typeof startMetricsServer>[0]): Promise<MetricsServer> {
  const s = await startMetricsServer(opts);
  closers.push(() => s.close());
  return s;
}

/** A stand-in SDK exporter answering a fixed exposition. */
async function fakeSdkExporter(text: string): Promise<string> {
  const srv = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(text));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => srv.close(() => r())));
  const addr = srv.address() as { port: number };
  return `http://127.0.0.1:${addr.port}/metrics`;
}

describe('when /metrics is scraped', () => {
  it('then it answers the domain metrics followed by the SDK exporter text', async () => {
    const metrics = createMetrics();
    metrics.rowTransition('IMPORTED');
    metrics.rowTransition('FAILED', 'HTTP_NOT_FOUND');
    const sdk = await fakeSdkExporter('# TYPE temporal_workflow_completed_total counter\ntemporal_workflow_completed_total{namespace="default"} 3\n');
    const server = await serve({ registry: metrics.registry, port: 0, sdkMetricsUrl: sdk });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('krithi_row_transitions_total{status="IMPORTED",error_type="none"} 1');
    expect(text).toContain('krithi_row_transitions_total{status="FAILED",error_type="HTTP_NOT_FOUND"} 1');
    expect(text.indexOf('temporal_workflow_completed_total{namespace="default"} 3')).toBeGreaterThan(text.indexOf('krithi_'));
  });

  it('then the domain metrics still answer when the SDK exporter is down', async () => {
    const metrics = createMetrics();
    const server = await serve({ registry: metrics.registry, port: 0, sdkMetricsUrl: 'http://127.0.0.1:1/metrics' });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('krithi_row_settle_bound_seconds');
  });

  it('then any other path is 404', async () => {
    const server = await serve({ registry: createMetrics().registry, port: 0 });
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
  });
});

describe('when a process decides its metrics port', () => {
  const config = (env: Record<string, string>) => parseConfig({ HOME: '/tmp', ...env });
  it.each([
    [{}, 'worker', 9464],
    [{}, 'serve', 9465],
    [{}, 'demo', 9464],
    [{}, 'status', null],
    [{ METRICS_PORT: '9999' }, 'worker', 9999],
    [{ METRICS_PORT: '9999' }, 'status', 9999],
    [{ METRICS_PORT: '0' }, 'worker', null],
  ])('then env %o for %s gives %s', (env, command, port) => {
    expect(metricsPortFor(config(env), command)).toBe(port);
  });

  it('then a bad METRICS_PORT stops startup naming the variable', () => {
    expect(() => config({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => config({ REVIEW_DEADLINE_HOURS: '0' })).toThrow(/REVIEW_DEADLINE_HOURS/);
  });
});

describe('when a row settles', () => {
  it('then it counts as within the bound up to twice window / rate and as outside beyond it', async () => {
    const bound = rowSettleBoundSeconds({ batch: { window: 50, rowsPerRun: 300 }, sites: { hosts: [], ratePerSecond: 1 } });
    expect(bound).toBe(100);
    const metrics = createMetrics({ rowSettleBoundSeconds: bound });
    metrics.rowSettled('a.example', 99.9);
    metrics.rowSettled('a.example', 100);
    metrics.rowSettled('a.example', 100.1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('krithi_rows_settled_total{site="a.example",within_bound="true"} 2');
    expect(text).toContain('krithi_rows_settled_total{site="a.example",within_bound="false"} 1');
  });

  it('then a transient scrape error is labelled as counting against the error-rate SLO and a 404 is not', async () => {
    const metrics = createMetrics();
    metrics.scrapeAttempt('a.example', 'TIMEOUT', 10);
    metrics.scrapeAttempt('a.example', 'HTTP_NOT_FOUND', 0.1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('krithi_scrape_attempts_total{site="a.example",outcome="TIMEOUT",transient="true"} 1');
    expect(text).toContain('krithi_scrape_attempts_total{site="a.example",outcome="HTTP_NOT_FOUND",transient="false"} 1');
  });
});

describe('when the review-queue gauges are scraped', () => {
  function fakeSql(answer: { depth: number; oldest: number; overdue: number }) {
    const calls: unknown[][] = [];
    const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
      calls.push(values);
      return Promise.resolve([answer]);
    }) as unknown as Sql;
    return { sql, calls };
  }

  it('then they report depth, oldest age and overdue rows from one query, cached between scrapes', async () => {
    const metrics = createMetrics({ reviewDeadlineHours: 72 });
    const { sql, calls } = fakeSql({ depth: 4, oldest: 7200.5, overdue: 1 });
    registerReviewQueueGauges(metrics, sql, { cacheMs: 60_000 });
    const text = await metrics.registry.metrics();
    await metrics.registry.metrics();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual([72 * 3600]);
    expect(text).toContain('krithi_review_queue_depth 4');
    expect(text).toContain('krithi_review_oldest_age_seconds 7200.5');
    expect(text).toContain('krithi_review_overdue_rows 1');
    expect(text).toContain('krithi_review_deadline_seconds 259200');
  });

  it('then a failed read is counted, the endpoint still answers, and the next scrape asks again', async () => {
    const metrics = createMetrics();
    let n = 0;
    const sql = (() => (++n === 1 ? Promise.reject(new Error('db down')) : Promise.resolve([{ depth: 2, oldest: 1, overdue: 0 }]))) as unknown as Sql;
    registerReviewQueueGauges(metrics, sql, { cacheMs: 60_000 });
    const first = await metrics.registry.metrics();
    expect(first).toContain('krithi_row_settle_bound_seconds');
    const second = await metrics.registry.metrics();
    expect(n).toBe(2);
    expect(second).toContain('krithi_review_queue_depth 2');
    expect(second).toContain('krithi_review_queue_read_errors_total 1');
  });
});
