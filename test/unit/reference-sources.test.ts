import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REFERENCE_DIR, ReferenceDataError, loadShippedReference, readReferenceDir } from '../../src/resolution/reference';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the shipped reference with one file changed by `edit`. */
function withEdited(file: string, edit: (data: any) => void): string {
  const dir = `${mkdtempSync(join(tmpdir(), 'ref-'))}/`;
  dirs.push(dir);
  cpSync(REFERENCE_DIR, dir, { recursive: true });
  const data = JSON.parse(readFileSync(`${dir}${file}`, 'utf8'));
  edit(data);
  writeFileSync(`${dir}${file}`, JSON.stringify(data));
  return dir;
}

const sources = Object.keys((JSON.parse(readFileSync(`${REFERENCE_DIR}sources.json`, 'utf8')) as { sources: object }).sources);

describe('every reference entry carries a source', () => {
  it('when the shipped files are read, then every alias group, added raga, correction, composer and tala names a listed source', () => {
    const read = (f: string) => JSON.parse(readFileSync(`${REFERENCE_DIR}${f}`, 'utf8'));
    const entries = [
      ...read('raga-aliases.json').aliases,
      ...read('raga-aliases.json').sameRaga,
      ...read('ragas-added.json').ragas,
      ...read('ragas-corrections.json').corrections,
      ...read('ragas-corrections.json').bhashanga,
      ...read('composers.json').composers,
      ...read('talas.json').talas,
    ] as { source?: string }[];
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.filter((e) => !sources.includes(e.source ?? '')).map((e) => JSON.stringify(e).slice(0, 80))).toEqual([]);
    expect(sources.includes(read('melakartas.json').source)).toBe(true);
  });

  it('when the reference is loaded, then every raga, composer and tala carries its source in meta', () => {
    const ref = loadShippedReference();
    const missing = [...ref.ragas, ...ref.composers, ...ref.talas].filter((e) => !sources.includes(e.meta?.source as string));
    expect(missing.map((e) => e.id)).toEqual([]);
  });

  const refusals: [string, string, (d: any) => void, RegExp][] = [
    ['a raga alias group has no source', 'raga-aliases.json', (d) => delete d.aliases[0].source, /raga-aliases\.json: aliases\[0\] \(mechakalyani\) has no source/],
    ['a raga alias names an unlisted source', 'raga-aliases.json', (d) => (d.aliases[1].source = 'my memory'), /aliases\[1\] \(hanumatodi\) names source 'my memory', which sources\.json does not list/],
    ['a composer has no source', 'composers.json', (d) => delete d.composers[2].source, /composers\.json: composers\[2\] \(syama-sastri\) has no source/],
    ['a tala has no source', 'talas.json', (d) => (d.talas[0].source = ' '), /talas\.json: talas\[0\] \(adi\) has no source/],
    ['a scale correction has no source', 'ragas-corrections.json', (d) => delete d.corrections[0].source, /ragas-corrections\.json: corrections\[0\] \(bhanumati avarohanam\) has no source/],
    ['a bhashanga mark has no source', 'ragas-corrections.json', (d) => delete d.bhashanga[0].source, /ragas-corrections\.json: bhashanga\[0\] \(\S+\) has no source/],
    ['a correction does not start from the upstream text', 'ragas-corrections.json', (d) => (d.corrections[0].from = 'S R1 S'), /corrections\[0\] \(bhanumati avarohanam\): 'from' is not the text ragas\.csv has/],
    ['the mela table has no source', 'melakartas.json', (d) => delete d.source, /melakartas\.json/],
    [
      'an added raga has no source',
      'ragas-added.json',
      (d) => d.ragas.push({ id: 'zzraga', name: 'Zzraga', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S' }),
      /ragas-added\.json: ragas\[\d+\] \(zzraga\) has no source/,
    ],
    [
      'an added raga names a janya as its parent',
      'ragas-added.json',
      (d) => d.ragas.push({ id: 'zzraga', name: 'Zzraga', parent: 'kambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S', source: 'manifests' }),
      /parent 'kambhoji' is not a melakarta id/,
    ],
  ];
  it.each(refusals)('when %s, then the loader refuses the file with its name and entry', (_, file, edit, message) => {
    const dir = withEdited(file, edit);
    expect(() => readReferenceDir(dir)).toThrow(ReferenceDataError);
    expect(() => readReferenceDir(dir)).toThrow(message);
  });

  it('when an added raga has a source and a melakarta parent, then it loads with its structured scale', () => {
    const dir = withEdited('ragas-added.json', (d) =>
      d.ragas.push({ id: 'zzraga', name: 'Zzraga', parent: 'harikambhoji', arohanam: 'S R2 M1 P D2 S', avarohanam: 'S D2 P M1 G3 R2 S', source: 'manifests' }),
    );
    const raga = readReferenceDir(dir).ragas.find((r) => r.id === 'zzraga');
    expect(raga?.meta).toMatchObject({ parent: 'harikambhoji', source: 'manifests', scale: { notes: ['S', 'R2', 'G3', 'M1', 'P', 'D2'], bhashanga: false } });
  });
});
