/**
 * The Temporal side of a stack, in one of three shapes chosen by one switch (`--temporal`):
 *
 * - `dev`: the CLI's dev server (SQLite, one process) — the quickest start;
 * - `postgres`: one node of the real server on its own PostgreSQL databases;
 * - `cluster`: two such nodes on the same databases, each with its own ports, members of one
 *   cluster (membership on 127.0.0.1), behind a frontend proxy that hands each connection to
 *   either node — so workers reach whichever frontend is alive.
 *
 * Shared by `demo`, `serve`, the integration-test setup and the benchmark; the server's
 * configuration comes from ops/temporal/ (the files docker-compose.yml mounts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { Connection } from '@temporalio/client';
import { freePort } from '../net';
import { ensureTemporalBinary, isServing, startDevServer, type DevServer } from './dev-server';
import { readDynamicConfig, renderDynamicConfig, type DynamicConfig } from './dynamic-config';
import { startFrontendProxy, type FrontendProxy } from './frontend-proxy';
import { registerSearchAttributes } from './namespace-setup';
import {
  databaseEnv,
  ensureServerBinaries,
  PORTS_PER_NODE,
  runSetup,
  startServerNode,
  temporalDatabasesFor,
  type ServerNode,
  type TemporalDatabases,
} from './server-node';

export const TEMPORAL_MODES = ['dev', 'postgres', 'cluster'] as const;
export type TemporalMode = (typeof TEMPORAL_MODES)[number];

export function parseTemporalMode(value: string | undefined, what = '--temporal'): TemporalMode {
  const v = value ?? 'dev';
  if (!(TEMPORAL_MODES as readonly string[]).includes(v))
    throw new Error(`${what} must be one of ${TEMPORAL_MODES.join(', ')}, not ${JSON.stringify(v)}`);
  return v as TemporalMode;
}

export interface EngineOptions {
  mode: TemporalMode;
  /** Logs, the dev server's SQLite file, the nodes' dynamic-config copy. */
  stateDir: string;
  namespace: string;
  /**
   * The address clients use: the dev server's port, the single node's port base, or the proxy's
   * port in front of a cluster (whose nodes then take port+100 and port+200). Unset: free ports.
   */
  port?: number;
  /** The application database: Temporal's databases are named after it (server-node.ts). */
  databaseUrl: string;
  /** Tags Temporal's database names further (a test's own cluster beside the suite's server). */
  databaseTag?: string;
  /** Drop Temporal's databases first (tests, benchmarks: every run on an empty server). */
  fresh?: boolean;
  /** Dynamic-config values over ops/temporal/dynamicconfig.yaml. */
  dynamicConfig?: DynamicConfig;
  /** dev only */
  devDbFile?: string;
  headless?: boolean;
  uiPort?: number;
  synchronous?: 'NORMAL' | 'OFF' | 'FULL';
}

export interface TemporalEngine {
  mode: TemporalMode;
  /** Where workers and clients connect. */
  address: string;
  /** Every frontend behind `address` (one, or the cluster's two). */
  frontends: string[];
  uiUrl: string | null;
  databases: TemporalDatabases | null;
  /** The server processes (for CPU and memory readings from /proc). */
  pids(): number[];
  /** The real server's nodes (empty in dev mode). */
  nodes: ServerNode[];
  /** Starts node i again after a kill or stop (same ports, same databases). */
  restartNode(i: number): Promise<void>;
  /** The dev server, restarted on its file (dev mode), or every node in turn. */
  restart(): Promise<void>;
  proxy: FrontendProxy | null;
  logFiles(): string[];
  stop(): Promise<void>;
}

/** Starts the engine, sets up its namespace and search attributes, and waits until every frontend serves them. */
export async function startEngine(opts: EngineOptions): Promise<TemporalEngine> {
  mkdirSync(opts.stateDir, { recursive: true });
  const values = { ...readDynamicConfig(), ...opts.dynamicConfig };
  return opts.mode === 'dev' ? startDevEngine(opts, values) : startServerEngine(opts, values);
}

async function startDevEngine(opts: EngineOptions, values: DynamicConfig): Promise<TemporalEngine> {
  const serverOptions = {
    bin: ensureTemporalBinary(),
    dbFile: opts.devDbFile ?? join(opts.stateDir, 'temporal.db'),
    headless: opts.headless,
    uiPort: opts.uiPort,
    namespace: opts.namespace,
    synchronous: opts.synchronous,
    dynamicConfig: values,
  };
  const start = async (port?: number) => {
    // A free port can be taken between the probe and the bind by a parallel process: try again.
    let lastError: unknown;
    for (let attempt = 0; attempt < (port ? 1 : 4); attempt++) {
      try {
        return await startDevServer({ ...serverOptions, port: port ?? (await freePort()) });
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  };
  let server: DevServer = await start(opts.port);
  const port = Number(server.address.split(':')[1]);
  await withConnection(server.address, (c) => registerSearchAttributes(c, opts.namespace));
  return {
    mode: 'dev',
    get address() {
      return server.address;
    },
    get frontends() {
      return [server.address];
    },
    get uiUrl() {
      return server.uiUrl;
    },
    databases: null,
    pids: () => (server.process.pid ? [server.process.pid] : []),
    nodes: [],
    restartNode: async () => {
      throw new Error('the dev server has no nodes; use restart()');
    },
    async restart() {
      await server.stop();
      server = await start(port); // same file, same port
    },
    proxy: null,
    logFiles: () => [join(join(serverOptions.dbFile, '..'), `temporal-${port}.log`)],
    stop: () => server.stop(),
  };
}

async function startServerEngine(opts: EngineOptions, values: DynamicConfig): Promise<TemporalEngine> {
  const bins = ensureServerBinaries();
  const databases = temporalDatabasesFor(opts.databaseUrl, opts.databaseTag);
  const setupLog = join(opts.stateDir, 'temporal-setup.log');
  if (opts.fresh) await dropDatabases(databases);
  runSetup('schema', { ...databaseEnv(databases), TEMPORAL_SQL_TOOL: bins.sqlTool, TEMPORAL_SCHEMA_DIR: bins.schemaDir }, setupLog);

  const dynamicConfigFile = join(opts.stateDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, `# written by src/temporal/engine.ts: ops/temporal/dynamicconfig.yaml with this stack's overrides\n${renderDynamicConfig(values)}`);

  const nodeCount = opts.mode === 'cluster' ? 2 : 1;
  const bases = opts.port
    ? Array.from({ length: nodeCount }, (_, i) => (opts.mode === 'cluster' ? opts.port! + 100 * (i + 1) : opts.port!))
    : await freePortRanges(nodeCount, PORTS_PER_NODE);
  const nodeOptions = (i: number) => ({
    bin: bins.server,
    portBase: bases[i]!,
    databases,
    dynamicConfigFile,
    logFile: join(opts.stateDir, `temporal-node-${bases[i]}.log`),
  });
  const nodes: ServerNode[] = [];
  try {
    // One after the other: the first creates the cluster's metadata, the second joins it.
    for (let i = 0; i < nodeCount; i++) nodes.push(await startServerNode(nodeOptions(i)));
    runSetup(
      'namespace',
      { TEMPORAL_ADDRESS: nodes[0]!.address, TEMPORAL_NAMESPACE: opts.namespace, TEMPORAL_CLI: ensureTemporalBinary() },
      setupLog,
    );
    // Each frontend caches namespaces and search attributes; wait until every one serves them.
    for (const node of nodes) await withConnection(node.address, (c) => waitForNamespace(c, opts.namespace));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  const proxy = opts.mode === 'cluster' ? await startFrontendProxy({ upstreams: nodes.map((n) => n.address), port: opts.port }) : null;
  const engine: TemporalEngine = {
    mode: opts.mode,
    address: proxy?.address ?? nodes[0]!.address,
    frontends: nodes.map((n) => n.address),
    uiUrl: null,
    databases,
    pids: () => nodes.filter((n) => n.running()).map((n) => n.process.pid!),
    nodes,
    async restartNode(i) {
      if (nodes[i]!.running()) await nodes[i]!.stop();
      nodes[i] = await startServerNode(nodeOptions(i));
    },
    async restart() {
      for (let i = 0; i < nodes.length; i++) await engine.restartNode(i);
    },
    proxy,
    logFiles: () => [setupLog, ...nodes.map((n) => n.logFile)],
    async stop() {
      await proxy?.close();
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  return engine;
}

async function withConnection<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await Connection.connect({ address });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** Until this frontend describes the namespace and lists every custom search attribute. */
async function waitForNamespace(c: Connection, namespace: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: unknown;
  for (;;) {
    try {
      await c.workflowService.describeNamespace({ namespace });
      await registerSearchAttributes(c, namespace);
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} did not become ready: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function dropDatabases(db: TemporalDatabases): Promise<void> {
  const sql = postgres({ host: db.host, port: db.port, user: db.user, password: db.password || undefined, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    for (const name of [db.name, db.visibilityName]) {
      // Identifiers cannot be parameters; temporalDatabasesFor admits only [a-z0-9_] names.
      if (!/^[a-z0-9_]+_temporal(_visibility)?$/.test(name)) throw new Error(`refusing to drop database ${name}`);
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * `n` bases of `width` consecutive ports, each free on 127.0.0.1 right now, below 32,768: the
 * cluster_membership table keeps a node's membership port as a PostgreSQL smallint (a node on an
 * ephemeral port above it dies with "value … is out of range for type smallint").
 */
async function freePortRanges(n: number, width: number): Promise<number[]> {
  const out: number[] = [];
  for (let attempt = 0; out.length < n; attempt++) {
    if (attempt > 200) throw new Error(`no ${width} consecutive free ports below 32768`);
    const base = 20_000 + Math.floor(Math.random() * (32_767 - width - 20_000));
    if (out.some((b) => Math.abs(b - base) < width)) continue;
    let free = true;
    for (let p = base; p < base + width && free; p++) free = await portFree(p);
    if (free) out.push(base);
  }
  return out;
}

function portFree(port: number): Promise<boolean> {
  return import('node:net').then(
    ({ createServer }) =>
      new Promise((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
      }),
  );
}

export { isServing };
