/**
 * One node of the real Temporal server (`temporal-server`, built from Go modules by
 * scripts/ensure-temporal-server.sh) on PostgreSQL, configured by ops/temporal/config/krithi.yaml —
 * the same file docker-compose.yml mounts. Every service (frontend, history, matching, worker)
 * runs in the one process; a second node on the same databases with another port base joins the
 * first through the cluster_membership table.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isServing } from './dev-server';

const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-temporal-server.sh', import.meta.url));
export const OPS_TEMPORAL_DIR = fileURLToPath(new URL('../../ops/temporal/', import.meta.url));
export const SETUP_SCRIPT = join(OPS_TEMPORAL_DIR, 'setup.sh');

/** Ports a node takes from its base (see ops/temporal/config/krithi.yaml). */
export const PORTS_PER_NODE = 10;

export interface ServerBinaries {
  server: string;
  sqlTool: string;
  /** go.temporal.io/server's schema/postgresql/v12, of the same version as the server. */
  schemaDir: string;
}

/** Finds or builds temporal-server and temporal-sql-tool; see scripts/ensure-temporal-server.sh. */
export function ensureServerBinaries(env: Record<string, string | undefined> = process.env): ServerBinaries {
  const dir = execFileSync('bash', [ENSURE_SCRIPT], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  }).trim();
  return {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'temporal-schema', 'postgresql', 'v12'),
  };
}

/** Temporal's two databases and how to reach them. */
export interface TemporalDatabases {
  host: string;
  port: number;
  user: string;
  password: string;
  name: string;
  visibilityName: string;
}

/**
 * Temporal's databases beside the application's, named after it (`<app db>[_<tag>]_temporal` and
 * `…_temporal_visibility`): the demo's, each test run's and the benchmark's never collide, and a
 * test that runs a cluster of its own tags its pair.
 */
export function temporalDatabasesFor(databaseUrl: string, tag?: string): TemporalDatabases {
  const u = new URL(databaseUrl);
  const app = decodeURIComponent(u.pathname.replace(/^\//, '')) + (tag ? `_${tag}` : '');
  if (!/^[a-z0-9_]+$/.test(app)) throw new Error(`cannot derive Temporal database names from ${JSON.stringify(app)}`);
  if (`${app}_temporal_visibility`.length > 63) throw new Error(`database name ${app} is too long to derive Temporal's from`);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    name: `${app}_temporal`,
    visibilityName: `${app}_temporal_visibility`,
  };
}

/** The environment ops/temporal/config/krithi.yaml and ops/temporal/setup.sh read. */
export function databaseEnv(db: TemporalDatabases): Record<string, string> {
  return {
    TEMPORAL_DB_HOST: db.host,
    TEMPORAL_DB_PORT: String(db.port),
    TEMPORAL_DB_USER: db.user,
    TEMPORAL_DB_PASSWORD: db.password,
    TEMPORAL_DB_NAME: db.name,
    TEMPORAL_VISIBILITY_DB_NAME: db.visibilityName,
  };
}

/** ops/temporal/setup.sh with the given step; its output goes to `logFile`. */
export function runSetup(step: 'schema' | 'namespace', env: Record<string, string>, logFile: string): void {
  const fd = openSync(logFile, 'a');
  try {
    // HOME: the temporal CLI refuses to start without a user config directory.
    execFileSync('sh', [SETUP_SCRIPT, step], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', fd, fd],
    });
  } catch {
    throw new Error(`Temporal setup (${step}) failed; see ${logFile}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * How a node is started from the ops/temporal directory at `root` (docker-compose.yml mounts it at
 * /etc/krithi-temporal and runs the same arguments). No authorizer: the frontend binds loopback
 * (natively) or a private network (compose), and clients are the project's own processes.
 */
export function serverArgs(root: string): string[] {
  return ['--root', root, '--config', 'config', '--env', 'krithi', '--allow-no-auth', 'start'];
}

export interface ServerNodeOptions {
  bin: string;
  portBase: number;
  databases: TemporalDatabases;
  dynamicConfigFile: string;
  logFile: string;
  logLevel?: string;
}

export interface ServerNode {
  /** Frontend gRPC host:port. */
  address: string;
  portBase: number;
  process: ChildProcess;
  logFile: string;
  running(): boolean;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** The fault: the node dies at once, as on a lost machine. */
  kill(): Promise<void>;
}

export async function startServerNode(opts: ServerNodeOptions): Promise<ServerNode> {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(
    opts.bin,
    serverArgs(OPS_TEMPORAL_DIR),
    {
      env: {
        PATH: process.env.PATH,
        ...databaseEnv(opts.databases),
        TEMPORAL_PORT_BASE: String(opts.portBase),
        TEMPORAL_BIND_IP: '127.0.0.1',
        TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
        TEMPORAL_DYNAMIC_CONFIG: opts.dynamicConfigFile,
        TEMPORAL_LOG_LEVEL: opts.logLevel ?? 'warn',
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    }),
  );
  const address = `127.0.0.1:${opts.portBase}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== null) throw new Error(`temporal-server on ${address} exited with ${exited}; see ${opts.logFile}`);
    if (await isServing(address)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal-server did not answer on ${address} within 90 s; see ${opts.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (exited !== null) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  return {
    address,
    portBase: opts.portBase,
    process: child,
    logFile: opts.logFile,
    running: () => exited === null,
    stop: () => signal('SIGTERM', 10_000),
    kill: () => signal('SIGKILL', 0),
  };
}
