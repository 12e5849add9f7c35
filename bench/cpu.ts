/**
 * CPU seconds by component, from /proc: utime + stime of each process (all its threads), read at
 * the start and end of a measured interval. PostgreSQL serves every database on the machine, so
 * only its backends connected to this run's databases are counted (found in pg_stat_activity at
 * each sample; a backend's last reading before it exits is kept) — its shared background processes
 * (checkpointer, WAL writer, autovacuum) are not.
 */
import { readFileSync } from 'node:fs';
import type { Sql } from '../src/db/client';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of a process in seconds, or null when it is gone. */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return null;
  }
}

export type Component = 'temporal' | 'worker' | 'postgres' | 'api' | 'bench';

/**
 * Tracks CPU per component over an interval. `pids()` is asked at each sample, so processes that
 * start later (a restarted worker or Temporal node) are counted from their first sighting.
 */
export function createCpuMeter(opts: { pids: () => Record<Exclude<Component, 'postgres' | 'bench'>, number[]>; sql: Sql; databases: string[] }) {
  // pid → [component, first reading, last reading]
  const seen = new Map<number, { component: Component; first: number; last: number }>();
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
  };
}
