/**
 * Fills derived columns that SQL cannot compute (the comparison keys of titles) for rows written
 * before the column existed. Idempotent; a no-op once everything has its key.
 */
import { titleKey } from '../resolution/title-key';
import type { Sql } from './client';

export async function backfillTitleKeys(sql: Sql): Promise<number> {
  let filled = 0;
  for (const table of ['import_rows', 'krithis'] as const) {
    for (;;) {
      const rows = await sql`
        SELECT id, title FROM ${sql(table)} WHERE title_key IS NULL AND title IS NOT NULL ORDER BY id LIMIT 1000`;
      if (rows.length === 0) break;
      for (const r of rows) {
        await sql`UPDATE ${sql(table)} SET title_key = ${titleKey(r.title as string)} WHERE id = ${r.id}`;
      }
      filled += rows.length;
    }
  }
  return filled;
}
