import { describe, expect, it } from 'vitest';
import { createMatcher } from '../../src/resolution/matcher';
import { decideApproval, resolveRow, type ResolveInput } from '../../src/resolution/policy';
import { loadShippedReference } from '../../src/resolution/reference';

const matcher = createMatcher(loadShippedReference());

const DIKSHITAR_SITE = 'http://guru-guha.blogspot.com/2007/07/dikshitar-kriti-abhayaambaa-jagadambaa.html';

/** A manifest row as the import sees it, with overrides. */
const row = (overrides: Partial<ResolveInput> = {}): ResolveInput => ({
  title: 'abhayAmbA jagadambA',
  composerHints: [{ source: 'site', value: DIKSHITAR_SITE }],
  ragas: ['kalyANi'],
  tala: 'Adi',
  ...overrides,
});

describe('resolveRow', () => {
  it('when composer, raga and tala are all recognised, then the row is HIGH and explains the alias', () => {
    const res = resolveRow(matcher, row());
    expect(res.composer.chosen?.id).toBe('muthuswami-dikshitar');
    expect(res.ragas.map((r) => r.chosen?.id)).toEqual(['mechakalyani']);
    expect(res.tala.chosen?.id).toBe('adi');
    expect(res.confidence).toBe('HIGH');
    expect(res.reasons).toContain("raga 'kalyANi' matched Mechakalyāni by alias");
  });

  it('when the tala is absent, then it is recorded as absent and does not lower the row', () => {
    const res = resolveRow(matcher, row({ tala: null }));
    expect(res.tala).toEqual({ match: null, chosen: null, confidence: 'ABSENT' });
    expect(res.confidence).toBe('HIGH');
    expect(res.reasons).toContain('tala absent');
  });

  it('when the tala is not recognised, then it is LOW with a reason and the row is LOW', () => {
    const res = resolveRow(matcher, row({ tala: 'xyz' }));
    expect(res.tala.confidence).toBe('LOW');
    expect(res.tala.chosen).toBeNull();
    expect(res.confidence).toBe('LOW');
    expect(res.reasons).toContain("tala 'xyz' not recognised");
  });

  it('when the manifest and the site name the same composer, then there is no conflict', () => {
    const res = resolveRow(
      matcher,
      row({ composerHints: [{ source: 'site', value: DIKSHITAR_SITE }, { source: 'manifest', value: 'Muthuswamy Dikshitar' }] }),
    );
    expect(res.composer.conflict).toBeUndefined();
    expect(res.composer.confidence).toBe('HIGH');
  });

  it('when the page and the site name different composers, then the page wins, confidence is MEDIUM and a conflict is reported', () => {
    const res = resolveRow(
      matcher,
      row({ composerHints: [{ source: 'site', value: DIKSHITAR_SITE }, { source: 'page', value: 'Thyagaraja' }] }),
    );
    expect(res.composer.chosen?.id).toBe('tyagaraja');
    expect(res.composer.confidence).toBe('MEDIUM');
    expect(res.composer.conflict).toMatch(/page says Tyagaraja, site says Muthuswami Dikshitar/);
    expect(res.reasons).toContain(res.composer.conflict);
  });

  const precedence: [string, ResolveInput['composerHints'], string][] = [
    ['manifest beats page', [{ source: 'page', value: 'Syama Sastri' }, { source: 'manifest', value: 'Tyagaraja' }], 'tyagaraja'],
    ['page beats mudra', [{ source: 'mudra', value: 'Guruguha' }, { source: 'page', value: 'Syama Sastry' }], 'syama-sastri'],
    ['mudra beats site', [{ source: 'site', value: DIKSHITAR_SITE }, { source: 'mudra', value: 'Syama Krishna' }], 'syama-sastri'],
  ];
  it.each(precedence)('when sources disagree (%s), then the more trusted source is chosen', (_, hints, id) => {
    const res = resolveRow(matcher, row({ composerHints: hints }));
    expect(res.composer.chosen?.id).toBe(id);
    expect(res.composer.conflict).toBeDefined();
  });

  it('when the only composer source is a mudra, then the composer follows from it', () => {
    const res = resolveRow(matcher, row({ composerHints: [{ source: 'mudra', value: 'guruguha' }] }));
    expect(res.composer).toMatchObject({ confidence: 'HIGH', chosen: { id: 'muthuswami-dikshitar' } });
  });

  it('when a fuzzy manifest composer is confirmed by the site, then the composer is HIGH', () => {
    const res = resolveRow(
      matcher,
      row({ composerHints: [{ source: 'manifest', value: 'Muthuswami Dikshtar' }, { source: 'site', value: DIKSHITAR_SITE }] }),
    );
    expect(res.composer).toMatchObject({ confidence: 'HIGH', chosen: { id: 'muthuswami-dikshitar' } });
    expect(res.composer.conflict).toBeUndefined();
  });

  it('when no composer source is given, then the composer is ABSENT and the row LOW', () => {
    const res = resolveRow(matcher, row({ composerHints: [] }));
    expect(res.composer.confidence).toBe('ABSENT');
    expect(res.confidence).toBe('LOW');
  });

  it('when one of several ragas is ambiguous, then the row is at most MEDIUM', () => {
    const res = resolveRow(matcher, row({ ragas: ['tODi', 'kalAvati'] }));
    expect(res.ragas.map((r) => r.confidence)).toEqual(['HIGH', 'MEDIUM']);
    expect(res.confidence).toBe('MEDIUM');
    expect(res.reasons.some((r) => r.startsWith("raga 'kalAvati' is ambiguous"))).toBe(true);
  });

  const lists: [string, string[], string[]][] = [
    ['two ragas separated by a spaced dash', ['rItigauLa - Abheri'], ['reethigowla', 'abheri']],
    ['two ragas, one of two words', ['kEsari - sindhu kannaDa'], ['kesari', 'sindhu kannada']],
    ['ragas separated by commas', ['SrI, Arabhi, gauri'], ['sri', 'arabhi', 'gowri']],
    ['a ragamalika listed by the page', ['bhUpALaM', 'bhauLi'], ['bhoopalam', 'bowli']],
  ];
  it.each(lists)('when a raga value names %s, then each raga is resolved HIGH in order', (_, ragas, ids) => {
    const res = resolveRow(matcher, row({ ragas }));
    expect(res.ragas.map((r) => r.chosen?.id)).toEqual(ids);
    expect(res.ragas.every((r) => r.confidence === 'HIGH')).toBe(true);
  });

  it('when a hyphen joins two names inside one value, then it is one raga value, not a list', () => {
    const res = resolveRow(matcher, row({ ragas: ['divya maNi-dundubhi'] }));
    expect(res.ragas).toHaveLength(1);
    expect(res.ragas[0]?.confidence).not.toBe('HIGH');
  });

  it('when no raga is given, then the row is LOW', () => {
    const res = resolveRow(matcher, row({ ragas: [' '] }));
    expect(res.ragas).toEqual([]);
    expect(res.confidence).toBe('LOW');
    expect(res.reasons).toContain('no raga given');
  });
});

describe('decideApproval', () => {
  const cases: [string, Partial<ResolveInput>, boolean][] = [
    ['every part is HIGH', {}, true],
    ['the tala is absent', { tala: null }, true],
    ['loose English spellings are all HIGH', { ragas: ['Shankarabharanam'], tala: 'Rupakam' }, true],
    ['a raga is only MEDIUM', { ragas: ['Kalyni'] }, false],
    ['one of two ragas is LOW', { ragas: ['kalyANi', 'rAga mAlikA'] }, false],
    ['there is no raga', { ragas: [] }, false],
    ['the tala is not recognised', { tala: 'xyz' }, false],
    ['the composer sources conflict', { composerHints: [{ source: 'site', value: DIKSHITAR_SITE }, { source: 'page', value: 'Tyagaraja' }] }, false],
    ['the composer is absent', { composerHints: [] }, false],
  ];
  it.each(cases)('when %s, then autoApprove is %s', (_, overrides, expected) => {
    const decision = decideApproval(resolveRow(matcher, row(overrides)));
    expect(decision.autoApprove).toBe(expected);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  it('when a row is not approved, then the reasons name what blocks it', () => {
    const decision = decideApproval(resolveRow(matcher, row({ ragas: ['Kalyni'], tala: 'xyz' })));
    expect(decision.reasons).toEqual(["raga 'Kalyni' confidence MEDIUM", "tala 'xyz' confidence LOW"]);
  });
});
