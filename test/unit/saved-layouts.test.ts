/**
 * Pages written by hand in each blog's real layout (test/fixtures/pages/<host>/), each beside the
 * JSON a reader of the page expects from it. Neither the pages nor the JSON come from the fixture
 * site's generator or from the extractor: they are the second, independent check of extraction.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractKrithi } from '../../src/scraping/extract';
import type { Section } from '../../src/scraping/types';

interface Expected {
  url: string;
  title: string | null;
  titleTransliterated: string | null;
  composer: string | null;
  ragas: string[];
  tala: string | null;
  language: string | null;
  warnings: string[];
  sections: Section[];
  variants: Record<string, Section[]>;
}

const ROOT = join(import.meta.dirname, '../fixtures/pages');
const cases = readdirSync(ROOT).flatMap((host) =>
  readdirSync(join(ROOT, host))
    .filter((f) => f.endsWith('.html'))
    .map((f) => ({
      name: `${host}/${f}`,
      html: readFileSync(join(ROOT, host, f), 'utf8'),
      expected: JSON.parse(readFileSync(join(ROOT, host, f.replace(/\.html$/, '.expected.json')), 'utf8')) as Expected,
    })),
);

describe('hand-written pages in the blogs’ real layouts', () => {
  it('when the fixtures are listed, then thyagaraja-vaibhavam and guru-guha have at least three pages each', () => {
    const perHost = (host: string): number => cases.filter((c) => c.name.startsWith(`${host}/`)).length;
    expect(perHost('thyagaraja-vaibhavam')).toBeGreaterThanOrEqual(3);
    expect(perHost('guru-guha')).toBeGreaterThanOrEqual(3);
  });

  describe.each(cases)('$name', ({ html, expected }) => {
    const e = extractKrithi(html, expected.url);

    it('when extracted, then title, composer, ragas, tala, language and warnings are the expected ones', () => {
      expect({
        title: e.title,
        titleTransliterated: e.titleTransliterated,
        composer: e.composer,
        ragas: e.ragas,
        tala: e.tala,
        language: e.language,
        warnings: e.warnings,
      }).toEqual({
        title: expected.title,
        titleTransliterated: expected.titleTransliterated,
        composer: expected.composer,
        ragas: expected.ragas,
        tala: expected.tala,
        language: expected.language,
        warnings: expected.warnings,
      });
    });

    it('when extracted, then the romanised sections are exactly the expected types, numbers and words', () => {
      expect(e.sections).toEqual(expected.sections);
    });

    it('when extracted, then each script variant has exactly the expected sections, in page order', () => {
      expect(e.variants.map((v) => v.script)).toEqual(Object.keys(expected.variants));
      expect(Object.fromEntries(e.variants.map((v) => [v.script, v.sections]))).toEqual(expected.variants);
      for (const v of e.variants) expect(v.language).toBe(expected.language);
    });
  });
});
