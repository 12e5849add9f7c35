/**
 * The API's shared state in PostgreSQL (migration 005): review-page sessions and per-token request
 * windows. Every API process reads and writes the same rows, so a reviewer signed in through one
 * replica is signed in on all, a form rendered by one is accepted by another, and a token's limit
 * counts its requests to every replica.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiRole } from '../config';
import type { Sql } from './client';

export interface StoredSession {
  name: string;
  role: ApiRole;
  csrf: string;
}

export interface ApiStateStore {
  /** A new session: its id goes to the cookie, only the id's hash is stored. */
  createSession(caller: { name: string; role: ApiRole }, ttlMs: number): Promise<{ id: string; csrf: string }>;
  /** The unexpired session with this id, or null. */
  getSession(id: string): Promise<StoredSession | null>;
  deleteSession(id: string): Promise<void>;
  /**
   * Counts one request of `caller` at `now` in its window (a fixed minute started by its first
   * request); answers the count so far and when the window started.
   */
  hit(caller: string, now: Date, windowMs: number): Promise<{ count: number; windowStart: Date }>;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function createApiStateStore(sql: Sql): ApiStateStore {
  return {
    async createSession(caller, ttlMs) {
      const id = randomBytes(32).toString('base64url');
      const csrf = randomBytes(24).toString('base64url');
      // Expired sessions go when new ones are made: the table stays the size of the live ones.
      await sql`DELETE FROM api_sessions WHERE expires_at < now()`;
      await sql`
        INSERT INTO api_sessions (id_sha256, name, role, csrf, expires_at)
        VALUES (${sha256(id)}, ${caller.name}, ${caller.role}, ${csrf}, now() + ${ttlMs}::double precision * interval '1 millisecond')`;
      return { id, csrf };
    },
    async getSession(id) {
      const [row] = await sql`
        SELECT name, role, csrf FROM api_sessions WHERE id_sha256 = ${sha256(id)} AND expires_at > now()`;
      return row ? { name: row.name as string, role: row.role as ApiRole, csrf: row.csrf as string } : null;
    },
    async deleteSession(id) {
      await sql`DELETE FROM api_sessions WHERE id_sha256 = ${sha256(id)}`;
    },
    async hit(caller, now, windowMs) {
      // One statement, so concurrent requests on several processes count exactly.
      const [row] = await sql`
        INSERT INTO api_rate_windows AS w (caller, window_start, count) VALUES (${caller}, ${now}, 1)
        ON CONFLICT (caller) DO UPDATE SET
          window_start = CASE WHEN w.window_start <= ${now}::timestamptz - ${windowMs}::double precision * interval '1 millisecond'
                              THEN excluded.window_start ELSE w.window_start END,
          count = CASE WHEN w.window_start <= ${now}::timestamptz - ${windowMs}::double precision * interval '1 millisecond'
                       THEN 1 ELSE w.count + 1 END
        RETURNING window_start, count`;
      return { count: row!.count as number, windowStart: row!.window_start as Date };
    },
  };
}
