/**
 * Section by section, the two layouts written for the guru-guha (full headers, madhyama kAla
 * blocks, Devanagari and Tamil variants) and thyagaraja-vaibhavam (P/A/C1/C2 abbreviations, a
 * gist that repeats a `P` label) blogs: every section's type, number and exact text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractKrithi } from '../../src/scraping/extract';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '../fixtures/html', name), 'utf8');

describe('the guru-guha layout (vAtApi gaNapatiM)', () => {
  const e = extractKrithi(fixture('guru_guha_vatapi.html'), 'https://guru-guha.blogspot.com/2007/07/dikshitar-kriti-vatapi.html');

  it.each([
    [0, 'pallavi', undefined, 'vAtApi gaNapatiM bhajE(a)haM\nvAraNAsyaM vara pradaM SrI'],
    [1, 'anupallavi', undefined, 'bhUtAdi saMsEvita caraNaM\nbhUta bhautika prapanca bharaNaM'],
    [2, 'madhyama_kala', 1, 'vIta rAgiNaM vinata yOginaM\nviSva kAraNaM vighna vAraNaM'],
    [3, 'caranam', undefined, 'purA kumbha sambhava munivara\nprapUjitaM trikONa madhya gataM\nmurAri pramukh(A)dy(u)pAsitaM\nmUlAdhAra kshEtra sthitaM'],
    [4, 'madhyama_kala', 2, 'karAmbuja pASa bIja pUraM\nkalusha vidUraM bhUt(A)kAraM\nhara(A)di guru guha tOshita bimbaM\nhaMsadhvani bhUshita hErambaM'],
  ])('when section %i is read, then it is %s %s with exactly its lines', (i, type, number, text) => {
    expect(e.sections[i]).toEqual({ type, ...(number !== undefined ? { number } : {}), text });
  });

  it('when read, then the meaning and variations after the lyric add no section and no warning', () => {
    expect(e.sections).toHaveLength(5);
    expect(e.sections.map((s) => s.text).join('\n')).not.toMatch(/worship|vAtabi/);
    expect(e.warnings).toEqual([]);
  });

  it('when read, then the Devanagari and Tamil variants start with the pallavi in their own script', () => {
    const first = Object.fromEntries(e.variants.map((v) => [v.script, v.sections[0]]));
    expect(first.devanagari).toMatchObject({ type: 'pallavi', text: expect.stringMatching(/^वातापि गणपतिं भजेऽहं/) });
    expect(first.tamil).toMatchObject({ type: 'pallavi', text: expect.stringMatching(/^வாதாபி/) });
    expect(e.variants.every((v) => v.language === 'sa')).toBe(true);
  });
});

describe('the thyagaraja-vaibhavam layout (endarO mahAnubhAvulu)', () => {
  const e = extractKrithi(fixture('thyagaraja_endaro.html'), 'https://thyagaraja-vaibhavam.blogspot.com/2007/07/thyagaraja-kriti-endaro.html');

  it.each([
    [0, 'pallavi', undefined, 'endarO mahAnubhAvulu andariki vandanamulu'],
    [1, 'anupallavi', undefined, 'canduru varNuni anda candamunu hRdaya-\naravindamuna jUci brahmAnandam(a)nubhavincu vAr(endarO)'],
    [2, 'caranam', 1, 'sAma gAna lOla manasija lAvaNya\ndhanya mUrdhanyul(endarO)'],
    [3, 'caranam', 2, 'prEma muppiri konu vELa nAmamu\ntalacE vAru tyAgarAja nutuni (endarO)'],
  ])('when section %i is read, then it is %s %s with exactly its lines', (i, type, number, text) => {
    expect(e.sections[i]).toEqual({ type, ...(number !== undefined ? { number } : {}), text });
  });

  it('when the gist repeats a P label, then it does not become a second pallavi', () => {
    expect(e.sections).toHaveLength(4);
    expect(e.sections.map((s) => s.text).join('\n')).not.toContain('not a section');
  });

  it('when read, then title, raga, tala and transliterated title come from the lines the blog uses', () => {
    expect(e).toMatchObject({ title: 'Endaro Mahanubhavulu', titleTransliterated: 'endarO mahAnubhAvulu', ragas: ['SrI'], tala: 'Adi', composer: 'Tyagaraja' });
    expect(e.provenance).toMatchObject({ ragas: 'body-line', tala: 'body-line', titleTransliterated: 'body-line' });
  });
});

describe('the real thyagaraja-vaibhavam page of issue #11 (vEnkaTESa ninu, madhyamAvati)', () => {
  const page = readFileSync(join(import.meta.dirname, '../fixtures/pages/thyagaraja-vaibhavam/venkatesa_ninu.html'), 'utf8');
  const e = extractKrithi(page, 'http://thyagaraja-vaibhavam.blogspot.com/2008/03/thyagaraja-kriti-venkatesa-ninu-raga.html');
  const label = (s: { type: string; number?: number }): string => `${s.type}${s.number ?? ''}`;

  it('when the large-font labels sit on the lyric’s line, then the Latin lyric is P, A, C1–C3', () => {
    expect(e.sections.map(label)).toEqual(['pallavi', 'anupallavi', 'caranam1', 'caranam2', 'caranam3']);
    expect(e.sections[0]?.text).toBe('vEnkaTESa ninu sEvimpanu padi\nvEla kanulu kAvalen(a)yya');
  });

  it('when each script block labels inline (प. …, ச1. …), then there are five variants of five sections each', () => {
    expect(e.variants.map((v) => v.script)).toEqual(['devanagari', 'telugu', 'tamil', 'kannada', 'malayalam']);
    for (const v of e.variants) expect(v.sections.map(label)).toEqual(['pallavi', 'anupallavi', 'caranam1', 'caranam2', 'caranam3']);
  });

  it('when read, then no footnote digit, legend line, gist or meaning enters any lyric', () => {
    const all = [...e.sections, ...e.variants.flatMap((v) => v.sections)].map((s) => s.text).join('\n');
    expect(e.sections.map((s) => s.text).join('\n')).not.toMatch(/\d/);
    expect(all).not.toMatch(/Harvard|short|Long|ख छ|Gist|Meaning|Lotus|Notes|General|Comments|Updated/);
    expect(all).not.toMatch(/[,;] *[0-9]-|ச3 - ஜ|ஸ1 श/);
  });

  it('when Tamil prose follows the last caranam, then the Tamil lyric ends at its refrain cue', () => {
    const tamil = e.variants.find((v) => v.script === 'tamil');
    expect(tamil?.sections.at(-1)?.text.split('\n').at(-1)).toBe('த்யாக3ராஜ நுத ஸரஸ ஹ்ரு2த3ய (வேங்க)');
    expect(tamil?.sections.map((s) => s.text).join('\n')).not.toContain('வேங்கடேசா!');
  });

  it('when the page has no tala line, then tala is null with a warning, not a word from the notes', () => {
    expect(e).toMatchObject({ title: 'Venkatesa Ninu', titleTransliterated: 'vEnkaTESa ninu', ragas: ['madhyamAvati'], tala: null, composer: 'Tyagaraja' });
    expect(e.warnings).toEqual(['no tala found']);
  });
});
