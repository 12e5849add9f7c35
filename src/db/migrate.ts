/**
 * Versioned SQL migrations: src/db/migrations/NNN_name.sql, applied in order, each in its own
 * transaction, recorded in schema_migrations. Idempotent and safe to run from several processes at
 * once (an advisory lock serialises them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backfillTitleKeys } from './backfill';
import type { Sql } from './client';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_ID = 0x6b726974; // 'krit'

export interface MigrationResult {
  applied: string[];
  current: string | null;
}

export function listMigrations(): { version: string; file: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({ version: file.replace(/\.sql$/, ''), file }));
}

export async function migrate(sql: Sql): Promise<MigrationResult> {
  const result = await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => r.version as string));
    const applied: string[] = [];
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      await tx.unsafe(readFileSync(`${MIGRATIONS_DIR}${m.file}`, 'utf8'));
      await tx`INSERT INTO schema_migrations (version) VALUES (${m.version})`;
      applied.push(m.version);
    }
    const all = listMigrations();
    return { applied, current: all.at(-1)?.version ?? null };
  });
  // Derived columns SQL cannot compute, for rows written before they existed.
  await backfillTitleKeys(sql);
  return result;
}
