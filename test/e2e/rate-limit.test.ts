/**
 * The politeness proof: two worker processes share one batch over the three sites, each site's
 * scrape queue limited through the server's task-queue configuration API. The fixture site records
 * every page GET per host (robots.txt and redirect hops separately), and no sliding one-second
 * window may hold more page GETs for a site than the bound the server's limiter guarantees.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureSite } from '../../src/fixture-site/server';
import { parseManifestAll } from '../../src/manifest/parse';
import { createBatchService } from '../../src/services/batches';
import { batchSettingsFrom } from '../../src/services/settings';
import { setQueueRateLimit } from '../../src/temporal/namespace-setup';
import { taskQueues } from '../../src/temporal/task-queues';
import { killWorkers, spawnWorker, type WorkerProcess } from '../support/cli';
import { SITES, manifest, testPrefix } from '../support/harness';


let site: FixtureSite;
let sql: Sql;
let connection: Connection;
let env: Record<string, string>;
const workers: WorkerProcess[] = [];

/** The most timestamps that fall in any half-open window [t, t + 1000). */
function maxInAnySecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

beforeAll(async () => {
  site = await startFixtureSite({ defaultFaults: false });
  env = {
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE_PREFIX: testPrefix(),
    SITE_RATE_LIMIT: '1',
    BATCH_WINDOW: '100',
    PAGE_CACHE: 'off',
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(SITES)),
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    // Two workers on one host: no metrics listener, so they do not compete for its port.
    METRICS_PORT: '0',
    LOG_LEVEL: 'error',
  };
  sql = createSql(env.DATABASE_URL!, { max: 4 });
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  for (let i = 0; i < 2; i++) workers.push(spawnWorker(env));
});

afterAll(async () => {
  killWorkers(workers);
  await connection?.close();
  await site?.close();
  await sql?.end({ timeout: 5 });
});

describe('maxInAnySecond', () => {
  it('when timestamps are given, then it counts the fullest one-second window', () => {
    expect(maxInAnySecond([0, 999, 1000, 1500, 1999, 2998])).toBe(3);
    expect(maxInAnySecond([])).toBe(0);
  });
});

async function importBatch(perSite: number): Promise<Map<string, number[]>> {
  const csv = manifest(perSite * SITES.length);
  const { entries } = await parseManifestAll(csv);
  site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  const before = site.requests('page').length;
  const config = parseConfig({ ...env, HOME: process.env.HOME });
  const service = createBatchService({ sql, client: new Client({ connection }) });
  const { batchId, acceptedRows } = await service.submit({ source: csv, createdBy: 'rate-test', maxBytes: 1 << 20, settings: batchSettingsFrom(config) });
  expect(acceptedRows).toBe(perSite * SITES.length);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [r] = await sql`
      SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED','PENDING_REVIEW'))::int AS settled
      FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record'`;
    if (r!.settled === acceptedRows) break;
    if (Date.now() > deadline) throw new Error(`only ${r!.settled} of ${acceptedRows} rows settled`);
    await new Promise((res) => setTimeout(res, 250));
  }
  expect(workers.map((w) => (w.child.exitCode === null ? 'running' : `exited ${w.child.exitCode}: ${w.log()}`))).toEqual(['running', 'running']);
  const gets = site.requests('page').slice(before);
  return new Map(SITES.map((host) => [host, gets.filter((g) => g.host === host).map((g) => g.at)]));
}

function report(rate: number, bound: number, times: Map<string, number[]>, perSite: number): void {
  for (const [host, t] of times) {
    const max = maxInAnySecond(t);
    const spanS = (Math.max(...t) - Math.min(...t)) / 1000;
    console.log(`rate-limit ${rate}/s ${host}: ${t.length} page GETs over ${spanS.toFixed(1)} s, max ${max} in any 1 s window (bound ${bound})`);
    expect(t).toHaveLength(perSite);
    expect(max).toBeLessThanOrEqual(bound);
    // The limit is what paced the site: n pages at r/s cannot take much less than n/r seconds. The
    // span is measured at the site, from a first request that left late (a worker's first scrape
    // reads robots.txt and opens its connections after its task was dispatched), so one second is
    // allowed for that start; a limit that did not apply would take a fraction of the span.
    expect(spanS).toBeGreaterThanOrEqual((perSite - bound) / rate - 1);
  }
}

describe('when two workers import one batch over three sites at 1 request per second per site (the default)', () => {
  it('then no site sees more than ceil(1) + 1 = 2 page GETs in any one-second window, and robots.txt at most once per worker', async () => {
    const perSite = 12;
    report(1, Math.ceil(1) + 1, await importBatch(perSite), perSite);
    for (const host of SITES) expect(site.requests('robots').filter((r) => r.host === host).length).toBeLessThanOrEqual(workers.length);
  }, 180_000);
});

describe('when the limit is raised to 3 per second through the task-queue configuration API', () => {
  // The server's token bucket holds ceil(rps) tokens (matching.minTaskThrottlingBurstSize only
  // raises that), so above 1/s a full bucket plus one second's refill can leave in one window:
  // the bound is ceil(r) + ceil(r), not ceil(r) + 1. This measures and pins that.
  it('then no site sees more than ceil(3) + ceil(3) = 6 page GETs in any one-second window', async () => {
    const perSite = 24;
    const queues = taskQueues(env.TASK_QUEUE_PREFIX!);
    for (const host of SITES) await setQueueRateLimit(connection, 'default', queues.scrape(host), 3);
    report(3, 2 * Math.ceil(3), await importBatch(perSite), perSite);
  }, 180_000);
});
