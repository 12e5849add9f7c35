/**
 * Opaque pagination cursors: base64url JSON of the keyset position. A cursor that does not
 * decode to the expected shape is refused (the API answers 400), never passed to SQL.
 */
import { z } from 'zod';

export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Batches: newest first, by (created_at, id). */
export const BatchCursor = z.tuple([z.iso.datetime({ offset: true }), z.string().regex(/^[a-z2-7]{1,40}$/)]);
/** Import rows: by id. */
export const RowCursor = z.tuple([z.string().regex(/^\d{1,18}$/)]);
