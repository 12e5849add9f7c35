/**
 * Bringing up the parts a command needs: the database (created, migrated, reference seeded) and a
 * Temporal frontend (the configured one, or a local engine this process starts: the dev server,
 * one real server node on PostgreSQL, or a two-node cluster; see src/temporal/engine.ts).
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { createSql, ensureDatabase, type Sql } from './db/client';
import { migrate } from './db/migrate';
import { seedReference } from './db/reference';
import { isServing, startEngine, type TemporalEngine, type TemporalMode } from './temporal/engine';
import { registerSearchAttributes } from './temporal/namespace-setup';

export async function prepareDatabase(url: string, opts: { max?: number } = {}): Promise<Sql> {
  await ensureDatabase(url);
  const sql = createSql(url, opts);
  await migrate(sql);
  await seedReference(sql);
  return sql;
}

/** What a frontend says it runs on (GetClusterInfo): `sqlite` for the dev server, `postgres12` for ours. */
export interface TemporalBackend {
  /** The mode this process started, or null when it connected to a server it did not start. */
  mode: TemporalMode | null;
  persistence: string;
  visibility: string;
  /** Frontends this process started (one, or the cluster's two behind `address`). */
  frontends: string[];
}

export interface TemporalHandle {
  address: string;
  uiUrl: string | null;
  engine: TemporalEngine | null;
  backend: TemporalBackend;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

const STORE_OF_MODE: Record<TemporalMode, string> = { dev: 'sqlite', postgres: 'postgres12', cluster: 'postgres12' };

/**
 * Connects to TEMPORAL_ADDRESS when set; otherwise reuses an engine already answering on the
 * configured port (when it runs on the store the mode asks for), or starts one with its state in
 * the state directory (outside the repo): the dev server's SQLite file, or the real server's
 * PostgreSQL databases named after the application's.
 */
export async function connectTemporal(
  config: Config,
  opts: { startServer: boolean; mode?: TemporalMode; headless?: boolean; dbFile?: string },
): Promise<TemporalHandle> {
  const mode = opts.mode ?? 'dev';
  let address = config.temporal.address;
  let engine: TemporalEngine | null = null;
  let uiUrl: string | null = null;
  if (!address) {
    address = `127.0.0.1:${config.temporal.devPort}`;
    if (await isServing(address)) {
      const found = await backendAt(address);
      if (found.persistence !== STORE_OF_MODE[mode])
        throw new Error(
          `a Temporal server on ${found.persistence} already answers at ${address}, but --temporal ${mode} needs ${STORE_OF_MODE[mode]}; ` +
            'stop it or set TEMPORAL_DEV_PORT to another port',
        );
      if (mode === 'dev') uiUrl = `http://127.0.0.1:${config.temporal.uiPort}`;
    } else {
      if (!opts.startServer)
        throw new Error(`no Temporal server at ${address}; set TEMPORAL_ADDRESS or start one (npm run demo -- --keep)`);
      engine = await startEngine({
        mode,
        stateDir: join(config.stateDir, mode),
        namespace: config.temporal.namespace,
        port: config.temporal.devPort,
        databaseUrl: config.databaseUrl,
        devDbFile: opts.dbFile ?? join(config.stateDir, 'dev', 'temporal.db'),
        uiPort: config.temporal.uiPort,
        headless: opts.headless,
      });
      address = engine.address;
      uiUrl = engine.uiUrl;
    }
  }
  const connection = await Connection.connect({ address });
  await registerSearchAttributes(connection, config.temporal.namespace);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const info = await connection.workflowService.getClusterInfo({});
  return {
    address,
    uiUrl,
    engine,
    backend: {
      mode: engine?.mode ?? null,
      persistence: info.persistenceStore ?? 'unknown',
      visibility: info.visibilityStore ?? 'unknown',
      frontends: engine?.frontends ?? [],
    },
    connection,
    client,
    async close() {
      await connection.close().catch(() => {});
      await engine?.stop();
    },
  };
}

async function backendAt(address: string): Promise<{ persistence: string }> {
  const c = await Connection.connect({ address });
  try {
    const info = await c.workflowService.getClusterInfo({});
    return { persistence: info.persistenceStore ?? 'unknown' };
  } finally {
    await c.close();
  }
}
