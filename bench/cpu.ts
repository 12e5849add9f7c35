/**
 * CPU seconds by component, from /proc: utime + stime of each process (all its threads), read at
 * the start and end of a measured interval. PostgreSQL serves every database on the machine, so
 * only its backends connected to this run's databases are counted (found in pg_stat_activity at
 * each sample; a backend's last reading before it exits is kept) — its shared background processes
 * (checkpointer, WAL writer, autovacuum) are not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from '../src/db/client';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime in seconds from a /proc stat file (a process's or one thread's), or null when it is gone. */
function statCpuSeconds(path: string): number | null {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return null;
  }
}

/** utime + stime of a process in seconds, or null when it is gone. */
export function procCpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** Each thread of a process: its id and its utime + stime in seconds. */
export function procThreadsCpu(pid: number): { tid: number; seconds: number }[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: { tid: number; seconds: number }[] = [];
  for (const tid of tids) {
    const seconds = statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
    if (seconds !== null) out.push({ tid: Number(tid), seconds }); // null: it ended between the listing and the read
  }
  return out;
}

/** A thread's name (comm), or '' when it is gone. Read once per thread: names do not change here. */
export function procThreadName(pid: number, tid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Where a worker process's CPU goes. The TypeScript SDK's worker has three kinds of busy thread:
 * the main thread (Node's event loop: activities, the bridge to Core, payload conversion), the
 * threads of the Rust Core (gRPC to the server on its Tokio runtime, the workflow state machines
 * on its workflow-processing thread), and the thread that runs workflow code in its V8 sandbox
 * (with `reuseV8Context`, the SDK's default, one such thread: `workflowThreadPoolSize` defaults to
 * 1). Core names its threads (`tokio-runtime-w`, `workflow-proces`, `temporal-real-s`); Node leaves
 * all of its own as `node`, so the workflow thread is told apart as the busiest `node` thread other
 * than the main one, and the rest are V8's platform threads (garbage collection, compilation) and
 * libuv's pool. Seen on a 1,000-row run: main 18.6 s, one `node` thread 13.3 s, four at ~2.2 s
 * each, the rest idle.
 */
export const WORKER_PARTS = ['main', 'workflow', 'core', 'other'] as const;
export type WorkerPart = (typeof WORKER_PARTS)[number];
const noParts = (): Record<WorkerPart, number> => ({ main: 0, workflow: 0, core: 0, other: 0 });

export function classifyWorkerThreads(pid: number, threads: { tid: number; comm: string; seconds: number }[]): Record<WorkerPart, number> {
  const out = noParts();
  const rest: number[] = [];
  for (const t of threads) {
    if (t.tid === pid) out.main += t.seconds;
    else if (t.comm !== 'node') out.core += t.seconds; // named by the Rust Core
    else rest.push(t.seconds);
  }
  rest.sort((a, b) => b - a);
  out.workflow = rest[0] ?? 0;
  out.other = rest.slice(1).reduce((a, b) => a + b, 0);
  return out;
}

export type Component = 'temporal' | 'worker' | 'postgres' | 'api' | 'bench';

/**
 * Tracks CPU per component over an interval. `pids()` is asked at each sample, so processes that
 * start later (a restarted worker or Temporal node) are counted from their first sighting.
 */
export function createCpuMeter(opts: { pids: () => Record<Exclude<Component, 'postgres' | 'bench'>, number[]>; sql: Sql; databases: string[] }) {
  // pid → [component, first reading, last reading]
  const seen = new Map<number, { component: Component; first: number; last: number }>();
  // worker pid → tid → [comm, first reading, last reading]: the worker's CPU by part.
  const threads = new Map<number, Map<number, { comm: string; first: number; last: number }>>();
  let benchStart = 0;
  let benchLast = 0;
  const benchCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const note = (component: Component, pid: number, baseline: boolean) => {
    const now = procCpuSeconds(pid);
    if (now === null) return;
    const s = seen.get(pid);
    // A process first seen after the start counts from zero (it started during the interval),
    // except at the start itself, where its reading is the baseline.
    if (!s) seen.set(pid, { component, first: baseline ? now : 0, last: now });
    else s.last = now;
    if (component !== 'worker') return;
    const known = threads.get(pid) ?? new Map<number, { comm: string; first: number; last: number }>();
    threads.set(pid, known);
    for (const t of procThreadsCpu(pid)) {
      const k = known.get(t.tid);
      if (!k) known.set(t.tid, { comm: procThreadName(pid, t.tid), first: baseline ? t.seconds : 0, last: t.seconds });
      else k.last = t.seconds;
    }
  };
  const sample = async (baseline = false) => {
    for (const [component, pids] of Object.entries(opts.pids()) as [Component, number[]][]) for (const pid of pids) note(component, pid, baseline);
    const backends = await opts.sql`
      SELECT pid FROM pg_stat_activity WHERE datname = ANY(${opts.databases}::text[]) AND pid <> pg_backend_pid()`.catch(() => []);
    for (const b of backends) note('postgres', b.pid as number, baseline);
    benchLast = benchCpu();
  };
  return {
    async start() {
      benchStart = benchCpu();
      await sample(true);
    },
    sample: () => sample(false),
    /** CPU seconds per component since start(). */
    totals(): Record<Component, number> {
      const out: Record<Component, number> = { temporal: 0, worker: 0, postgres: 0, api: 0, bench: benchLast - benchStart };
      for (const s of seen.values()) out[s.component] += s.last - s.first;
      return out;
    },
    /** The workers' CPU seconds since start() by part (summed over worker processes). */
    workerParts(): Record<WorkerPart, number> {
      const out = noParts();
      for (const [pid, known] of threads) {
        const parts = classifyWorkerThreads(pid, [...known].map(([tid, t]) => ({ tid, comm: t.comm, seconds: t.last - t.first })));
        for (const k of WORKER_PARTS) out[k] += parts[k];
      }
      return out;
    },
  };
}
