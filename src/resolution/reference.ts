/**
 * Reference entities (ragas, composers, talas) the resolver matches against: the files shipped in
 * data/reference, plus whatever reviewers have added in the database (merged by mergeReference).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

export type EntityKind = 'raga' | 'composer' | 'tala';

export interface RefEntity {
  id: string;
  kind: EntityKind;
  name: string;
  aliases: string[];
  meta?: Record<string, unknown>;
}

export interface ReferenceData {
  ragas: RefEntity[];
  composers: RefEntity[];
  talas: RefEntity[];
}

export const REFERENCE_DIR = fileURLToPath(new URL('../../data/reference/', import.meta.url));

const RagaRow = z.object({
  name: z.string().min(1),
  name_normalized: z.string().min(1),
  melakarta_number: z.string(),
  parent_name_normalized: z.string(),
  arohanam: z.string(),
  avarohanam: z.string(),
});

const RagaAliasesFile = z.object({
  aliases: z.array(z.object({ id: z.string().min(1), aliases: z.array(z.string().min(1)).min(1), note: z.string().optional() })),
  /** Entries of ragas.csv that list one raga twice (`Sri` and `Shree`): the others resolve to `id`. */
  sameRaga: z
    .array(z.object({ id: z.string().min(1), duplicates: z.array(z.string().min(1)).min(1), note: z.string().optional() }))
    .default([]),
});

const ComposersFile = z.object({
  composers: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      aliases: z.array(z.string()),
      mudras: z.array(z.string()),
      sites: z.array(z.string()),
    }),
  ),
});

const TalasFile = z.object({
  talas: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      beats: z.number().int().positive(),
      aliases: z.array(z.string()),
      suladi: z.object({ tala: z.string(), jati: z.string(), angas: z.string() }).optional(),
      chapu: z.string().optional(),
    }),
  ),
});

/** Parses the shipped files in `dir`. Throws on a malformed file or an alias that names no raga. */
export function readReferenceDir(dir: string): ReferenceData {
  const rows = z
    .array(RagaRow)
    .parse(parse(readFileSync(`${dir}ragas.csv`, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }));
  const ragas: RefEntity[] = rows.map((row) => {
    const meta: Record<string, unknown> = { arohanam: row.arohanam, avarohanam: row.avarohanam };
    if (row.melakarta_number !== '') meta.melakarta = Number(row.melakarta_number);
    if (row.parent_name_normalized !== '') meta.parent = row.parent_name_normalized;
    return { id: row.name_normalized, kind: 'raga', name: row.name.trim(), aliases: [], meta };
  });

  const byId = new Map(ragas.map((r) => [r.id, r]));
  const ragaAliases = RagaAliasesFile.parse(JSON.parse(readFileSync(`${dir}raga-aliases.json`, 'utf8')));
  for (const entry of ragaAliases.aliases) {
    const raga = byId.get(entry.id);
    if (!raga) throw new Error(`raga-aliases.json: no raga with id '${entry.id}' in ragas.csv`);
    raga.aliases.push(...entry.aliases);
  }
  // A duplicate entry stays in the catalogue (a krithi may already name it) but is never a match of
  // its own: its names become aliases of the kept entry, so the two no longer tie.
  for (const entry of ragaAliases.sameRaga) {
    const kept = byId.get(entry.id);
    if (!kept) throw new Error(`raga-aliases.json: no raga with id '${entry.id}' in ragas.csv`);
    for (const id of entry.duplicates) {
      const duplicate = byId.get(id);
      if (!duplicate) throw new Error(`raga-aliases.json: no raga with id '${id}' in ragas.csv`);
      kept.aliases.push(duplicate.name, ...duplicate.aliases);
      duplicate.meta = { ...duplicate.meta, sameAs: kept.id };
    }
  }

  const composers = ComposersFile.parse(JSON.parse(readFileSync(`${dir}composers.json`, 'utf8'))).composers.map(
    (c): RefEntity => ({
      id: c.id,
      kind: 'composer',
      name: c.name,
      aliases: c.aliases,
      meta: { mudras: c.mudras, sites: c.sites },
    }),
  );

  const talas = TalasFile.parse(JSON.parse(readFileSync(`${dir}talas.json`, 'utf8'))).talas.map(
    (t): RefEntity => ({
      id: t.id,
      kind: 'tala',
      name: t.name,
      aliases: t.aliases,
      meta: { beats: t.beats, ...(t.suladi ? { suladi: t.suladi } : {}), ...(t.chapu ? { chapu: t.chapu } : {}) },
    }),
  );

  return { ragas, composers, talas };
}

let shipped: ReferenceData | undefined;

/** The reference data in data/reference, read once per process. Callers must not mutate it. */
export function loadShippedReference(): ReferenceData {
  shipped ??= readReferenceDir(REFERENCE_DIR);
  return shipped;
}

const LIST_OF: Record<EntityKind, keyof ReferenceData> = { raga: 'ragas', composer: 'composers', tala: 'talas' };

/**
 * A copy of `base` with entities and aliases learned in the database. An entry for an unknown id
 * adds an entity (named `name`, or else its alias, or else its id); an entry for a known id adds
 * its alias. `base` is left untouched.
 */
export function mergeReference(
  base: ReferenceData,
  extra: { kind: EntityKind; id: string; name?: string; alias?: string }[],
): ReferenceData {
  const copy = (list: RefEntity[]): RefEntity[] => list.map((e) => ({ ...e, aliases: [...e.aliases] }));
  const merged: ReferenceData = { ragas: copy(base.ragas), composers: copy(base.composers), talas: copy(base.talas) };
  const index = new Map<string, RefEntity>();
  for (const kind of Object.keys(LIST_OF) as EntityKind[]) {
    for (const e of merged[LIST_OF[kind]]) index.set(`${kind}\u0000${e.id}`, e);
  }
  for (const item of extra) {
    const key = `${item.kind}\u0000${item.id}`;
    let entity = index.get(key);
    if (!entity) {
      entity = { id: item.id, kind: item.kind, name: item.name ?? item.alias ?? item.id, aliases: [] };
      merged[LIST_OF[item.kind]].push(entity);
      index.set(key, entity);
    }
    if (item.alias !== undefined && item.alias !== entity.name && !entity.aliases.includes(item.alias)) {
      entity.aliases.push(item.alias);
    }
  }
  return merged;
}

/** The composer a source site implies (each source blog is devoted to one of the Trinity). */
export function composerForSite(site: string | null | undefined, ref: ReferenceData = loadShippedReference()): RefEntity | null {
  if (!site) return null;
  return ref.composers.find((c) => ((c.meta as { sites?: string[] } | undefined)?.sites ?? []).includes(site)) ?? null;
}
