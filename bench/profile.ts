/**
 * Reading the workers' V8 CPU profiles (`--worker-cpu-prof`): whose code each JS thread spent its
 * samples in — the Temporal SDK, postgres.js, cheerio, undici, our own src/, V8's collector — so
 * "the worker costs 60 ms a row" becomes "this much of it is ours". A sample is charged to the
 * nearest frame on its stack that names its owner (a native call such as a socket write is
 * charged to the library that made it). Profiles sample wall time while a thread runs JS, so on
 * a saturated box a system call that waits for the CPU is overstated: read shares, not seconds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of the .cpuprofile format (Chrome DevTools protocol, Profiler.Profile) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export type Owner =
  | 'Temporal SDK'
  | 'postgres.js'
  | 'cheerio (HTML parsing)'
  | 'undici (HTTP)'
  | 'our code (src/)'
  | 'workflow bundle (our workflows and the SDK inside the sandbox)'
  | 'other libraries'
  | 'V8 garbage collector'
  | 'V8 (program)'
  | 'Node internals';

const CHEERIO = /node_modules\/(cheerio|cheerio-select|parse5|parse5-[a-z-]+|css-select|css-what|domhandler|domutils|dom-serializer|htmlparser2|entities|nth-check|boolbase)\//;
const TEMPORAL = /node_modules\/(@temporalio\/|rxjs\/|protobufjs\/|long\/|nexus-rpc\/)/;

/** Whose code a frame is, or undefined when the frame does not say (native, anonymous). */
export function ownerOf(frame: { functionName: string; url: string }): Owner | undefined {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'V8 garbage collector';
  if (fn === '(program)') return 'V8 (program)';
  if (!url) return undefined;
  if (url.includes('workflow-bundle') || url.startsWith('evalmachine')) return 'workflow bundle (our workflows and the SDK inside the sandbox)';
  if (url.includes('node_modules/postgres/')) return 'postgres.js';
  if (CHEERIO.test(url)) return 'cheerio (HTML parsing)';
  if (url.includes('node_modules/undici/')) return 'undici (HTTP)';
  if (TEMPORAL.test(url)) return 'Temporal SDK';
  if (url.includes('node_modules/')) return 'other libraries';
  if (/\/(src|bin)\//.test(url)) return 'our code (src/)';
  return undefined; // node:internal and the like: charged to their caller
}

export interface ProfileSummary {
  /** Seconds of samples in which the thread was not idle. */
  busySeconds: number;
  /** Share of the busy samples by owner, 0–1, largest first. */
  shares: [Owner, number][];
}

export function summariseProfile(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // timeDeltas[i] is the time before sample i: the time spent in sample i is timeDeltas[i + 1].
  const spent = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) spent.set(p.samples[i]!, (spent.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  const owners = new Map<Owner, number>();
  let busy = 0;
  for (const [id, us] of spent) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    let owner: Owner | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !owner; cur = parent.get(cur)) owner = ownerOf(byId.get(cur)!.callFrame);
    owner ??= 'Node internals';
    busy += us;
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  const shares = [...owners].map(([o, us]): [Owner, number] => [o, busy ? us / busy : 0]).sort((a, b) => b[1] - a[1]);
  return { busySeconds: busy / 1e6, shares };
}

/**
 * Every profile in a directory, named by thread: Node names them CPU.<date>.<time>.<pid>.<thread>.<n>,
 * thread 0 being the main thread; the busiest other thread is the workflow thread (bench/cpu.ts).
 */
export function summariseProfileDir(dir: string): { file: string; thread: string; busySeconds: number; shares: Record<string, number> }[] {
  const out = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((file) => {
      const s = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
      const threadId = Number(file.split('.').at(-3));
      return { file, threadId, ...s };
    });
  const busiestOther = out.filter((x) => x.threadId !== 0).sort((a, b) => b.busySeconds - a.busySeconds)[0];
  return out.map(({ file, threadId, busySeconds, shares }) => ({
    file,
    thread: threadId === 0 ? 'main' : busiestOther?.file === file ? 'workflow' : `thread ${threadId}`,
    busySeconds: Math.round(busySeconds * 10) / 10,
    shares: Object.fromEntries(shares.map(([o, v]) => [o, Math.round(v * 1000) / 10])), // percent, one decimal
  }));
}
