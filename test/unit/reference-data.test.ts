import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../src/resolution/matcher';
import { comparisonKey } from '../../src/resolution/normalize';
import { REFERENCE_DIR, loadShippedReference, mergeReference } from '../../src/resolution/reference';

const ref = loadShippedReference();
const ragaIds = new Set(ref.ragas.map((r) => r.id));
const readJson = (file: string): unknown => JSON.parse(readFileSync(`${REFERENCE_DIR}${file}`, 'utf8'));

describe('shipped reference data', () => {
  it('when ragas.csv is loaded, then there are 962 ragas with unique ids, 72 of them melakartas', () => {
    expect(ref.ragas).toHaveLength(962);
    expect(ragaIds.size).toBe(962);
    expect(ref.ragas.filter((r) => typeof r.meta?.melakarta === 'number')).toHaveLength(72);
  });

  it('when a raga names a parent, then the parent is a raga id', () => {
    const missing = ref.ragas.filter((r) => typeof r.meta?.parent === 'string' && !ragaIds.has(r.meta.parent as string));
    expect(missing.map((r) => `${r.name} → ${String(r.meta?.parent)}`)).toEqual([]);
  });

  it('when raga-aliases.json points at a raga, then that id exists in ragas.csv', () => {
    const file = readJson('raga-aliases.json') as { aliases: { id: string; aliases: string[] }[] };
    expect(file.aliases.length).toBeGreaterThan(0);
    expect(file.aliases.map((a) => a.id).filter((id) => !ragaIds.has(id))).toEqual([]);
  });

  it('when an alias is added for a raga, then its key is not already the key of another raga', () => {
    const keyOwners = new Map<string, Set<string>>();
    // A duplicate entry (meta.sameAs) lends its names to the kept one: those are meant to share a key.
    for (const r of ref.ragas.filter((x) => typeof x.meta?.sameAs !== 'string')) {
      const key = comparisonKey(r.name, { stripHonorifics: false });
      keyOwners.set(key, (keyOwners.get(key) ?? new Set()).add(r.id));
    }
    const clashes = ref.ragas.flatMap((r) =>
      r.aliases
        .filter((alias) => [...(keyOwners.get(comparisonKey(alias, { stripHonorifics: false })) ?? [])].some((id) => id !== r.id))
        .map((alias) => `${alias} (${r.id})`),
    );
    expect(clashes).toEqual([]);
  });

  const common: [string, string][] = [
    ['Kalyani', 'mechakalyani'],
    ['Todi', 'hanumatodi'],
    ['Sankarabharanam', 'dhirasankarabharanam'],
    ['Bhairavi', 'bhairavi'],
    ['Kambhoji', 'kambhoji'],
    ['Madhyamavati', 'madhyamavathi'],
    ['Saveri', 'saveri'],
    ['Mohanam', 'mohanam'],
    ['Sama', 'shyama'],
    ['sAma', 'shyama'],
    ['Sumadyuti', 'simhendramadhyamam'],
  ];
  it.each(common)('when the common name %s is matched, then it resolves HIGH to %s', (name, id) => {
    const m = createMatcher(ref).match('raga', name);
    expect(m).toMatchObject({ confidence: 'HIGH', best: { id } });
  });

  it('when composers.json is loaded, then it has the three composers with mudras and sites', () => {
    expect(ref.composers.map((c) => c.id)).toEqual(['tyagaraja', 'muthuswami-dikshitar', 'syama-sastri']);
    expect(ref.composers.map((c) => c.name)).toEqual(['Tyagaraja', 'Muthuswami Dikshitar', 'Syama Sastri']);
    const sites = Object.fromEntries(ref.composers.flatMap((c) => (c.meta?.sites as string[]).map((s) => [s, c.id])));
    expect(sites).toEqual({
      'guru-guha.blogspot.com': 'muthuswami-dikshitar',
      'thyagaraja-vaibhavam.blogspot.com': 'tyagaraja',
      'syamakrishnavaibhavam.blogspot.com': 'syama-sastri',
    });
    for (const c of ref.composers) expect((c.meta?.mudras as string[]).length).toBeGreaterThan(0);
  });

  it('when talas.json is loaded, then ids are unique and the 35 suladi talas have laghu-drutam beat counts', () => {
    const ids = ref.talas.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const suladi = ref.talas.filter((t) => t.meta?.suladi);
    expect(suladi).toHaveLength(35);
    const laghu: Record<string, number> = { tisra: 3, chatusra: 4, khanda: 5, misra: 7, sankirna: 9 };
    const angaBeats: Record<string, number> = { O: 2, U: 1 };
    for (const t of suladi) {
      const { jati, angas } = t.meta?.suladi as { jati: string; angas: string };
      const beats = angas.split(' ').reduce((n, a) => n + (a === 'I' ? (laghu[jati] as number) : (angaBeats[a] as number)), 0);
      expect({ id: t.id, beats: t.meta?.beats }).toEqual({ id: t.id, beats });
    }
  });

  const beats: [string, number][] = [
    ['adi', 8], ['rupaka', 6], ['misra-chapu', 7], ['khanda-chapu', 5], ['tisra-triputa', 7],
    ['jhampa', 10], ['ata', 14], ['eka', 4], ['dhruva', 14], ['matya', 10], ['khanda-eka', 5],
  ];
  it.each(beats)('when the tala %s is looked up, then it has %i beats', (id, n) => {
    expect(ref.talas.find((t) => t.id === id)?.meta?.beats).toBe(n);
  });

  it('when any name or alias is matched, then it resolves to its own entity', () => {
    const matcher = createMatcher(ref);
    for (const [kind, list] of [['composer', ref.composers], ['tala', ref.talas]] as const) {
      for (const e of list) {
        for (const name of [e.name, ...e.aliases]) {
          expect({ name, id: matcher.match(kind, name).best?.id }).toEqual({ name, id: e.id });
        }
      }
    }
  });
});

describe('ragas listed twice', () => {
  it('when ragas.csv lists one raga twice (Sri, Shree), then both spellings resolve HIGH to the kept id', () => {
    const m = createMatcher(ref);
    expect(m.match('raga', 'SrI rAgaM')).toMatchObject({ confidence: 'HIGH', best: { id: 'sri' } });
    expect(m.match('raga', 'Shree')).toMatchObject({ confidence: 'HIGH', best: { id: 'sri' } });
    expect(ref.ragas.find((r) => r.id === 'shree')?.meta?.sameAs).toBe('sri');
  });

  it('when raga-aliases.json names a duplicate, then both ids exist in ragas.csv', () => {
    const file = readJson('raga-aliases.json') as { sameRaga: { id: string; duplicates: string[] }[] };
    const ids = file.sameRaga.flatMap((e) => [e.id, ...e.duplicates]);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids.filter((id) => !ragaIds.has(id))).toEqual([]);
  });
});

describe('mergeReference', () => {
  it('when the database adds an alias and a new raga, then both match and the base is untouched', () => {
    const merged = mergeReference(ref, [
      { kind: 'raga', id: 'bhairavi', alias: 'Pramodini Bhairavi' },
      { kind: 'raga', id: 'zyxvuti', name: 'Zyxvuti' },
      { kind: 'raga', id: 'zyxvuti', alias: 'Zyxvuthi Bheda' },
    ]);
    expect(merged.ragas).toHaveLength(963);
    expect(ref.ragas).toHaveLength(962);
    expect(ref.ragas.find((r) => r.id === 'bhairavi')?.aliases).toEqual([]);
    const matcher = createMatcher(merged);
    expect(matcher.match('raga', 'zyxvuti')).toMatchObject({ confidence: 'HIGH', best: { id: 'zyxvuti', reason: 'exact' } });
    expect(matcher.match('raga', 'Zyxvuti Bheda').best).toMatchObject({ id: 'zyxvuti', reason: 'alias' });
    expect(matcher.match('raga', 'pramOdini bhairavi').best).toMatchObject({ id: 'bhairavi', reason: 'alias' });
  });

  it('when the same alias is merged twice, then it is kept once', () => {
    const merged = mergeReference(ref, [
      { kind: 'composer', id: 'tyagaraja', alias: 'Thiagarajar' },
      { kind: 'composer', id: 'tyagaraja', alias: 'Thiagarajar' },
    ]);
    expect(merged.composers.find((c) => c.id === 'tyagaraja')?.aliases.filter((a) => a === 'Thiagarajar')).toHaveLength(1);
  });
});
