import { describe, expect, it } from 'vitest';
import { comparisonKey, comparisonTokens, splitRagaList, splitReferenceName } from '../../src/resolution/normalize';

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

  it('when digits repeat, then they are kept (titles "krithi 3" and "krithi 33" differ)', () => {
    expect(comparisonKey('krithi 3')).not.toBe(comparisonKey('krithi 33'));
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

describe('comparisonKey, one table row per romanisation rule', () => {
  const raga = { stripHonorifics: false };
  // [rule, spellings that must share a key]
  const rules: [string, string[]][] = [
    ['HK is case-significant: A long a, N retroflex n, S palatal s', ['SankarAbharaNaM', 'sankarabharanam']],
    ['HK R is vocalic r, read before lower-casing', ['amRta', 'amrita']],
    ['IAST long vowels and retroflexes', ['Kalyāṇi', 'kalyani']],
    ['IAST ṛ', ['amṛta', 'amrita']],
    ['ITRANS doubled vowels and capital N', ['kalyaaNii', 'kalyani']],
    ['ITRANS R^i and RRi for ṛ', ['amR^ita', 'amRRita', 'amrita']],
    ['ITRANS ~n nasal', ['pa~nchama', 'pancama']],
    ['ITRANS ~N nasal', ['sha~Nkara', 'sankara']],
    ['loose English aspirates', ['Thodi', 'todi']],
    ['loose English ee for long i', ['Neelambari', 'nIlAmbari']],
    ['sibilants ś, ṣ, s, sh, Sh all one', ['Śanmukha', 'ṣanmukha', 'shanmukha', 'Shanmukha', 'sanmukha']],
    ['ḻ, zh and HK L are one l', ['māḻava', 'maazhava', 'mALava', 'malava']],
    ['au, ow and ou are one', ['gauLa', 'gowla', 'goula']],
    ['v and w are one', ['Hamsadhwani', 'hamsadhvani']],
    ['doubled letters collapse', ['Nattai', 'nATai']],
    ['doubled consonants collapse', ['Surutti', 'suruti']],
    ['nasal endings -aM, -am, -amu and -an collapse', ['mOhanaM', 'mohanam', 'Mohana', 'mohanamu']],
    ['HK visarga H and IAST ḥ are dropped', ['duHkha', 'duḥkha', 'dukha']],
    ['hyphens and spaces are word breaks that do not count', ['Suddha-Saveri', 'suddha saveri', 'suddhasaveri']],
    ['a trailing word that only says raga is dropped', ['Kalyani raga', 'kalyANi rAgaM', 'Kalyani Ragam', 'Kalyani']],
  ];
  it.each(rules)('when %s, then the spellings share a key', (_, spellings) => {
    expect(new Set(spellings.map((s) => comparisonKey(s, raga))).size).toBe(1);
  });

  it('when a composer name has an honorific (Sri, Saint, Sadguru), then it is dropped for composers only', () => {
    expect(comparisonKey('Saint Tyagaraja')).toBe(comparisonKey('Tyagaraja'));
    expect(comparisonKey('Sadguru Tyagaraja')).toBe(comparisonKey('Tyagaraja'));
    expect(comparisonKey('SrI muttusvAmi')).toBe(comparisonKey('Muthuswami'));
    expect(comparisonKey('Sri Ranjani', raga)).not.toBe(comparisonKey('Ranjani', raga));
  });

  it('when the same letters differ only in case outside HK (title case, all caps), then they are ordinary letters', () => {
    expect(comparisonKey('RANJANI', raga)).toBe(comparisonKey('ranjani', raga));
    expect(comparisonKey('Hindolam', raga)).toBe('hindola');
  });
});

describe('splitRagaList', () => {
  const rows: [string, string[]][] = [
    ['kalyANi', ['kalyANi']],
    ['rItigauLa - Abheri', ['rItigauLa', 'Abheri']],
    ['kEsari - sindhu kannaDa', ['kEsari', 'sindhu kannaDa']],
    ['bhUpALaM – bhauLi', ['bhUpALaM', 'bhauLi']],
    ['SrI, Arabhi; gauri', ['SrI', 'Arabhi', 'gauri']],
    ['divya maNi-dundubhi', ['divya maNi-dundubhi']],
    ['rasALi/vanALi', ['rasALi/vanALi']],
    ['  ', []],
  ];
  it.each(rows)('when the raga value is %j, then it names %j', (value, ragas) => {
    expect(splitRagaList(value)).toEqual(ragas);
  });
});
