import { describe, expect, it } from 'vitest';
import { createMatcher, DEFAULT_THRESHOLDS, type Matcher } from '../../src/resolution/matcher';
import { loadShippedReference, type ReferenceData, type RefEntity } from '../../src/resolution/reference';

const matcher = createMatcher(loadShippedReference());

const raga = (id: string, name: string, aliases: string[] = []): RefEntity => ({ id, kind: 'raga', name, aliases });
const tinyReference = (ragas: RefEntity[]): ReferenceData => ({ ragas, composers: [], talas: [] });

describe('confusable reference entries', () => {
  const pairs: [string, string, string][] = [
    ['kAnaDa', 'kanada', 'kannada'],
    ['kannaDa', 'kannada', 'kanada'],
    ['kalAvati', 'kalavathi', 'kalavati'],
    ['jIvantikA', 'jeevanthika', 'jeevantika'],
  ];
  it.each(pairs)(
    'when %j shares its comparison key with two entries, then it is not HIGH and both candidates show parent and scale',
    (input, first, other) => {
      const m = matcher.match('raga', input);
      expect(m.confidence).toBe('MEDIUM');
      expect(m.candidates.map((c) => c.id)).toEqual(expect.arrayContaining([first, other]));
      for (const c of m.candidates.filter((x) => x.id === first || x.id === other)) {
        expect(c.parent ?? c.melakarta).toBeDefined();
        expect(c.scale).toMatch(/^S .* \/ S /);
        expect(c.confusableWith).toContain(c.id === first ? other : first);
      }
    },
  );

  it('when the doubled-consonant tie-break prefers one of two entries sharing a key, then that one ranks first, still not HIGH', () => {
    const m = matcher.match('raga', 'kAnaDa');
    expect(m.best).toMatchObject({ id: 'kanada', score: 1, tieBroken: true });
    expect(m.candidates[1]).toMatchObject({ id: 'kannada' });
    expect(m.confidence).toBe('MEDIUM');
  });

  it('when a guess lands on an entity one letter from another, then it is not HIGH even under a low upper threshold', () => {
    const ref = tinyReference([raga('a', 'Vasanthabhairavi'), raga('b', 'Vasanthabhairavam'), raga('c', 'Ritigaula')]);
    const lenient = createMatcher(ref, { high: 0.8, low: 0.5 });
    const guess = lenient.match('raga', 'Vasanthabhairavit');
    expect(guess.best?.reason).toBe('fuzzy');
    expect(guess.best?.confusableWith).toEqual(['b']);
    expect(guess.confidence).toBe('MEDIUM');
    // The same guess with no confusable neighbour is HIGH under that threshold: the rule is what holds it back.
    const alone = createMatcher(tinyReference([raga('a', 'Vasanthabhairavi'), raga('c', 'Ritigaula')]), { high: 0.8, low: 0.5 });
    expect(alone.match('raga', 'Vasanthabhairavit').confidence).toBe('HIGH');
  });

  it('when the input is exactly one of two names one letter apart, then it is HIGH to that one and names the other', () => {
    const m = matcher.match('raga', 'bhairavi');
    expect(m).toMatchObject({ confidence: 'HIGH', best: { id: 'bhairavi', reason: 'exact' } });
    expect(m.best?.confusableWith).toContain('bhairavam');
  });
});

describe('matcher against the shipped reference', () => {
  // Manifest (Harvard-Kyoto) and loose English spellings with the raga they mean.
  const high: [string, string][] = [
    ['kalyANi', 'mechakalyani'],
    ['Kalyani', 'mechakalyani'],
    ['SankarAbharaNaM', 'dhirasankarabharanam'],
    ['SankaraAbharaNaM', 'dhirasankarabharanam'],
    ['Shankarabharanam', 'dhirasankarabharanam'],
    ['tODi', 'hanumatodi'],
    ['Thodi', 'hanumatodi'],
    ['kEdAra gauLa', 'kedaragowla'],
    ['Kedaragowla', 'kedaragowla'],
    ['rItigauLa', 'reethigowla'],
    ['madhyamAvati', 'madhyamavathi'],
    ['Madhyamavathi', 'madhyamavathi'],
    ['dhanyASi', 'dhanyasi'],
    ['Dhanyasi', 'dhanyasi'],
    ['bhairavi', 'bhairavi'],
    ['Ananda bhairavi', 'anandabhairavi'],
    ['kAmbhOji', 'kambhoji'],
    ['sAvEri', 'saveri'],
    ['mOhanaM', 'mohanam'],
    ['SrI ranjani', 'shreeranjani'],
    ['mAyA mALava gauLa', 'mayamalavagoulai'],
    ['nATa', 'nattai'],
    ['suraTi', 'surutti'],
    ['yamunA kalyANi', 'yamuna kalyani/yaman kalyan{hindustani}'],
  ];
  it.each(high)('when the raga is spelled %j, then it resolves HIGH to %s', (input, id) => {
    const m = matcher.match('raga', input);
    expect(m.best?.id).toBe(id);
    expect(m.confidence).toBe('HIGH');
  });

  it('when a common name is only an alias, then the reason is alias with score 1', () => {
    const m = matcher.match('raga', 'kalyANi');
    expect(m.best).toMatchObject({ id: 'mechakalyani', score: 1, reason: 'alias' });
  });

  it('when the spelling equals the entry name, then the reason is exact', () => {
    expect(matcher.match('raga', 'Hamsadhwani').best).toMatchObject({ id: 'hamsadhwani', score: 1, reason: 'exact' });
  });

  const notHigh: [string, string, string | null][] = [
    ['two entries share the key (Jeevantika and Jeevanthika)', 'jIvantikA', null],
    ['the raga is not in the reference (Sushama is listed, Sumama is not)', 'sumAma', null],
    ['two entries share the key (Kalavati and Kalavathi)', 'kalAvati', null],
    ['a typo is one letter off a short name', 'Kalyni', 'mechakalyani'],
    ['the words are in another order', 'Bhairavi Ananda', 'anandabhairavi'],
    ['a distinct raga is close to a listed one (Deva Gandharam vs Devagandhari)', 'dEva gAndhAraM', 'devagandhari'],
    ['two ragas are given as one value', 'rItigauLa - Abheri', 'reethigowla'],
  ];
  it.each(notHigh)('when %s, then the match is not HIGH', (_, input, suggested) => {
    const m = matcher.match('raga', input);
    expect(m.confidence).not.toBe('HIGH');
    if (suggested) expect(m.best?.id).toBe(suggested);
  });

  it('when the input names no raga, then the match is LOW', () => {
    expect(matcher.match('raga', 'rAga mAlikA').confidence).toBe('LOW');
    expect(matcher.match('raga', 'zzzz qqqq').confidence).toBe('LOW');
    expect(matcher.match('raga', '   ')).toMatchObject({ best: null, candidates: [], confidence: 'LOW' });
  });

  it('when a match is fuzzy, then there are at most 5 distinct candidates, best first, scores below 1', () => {
    const m = matcher.match('raga', 'Kalyni');
    expect(m.candidates.length).toBeLessThanOrEqual(5);
    expect(new Set(m.candidates.map((c) => c.id)).size).toBe(m.candidates.length);
    const scores = m.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const s of scores) expect(s).toBeLessThan(1);
  });

  const composers: [string, string][] = [
    ['Tyagaraja', 'tyagaraja'],
    ['Saint Thyagaraja', 'tyagaraja'],
    ['Tyagaraja Swami', 'tyagaraja'],
    ['Muthuswamy Dikshitar', 'muthuswami-dikshitar'],
    ['Dikshitar', 'muthuswami-dikshitar'],
    ['Guruguha', 'muthuswami-dikshitar'],
    ['guru-guha.blogspot.com', 'muthuswami-dikshitar'],
    ['Shyama Shastri', 'syama-sastri'],
    ['Syama Sastry', 'syama-sastri'],
    ['syamakrishnavaibhavam.blogspot.com', 'syama-sastri'],
  ];
  it.each(composers)('when the composer is given as %j, then it resolves HIGH to %s', (input, id) => {
    const m = matcher.match('composer', input);
    expect(m.best?.id).toBe(id);
    expect(m.confidence).toBe('HIGH');
  });

  const talas: [string, string][] = [
    ['Adi', 'adi'],
    ['Aadi', 'adi'],
    ['Caturasra Triputa', 'adi'],
    ['rUpakaM', 'rupaka'],
    ['Rupakam', 'rupaka'],
    ['cApu', 'misra-chapu'],
    ['Misra Chapu', 'misra-chapu'],
    ['tALa cApu', 'misra-chapu'],
    ['Khanda Chapu', 'khanda-chapu'],
    ['Tisra Triputa', 'tisra-triputa'],
    ['Jhampa', 'jhampa'],
    ['Khanda Ekam', 'khanda-eka'],
    ['Sankeerna Dhruva', 'sankirna-dhruva'],
  ];
  it.each(talas)('when the tala is given as %j, then it resolves HIGH to %s', (input, id) => {
    const m = matcher.match('tala', input);
    expect(m.best?.id).toBe(id);
    expect(m.confidence).toBe('HIGH');
  });
});

describe('matcher calibration on a small reference', () => {
  it('when two entities have the same key, then both score 1 and the match is MEDIUM', () => {
    const m = createMatcher(tinyReference([raga('a', 'Kalavati'), raga('b', 'Kalāvathi')])).match('raga', 'kalAvati');
    expect(m.candidates.map((c) => c.score)).toEqual([1, 1]);
    expect(m.confidence).toBe('MEDIUM');
  });

  it('when a long name is one letter off and nothing else is near, then the match is a HIGH fuzzy one below 1', () => {
    const m = createMatcher(tinyReference([raga('dsb', 'Dhirasankarabharanam'), raga('k', 'Kalyani')])).match(
      'raga',
      'Dhirasankarabharano',
    );
    expect(m.best).toMatchObject({ id: 'dsb', reason: 'fuzzy' });
    expect(m.best?.score).toBeLessThan(1);
    expect(m.confidence).toBe('HIGH');
  });

  it('when a short name is one letter off, then the fuzzy match is only MEDIUM', () => {
    const m = createMatcher(tinyReference([raga('k', 'Kalyani')])).match('raga', 'Kalyni');
    expect(m.best).toMatchObject({ id: 'k', reason: 'fuzzy' });
    expect(m.confidence).toBe('MEDIUM');
  });

  it('when the top two fuzzy candidates are close, then the match is not HIGH', () => {
    const m = createMatcher(tinyReference([raga('x', 'Vasantabhairavi'), raga('y', 'Vasantabhairava')])).match(
      'raga',
      'Vasantabhairavu',
    );
    expect(m.confidence).not.toBe('HIGH');
  });

  it('when custom thresholds are given, then they decide the bands', () => {
    const strict: Matcher = createMatcher(tinyReference([raga('k', 'Kalyani')]), { high: 1, low: 0.95 });
    expect(strict.match('raga', 'Kalyanii').confidence).toBe('HIGH');
    expect(strict.match('raga', 'Kalyni').confidence).toBe('LOW');
    expect(DEFAULT_THRESHOLDS.high).toBeGreaterThan(DEFAULT_THRESHOLDS.low);
  });
});
