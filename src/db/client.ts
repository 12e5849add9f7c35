import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;

export interface SqlOptions {
  max?: number;
}

/** A postgres.js pool. Notices (e.g. "relation already exists, skipping") are not log noise. */
export function createSql(url: string, opts: SqlOptions = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    idle_timeout: 30,
    connect_timeout: 10,
  }) as unknown as Sql;
}

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(dbName)) throw new Error(`refusing unusual database name ${JSON.stringify(dbName)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${dbName}`;
    if (rows.length === 0) {
      try {
        // Identifiers cannot be parameters; the name is checked against a strict pattern above.
        await sql.unsafe(`CREATE DATABASE "${dbName}"`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Drops and re-creates a scratch database (tests, benchmarks). Refuses any database whose name
 * lacks `marker`, so a mistyped URL can never wipe a real one.
 */
export async function resetDatabase(url: string, marker: string): Promise<void> {
  const dbName = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[a-z0-9_]+$/.test(dbName) || !dbName.includes(marker))
    throw new Error(`refusing to reset database ${JSON.stringify(dbName)}: its name must contain "${marker}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    // Identifiers cannot be parameters; the name is checked against a strict pattern above.
    await sql.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await sql.unsafe(`CREATE DATABASE "${dbName}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
