/**
 * Following a run: PostgreSQL's row counts, memory of the workers and the API, the Temporal
 * server's storage and CPU by component, sampled until every row is done (or the time is up);
 * the chaos schedule's faults injected on the way, each with the stall it caused.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../src/db/client';
import type { Sample } from './chart';
import { createCpuMeter } from './cpu';
import type { BenchStack } from './stack';
import { procRssMb } from './util';

export interface SampleResult {
  samples: Sample[];
  partial: boolean;
  workerPeakMb: number;
  apiPeakMb: number;
  serverPeakMb: number;
  benchPeakMb: number;
  cpu: ReturnType<ReturnType<typeof createCpuMeter>['totals']>;
  workerParts: ReturnType<ReturnType<typeof createCpuMeter>['workerParts']>;
  chaos: Record<string, { atSeconds: number; stallSeconds?: number; doneAtFault: number }>;
  probe?: { rows: number; seconds: number };
}

export interface SampleOptions {
  stack: BenchStack;
  stateDir: string;
  batchIds: string[];
  accepted: number;
  tSubmitted: number;
  maxSeconds: number;
  /** Aborted by SIGINT/SIGTERM: stop like --max-seconds, reporting what was reached. */
  interrupted?: AbortSignal;
  chaos: ChaosStep[];
  /** The fairness probe: submitted `after` seconds into the run. */
  probe?: { path: string; rows: number; after: number };
  log(m: string): void;
}

const doneQuery = (sql: Sql, batchIds: string[]) => sql`
  SELECT count(*) FILTER (WHERE status IN ('IMPORTED','REJECTED','FAILED','CANCELLED'))::int AS done,
         count(*) FILTER (WHERE status IN ('SCRAPING','RESOLVING','PERSISTING'))::int AS active
  FROM import_rows WHERE batch_id = ANY(${batchIds}::text[]) AND kind = 'record'`;

export async function sampleRun(o: SampleOptions): Promise<SampleResult> {
  const { stack } = o;
  const cpu = createCpuMeter({ pids: stack.pids, sql: stack.sql, databases: stack.databases });
  await cpu.start();
  const samples: Sample[] = [];
  let workerPeakMb = 0;
  let apiPeakMb = stack.api.rssBeforeMb;
  let benchPeakMb = 0;
  let serverPeakMb = 0;
  let lastLog = 0;
  let partial = false;
  const plan = [...o.chaos];
  const chaos: SampleResult['chaos'] = {};
  let pendingStall: { name: string; done: number; since: number } | undefined;
  let probe: { submittedAt?: number; doneAt?: number; batchId?: string } | undefined = o.probe ? {} : undefined;
  for (let i = 0; ; i++) {
    const [c] = await doneQuery(stack.sql, o.batchIds);
    const t = (Date.now() - o.tSubmitted) / 1000;
    let workerRss = 0;
    for (const pid of stack.pids().worker) workerRss = Math.max(workerRss, procRssMb(pid));
    workerPeakMb = Math.max(workerPeakMb, workerRss);
    const apiRss = procRssMb(stack.api.pid);
    apiPeakMb = Math.max(apiPeakMb, apiRss);
    // A cluster's nodes together: what the engine costs in memory, whatever its shape.
    const serverRss = stack.pids().temporal.reduce((a, pid) => a + procRssMb(pid), 0);
    serverPeakMb = Math.max(serverPeakMb, serverRss);
    benchPeakMb = Math.max(benchPeakMb, process.memoryUsage().rss / 2 ** 20);
    // The server's storage is read every tenth sample: on PostgreSQL it is a directory walk.
    const serverDbMb = i % 10 === 0 ? await serverStorageMb(stack, o.stateDir) : (samples.at(-1)?.serverDbMb ?? 0);
    samples.push({ t, done: c!.done, inFlight: c!.active, workerRssMb: workerRss, serverRssMb: serverRss, apiRssMb: apiRss, serverDbMb });
    await cpu.sample();
    if (Date.now() - lastLog > 5000) {
      o.log(`t=${t.toFixed(0)}s done ${c!.done}/${o.accepted} in flight ${c!.active}`);
      lastLog = Date.now();
    }
    if (pendingStall && c!.done > pendingStall.done) {
      // The fault's cost: from the fault until rows complete again.
      chaos[pendingStall.name]!.stallSeconds = round((Date.now() - pendingStall.since) / 1000);
      pendingStall = undefined;
    }
    const next = plan[0];
    if (next && !pendingStall && c!.done >= next.atDone) {
      plan.shift();
      o.log(`chaos: ${next.name} at ${c!.done} rows done`);
      const since = Date.now();
      chaos[next.name] = { atSeconds: round(t), doneAtFault: c!.done };
      await next.run(stack);
      // A sample taken after the fault must show progress before the stall is over.
      const [after] = await doneQuery(stack.sql, o.batchIds).catch(() => [{ done: c!.done }]);
      pendingStall = { name: next.name, done: (after as { done: number }).done, since };
    }
    if (probe && o.probe && !probe.submittedAt && t >= o.probe.after) {
      probe.submittedAt = Date.now();
      probe.batchId = (await stack.api.submit(o.probe.path)).batchId;
      o.log(`probe: submitted ${o.probe.rows} rows as batch ${probe.batchId}`);
    }
    if (probe?.batchId && !probe.doneAt) {
      const [pc] = await doneQuery(stack.sql, [probe.batchId]);
      if (pc!.done >= o.probe!.rows) probe.doneAt = Date.now();
    }
    if (c!.done >= o.accepted && (!probe || probe.doneAt)) break;
    if (t >= o.maxSeconds || o.interrupted?.aborted) {
      partial = true;
      const why = o.interrupted?.aborted ? 'interrupted' : `--max-seconds ${o.maxSeconds} reached`;
      o.log(`${why} at ${c!.done}/${o.accepted} rows: reporting what was reached`);
      break;
    }
    // Counting a large batch's rows is a scan: sample big runs less often so the benchmark does
    // not become a load of its own.
    await new Promise((r) => setTimeout(r, probe?.batchId && !probe.doneAt ? 100 : o.accepted > 20_000 ? 2000 : 500));
  }
  await cpu.sample();
  const last = samples.at(-1)!;
  last.serverDbMb = await serverStorageMb(stack, o.stateDir);
  return {
    samples,
    partial,
    workerPeakMb,
    apiPeakMb,
    serverPeakMb,
    benchPeakMb,
    cpu: cpu.totals(),
    workerParts: cpu.workerParts(),
    chaos,
    ...(probe?.submittedAt && probe.doneAt ? { probe: { rows: o.probe!.rows, seconds: round((probe.doneAt - probe.submittedAt) / 1000) } } : {}),
  };
}

/** The Temporal server's storage in MiB: the dev server's SQLite file with its WAL, or its two PostgreSQL databases. */
export async function serverStorageMb(stack: BenchStack, stateDir: string): Promise<number> {
  const dbs = stack.engine.databases;
  if (!dbs) {
    let bytes = 0;
    for (const f of ['temporal.db', 'temporal.db-wal']) {
      try {
        bytes += statSync(join(stateDir, f)).size;
      } catch {
        /* not there (yet) */
      }
    }
    return bytes / 2 ** 20;
  }
  const [r] = await stack.sql`
    SELECT coalesce(sum(pg_database_size(datname)), 0)::bigint AS bytes FROM pg_database
    WHERE datname = ANY(${[dbs.name, dbs.visibilityName]}::text[])`.catch(() => [{ bytes: 0 }]);
  return Number((r as { bytes: number }).bytes) / 2 ** 20;
}

export interface ChaosStep {
  name: string;
  atDone: number;
  run(stack: BenchStack): Promise<void>;
}

/**
 * Faults at a quarter, half and three quarters of the rows: a worker SIGKILLed (and another
 * started), the Temporal engine losing a node (cluster: one node SIGKILLed, restarted a minute
 * later) or restarting (dev, postgres), and PostgreSQL — the application's and, on the real
 * server, Temporal's own — restarted.
 */
export function chaosSchedule(total: number, mode: BenchStack['engine']['mode']): ChaosStep[] {
  const temporalFault: ChaosStep =
    mode === 'cluster'
      ? {
          name: 'sigkill-one-temporal-node',
          atDone: Math.floor(total * 0.5),
          async run(stack) {
            await stack.engine.nodes[0]!.kill();
            // The node comes back later, as a replaced machine would; the batch must not wait for it.
            setTimeout(() => void stack.engine.restartNode(0).catch(() => {}), 60_000).unref();
          },
        }
      : { name: `restart-temporal-${mode === 'dev' ? 'dev-server' : 'server'}`, atDone: Math.floor(total * 0.5), run: (stack) => stack.engine.restart() };
  return [
    {
      name: 'sigkill-one-worker',
      atDone: Math.floor(total * 0.25),
      async run(stack) {
        const victim = stack.workers.find((w) => w.exitCode === null && w.signalCode === null);
        victim?.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 2000));
        stack.startWorker();
      },
    },
    temporalFault,
    {
      name: mode === 'dev' ? 'restart-postgresql' : 'restart-postgresql-app-and-temporal',
      atDone: Math.floor(total * 0.75),
      async run(stack) {
        await stack.privatePg!.restart();
      },
    },
  ];
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
