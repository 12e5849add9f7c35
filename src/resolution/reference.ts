/**
 * Reference entities (ragas, composers, talas) the resolver matches against: the files shipped in
 * data/reference, plus whatever reviewers have added in the database (merged by mergeReference).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { comparisonKey, splitReferenceName } from './normalize';
import { distinct, parseScale, type Svara } from './scale';

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

/** `source` is checked by hand (requireSource) so a missing one is reported with its file and entry. */
const Sourced = { source: z.string().optional() };

const SourcesFile = z.object({
  sources: z.record(z.string(), z.object({ title: z.string().min(1), url: z.string().min(1), consulted: z.string().min(1) })),
});

const RagaAliasesFile = z.object({
  aliases: z.array(
    z.object({ id: z.string().min(1), aliases: z.array(z.string().min(1)).min(1), note: z.string().optional(), ...Sourced }),
  ),
  /** Entries of ragas.csv that list one raga twice (`Sri` and `Shree`): the others resolve to `id`. */
  sameRaga: z
    .array(z.object({ id: z.string().min(1), duplicates: z.array(z.string().min(1)).min(1), note: z.string().optional(), ...Sourced }))
    .default([]),
});

const MelakartasFile = z.object({
  source: z.string().min(1),
  melas: z
    .array(
      z.object({
        number: z.number().int().min(1).max(72),
        chakra: z.string().min(1),
        id: z.string().min(1),
        name: z.string().min(1),
        scale: z.string().min(1),
        asampurna: z.object({ name: z.string().min(1), id: z.string().min(1) }),
      }),
    )
    .length(72),
});

const CorrectionsFile = z.object({
  corrections: z.array(
    z.object({
      id: z.string().min(1),
      field: z.enum(['arohanam', 'avarohanam']),
      from: z.string(),
      to: z.string().min(1),
      why: z.string().min(1),
      ...Sourced,
    }),
  ),
  bhashanga: z.array(z.object({ id: z.string().min(1), anyaSvaras: z.array(z.string()).min(1), why: z.string().min(1), ...Sourced })),
});

const AddedRagasFile = z.object({
  ragas: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      parent: z.string().min(1),
      arohanam: z.string().min(1),
      avarohanam: z.string().min(1),
      aliases: z.array(z.string().min(1)).default([]),
      anyaSvaras: z.array(z.string()).default([]),
      note: z.string().optional(),
      ...Sourced,
    }),
  ),
});

const ComposersFile = z.object({
  composers: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      aliases: z.array(z.string()),
      mudras: z.array(z.string()),
      sites: z.array(z.string()),
      ...Sourced,
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
      ...Sourced,
    }),
  ),
});

/** A reference file that is malformed or makes a claim without a source. Not retryable: the file must be fixed. */
export class ReferenceDataError extends Error {
  override name = 'ReferenceDataError';
}

/** The structured scale of a raga: svaras as written, their set, and the anya svaras that make it bhashanga. */
export interface RagaScale {
  arohanam: Svara[];
  avarohanam: Svara[];
  notes: Svara[];
  anyaSvaras: Svara[];
  bhashanga: boolean;
}

function readJson(dir: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(`${dir}${file}`, 'utf8'));
  } catch (err) {
    throw new ReferenceDataError(`${file}: ${(err as Error).message}`);
  }
}

function parseFile<T>(schema: z.ZodType<T>, file: string, data: unknown): T {
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ReferenceDataError(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Structured scale from arohanam/avarohanam text; anya svaras declared in the text or by a bhashanga mark. */
export function scaleOf(arohanam: string, avarohanam: string, markedAnya: readonly string[] = []): RagaScale {
  const a = parseScale(arohanam);
  const v = parseScale(avarohanam);
  const anyaSvaras = distinct([...a.anyaSvaras, ...v.anyaSvaras, ...markedAnya]);
  return { arohanam: a.svaras, avarohanam: v.svaras, notes: distinct([...a.svaras, ...v.svaras]), anyaSvaras, bhashanga: anyaSvaras.length > 0 };
}

/**
 * Parses the shipped files in `dir`. Throws ReferenceDataError on a malformed file, an id that names no
 * raga, a correction whose `from` is not the upstream text, or an entry without a known `source`.
 */
export function readReferenceDir(dir: string): ReferenceData {
  const sources = parseFile(SourcesFile, 'sources.json', readJson(dir, 'sources.json')).sources;
  const requireSource = (file: string, what: string, source: string | undefined): string => {
    if (source === undefined || source.trim() === '') throw new ReferenceDataError(`${file}: ${what} has no source`);
    if (!(source in sources)) throw new ReferenceDataError(`${file}: ${what} names source '${source}', which sources.json does not list`);
    return source;
  };

  const rows = z
    .array(RagaRow)
    .parse(parse(readFileSync(`${dir}ragas.csv`, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }));
  const texts = new Map(rows.map((row) => [row.name_normalized, { arohanam: row.arohanam, avarohanam: row.avarohanam }]));

  const corrections = parseFile(CorrectionsFile, 'ragas-corrections.json', readJson(dir, 'ragas-corrections.json'));
  for (const [i, c] of corrections.corrections.entries()) {
    const what = `corrections[${i}] (${c.id} ${c.field})`;
    requireSource('ragas-corrections.json', what, c.source);
    const text = texts.get(c.id);
    if (!text) throw new ReferenceDataError(`ragas-corrections.json: ${what}: no raga '${c.id}' in ragas.csv`);
    if (text[c.field] !== c.from) {
      throw new ReferenceDataError(`ragas-corrections.json: ${what}: 'from' is not the text ragas.csv has (${JSON.stringify(text[c.field])})`);
    }
    text[c.field] = c.to;
  }
  const marked = new Map<string, { anyaSvaras: string[]; source: string }>();
  for (const [i, b] of corrections.bhashanga.entries()) {
    const source = requireSource('ragas-corrections.json', `bhashanga[${i}] (${b.id})`, b.source);
    if (!texts.has(b.id)) throw new ReferenceDataError(`ragas-corrections.json: bhashanga[${i}]: no raga '${b.id}' in ragas.csv`);
    marked.set(b.id, { anyaSvaras: b.anyaSvaras, source });
  }

  const ragas: RefEntity[] = rows.map((row) => {
    const text = texts.get(row.name_normalized) as { arohanam: string; avarohanam: string };
    const mark = marked.get(row.name_normalized);
    const meta: Record<string, unknown> = {
      arohanam: text.arohanam,
      avarohanam: text.avarohanam,
      scale: scaleOf(text.arohanam, text.avarohanam, mark?.anyaSvaras),
      source: 'upstream-ragas-csv',
    };
    if (row.melakarta_number !== '') meta.melakarta = Number(row.melakarta_number);
    if (row.parent_name_normalized !== '') meta.parent = row.parent_name_normalized;
    if (mark) meta.bhashangaSource = mark.source;
    return { id: row.name_normalized, kind: 'raga', name: row.name.trim(), aliases: [], meta };
  });
  const byId = new Map(ragas.map((r) => [r.id, r]));

  // Ragas the upstream list lacks (Sama first), each with its scale and source.
  const added = parseFile(AddedRagasFile, 'ragas-added.json', readJson(dir, 'ragas-added.json'));
  for (const [i, r] of added.ragas.entries()) {
    const source = requireSource('ragas-added.json', `ragas[${i}] (${r.id})`, r.source);
    if (byId.has(r.id)) throw new ReferenceDataError(`ragas-added.json: ragas[${i}]: '${r.id}' is already a raga`);
    const parent = byId.get(r.parent);
    if (typeof parent?.meta?.melakarta !== 'number') {
      throw new ReferenceDataError(`ragas-added.json: ragas[${i}] (${r.id}): parent '${r.parent}' is not a melakarta id`);
    }
    const entity: RefEntity = {
      id: r.id,
      kind: 'raga',
      name: r.name,
      aliases: [...r.aliases],
      meta: {
        arohanam: r.arohanam,
        avarohanam: r.avarohanam,
        scale: scaleOf(r.arohanam, r.avarohanam, r.anyaSvaras),
        parent: r.parent,
        source,
      },
    };
    ragas.push(entity);
    byId.set(r.id, entity);
  }

  const ragaAliases = parseFile(RagaAliasesFile, 'raga-aliases.json', readJson(dir, 'raga-aliases.json'));
  for (const [i, entry] of ragaAliases.aliases.entries()) {
    requireSource('raga-aliases.json', `aliases[${i}] (${entry.id})`, entry.source);
    const raga = byId.get(entry.id);
    if (!raga) throw new ReferenceDataError(`raga-aliases.json: no raga with id '${entry.id}' in ragas.csv`);
    raga.aliases.push(...entry.aliases);
  }

  // The Dikshitar-school names: each stands for the mela, or for the janya of that mela ragas.csv lists
  // it as; it becomes an alias there unless that entry already carries the name.
  const melakartas = parseFile(MelakartasFile, 'melakartas.json', readJson(dir, 'melakartas.json'));
  requireSource('melakartas.json', 'the mela table', melakartas.source);
  for (const mela of melakartas.melas) {
    const entity = byId.get(mela.id);
    if (!entity || entity.meta?.melakarta !== mela.number) {
      throw new ReferenceDataError(`melakartas.json: mela ${mela.number}: '${mela.id}' is not melakarta ${mela.number} in ragas.csv`);
    }
    entity.meta = { ...entity.meta, chakra: mela.chakra, asampurnaName: mela.asampurna.name };
    const target = byId.get(mela.asampurna.id);
    if (!target) throw new ReferenceDataError(`melakartas.json: mela ${mela.number}: no raga '${mela.asampurna.id}'`);
    const key = comparisonKey(mela.asampurna.name, { stripHonorifics: false });
    const known = [...splitReferenceName(target.name), ...target.aliases].some((n) => comparisonKey(n, { stripHonorifics: false }) === key);
    if (!known) target.aliases.push(mela.asampurna.name);
  }

  // A duplicate entry stays in the catalogue (a krithi may already name it) but is never a match of
  // its own: its names become aliases of the kept entry, so the two no longer tie.
  for (const [i, entry] of ragaAliases.sameRaga.entries()) {
    requireSource('raga-aliases.json', `sameRaga[${i}] (${entry.id})`, entry.source);
    const kept = byId.get(entry.id);
    if (!kept) throw new ReferenceDataError(`raga-aliases.json: no raga with id '${entry.id}' in ragas.csv`);
    for (const id of entry.duplicates) {
      const duplicate = byId.get(id);
      if (!duplicate) throw new ReferenceDataError(`raga-aliases.json: no raga with id '${id}' in ragas.csv`);
      kept.aliases.push(duplicate.name, ...duplicate.aliases);
      duplicate.meta = { ...duplicate.meta, sameAs: kept.id };
    }
  }

  const composers = parseFile(ComposersFile, 'composers.json', readJson(dir, 'composers.json')).composers.map(
    (c, i): RefEntity => ({
      id: c.id,
      kind: 'composer',
      name: c.name,
      aliases: c.aliases,
      meta: { mudras: c.mudras, sites: c.sites, source: requireSource('composers.json', `composers[${i}] (${c.id})`, c.source) },
    }),
  );

  const talas = parseFile(TalasFile, 'talas.json', readJson(dir, 'talas.json')).talas.map(
    (t, i): RefEntity => ({
      id: t.id,
      kind: 'tala',
      name: t.name,
      aliases: t.aliases,
      meta: {
        beats: t.beats,
        ...(t.suladi ? { suladi: t.suladi } : {}),
        ...(t.chapu ? { chapu: t.chapu } : {}),
        source: requireSource('talas.json', `talas[${i}] (${t.id})`, t.source),
      },
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
 * adds an entity (named `name`, or else its alias, or else its id, with `meta`: a reviewer-added
 * raga's parent and scale); an entry for a known id adds its alias. `base` is left untouched.
 */
export function mergeReference(
  base: ReferenceData,
  extra: { kind: EntityKind; id: string; name?: string; alias?: string; meta?: Record<string, unknown> }[],
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
      entity = { id: item.id, kind: item.kind, name: item.name ?? item.alias ?? item.id, aliases: [], ...(item.meta ? { meta: item.meta } : {}) };
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
