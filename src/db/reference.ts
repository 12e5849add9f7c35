/**
 * The reference catalogue in PostgreSQL: seeded idempotently from the files shipped in
 * data/reference (skipped when their digest is unchanged), plus what reviewers add.
 */
import { createHash } from 'node:crypto';
import type { EntityKind, ReferenceData } from '../resolution/reference';
import { loadShippedReference, scaleOf } from '../resolution/reference';
import type { NewRaga } from '../shared';
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
  /** A reviewer-added raga's parent, scale and source note. */
  meta?: Record<string, unknown>;
}

/** Entities and aliases reviewers added: merged over the shipped reference by each worker. */
export async function loadLearned(sql: Sql): Promise<{ entries: LearnedEntry[]; stamp: string }> {
  const stamp = await learnedStamp(sql);
  const entities = await sql`
    SELECT 'raga' AS kind, id, name, meta FROM ragas WHERE source <> 'reference'
    UNION ALL SELECT 'composer', id, name, meta FROM composers WHERE source <> 'reference'
    UNION ALL SELECT 'tala', id, name, meta FROM talas WHERE source <> 'reference'`;
  const aliases = await sql`SELECT kind, entity_id, alias FROM entity_aliases WHERE source <> 'reference'`;
  return {
    stamp,
    entries: [
      ...entities.map((e) => ({
        kind: e.kind as EntityKind,
        id: e.id as string,
        name: e.name as string,
        ...(e.meta && Object.keys(e.meta as object).length ? { meta: e.meta as Record<string, unknown> } : {}),
      })),
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

/**
 * Adds a raga a reviewer defined with a decision (source 'reviewer', the decision's note as its source
 * note), audited as RAGA_ADDED. Runs inside the caller's transaction (persistKrithi's), so the raga
 * exists exactly when the row that needed it is imported. Returns false if the id was taken meanwhile.
 */
export async function recordReviewerRaga(
  tx: Tx,
  input: {
    raga: NewRaga & { id: string };
    note: string;
    reviewer: string;
    batchId: string;
    rowId: string;
    eventKeyPrefix: string;
  },
): Promise<boolean> {
  const { raga } = input;
  const meta = {
    parent: raga.parent,
    arohanam: raga.arohanam,
    avarohanam: raga.avarohanam,
    scale: scaleOf(raga.arohanam, raga.avarohanam, raga.anyaSvaras ?? []),
    source: 'reviewer',
    sourceNote: input.note,
  };
  const inserted = await tx`
    INSERT INTO ragas (id, name, meta, source, created_by)
    VALUES (${raga.id}, ${raga.name}, ${tx.json(meta as never)}, 'reviewer', ${input.reviewer})
    ON CONFLICT (id) DO NOTHING RETURNING id`;
  if (inserted.length === 0) return false;
  await tx`
    INSERT INTO audit_events (event_key, type, batch_id, row_id, actor, data)
    VALUES (${`${input.eventKeyPrefix}:raga-added`}, 'RAGA_ADDED', ${input.batchId}, ${input.rowId}, ${input.reviewer},
            ${tx.json({ id: raga.id, name: raga.name, parent: raga.parent, arohanam: raga.arohanam, avarohanam: raga.avarohanam, anyaSvaras: raga.anyaSvaras ?? [], note: input.note } as never)})
    ON CONFLICT (event_key) DO NOTHING`;
  return true;
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
