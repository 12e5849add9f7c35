/**
 * The run's figures: from PostgreSQL (counts, row latency from the audit trail, duplicates), the
 * fixture site's request log, Temporal (history sizes, continue-as-new runs) and the samples
 * (growth curve, CPU by component per row); written as JSON, SVG and CSV under bench/out/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Sql } from '../src/db/client';
import { renderSvg, type Sample } from './chart';
import { WORKER_PARTS, type Component, type WorkerPart } from './cpu';
import { round } from './sample';
import { percentile } from './util';

export interface Figures {
  rowLatencyP50: number;
  rowLatencyP95: number;
  rowLatencyP99: number;
  imported: number;
  rejected: number;
  failed: number;
  krithis: number;
  duplicatePersists: number;
  maxHistoryEvents: number;
  maxHistoryBytes: number;
  continueAsNewRuns: number;
  rowHistoryEventsMean: number;
  maxInFlight: number;
}

export async function collectFigures(sql: Sql, client: Client, batchIds: string[]): Promise<Figures> {
  // Fresh statistics first: autovacuum may not have analysed tables that grew by 100,000 rows in
  // an hour, and a planner that thinks the batch has one row picks a nested loop over every audit event.
  await sql`ANALYZE import_rows`;
  await sql`ANALYZE audit_events`;
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
  // A row's own history: the mean over up to 20 of the batch's closed row workflows. The last
  // rows are terminal in PostgreSQL a moment before their workflows have sent their final report
  // and closed; counting those read 14-event histories into the mean.
  const rowEvents: number[] = [];
  for await (const wf of client.workflow.list({ query: `BatchId = "${batchIds[0]}" AND ExecutionStatus != "Running"` })) {
    if (!wf.workflowId.includes('/row-')) continue;
    rowEvents.push((await client.workflow.getHandle(wf.workflowId, wf.runId).describe()).historyLength);
    if (rowEvents.length >= 20) break;
  }
  return {
    rowLatencyP50: round(percentile(latencies, 50)),
    rowLatencyP95: round(percentile(latencies, 95)),
    rowLatencyP99: round(percentile(latencies, 99)),
    imported: counts!.imported,
    rejected: counts!.rejected,
    failed: counts!.failed,
    krithis: counts!.krithis,
    duplicatePersists: counts!.persisted_events - counts!.imported,
    maxHistoryEvents,
    maxHistoryBytes,
    continueAsNewRuns: runs - batchIds.length,
    rowHistoryEventsMean: rowEvents.length ? round(rowEvents.reduce((a, b) => a + b, 0) / rowEvents.length, 1) : 0,
    maxInFlight: Math.max(...(await inFlightPerBatch(sql, batchIds))),
  };
}

/** CPU seconds per row by component (milliseconds, for reading), and each component's share. */
export function cpuPerRow(cpu: Record<Component, number>, workerParts: Record<WorkerPart, number>, rows: number, wallSeconds: number) {
  const msPerRow = <K extends string>(seconds: Record<K, number>) =>
    Object.fromEntries(Object.entries<number>(seconds).map(([k, v]) => [k, round((v / Math.max(1, rows)) * 1000, 2)])) as Record<K, number>;
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  return {
    cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 1)])) as Record<Component, number>,
    cpuMsPerRow: msPerRow(cpu),
    cpuMsPerRowTotal: round((total / Math.max(1, rows)) * 1000, 2),
    /** The worker column split by thread (bench/cpu.ts, WorkerPart): main, workflow, core, other. */
    workerCpuMsPerRow: msPerRow(workerParts),
    /** Cores busy on average over the run (2 = the whole machine). */
    coresBusy: round(total / Math.max(0.001, wallSeconds), 2),
  };
}

export interface Growth {
  rowsDone: number;
  t: number;
  intervalRowsPerSecond: number;
  workerRssMb: number;
  /** The Temporal server's RSS (all nodes), the largest over the interval. */
  serverRssMb: number;
  /** The Temporal server's storage: the dev server's SQLite file and WAL, or its PostgreSQL databases. */
  serverDbMb: number;
}

/**
 * How cost grows with size: at each 1/n of the rows done, the throughput over the last interval
 * and the worker's RSS (the largest over the interval). Flat lines mean no growth with rows done.
 */
export function growthCurve(samples: Sample[], n: number): Growth[] {
  const out: Growth[] = [];
  const total = samples[samples.length - 1]?.done ?? 0;
  let prev = { t: 0, done: 0 };
  let rss = 0;
  let serverRss = 0;
  let k = 1;
  for (const s of samples) {
    rss = Math.max(rss, s.workerRssMb ?? 0);
    serverRss = Math.max(serverRss, s.serverRssMb ?? 0);
    if (total > 0 && s.done >= (total * k) / n) {
      out.push({
        rowsDone: s.done,
        t: round(s.t, 1),
        intervalRowsPerSecond: round((s.done - prev.done) / Math.max(0.001, s.t - prev.t)),
        workerRssMb: round(rss),
        serverRssMb: round(serverRss),
        serverDbMb: round(s.serverDbMb ?? 0),
      });
      prev = s;
      rss = 0;
      serverRss = 0;
      while (total > 0 && s.done >= (total * k) / n) k += 1;
    }
  }
  return out;
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

/** Lines of the server's logs that say a server limit was hit. */
export function countLimitErrors(logFiles: string[]): number {
  let n = 0;
  for (const f of logFiles) {
    try {
      n += readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => /limit exceeded|LimitExceeded|exceeds.*limit|too many pending/i.test(l)).length;
    } catch {
      /* no log (yet) */
    }
  }
  return n;
}

export function writeOutputs(outDir: string, name: string, result: Record<string, unknown>, samples: Sample[], title: string, boundSeconds: number | null) {
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.svg`), renderSvg(samples, { title, boundSeconds }));
  writeFileSync(
    join(outDir, `${name}.samples.csv`),
    `t,done,inFlight,workerRssMb,serverRssMb,apiRssMb,serverDbMb\n${samples
      .map((x) => `${round(x.t, 1)},${x.done},${x.inFlight},${round(x.workerRssMb ?? 0, 1)},${round(x.serverRssMb ?? 0, 1)},${round(x.apiRssMb ?? 0, 1)},${round(x.serverDbMb ?? 0, 1)}`)
      .join('\n')}\n`,
  );
}

/** The per-backend table of `--compare`, as Markdown (pasted into docs/PERFORMANCE.md). */
export function compareTable(results: Record<string, unknown>[]): string {
  const cols: [string, (r: Record<string, any>) => string][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['backend', (r) => `${r.temporal}${r.temporalFrontends > 1 ? ` (${r.temporalFrontends} nodes)` : ''}`],
    ['rows/s', (r) => String(r.rowsPerSecond)],
    ['p50 / p95 row s', (r) => `${r.rowLatencyP50} / ${r.rowLatencyP95}`],
    ['CPU ms/row: Temporal', (r) => String(r.cpuMsPerRow.temporal)],
    ['worker', (r) => String(r.cpuMsPerRow.worker)],
    ['worker: JS main / workflow / Core / other', (r) =>
      r.workerCpuMsPerRow ? WORKER_PARTS.map((k) => r.workerCpuMsPerRow[k]).join(' / ') : '—'],
    ['PostgreSQL', (r) => String(r.cpuMsPerRow.postgres)],
    ['API', (r) => String(r.cpuMsPerRow.api)],
    ['bench+site', (r) => String(r.cpuMsPerRow.bench)],
    ['total', (r) => String(r.cpuMsPerRowTotal)],
    ['cores busy', (r) => String(r.coresBusy)],
    ['batch history events / KiB', (r) => `${r.maxHistoryEvents} / ${round(r.maxHistoryBytes / 1024, 0)}`],
    ['row history events', (r) => String(r.rowHistoryEventsMean)],
    ['server storage MiB', (r) => String(r.serverStorageMb)],
    ['imported / failed / dup', (r) => `${r.imported} / ${r.failed} / ${r.duplicatePersists}`],
  ];
  const head = `| ${cols.map((c) => c[0]).join(' | ')} |`;
  const sep = `|${cols.map(() => '---').join('|')}|`;
  return [head, sep, ...results.map((r) => `| ${cols.map((c) => c[1](r)).join(' | ')} |`)].join('\n');
}
