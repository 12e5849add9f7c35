/**
 * A local Temporal dev server (the `temporal` CLI's embedded server), started by the project itself:
 * persistent SQLite in WAL mode, one partition per task queue (so a queue's rate limit is exact),
 * room for the CLI's batch operations, and the Web UI unless headless.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';

const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-temporal.sh', import.meta.url));

/** Finds (TEMPORAL_BIN, PATH, cache) or builds the temporal binary; see scripts/ensure-temporal.sh. */
export function ensureTemporalBinary(env: Record<string, string | undefined> = process.env): string {
  return execFileSync('bash', [ENSURE_SCRIPT], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  }).trim();
}

export interface DevServerOptions {
  bin: string;
  dbFile: string;
  port: number;
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  logFile?: string;
  /** Extra dynamic-config values (key → JSON value). */
  dynamicConfig?: Record<string, unknown>;
  /** SQLite synchronous pragma: NORMAL keeps the last writes across a power loss, OFF is faster. */
  synchronous?: 'NORMAL' | 'OFF' | 'FULL';
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  // One partition per task queue: the server divides a queue's rate limit among its partitions,
  // each with a burst of at least one task, so with four partitions "1/s" lets four leave at once.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // Scrapes carry a fairness key (the batch id) so a site's queue serves batches in turn; the
  // server honours it only with fairness on (pre-release in 1.29).
  'matching.enableFairness': true,
  // The CLI's `--query` batch operations run one at a time per namespace by default.
  'frontend.MaxConcurrentBatchOperationPerNamespace': 4,
};

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace ?? 'default',
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    `synchronous=${opts.synchronous ?? 'NORMAL'}`,
    '--log-level',
    'warn',
  ];
  if (opts.headless) args.push('--headless');
  else if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  for (const [key, value] of Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...opts.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  const logFile = opts.logFile ?? join(dirname(opts.dbFile), `temporal-${opts.port}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(opts.bin, args, { stdio: ['ignore', fd, fd], detached: false });
  closeSync(fd);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`temporal dev server exited with ${exited}; see ${logFile}`);
    if (await isServing(address)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal dev server did not answer on ${address} within 60 s; see ${logFile}`);
    }
    await sleep(250);
  }
  return {
    address,
    uiUrl: opts.headless ? null : `http://127.0.0.1:${opts.uiPort ?? opts.port + 1000}`,
    process: child,
    async stop() {
      if (exited !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** True when a Temporal frontend answers a health check at `address`. */
export async function isServing(address: string): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1000 });
    await conn.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => {});
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
