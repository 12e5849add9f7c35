/**
 * The benchmark: the whole system on this machine (a fresh dev server, W worker processes, a
 * dedicated PostgreSQL database, the fixture site with a given page latency), driving every row of
 * a manifest to a terminal state (review policy `auto`, so nobody has to decide), and measuring
 * how close the import comes to the rate-limit bound, where time goes and what memory does.
 *
 *   npm run bench -- [--rows N] [--sites K] [--rate R] [--latency MS] [--workers W] [--baseline]
 *                    [--window N] [--rows-per-run N] [--no-fairness] [--chaos] [--label TEXT]
 *                    [--max-seconds S]
 *
 * Manifests are submitted the way an editor does: streamed to `POST /v1/batches` of a real
 * API-only `serve` process, whose memory is sampled beside the workers'. With --max-seconds a run
 * that has not finished by then stops and reports what it reached (`partial: true`), with its
 * growth curve (throughput and memory per tenth of the rows done) — for runs longer than a session.
 *
 * Figures go to stderr; the last line of stdout is one JSON object, also written with an SVG of
 * the run and a CSV of its samples to bench/out/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../src/config';
import { createSql, resetDatabase, type Sql } from '../src/db/client';
import { migrate } from '../src/db/migrate';
import { seedReference } from '../src/db/reference';
import { startFixtureSite, type FixtureSite } from '../src/fixture-site/server';
import { parseManifestAll } from '../src/manifest/parse';
import { ensureTemporalBinary, startDevServer, type DevServer } from '../src/temporal/dev-server';
import { registerSearchAttributes } from '../src/temporal/namespace-setup';
import { runBaseline } from './baseline';
import { renderSvg, type Sample } from './chart';
import { startPrivatePostgres } from './private-postgres';
import { freePort, percentile, postManifest, procRssMb, waitForHealth } from './util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REAL_MANIFESTS = ['Dikshitar-Krithi-For-Import.csv', 'Syama-Sastri-Krithi-For-Import.csv', 'Thyagaraja-Krithi-For-Import.csv'];
const COMPOSERS = ['Muthuswami Dikshitar', 'Tyagaraja', 'Syama Sastri'];
const RAGAS = ['kalyANi', 'tODi', 'SankarAbharaNaM', 'bhairavi', 'kAmbhOji', 'madhyamAvati', 'mOhanaM', 'Anandabhairavi'];

const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string' },
    sites: { type: 'string', default: '3' },
    rate: { type: 'string' },
    latency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1' },
    window: { type: 'string', default: '50' },
    'rows-per-run': { type: 'string', default: '300' },
    baseline: { type: 'boolean', default: false },
    'no-fairness': { type: 'boolean', default: false },
    chaos: { type: 'boolean', default: false },
    label: { type: 'string' },
    'worker-heap-mb': { type: 'string', default: '160' },
    'worker-semi-mb': { type: 'string', default: '8' },
    'sqlite-sync': { type: 'string', default: 'NORMAL' },
    'no-eager': { type: 'boolean', default: false },
    // Fairness probe: a small batch on the first site, submitted while the big one drains it.
    'probe-rows': { type: 'string' },
    'probe-after': { type: 'string', default: '20' },
    'keep-db': { type: 'boolean', default: false },
    'max-seconds': { type: 'string' },
    'api-heap-mb': { type: 'string', default: '128' },
  },
});

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Plan {
  files: { path: string; rows: number }[];
  hosts: string[];
  rowsPerHost: Map<string, number>;
  total: number;
}

/** The manifests to import: the three real ones, or N generated rows over K fixture hosts. */
async function plan(outDir: string): Promise<Plan> {
  const rowsPerHost = new Map<string, number>();
  if (!opt.rows) {
    const files = [];
    for (const f of REAL_MANIFESTS) {
      const path = join(ROOT, 'data/manifests', f);
      const { entries } = await parseManifestAll(readFileSync(path));
      for (const e of entries) if (e.kind === 'record') rowsPerHost.set(e.site, (rowsPerHost.get(e.site) ?? 0) + 1);
      files.push({ path, rows: entries.filter((e) => e.kind === 'record').length });
    }
    return { files, hosts: [...rowsPerHost.keys()], rowsPerHost, total: files.reduce((n, f) => n + f.rows, 0) };
  }
  const n = Number(opt.rows);
  const k = Number(opt.sites);
  const hosts = Array.from({ length: k }, (_, i) => `site-${String(i + 1).padStart(2, '0')}.fixture.test`);
  const lines = ['Krithi,Raga,Hyperlink,Composer'];
  for (let i = 0; i < n; i++) {
    const host = hosts[i % k]!;
    rowsPerHost.set(host, (rowsPerHost.get(host) ?? 0) + 1);
    lines.push(`bench krithi ${i},${RAGAS[i % RAGAS.length]},https://${host}/p/${i}.html,${COMPOSERS[i % 3]}`);
  }
  const path = join(outDir, `manifest-${n}.csv`);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return { files: [{ path, rows: n }], hosts, rowsPerHost, total: n };
}

async function main() {
  const t0 = Date.now();
  const outDir = join(ROOT, 'bench/out');
  mkdirSync(outDir, { recursive: true });
  const stateDir = mkdtempSync(join(tmpdir(), 'krithi-bench-'));
  const p = await plan(stateDir);
  const rate = opt.rate ? Number(opt.rate) : undefined;
  const workersN = Number(opt.workers);
  log(`${p.total} rows over ${p.hosts.length} sites, rate ${rate ?? 'unthrottled'}/s per site, latency ${opt.latency} ms, ${workersN} worker(s)`);

  // PostgreSQL: a dedicated database, reset; under --chaos a private cluster the run may restart.
  const privatePg = opt.chaos ? startPrivatePostgres(await freePort()) : undefined;
  const databaseUrl = privatePg?.url ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/krithi_bench';
  await resetDatabase(databaseUrl, 'bench');
  const sql: Sql = createSql(databaseUrl, { max: 10 });
  await migrate(sql);
  await seedReference(sql);

  // Temporal: a fresh dev server with its own file.
  const serverOptions = {
    bin: ensureTemporalBinary(),
    dbFile: join(stateDir, 'temporal.db'),
    port: await freePort(),
    headless: true,
    synchronous: opt['sqlite-sync'] as 'NORMAL' | 'OFF' | 'FULL',
    dynamicConfig: {
      'system.enableActivityEagerExecution': !opt['no-eager'],
      // On by default (dev-server.ts); off only to measure without it.
      'matching.enableFairness': !opt['no-fairness'],
    },
  };
  let server: DevServer = await startDevServer(serverOptions);
  const connection = await Connection.connect({ address: server.address });
  await registerSearchAttributes(connection, 'default');
  const client = new Client({ connection });

  // The fixture site with the requested latency and no faults (throughput, not resilience).
  const site: FixtureSite = await startFixtureSite({ port: 0, latencyMs: Number(opt.latency), defaultFaults: false });
  for (const f of p.files) {
    const { entries } = await parseManifestAll(readFileSync(f.path));
    site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
  }

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: server.address,
    TASK_QUEUE_PREFIX: 'bench',
    SOURCE_SITES: p.hosts.join(','),
    SITE_RATE_LIMIT: String(rate ?? 100_000),
    BATCH_WINDOW: opt.window!,
    BATCH_ROWS_PER_RUN: opt['rows-per-run']!,
    FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides(p.hosts)),
    SCRAPE_INITIAL_RETRY_MS: '200',
    LOG_LEVEL: 'error',
    PAGE_CACHE: 'off', // every row fetches its page: the site limit is what is measured
    REVIEW_POLICY: 'auto', // uncertain rows are decided by policy: nobody has to review
    METRICS_PORT: '0',
  };
  const workers: ChildProcess[] = [];
  const startWorker = () => {
    // The flags of `npm run worker`: a bounded old space and young generation make V8 collect
    // sooner instead of growing towards its defaults, and two malloc arenas stop glibc keeping one
    // per thread (docs/PERFORMANCE.md, Tuning).
    const flags = [`--max-old-space-size=${opt['worker-heap-mb']}`, `--max-semi-space-size=${opt['worker-semi-mb']}`];
    const w = spawn(process.execPath, [...flags, join(ROOT, 'bin/krithi-import.js'), 'worker'], {
      env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(w);
    return w;
  };
  for (let i = 0; i < workersN; i++) startWorker();
  // Wait until every worker polls (a queue's pollers show in DescribeTaskQueue).
  await waitForPollers(connection, 'bench-import', workersN);
  log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const config = parseConfig({ ...env, HOME: process.env.HOME });
  const api = await startApi(env, Math.max(...p.files.map((f) => statSync(f.path).size)) + 1024);
  let apiPeak = api.rssBeforeMb;
  const apiSampler = setInterval(() => {
    apiPeak = Math.max(apiPeak, procRssMb(api.pid));
  }, 50);

  // Submit every file through the API, then follow PostgreSQL until every row is terminal.
  const tSubmit = Date.now();
  const submitted: Submitted[] = [];
  for (const f of p.files) submitted.push(await api.submit(f.path));
  const tSubmitted = Date.now();
  clearInterval(apiSampler);
  const batchIds = submitted.map((s) => s.batchId);
  const accepted = submitted.reduce((n, s) => n + s.acceptedRows, 0);
  log(`submitted ${batchIds.length} batch(es), ${accepted} rows, in ${((tSubmitted - tSubmit) / 1000).toFixed(1)} s`);

  // The fairness probe's rows are registered now and submitted later, mid-run.
  let probe: { path: string; submittedAt?: number; doneAt?: number; batchId?: string; rows: number } | undefined;
  if (opt['probe-rows']) {
    const n = Number(opt['probe-rows']);
    const host = p.hosts[0]!;
    const lines = ['Krithi,Raga,Hyperlink,Composer'];
    for (let i = 0; i < n; i++) lines.push(`probe krithi ${i},kalyANi,https://${host}/probe/${i}.html,Tyagaraja`);
    const path = join(stateDir, 'probe.csv');
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    const { entries } = await parseManifestAll(readFileSync(path));
    site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
    probe = { path, rows: n };
  }

  const samples: Sample[] = [];
  let workerPeak = 0;
  let benchPeak = 0;
  let lastLog = 0;
  const chaosPlan = opt.chaos ? chaosSchedule(accepted) : [];
  const maxSeconds = opt['max-seconds'] ? Number(opt['max-seconds']) : Infinity;
  let partial = false;
  const chaosCosts: Record<string, { atSeconds: number; stallSeconds?: number; doneAtFault: number }> = {};
  let pendingStall: { name: string; done: number; since: number } | undefined;
  for (;;) {
    const [c] = await sql`
      SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS done,
             count(*) FILTER (WHERE status IN ('SCRAPING','RESOLVING','PERSISTING'))::int AS active
      FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND kind = 'record'`;
    const t = (Date.now() - tSubmitted) / 1000;
    let workerRss = 0;
    for (const w of workers) if (w.pid && w.exitCode === null) workerRss = Math.max(workerRss, procRssMb(w.pid));
    workerPeak = Math.max(workerPeak, workerRss);
    apiPeak = Math.max(apiPeak, procRssMb(api.pid));
    samples.push({ t, done: c!.done, inFlight: c!.active, workerRssMb: workerRss, serverDbMb: fileMb(serverOptions.dbFile) });
    benchPeak = Math.max(benchPeak, process.memoryUsage().rss / 2 ** 20);
    if (Date.now() - lastLog > 5000) {
      log(`t=${t.toFixed(0)}s done ${c!.done}/${accepted} in flight ${c!.active}`);
      lastLog = Date.now();
    }
    if (pendingStall && c!.done > pendingStall.done) {
      // The fault's cost: from the fault until rows complete again.
      chaosCosts[pendingStall.name]!.stallSeconds = round((Date.now() - pendingStall.since) / 1000);
      pendingStall = undefined;
    }
    const next = chaosPlan[0];
    if (next && !pendingStall && c!.done >= next.atDone) {
      chaosPlan.shift();
      log(`chaos: ${next.name} at ${c!.done} rows done`);
      const since = Date.now();
      chaosCosts[next.name] = { atSeconds: round(t), doneAtFault: c!.done };
      await next.run({
        workers,
        startWorker,
        restartTemporal: async () => {
          await server.stop();
          server = await startDevServer(serverOptions); // same file, same port
        },
        restartPostgres: () => privatePg!.restart(),
      });
      // A sample taken after the fault must show progress before the stall is over.
      const [after] = await sql`
        SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS done
        FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND kind = 'record'`.catch(() => [{ done: c!.done }]);
      pendingStall = { name: next.name, done: (after as { done: number }).done, since };
    }
    if (probe && !probe.submittedAt && t >= Number(opt['probe-after'])) {
      probe.submittedAt = Date.now();
      const r = await api.submit(probe.path);
      probe.batchId = r.batchId;
      log(`probe: submitted ${probe.rows} rows on ${p.hosts[0]} as batch ${r.batchId}`);
    }
    if (probe?.batchId && !probe.doneAt) {
      const [pc] = await sql`
        SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS done
        FROM import_rows WHERE batch_id = ${probe.batchId} AND kind = 'record'`;
      if (pc!.done >= probe.rows) probe.doneAt = Date.now();
    }
    if (c!.done >= accepted && (!probe || probe.doneAt)) break;
    if (t >= maxSeconds) {
      partial = true;
      log(`--max-seconds ${maxSeconds} reached at ${c!.done}/${accepted} rows: reporting what was reached`);
      break;
    }
    // Counting a large batch's rows is a scan: sample big runs less often so the benchmark does
    // not become a load of its own.
    await sleep(probe?.batchId && !probe.doneAt ? 100 : accepted > 20_000 ? 2000 : 500);
  }
  const tDone = Date.now();
  const wallSeconds = (tDone - tSubmitted) / 1000;
  // A partial run is measured on the rows it finished; stop the workers first so the figures
  // below are read from a system at rest.
  if (partial) await stopWorkers(workers);
  const rowsDone = samples[samples.length - 1]!.done;

  // Figures from PostgreSQL, the fixture site's request log and Temporal's visibility. Fresh
  // statistics first: autovacuum may not have analysed tables that grew by 100,000 rows in an hour,
  // and a planner that thinks the batch has one row picks a nested loop over every audit event.
  await sql`ANALYZE import_rows`;
  await sql`ANALYZE audit_events`;
  const gets = site.requests().filter((r) => r.status !== 0 && (r as { kind?: string }).kind !== 'robots');
  const firstGet = gets.length ? Math.min(...gets.map((r) => r.at)) : tSubmitted;
  const latencies = (await sql`
    SELECT extract(epoch FROM (r.status_changed_at - s.start)) AS secs FROM import_rows r
    JOIN (SELECT row_id, min(at) AS start FROM audit_events WHERE batch_id = ANY(${batchIds}::text[]) GROUP BY row_id) s
      ON s.row_id = r.id
    WHERE r.batch_id = ANY(${batchIds}::text[]) AND r.kind = 'record'
      AND r.status IN ('IMPORTED','REJECTED','FAILED','CANCELLED')`).map((r) => Number(r.secs));
  const [counts] = await sql`
    SELECT count(*) FILTER (WHERE status = 'IMPORTED')::int AS imported,
           count(*) FILTER (WHERE status = 'REJECTED')::int AS rejected,
           count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
           (SELECT count(*)::int FROM krithis WHERE created_batch_id = ANY(${batchIds}::text[])) AS krithis,
           (SELECT count(*)::int FROM audit_events WHERE batch_id = ANY(${batchIds}::text[])
              AND type IN ('KRITHI_CREATED','KRITHI_UPDATED')) AS persisted_events
    FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND kind = 'record'`;
  let maxHistoryEvents = 0;
  let maxHistoryBytes = 0;
  let runs = 0;
  for (const id of batchIds) {
    for await (const wf of client.workflow.list({ query: `WorkflowId = "batch-${id}"` })) {
      runs += 1;
      const d = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      maxHistoryEvents = Math.max(maxHistoryEvents, d.historyLength);
      maxHistoryBytes = Math.max(maxHistoryBytes, d.historySize ?? 0);
    }
  }
  const maxInFlight = Math.max(...(await inFlightPerBatch(sql, batchIds)));
  const serverLimitErrors = countLimitErrors(join(stateDir, `temporal-${server.address.split(':')[1]}.log`));
  const boundSeconds = rate ? Math.max(...[...p.rowsPerHost.values()].map((n) => n / rate)) : null;

  const result: Record<string, unknown> = {
    label: opt.label ?? null,
    rows: accepted,
    partial,
    rowsDone,
    sites: p.hosts.length,
    rate: rate ?? null,
    latencyMs: Number(opt.latency),
    workers: workersN,
    workerHeapMb: Number(opt['worker-heap-mb']),
    workerSemiSpaceMb: Number(opt['worker-semi-mb']),
    window: Number(opt.window),
    rowsPerRun: Number(opt['rows-per-run']),
    fairness: !opt['no-fairness'],
    sqliteSynchronous: opt['sqlite-sync'],
    eagerActivities: !opt['no-eager'],
    wallSeconds: round(wallSeconds),
    rowsPerSecond: round(rowsDone / wallSeconds),
    boundSeconds: boundSeconds === null ? null : round(boundSeconds),
    efficiency: boundSeconds === null || partial ? null : round(boundSeconds / wallSeconds, 3),
    firstRequestSeconds: round((firstGet - tSubmitted) / 1000, 3),
    submitSeconds: round((tSubmitted - tSubmit) / 1000),
    rowLatencyP50: round(percentile(latencies, 50)),
    rowLatencyP95: round(percentile(latencies, 95)),
    rowLatencyP99: round(percentile(latencies, 99)),
    workerPeakRssMb: round(workerPeak),
    apiRssBeforeMb: round(api.rssBeforeMb),
    apiPeakRssMb: round(apiPeak),
    apiRssGrowthMb: round(apiPeak - api.rssBeforeMb),
    benchProcessPeakRssMb: round(benchPeak),
    maxHistoryEvents,
    maxHistoryBytes,
    continueAsNewRuns: runs - batchIds.length,
    maxInFlight,
    serverLimitErrors,
    imported: counts!.imported,
    rejected: counts!.rejected,
    failed: counts!.failed,
    krithis: counts!.krithis,
    duplicatePersists: counts!.persisted_events - counts!.imported,
    growth: growthCurve(samples, 10),
  };
  if (opt.chaos) result.chaos = chaosCosts;
  if (probe?.submittedAt && probe.doneAt) {
    result.probeRows = probe.rows;
    result.probeSeconds = round((probe.doneAt - probe.submittedAt) / 1000);
    result.probeBoundSeconds = rate ? round(probe.rows / rate) : null;
    result.probeRatio = rate ? round((probe.doneAt - probe.submittedAt) / 1000 / (probe.rows / rate)) : null;
  }

  // Stop the Temporal side before the baseline so it has the machine to itself.
  await stopWorkers(workers);
  await api.stop();

  if (opt.baseline) {
    log('baseline: the same rows through an in-process bounded queue, no Temporal');
    const b = await runBaseline({ sql, config, files: p.files.map((f) => f.path), rate, window: Number(opt.window), site });
    result.baselineRowsPerSecond = round(b.rows / b.seconds);
    result.baselineWallSeconds = round(b.seconds);
    result.temporalToBaselineRatio = round(accepted / wallSeconds / (b.rows / b.seconds), 3);
  }

  await connection.close();
  await server.stop();
  await site.close();
  await sql.end({ timeout: 5 });
  privatePg?.stop();
  rmSync(stateDir, { recursive: true, force: true });

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `bench-${opt.label ?? `${accepted}rows-${rate ?? 'unthrottled'}`}-${stamp}`;
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    join(outDir, `${name}.svg`),
    renderSvg(samples, { title: `${partial ? `${rowsDone} of ` : ''}${accepted} rows, rate ${rate ?? '∞'}/s/site`, boundSeconds }),
  );
  writeFileSync(
    join(outDir, `${name}.samples.csv`),
    `t,done,inFlight,workerRssMb,serverDbMb\n${samples.map((x) => `${round(x.t, 1)},${x.done},${x.inFlight},${round(x.workerRssMb ?? 0, 1)},${round(x.serverDbMb ?? 0, 1)}`).join('\n')}\n`,
  );
  for (const [k, v] of Object.entries(result)) if (k !== 'growth') log(`${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  log('growth (each tenth of the rows done): t s, rows/s in the interval, worker RSS, dev-server database');
  for (const g of result.growth as Growth[])
    log(`  ${String(g.rowsDone).padStart(7)} rows  t=${g.t}  ${g.intervalRowsPerSecond} rows/s  ${g.workerRssMb} MB  ${g.serverDbMb} MB`);
  log(`wrote bench/out/${name}.json and .svg`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface Submitted {
  batchId: string;
  acceptedRows: number;
}

/**
 * An API-only `serve` process, as an editor's upload reaches it: the benchmark streams each
 * manifest to `POST /v1/batches` and samples the process's memory.
 */
async function startApi(env: Record<string, string>, maxBytes: number) {
  const port = await freePort();
  const token = `bench-${Date.now()}-0123456789abcdef`;
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${opt['api-heap-mb']}`, '--max-semi-space-size=8', join(ROOT, 'bin/krithi-import.js'), 'serve', '--api-only'],
    {
      env: {
        MALLOC_ARENA_MAX: '2',
        ...process.env,
        ...env,
        API_TOKENS: JSON.stringify([{ name: 'bench', role: 'admin', token }]),
        PORT: String(port),
        HOST: '127.0.0.1',
        MANIFEST_MAX_BYTES: String(Math.max(maxBytes, 1 << 20)),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base, child);
  await sleep(1000); // let start-up allocations settle before the baseline reading
  return {
    pid: child.pid!,
    rssBeforeMb: procRssMb(child.pid!),
    async submit(path: string): Promise<Submitted> {
      const { status, body } = await postManifest(base, token, path);
      if (status !== 202) throw new Error(`submission answered ${status}: ${JSON.stringify(body)}`);
      return body as unknown as Submitted;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Size of a SQLite database with its write-ahead log, in MiB (0 when absent). */
function fileMb(path: string): number {
  let bytes = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      /* not there (yet) */
    }
  }
  return bytes / 2 ** 20;
}

async function stopWorkers(workers: ChildProcess[]) {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => (w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : null)));
}

interface Growth {
  rowsDone: number;
  t: number;
  intervalRowsPerSecond: number;
  workerRssMb: number;
  /** The dev server's SQLite file and its WAL: it keeps every closed workflow until retention. */
  serverDbMb: number;
}

/**
 * How cost grows with size: at each 1/n of the rows done, the throughput over the last interval
 * and the worker's RSS (the largest over the interval). Flat lines mean no growth with rows done.
 */
function growthCurve(samples: Sample[], n: number): Growth[] {
  const out: Growth[] = [];
  const total = samples[samples.length - 1]?.done ?? 0;
  let prev = { t: 0, done: 0 };
  let rss = 0;
  let k = 1;
  for (const s of samples) {
    rss = Math.max(rss, s.workerRssMb ?? 0);
    if (total > 0 && s.done >= (total * k) / n) {
      out.push({
        rowsDone: s.done,
        t: round(s.t, 1),
        intervalRowsPerSecond: round((s.done - prev.done) / Math.max(0.001, s.t - prev.t)),
        workerRssMb: round(rss),
        serverDbMb: round(s.serverDbMb ?? 0),
      });
      prev = s;
      rss = 0;
      while (total > 0 && s.done >= (total * k) / n) k += 1;
    }
  }
  return out;
}

async function waitForPollers(connection: Connection, taskQueue: string, n: number) {
  for (let i = 0; i < 240; i++) {
    const d = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: 1,
    });
    const identities = new Set((d.pollers ?? []).map((p) => p.identity));
    if (identities.size >= n) return;
    await sleep(500);
  }
  throw new Error(`workers did not start polling ${taskQueue}`);
}

/** Largest number of rows of one batch active at the same time, from their audited spans. */
async function inFlightPerBatch(sql: Sql, batchIds: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const id of batchIds) {
    const spans = await sql`
      SELECT min(at) AS start, max(at) AS stop FROM audit_events WHERE batch_id = ${id} AND row_id IS NOT NULL GROUP BY row_id`;
    const pts = spans.flatMap((s) => [
      { t: (s.start as Date).getTime(), d: 1 },
      { t: (s.stop as Date).getTime(), d: -1 },
    ]);
    pts.sort((x, y) => x.t - y.t || x.d - y.d);
    let cur = 0;
    let max = 0;
    for (const pt of pts) max = Math.max(max, (cur += pt.d));
    out.push(max);
  }
  return out;
}

function countLimitErrors(logFile: string): number {
  try {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => /limit exceeded|LimitExceeded|exceeds.*limit|too many pending/i.test(l)).length;
  } catch {
    return 0;
  }
}

interface ChaosContext {
  workers: ChildProcess[];
  startWorker: () => ChildProcess;
  restartTemporal(): Promise<void>;
  restartPostgres(): void;
}

interface ChaosStep {
  name: string;
  atDone: number;
  run(ctx: ChaosContext): Promise<void>;
}

function chaosSchedule(total: number): ChaosStep[] {
  return [
    {
      name: 'sigkill-one-worker',
      atDone: Math.floor(total * 0.25),
      async run({ workers, startWorker }) {
        const victim = workers.find((w) => w.exitCode === null && w.signalCode === null);
        victim?.kill('SIGKILL');
        await sleep(2000);
        startWorker();
      },
    },
    {
      name: 'restart-temporal-dev-server',
      atDone: Math.floor(total * 0.5),
      run: ({ restartTemporal }) => restartTemporal(),
    },
    {
      name: 'restart-postgresql',
      atDone: Math.floor(total * 0.75),
      async run({ restartPostgres }) {
        restartPostgres();
      },
    },
  ];
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
