/**
 * The reference catalogue in PostgreSQL: seeded idempotently from the files shipped in
 * data/reference (skipped when their digest is unchanged), plus what reviewers add.
 */
import { createHash } from 'node:crypto';
import type { EntityKind, ReferenceData } from '../resolution/reference';
import { loadShippedReference } from '../resolution/reference';
import type { Sql, Tx } from './client';

export async function seedReference(sql: Sql, ref: ReferenceData = loadShippedReference()): Promise<boolean> {
  const digest = createHash('sha256').update(JSON.stringify(ref)).digest('hex');
  const [current] = await sql`SELECT digest FROM reference_versions WHERE name = 'shipped'`;
  if (current?.digest === digest) return false;
  await sql.begin(async (tx) => {
    const upsert = async (table: 'ragas' | 'composers' | 'talas', rows: ReferenceData['ragas']) => {
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500).map((e) => ({
          id: e.id,
          name: e.name,
          meta: tx.json((e.meta ?? {}) as never),
          ...(table === 'talas' ? { beats: Number((e.meta as { beats?: number } | undefined)?.beats ?? null) || null } : {}),
        }));
        const cols = table === 'talas' ? ['id', 'name', 'meta', 'beats'] : ['id', 'name', 'meta'];
        await tx`
          INSERT INTO ${tx(table)} ${tx(chunk as never, cols as never)}
          ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, meta = EXCLUDED.meta
          ${table === 'talas' ? tx`, beats = EXCLUDED.beats` : tx``}`;
      }
    };
    await upsert('ragas', ref.ragas);
    await upsert('composers', ref.composers);
    await upsert('talas', ref.talas);
    const aliases: { kind: EntityKind; alias: string; entity_id: string }[] = [];
    for (const e of [...ref.ragas, ...ref.composers, ...ref.talas])
      for (const alias of e.aliases) aliases.push({ kind: e.kind, alias, entity_id: e.id });
    await tx`DELETE FROM entity_aliases WHERE source = 'reference'`;
    for (let i = 0; i < aliases.length; i += 1000) {
      await tx`INSERT INTO entity_aliases ${tx(aliases.slice(i, i + 1000))} ON CONFLICT DO NOTHING`;
    }
    await tx`INSERT INTO reference_versions (name, digest) VALUES ('shipped', ${digest})
             ON CONFLICT (name) DO UPDATE SET digest = EXCLUDED.digest, loaded_at = now()`;
  });
  return true;
}

export interface LearnedEntry {
  kind: EntityKind;
  id: string;
  name?: string;
  alias?: string;
}

/** Entities and aliases reviewers added: merged over the shipped reference by each worker. */
export async function loadLearned(sql: Sql): Promise<{ entries: LearnedEntry[]; stamp: string }> {
  const stamp = await learnedStamp(sql);
  const entities = await sql`
    SELECT 'raga' AS kind, id, name FROM ragas WHERE source <> 'reference'
    UNION ALL SELECT 'composer', id, name FROM composers WHERE source <> 'reference'
    UNION ALL SELECT 'tala', id, name FROM talas WHERE source <> 'reference'`;
  const aliases = await sql`SELECT kind, entity_id, alias FROM entity_aliases WHERE source <> 'reference'`;
  return {
    stamp,
    entries: [
      ...entities.map((e) => ({ kind: e.kind as EntityKind, id: e.id as string, name: e.name as string })),
      ...aliases.map((a) => ({ kind: a.kind as EntityKind, id: a.entity_id as string, alias: a.alias as string })),
    ],
  };
}

/** Cheap check whether anything learned changed since `stamp`. */
export async function learnedStamp(sql: Sql): Promise<string> {
  const [row] = await sql`
    SELECT (SELECT count(*) FROM entity_aliases WHERE source <> 'reference')::text || ':' ||
           (SELECT count(*) FROM ragas WHERE source <> 'reference')::text || ':' ||
           coalesce((SELECT max(created_at) FROM entity_aliases WHERE source <> 'reference')::text, '') AS s`;
  return row?.s as string;
}

export interface LearnedAlias {
  kind: EntityKind;
  /** The spelling as the manifest or page gave it. */
  alias: string;
  entityId: string;
}

/**
 * Records spellings a reviewer resolved by hand as aliases (source 'reviewer'), each audited with
 * who and when. Runs inside the caller's transaction; an alias already known is left as it is (and
 * not audited again). Returns the aliases actually added.
 */
export async function recordReviewerAliases(
  tx: Tx,
  input: { aliases: LearnedAlias[]; reviewer: string; batchId: string; rowId: string; eventKeyPrefix: string },
): Promise<LearnedAlias[]> {
  const added: LearnedAlias[] = [];
  for (const [i, a] of input.aliases.entries()) {
    const inserted = await tx`
      INSERT INTO entity_aliases (kind, alias, entity_id, source, created_by)
      VALUES (${a.kind}, ${a.alias}, ${a.entityId}, 'reviewer', ${input.reviewer})
      ON CONFLICT (kind, alias, entity_id) DO NOTHING
      RETURNING created_at`;
    if (inserted.length === 0) continue;
    added.push(a);
    await tx`
      INSERT INTO audit_events (event_key, type, batch_id, row_id, actor, data)
      VALUES (${`${input.eventKeyPrefix}:alias:${i}`}, 'ALIAS_LEARNED', ${input.batchId}, ${input.rowId}, ${input.reviewer},
              ${tx.json({ kind: a.kind, alias: a.alias, entityId: a.entityId } as never)})
      ON CONFLICT (event_key) DO NOTHING`;
  }
  return added;
}
