/**
 * Bringing up the parts a command needs: the database (created, migrated, reference seeded) and a
 * Temporal frontend (the configured one, or a local dev server this process starts).
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { createSql, ensureDatabase, type Sql } from './db/client';
import { migrate } from './db/migrate';
import { seedReference } from './db/reference';
import { ensureTemporalBinary, isServing, startDevServer, type DevServer } from './temporal/dev-server';
import { registerSearchAttributes } from './temporal/namespace-setup';

export async function prepareDatabase(url: string, opts: { max?: number } = {}): Promise<Sql> {
  await ensureDatabase(url);
  const sql = createSql(url, opts);
  await migrate(sql);
  await seedReference(sql);
  return sql;
}

export interface TemporalHandle {
  address: string;
  uiUrl: string | null;
  devServer: DevServer | null;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/**
 * Connects to TEMPORAL_ADDRESS when set; otherwise reuses a dev server already answering on the
 * configured port, or starts one with its database file in the state directory (outside the repo).
 */
export async function connectTemporal(
  config: Config,
  opts: { startDevServer: boolean; headless?: boolean; dbFile?: string },
): Promise<TemporalHandle> {
  let address = config.temporal.address;
  let devServer: DevServer | null = null;
  let uiUrl: string | null = null;
  if (!address) {
    address = `127.0.0.1:${config.temporal.devPort}`;
    uiUrl = `http://127.0.0.1:${config.temporal.uiPort}`;
    if (!(await isServing(address))) {
      if (!opts.startDevServer)
        throw new Error(`no Temporal server at ${address}; set TEMPORAL_ADDRESS or start one (npm run demo -- --keep)`);
      devServer = await startDevServer({
        bin: ensureTemporalBinary(),
        dbFile: opts.dbFile ?? join(config.stateDir, 'dev', 'temporal.db'),
        port: config.temporal.devPort,
        uiPort: config.temporal.uiPort,
        headless: opts.headless,
        namespace: config.temporal.namespace,
      });
      uiUrl = devServer.uiUrl;
    }
  }
  const connection = await Connection.connect({ address });
  await registerSearchAttributes(connection, config.temporal.namespace);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return {
    address,
    uiUrl,
    devServer,
    connection,
    client,
    async close() {
      await connection.close().catch(() => {});
      await devServer?.stop();
    },
  };
}
