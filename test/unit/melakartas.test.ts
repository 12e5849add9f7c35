import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../src/resolution/matcher';
import { comparisonKey } from '../../src/resolution/normalize';
import { REFERENCE_DIR, loadShippedReference, mergeReference, type ReferenceData } from '../../src/resolution/reference';
import { CHAKRAS, chakraOf, melaScale } from '../../src/resolution/scale';

interface Mela {
  number: number;
  chakra: string;
  id: string;
  name: string;
  scale: string;
  asampurna: { name: string; id: string };
}
const file = JSON.parse(readFileSync(`${REFERENCE_DIR}melakartas.json`, 'utf8')) as { melas: Mela[] };
const ref = loadShippedReference();
const byId = new Map(ref.ragas.map((r) => [r.id, r]));
const key = (s: string) => comparisonKey(s, { stripHonorifics: false });

/**
 * The scale derived from the number alone, written out the long way so the test does not share the
 * code under test: chakra (1–6 within each half) picks the R/G pair, the half picks M, the position
 * within the chakra picks the D/N pair.
 */
function derived(n: number): string {
  const rg = ['R1 G1', 'R1 G2', 'R1 G3', 'R2 G2', 'R2 G3', 'R3 G3'];
  const dn = ['D1 N1', 'D1 N2', 'D1 N3', 'D2 N2', 'D2 N3', 'D3 N3'];
  const chakraInHalf = Math.floor(((n - 1) % 36) / 6);
  const position = (n - 1) % 6;
  return `S ${rg[chakraInHalf]} ${n <= 36 ? 'M1' : 'M2'} P ${dn[position]}`;
}

/** Aliases whose comparison key is a mela name (either scheme) but which point at neither that mela nor a janya of it. */
function aliasesNamingAnotherMela(reference: ReferenceData): { checked: number; wrong: string[] } {
  const ids = new Map(reference.ragas.map((r) => [r.id, r]));
  const melaOfKey = new Map<string, number>();
  for (const m of file.melas) {
    melaOfKey.set(key(m.name), m.number);
    melaOfKey.set(key(m.asampurna.name), m.number);
  }
  const wrong: string[] = [];
  let checked = 0;
  for (const r of reference.ragas) {
    const own = (r.meta?.melakarta as number | undefined) ?? (ids.get(r.meta?.parent as string)?.meta?.melakarta as number | undefined);
    for (const alias of r.aliases) {
      const n = melaOfKey.get(key(alias));
      if (n === undefined) continue;
      checked++;
      if (own !== n) wrong.push(`${alias} → ${r.id} (mela ${own}), but it names mela ${n}`);
    }
  }
  return { checked, wrong };
}

describe('the 72 melakartas', () => {
  it('when melakartas.json is read, then it lists the numbers 1–72 once each, in order', () => {
    expect(file.melas.map((m) => m.number)).toEqual(Array.from({ length: 72 }, (_, i) => i + 1));
  });

  it.each(file.melas.map((m) => [m.number, m] as const))(
    'when mela %i is derived from its number, then the stored scale, chakra and ragas.csv entry agree',
    (n, mela) => {
      expect(mela.scale).toBe(derived(n));
      expect(melaScale(n).join(' ')).toBe(derived(n));
      expect(mela.chakra).toBe(CHAKRAS[Math.floor((n - 1) / 6)]);
      expect(chakraOf(n)).toBe(mela.chakra);
      const entity = byId.get(mela.id);
      expect(entity?.meta?.melakarta).toBe(n);
      // ragas.csv's own arohanam/avarohanam of the mela: the derived scale up, and back down.
      const up = `${derived(n)} S`;
      expect(entity?.meta?.arohanam).toBe(up);
      expect(entity?.meta?.avarohanam).toBe(up.split(' ').reverse().join(' '));
    },
  );

  it('when a mela scale is asked for outside 1–72, then it is refused', () => {
    expect(() => melaScale(0)).toThrow(RangeError);
    expect(() => melaScale(73)).toThrow(RangeError);
  });

  it.each(file.melas.map((m) => [m.asampurna.name, m.number, m] as const))(
    'when the Dikshitar-school name %s is looked up, then it stands for mela %i or a janya of that mela',
    (_, n, mela) => {
      const target = byId.get(mela.asampurna.id);
      expect(target).toBeDefined();
      const targetMela = target?.meta?.melakarta ?? byId.get(target?.meta?.parent as string)?.meta?.melakarta;
      expect(targetMela).toBe(n);
    },
  );

  it('when any alias names a mela (either scheme), then it points at the mela with that number or a janya of it', () => {
    const { checked, wrong } = aliasesNamingAnotherMela(ref);
    expect(checked).toBeGreaterThan(5);
    expect(wrong).toEqual([]);
  });

  it('when an alias gives a Dikshitar-school mela name to another mela (Sumadyuti → 69, the old entry), then the check names it', () => {
    const broken = mergeReference(ref, [{ kind: 'raga', id: 'dhatuvardhani', alias: 'Sumadhyuti' }]);
    expect(aliasesNamingAnotherMela(broken).wrong).toEqual(['Sumadhyuti → dhatuvardhani (mela 69), but it names mela 57']);
  });

  it('when the Dikshitar-school names of the issue are matched, then Sumadyuti is mela 57 and Dhautapanchamam a janya of 69', () => {
    const m = createMatcher(ref);
    expect(m.match('raga', 'sumadyuti')).toMatchObject({ confidence: 'HIGH', best: { id: 'simhendramadhyamam' } });
    const dhauta = m.match('raga', 'dhauta pancamaM');
    expect(dhauta.confidence).toBe('HIGH');
    expect(byId.get(dhauta.best?.id as string)?.meta?.parent).toBe('dhatuvardhani');
  });
});
