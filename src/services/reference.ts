/**
 * The reference catalogue for reviewers: search ragas, composers and talas (by name, id or alias)
 * to pick an override, and add an entity or alias the shipped reference lacks. Additions are
 * marked source 'reviewer'; workers merge them into their matcher (db/reference loadLearned).
 */
import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client';
import type { EntityKind } from '../resolution/reference';
import { ServiceError } from './errors';
import { entityIdFromName } from '../resolution/entity-id';

export const ENTITY_TABLE = { raga: 'ragas', composer: 'composers', tala: 'talas' } as const satisfies Record<EntityKind, string>;
export const ENTITY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

export interface EntityHit {
  id: string;
  name: string;
  aliases: string[];
  source: string;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export function createReferenceService({ sql }: { sql: Sql }) {
  return {
    async search(kind: EntityKind, q: string | undefined, limit: number): Promise<EntityHit[]> {
      const table = ENTITY_TABLE[kind];
      const rows = await sql`
        SELECT e.id, e.name, e.source,
               coalesce((SELECT array_agg(a.alias ORDER BY a.alias) FROM entity_aliases a
                         WHERE a.kind = ${kind} AND a.entity_id = e.id), '{}') AS aliases
        FROM ${sql(table)} e
        ${q
          ? sql`WHERE e.name ILIKE ${likePattern(q)} OR e.id ILIKE ${likePattern(q)}
                   OR EXISTS (SELECT 1 FROM entity_aliases a WHERE a.kind = ${kind} AND a.entity_id = e.id
                              AND a.alias ILIKE ${likePattern(q)})`
          : sql``}
        ORDER BY (lower(e.name) = lower(${q ?? ''})) DESC, length(e.name), e.id
        LIMIT ${limit}`;
      return rows.map((r) => ({ id: r.id as string, name: r.name as string, aliases: r.aliases as string[], source: r.source as string }));
    },

    async add(
      kind: EntityKind,
      input: { id?: string; name: string; aliases?: string[] },
      actor: string,
    ): Promise<EntityHit> {
      const table = ENTITY_TABLE[kind];
      const id = input.id ?? entityIdFromName(input.name);
      if (!ENTITY_ID_PATTERN.test(id))
        throw new ServiceError('INVALID', `cannot derive an id from ${JSON.stringify(input.name)}; give one (${ENTITY_ID_PATTERN})`);
      const aliases = [...new Set((input.aliases ?? []).map((a) => a.trim()).filter(Boolean))];
      return sql.begin(async (tx) => {
        const inserted = await tx`
          INSERT INTO ${tx(table)} (id, name, source, created_by)
          VALUES (${id}, ${input.name}, 'reviewer', ${actor})
          ON CONFLICT (id) DO NOTHING RETURNING id`;
        if (inserted.length === 0) throw new ServiceError('CONFLICT', `${kind} '${id}' already exists`, { id });
        for (const alias of aliases)
          await tx`
            INSERT INTO entity_aliases (kind, alias, entity_id, source, created_by)
            VALUES (${kind}, ${alias}, ${id}, 'reviewer', ${actor}) ON CONFLICT DO NOTHING`;
        await tx`
          INSERT INTO audit_events (event_key, type, actor, data)
          VALUES (${`reference:${kind}:${id}:added:${randomBytes(4).toString('hex')}`}, 'REFERENCE_ADDED', ${actor},
                  ${tx.json({ kind, id, name: input.name, aliases } as never)})`;
        return { id, name: input.name, aliases, source: 'reviewer' };
      });
    },

    async addAlias(kind: EntityKind, id: string, alias: string, actor: string): Promise<EntityHit> {
      const table = ENTITY_TABLE[kind];
      return sql.begin(async (tx) => {
        const [e] = await tx`SELECT id, name, source FROM ${tx(table)} WHERE id = ${id}`;
        if (!e) throw new ServiceError('NOT_FOUND', `${kind} '${id}' not found`);
        const inserted = await tx`
          INSERT INTO entity_aliases (kind, alias, entity_id, source, created_by)
          VALUES (${kind}, ${alias.trim()}, ${id}, 'reviewer', ${actor}) ON CONFLICT DO NOTHING RETURNING alias`;
        if (inserted.length === 0) throw new ServiceError('CONFLICT', `${kind} '${id}' already has the alias`);
        await tx`
          INSERT INTO audit_events (event_key, type, actor, data)
          VALUES (${`reference:${kind}:${id}:alias:${randomBytes(4).toString('hex')}`}, 'REFERENCE_ALIAS_ADDED', ${actor},
                  ${tx.json({ kind, id, alias: alias.trim() } as never)})`;
        const all = await tx`SELECT alias FROM entity_aliases WHERE kind = ${kind} AND entity_id = ${id} ORDER BY alias`;
        return { id, name: e.name as string, aliases: all.map((a) => a.alias as string), source: e.source as string };
      });
    },
  };
}

export type ReferenceService = ReturnType<typeof createReferenceService>;
