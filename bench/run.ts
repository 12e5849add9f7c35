/**
 * The benchmark: the whole system on this machine (a Temporal engine of the chosen backend, W
 * worker processes, a dedicated PostgreSQL database, the fixture site with a given page latency,
 * an API process), driving every row of a manifest to a terminal state (review policy `auto`, so
 * nobody has to decide), and measuring how close the import comes to the rate-limit bound, where
 * time and CPU go, and what memory does.
 *
 *   npm run bench -- [--temporal dev|postgres|cluster] [--compare] [--rows N] [--sites K] [--rate R]
 *                    [--latency MS] [--workers W] [--baseline] [--window N] [--rows-per-run N]
 *                    [--no-fairness] [--chaos] [--label TEXT] [--max-seconds S]
 *
 * `--compare` runs the same rows on each backend in turn (each in a process of its own) and prints
 * a table: rows/s, p50/p95 row latency, CPU milliseconds per row by component (Temporal server,
 * workers, PostgreSQL backends of this run's databases, API, this process with the fixture site and
 * the cluster's frontend proxy — from /proc), history sizes and the server's storage.
 *
 * Parts: bench/stack.ts starts the stack (the same engine code as demo, serve and the tests),
 * bench/sample.ts follows the run (and injects --chaos faults), bench/report.ts computes and
 * writes the figures. Manifests are streamed to `POST /v1/batches` of a real API-only `serve`.
 * With --max-seconds a run that has not finished stops and reports what it reached
 * (`partial: true`), with its growth curve — for runs longer than a session. SIGINT or SIGTERM
 * does the same at once (a long run's figures are not lost to an interruption); a second one stops
 * the stack without figures. Either way the engine, workers and API are stopped, never orphaned.
 *
 * Figures go to stderr; the last line of stdout is one JSON object, also written with an SVG of
 * the run and a CSV of its samples to bench/out/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../src/config';
import { parseManifestAll } from '../src/manifest/parse';
import { parseTemporalMode, TEMPORAL_MODES } from '../src/temporal/engine';
import { runBaseline } from './baseline';
import { summariseProfileDir } from './profile';
import { collectFigures, compareTable, countLimitErrors, cpuPerRow, growthCurve, writeOutputs, type Growth } from './report';
import { chaosSchedule, round, sampleRun } from './sample';
import { startBenchStack, type Submitted } from './stack';
import { BENCH } from './options';
import { parseScriptArgs, procRssMb } from './util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REAL_MANIFESTS = ['Dikshitar-Krithi-For-Import.csv', 'Syama-Sastri-Krithi-For-Import.csv', 'Thyagaraja-Krithi-For-Import.csv'];
const COMPOSERS = ['Muthuswami Dikshitar', 'Tyagaraja', 'Syama Sastri'];
const RAGAS = ['kalyANi', 'tODi', 'SankarAbharaNaM', 'bhairavi', 'kAmbhOji', 'madhyamAvati', 'mOhanaM', 'Anandabhairavi'];

const opt = parseScriptArgs(BENCH);

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/**
 * Interruption. The stack's processes are children of this one: killing only this process (an
 * operator's `kill`, a CI timeout) used to leave the Temporal server, workers and API running.
 * The first signal ends the sampling as `--max-seconds` would (figures of what was reached, then
 * an orderly stop); the second stops the stack at once and exits.
 */
const interrupted = new AbortController();
let stopNow: (() => Promise<void>) | undefined;
let compareChild: ChildProcess | undefined; // --compare: the backend run in progress gets the signal too
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    compareChild?.kill(signal);
    if (!interrupted.signal.aborted) {
      log(`${signal}: stopping the run and reporting what it reached (again to stop at once)`);
      interrupted.abort();
      return;
    }
    log(`${signal} again: stopping the stack without figures`);
    void (stopNow?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

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

/** The fairness probe's manifest: a small batch on the first site, registered with the fixture site later. */
function probeManifest(stateDir: string, host: string, n: number): string {
  const lines = ['Krithi,Raga,Hyperlink,Composer'];
  for (let i = 0; i < n; i++) lines.push(`probe krithi ${i},kalyANi,https://${host}/probe/${i}.html,Tyagaraja`);
  const path = join(stateDir, 'probe.csv');
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

async function runOne(): Promise<Record<string, unknown>> {
  const mode = parseTemporalMode(opt.temporal);
  const t0 = Date.now();
  const outDir = join(ROOT, 'bench/out');
  mkdirSync(outDir, { recursive: true });
  const stateDir = mkdtempSync(join(tmpdir(), 'krithi-bench-'));
  const p = await plan(stateDir);
  const rate = opt.rate ? Number(opt.rate) : undefined;
  const workersN = Number(opt.workers);
  log(`${p.total} rows over ${p.hosts.length} sites, rate ${rate ?? 'unthrottled'}/s per site, latency ${opt.latency} ms, ${workersN} worker(s), Temporal ${mode}`);

  const cpuProfDir = opt['worker-cpu-prof'] ? join(outDir, `cpuprof-${new Date(t0).toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const connections: Connection[] = [];
  const connect = async (address: string) => {
    const c = await Connection.connect({ address });
    connections.push(c);
    return c;
  };
  const starting = startBenchStack(
    {
      mode,
      stateDir,
      files: p.files.map((f) => f.path),
      hosts: p.hosts,
      rate,
      latencyMs: Number(opt.latency),
      workers: workersN,
      window: Number(opt.window),
      rowsPerRun: Number(opt['rows-per-run']),
      fairness: !opt['no-fairness'],
      eager: !opt['no-eager'],
      sqliteSync: opt['sqlite-sync'] as 'NORMAL' | 'OFF' | 'FULL',
      workerHeapMb: Number(opt['worker-heap-mb']),
      workerSemiMb: Number(opt['worker-semi-mb']),
      apiHeapMb: Number(opt['api-heap-mb']),
      ...(cpuProfDir ? { workerCpuProfDir: cpuProfDir } : {}),
      privatePostgres: opt.chaos,
    },
    connect,
  );
  // A second signal while the stack is still starting waits for it, then stops all of it.
  stopNow = async () => (await starting).stop();
  const stack = await starting;
  const client = new Client({ connection: await connect(stack.engine.address) });
  log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Submit every file through the API, then follow PostgreSQL until every row is terminal.
  let apiPeak = stack.api.rssBeforeMb;
  const apiSampler = setInterval(() => (apiPeak = Math.max(apiPeak, procRssMb(stack.api.pid))), 50);
  const tSubmit = Date.now();
  const submitted: Submitted[] = [];
  for (const f of p.files) submitted.push(await stack.api.submit(f.path));
  const tSubmitted = Date.now();
  clearInterval(apiSampler);
  const batchIds = submitted.map((s) => s.batchId);
  const accepted = submitted.reduce((n, s) => n + s.acceptedRows, 0);
  log(`submitted ${batchIds.length} batch(es), ${accepted} rows, in ${((tSubmitted - tSubmit) / 1000).toFixed(1)} s`);

  let probe: { path: string; rows: number; after: number } | undefined;
  if (opt['probe-rows']) {
    const rows = Number(opt['probe-rows']);
    const path = probeManifest(stateDir, p.hosts[0]!, rows);
    const { entries } = await parseManifestAll(readFileSync(path));
    stack.site.addRows(entries.flatMap((e) => (e.kind === 'record' ? [{ url: e.normalizedUrl, title: e.title, raga: e.raga }] : [])));
    probe = { path, rows, after: Number(opt['probe-after']) };
  }

  const run = await sampleRun({
    stack,
    stateDir,
    batchIds,
    accepted,
    tSubmitted,
    maxSeconds: opt['max-seconds'] ? Number(opt['max-seconds']) : Infinity,
    interrupted: interrupted.signal,
    chaos: opt.chaos ? chaosSchedule(accepted, mode) : [],
    probe,
    log,
  });
  const wallSeconds = (Date.now() - tSubmitted) / 1000;
  // A partial run is measured on the rows it finished; stop the workers first so the figures
  // below are read from a system at rest.
  if (run.partial) await stack.stopWorkers();
  const rowsDone = run.samples.at(-1)!.done;

  const gets = stack.site.requests().filter((r) => r.status !== 0 && (r as { kind?: string }).kind !== 'robots');
  const firstGet = gets.length ? Math.min(...gets.map((r) => r.at)) : tSubmitted;
  const figures = await collectFigures(stack.sql, client, batchIds);
  const boundSeconds = rate ? Math.max(...[...p.rowsPerHost.values()].map((n) => n / rate)) : null;

  const result: Record<string, unknown> = {
    label: opt.label ?? null,
    temporal: mode,
    temporalStore: mode === 'dev' ? 'sqlite' : 'postgres12',
    temporalFrontends: stack.engine.frontends.length,
    rows: accepted,
    partial: run.partial,
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
    sqliteSynchronous: mode === 'dev' ? opt['sqlite-sync'] : null,
    eagerActivities: !opt['no-eager'],
    wallSeconds: round(wallSeconds),
    rowsPerSecond: round(rowsDone / wallSeconds),
    boundSeconds: boundSeconds === null ? null : round(boundSeconds),
    efficiency: boundSeconds === null || run.partial ? null : round(boundSeconds / wallSeconds, 3),
    firstRequestSeconds: round((firstGet - tSubmitted) / 1000, 3),
    submitSeconds: round((tSubmitted - tSubmit) / 1000),
    ...cpuPerRow(run.cpu, run.workerParts, rowsDone, wallSeconds),
    rowLatencyP50: figures.rowLatencyP50,
    rowLatencyP95: figures.rowLatencyP95,
    rowLatencyP99: figures.rowLatencyP99,
    workerPeakRssMb: round(run.workerPeakMb),
    serverPeakRssMb: round(run.serverPeakMb),
    apiRssBeforeMb: round(stack.api.rssBeforeMb),
    apiPeakRssMb: round(Math.max(apiPeak, run.apiPeakMb)),
    apiRssGrowthMb: round(Math.max(apiPeak, run.apiPeakMb) - stack.api.rssBeforeMb),
    benchProcessPeakRssMb: round(run.benchPeakMb),
    maxHistoryEvents: figures.maxHistoryEvents,
    maxHistoryBytes: figures.maxHistoryBytes,
    rowHistoryEventsMean: figures.rowHistoryEventsMean,
    serverStorageMb: round(run.samples.at(-1)!.serverDbMb ?? 0, 1),
    continueAsNewRuns: figures.continueAsNewRuns,
    maxInFlight: figures.maxInFlight,
    serverLimitErrors: countLimitErrors(stack.engine.logFiles()),
    imported: figures.imported,
    rejected: figures.rejected,
    failed: figures.failed,
    krithis: figures.krithis,
    duplicatePersists: figures.duplicatePersists,
    growth: growthCurve(run.samples, 10),
  };
  if (opt.chaos) result.chaos = run.chaos;
  if (run.probe) {
    result.probeRows = run.probe.rows;
    result.probeSeconds = run.probe.seconds;
    result.probeBoundSeconds = rate ? round(run.probe.rows / rate) : null;
    result.probeRatio = rate ? round(run.probe.seconds / (run.probe.rows / rate)) : null;
  }

  // Stop the Temporal side before the baseline so it has the machine to itself.
  await stack.stopWorkers();
  await stack.api.stop();
  // The workers wrote their profiles as they exited.
  if (cpuProfDir) result.workerProfile = summariseProfileDir(cpuProfDir);
  if (opt.baseline) {
    log('baseline: the same rows through an in-process bounded queue, no Temporal');
    const config = parseConfig({ ...stack.env, HOME: process.env.HOME });
    const b = await runBaseline({ sql: stack.sql, config, files: p.files.map((f) => f.path), rate, window: Number(opt.window), site: stack.site });
    result.baselineRowsPerSecond = round(b.rows / b.seconds);
    result.baselineWallSeconds = round(b.seconds);
    result.temporalToBaselineRatio = round(accepted / wallSeconds / (b.rows / b.seconds), 3);
  }
  for (const c of connections) await c.close();
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `bench-${opt.label ?? `${accepted}rows-${rate ?? 'unthrottled'}-${mode}`}-${stamp}`;
  writeOutputs(outDir, name, result, run.samples, `${run.partial ? `${rowsDone} of ` : ''}${accepted} rows, rate ${rate ?? '∞'}/s/site, ${mode}`, boundSeconds);
  for (const [k, v] of Object.entries(result)) if (k !== 'growth') log(`${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  log('growth (each tenth of the rows done): t s, rows/s in the interval, worker RSS, server RSS, server storage');
  for (const g of result.growth as Growth[])
    log(`  ${String(g.rowsDone).padStart(7)} rows  t=${g.t}  ${g.intervalRowsPerSecond} rows/s  worker ${g.workerRssMb} MB  server ${g.serverRssMb} MB  storage ${g.serverDbMb} MB`);
  log(`wrote bench/out/${name}.json and .svg`);
  return result;
}

/** `--compare`: the same arguments on each backend, one child process each, then the table. */
async function compare(): Promise<void> {
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--compare' && a !== '--temporal' && all[i - 1] !== '--temporal' && !a.startsWith('--temporal='));
  const results: Record<string, unknown>[] = [];
  for (const mode of TEMPORAL_MODES) {
    if (interrupted.signal.aborted) break;
    log(`compare: ${mode}`);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args, '--temporal', mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    compareChild = child;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    compareChild = undefined;
    if (code !== 0) throw new Error(`the ${mode} run failed (exit ${code})`);
    results.push(JSON.parse(out.trim().split('\n').at(-1)!));
  }
  const table = compareTable(results);
  process.stderr.write(`\n${table}\n\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(ROOT, 'bench/out', `compare-${stamp}.md`), `${table}\n`);
  process.stdout.write(`${JSON.stringify({ compare: results.map(({ growth: _g, ...r }) => r) })}\n`);
}

(opt.compare ? compare() : runOne().then((r) => void process.stdout.write(`${JSON.stringify(r)}\n`))).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
