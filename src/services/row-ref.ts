/**
 * The one public identity of an import row: `<batchId>:<line>`, the line of the manifest within its
 * batch — what the row's workflow id (`batch-<batchId>/row-<line>`), the report, the CLI, the API
 * and the review page all show. The database's numeric row id is still accepted where it always
 * was (the API's `/v1/imports/{id}`), but nothing prints it as the row's name any more.
 */
import type { Sql } from '../db/client';

const REF = /^([a-z2-7]{1,40}):(\d{1,9})$/;
const NUMERIC_ID = /^\d{1,18}$/;

export const rowRef = (batchId: string, line: number): string => `${batchId}:${line}`;

/** `{batchId, line}` of a `<batchId>:<line>` reference, else null. */
export function parseRowRef(ref: string): { batchId: string; line: number } | null {
  const m = REF.exec(ref);
  return m ? { batchId: m[1]!, line: Number(m[2]) } : null;
}

/** Either form a caller may hold: a `<batchId>:<line>` reference or the numeric row id. */
export const isRowRefOrId = (s: string): boolean => REF.test(s) || NUMERIC_ID.test(s);

/** The numeric id of a record row named either way, or null when there is none. */
export async function findRowId(sql: Sql, refOrId: string): Promise<string | null> {
  const ref = parseRowRef(refOrId);
  if (ref) {
    const [r] = await sql`SELECT id FROM import_rows WHERE batch_id = ${ref.batchId} AND line = ${ref.line} AND kind = 'record'`;
    return r ? String(r.id) : null;
  }
  if (!NUMERIC_ID.test(refOrId)) return null;
  const [r] = await sql`SELECT id FROM import_rows WHERE id = ${refOrId} AND kind = 'record'`;
  return r ? String(r.id) : null;
}
