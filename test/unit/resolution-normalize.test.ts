import { describe, expect, it } from 'vitest';
import { comparisonKey, comparisonTokens, splitReferenceName } from '../../src/resolution/normalize';

describe('comparisonKey', () => {
  // Each row: spellings of one name in different romanisations that must share a key.
  const sameName: [string, string[]][] = [
    ['Harvard-Kyoto and loose English Sankarabharanam', ['SankarAbharaNaM', 'SankarAbharaNam', 'Shankarabharanam', 'Sankarabharanam', 'Śankarābharaṇam']],
    ['Kedaragaula in HK, English and IAST', ['kEdAra gauLa', 'Kedaragowla', 'Kedāragowla', 'kedaara gaula']],
    ['Todi', ['tODi', 'Thodi', 'Todi', 'Tōḍi']],
    ['Kalyani', ['kalyANi', 'Kalyani', 'Kalyāṇi', 'kalyaaNi']],
    ['Madhyamavati', ['madhyamAvati', 'Madhyamavathi', 'Madhyamāvathi']],
    ['Dhanyasi', ['dhanyASi', 'dhanyAsi', 'Dhanyasi', 'Dhanyāsi']],
    ['Ritigaula', ['rItigauLa', 'rIti gauLa', 'Reethigowla', 'Ritigowla']],
    ['Hamsadhvani (anusvara, v/w)', ['haMsa dhvani', 'Hamsadhwani', 'hamsa dhvani']],
    ['Mayamalavagaula (ḻ, ou/ow, Tamil -ai)', ['mAyA mALava gauLa', 'Māyāmāḻavagouḻai', 'Mayamalavagowla']],
    ['Nata / Nattai (Tamil -ai, doubled letters)', ['nATa', 'Nāṭṭai', 'Nattai']],
    ['Amritavarshini (HK vocalic R, IAST ṛ)', ['amRta varshiNi', 'Amritavarshini', 'amṛta varṣiṇi']],
    ['Sri raga with a trailing "raga" word', ['SrI rAgaM', 'Sri', 'Shree', 'Sree raagam']],
    ['Bhairavi with sh/Sh, aspirates', ['bhairavi', 'Bhairavi', 'BHAIRAVI']],
    ['Shanmukhapriya (ITRANS Sh and N)', ['ShaNmukha priya', 'shaNmukha priya', 'Shanmukhapriya', 'Śanmukhapriyā']],
    ['Ragapanjaram (Telugu -amu)', ['rAga panjaraM', 'Rāgapanjaramu']],
    ['Misra Chapu with a leading "tala" word', ['tALa cApu', 'Chapu', 'capu']],
    ['Saint Tyagaraja with an honorific', ['Saint Tyagaraja', 'Sri Thyagaraja', 'Tyāgarāja']],
  ];
  it.each(sameName)('when %s is spelled several ways, then every spelling has one key', (_, spellings) => {
    const keys = new Set(spellings.map((s) => comparisonKey(s)));
    expect([...keys]).toHaveLength(1);
  });

  const different: [string, string, string][] = [
    ['a title-case initial H is not a visarga', 'Hamsadhwani', 'amsadhwani'],
    ['HK G is a velar nasal, title-case G is g', 'Gaula', 'Naula'],
    ['Kalyani and Mechakalyani', 'Kalyani', 'Mechakalyani'],
  ];
  it.each(different)('when %s, then the keys differ', (_, a, b) => {
    expect(comparisonKey(a)).not.toBe(comparisonKey(b));
  });

  it('when a Harvard-Kyoto word is read, then its capitals are read before lower-casing', () => {
    expect(comparisonKey('kalyANi')).toBe('kalyani');
    expect(comparisonKey('amRta')).toBe('amrita');
    expect(comparisonKey('duHkha')).toBe('duka');
  });

  it('when honorifics are not to be stripped, then "Sri Ranjani" keeps its first word', () => {
    expect(comparisonKey('SrI ranjani')).toBe('ranjani');
    expect(comparisonKey('SrI ranjani', { stripHonorifics: false })).toBe('sriranjani');
  });

  it('when the only word is an honorific or "raga", then it is kept', () => {
    expect(comparisonKey('Sri')).toBe('sri');
    expect(comparisonKey('rAga')).toBe('raga');
  });

  it('when doubled consonants are kept, then Kannada and Kanada differ but vowel length still does not', () => {
    const fine = { keepDoubledConsonants: true };
    expect(comparisonKey('kannaDa')).toBe(comparisonKey('kAnaDa'));
    expect(comparisonKey('kannaDa', fine)).not.toBe(comparisonKey('kAnaDa', fine));
    expect(comparisonKey('kAnaDa', fine)).toBe(comparisonKey('Kanadā', fine));
  });

  it('when the input is empty or punctuation only, then the key is empty', () => {
    expect(comparisonKey('')).toBe('');
    expect(comparisonKey(' - / ')).toBe('');
  });
});

describe('comparisonTokens', () => {
  it('when a name has several words, then each becomes a collapsed token', () => {
    expect(comparisonTokens('kEdAra gauLa')).toEqual(['kedara', 'gaula']);
    expect(comparisonTokens('Suddha-Saveri')).toEqual(['suda', 'saveri']);
  });
});

describe('splitReferenceName', () => {
  const rows: [string, string[]][] = [
    ['Bhairavi', ['Bhairavi']],
    ['Bibhās {Hindustani}', ['Bibhās']],
    ['Jaunpuri{Hindustani}', ['Jaunpuri']],
    ['Malkosh /Malkauns', ['Malkosh', 'Malkauns']],
    ['Yamuna Kalyāni/Yaman Kalyan{Hindustani}', ['Yamuna Kalyāni', 'Yaman Kalyan']],
    ['Hameer Kalyāni {carnatic interpretation of Kedar}', ['Hameer Kalyāni']],
  ];
  it.each(rows)('when the reference name is %j, then it stands for %j', (name, names) => {
    expect(splitReferenceName(name)).toEqual(names);
  });
});
