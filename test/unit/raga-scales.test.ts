import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIR, loadShippedReference, type RagaScale } from '../../src/resolution/reference';
import { renderChangelog } from '../../src/resolution/reference-changelog';
import { melaScale, outside, parseScale } from '../../src/resolution/scale';

const ref = loadShippedReference();
const byId = new Map(ref.ragas.map((r) => [r.id, r]));
const scale = (id: string) => byId.get(id)?.meta?.scale as RagaScale;
const janyas = ref.ragas.filter((r) => typeof r.meta?.parent === 'string');
const parentScale = (id: string) => melaScale(byId.get(byId.get(id)?.meta?.parent as string)?.meta?.melakarta as number);

/**
 * Every raga whose svaras go outside its parent mela, by name. 46 say so in ragas.csv itself (an
 * `(ANya SwaRa*: …)` note), 60 are marked in ragas-corrections.json. A raga added to this list, or
 * dropped from it, is a change to review.
 */
const BHASHANGA = [
  'abheri', 'abhiramam', 'ahiri', 'amarasenapriya', 'anandabhairavi', 'asaveri', 'atana', 'basant bahar {hindustani}',
  'basant/vasant {hindustani}', 'beethovanapriya', 'behag', 'behag deshikam', 'bhairavi', 'bhanuchandrika', 'bhashini',
  'bhatiyar{hindustani}', 'bihag{original/hindustani}', 'bilahari', 'brindavana saranga{hindustani}', 'brindavani{hindustani}',
  'chayashankarabharanam', 'chenjurutti', 'chintamani', 'deepakam', 'desh{hindustani}', 'deshyathodi', 'devagandhari',
  'dhanashree', 'dvigandharabhooshani', 'dwigandharabhooshani', 'dwijavanthi /jujavanthi', 'ekakshari', 'ganavaridhi',
  'gara{hindustani}', 'ghanta', 'hameer kalyani {carnatic interpretation of kedar}', 'hameer{hindustani}', 'haridasapriya',
  'harini', 'haripriya', 'hindolavasanta', 'hindustani kapi', 'huseni', 'jaijaiwanti{hindustani}', 'jalmika', 'janavali',
  'jog{hindustani}', 'kambhoji', 'kamas', 'kanakakusumavali', 'kanchanabowli', 'kapi', 'kedar{hindustani}', 'kesari',
  'khamaj{hindustani}', 'kusumavali', 'kuvalayabharanam', 'madhavi', 'madhumalti{hindustani}', 'malharor miyan ki malhar {hindustani}',
  'mand {hindustani}', 'manji', 'manorama', 'margahindolam', 'matangakamini', 'mayadravila', 'mechagandhari',
  'mishra shivaranjani', 'mishramanolayam', 'mukhari', 'mukundamalini', 'nagachoodamani', 'nagagiri', 'navaroj', 'neelambari',
  'pahadi {hindustani}', 'pilu {hindustani}', 'pratapa nattai', 'punnagatodi', 'punnagavarali', 'rageshree', 'rajeshwari',
  'rohini', 'rudra panchami', 'sahana', 'samakannada', 'saranga', 'saranga kapi', 'saraseeruha', 'sarvangi',
  'shankaraharigowla', 'shanmukhi', 'shuddha sarang {hindustani}', 'shyam kalyan {hindustani}', 'simhavahini', 'sindhubhairavi',
  'sowrashtram', 'srimati', 'sudharmini', 'swarnamalli', 'tilang{hindustani}', 'vajrakanti', 'vedhaswaroopi', 'vijayabhooshavali',
  'vijayashree', 'yamuna kalyani/yaman kalyan{hindustani}',
];

describe('reference scales as structured data', () => {
  it('when every arohanam and avarohanam is parsed, then each is read as svaras with nothing left over', () => {
    const leftovers: string[] = [];
    for (const r of ref.ragas) {
      for (const field of ['arohanam', 'avarohanam'] as const) {
        const parsed = parseScale(r.meta?.[field] as string);
        if (parsed.unreadable.length > 0 || parsed.svaras.length < 3) leftovers.push(`${r.id} ${field}: ${parsed.unreadable.join(' ')}`);
      }
    }
    expect(leftovers).toEqual([]);
  });

  it('when a scale carries a remark that is not a svara, then it is one of the two ragas.csv has', () => {
    const remarks = ref.ragas.flatMap((r) => [r.meta?.arohanam, r.meta?.avarohanam].flatMap((t) => parseScale(t as string).remarks.map((m) => `${r.id} ${m}`)));
    expect(remarks).toEqual(['sutradhari (AlSo 27)', 'dhanakapi (VaReS)']);
  });

  it('when the upstream text runs svaras together or concatenates phrasings, then the parser still separates them', () => {
    expect(parseScale('SR1G1M1PD1S').svaras).toEqual(['S', 'R1', 'G1', 'M1', 'P', 'D1', 'S']);
    expect(parseScale('S N2 D1 P M1 G3 R1 S(ANya SwaRa*:R2G2/ G3 D2 N3)')).toMatchObject({
      svaras: ['S', 'N2', 'D1', 'P', 'M1', 'G3', 'R1', 'S'],
      anyaSvaras: ['R2', 'G2', 'G3', 'D2', 'N3'],
    });
    expect(parseScale('S R2 M1 P D2 SS R2 G3 S').svaras).toEqual(['S', 'R2', 'M1', 'P', 'D2', 'S', 'S', 'R2', 'G3', 'S']);
    expect(parseScale('G̣2 P̣ Ṇ3 S').svaras).toEqual(['G2', 'P', 'N3', 'S']);
    expect(parseScale('S D2 N2 D R1').unreadable).toEqual(['D']);
  });

  it("when a janya's svaras are compared with its parent mela's, then only a raga marked bhashanga goes outside, and only by its anya svaras", () => {
    const strays: string[] = [];
    for (const r of janyas) {
      const s = scale(r.id);
      const out = outside(s.notes, parentScale(r.id));
      const undeclared = out.filter((n) => !s.anyaSvaras.includes(n));
      if (undeclared.length > 0) strays.push(`${r.id}: ${undeclared.join(' ')} outside ${String(r.meta?.parent)}`);
      if (out.length > 0 && !s.bhashanga) strays.push(`${r.id}: not marked bhashanga`);
    }
    expect(strays).toEqual([]);
  });

  it('when the bhashanga ragas are listed, then they are exactly the exceptions this test names', () => {
    expect(janyas.filter((r) => scale(r.id).bhashanga).map((r) => r.id).sort()).toEqual([...BHASHANGA].sort());
  });

  it('when a melakarta is parsed, then its scale is its own seven svaras and it is not bhashanga', () => {
    for (const r of ref.ragas.filter((x) => typeof x.meta?.melakarta === 'number')) {
      expect({ id: r.id, notes: scale(r.id).notes, bhashanga: scale(r.id).bhashanga }).toEqual({
        id: r.id,
        notes: melaScale(r.meta?.melakarta as number).slice().sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)),
        bhashanga: false,
      });
    }
  });

  it('when the Dikshitar-school mela ragas are checked, then the corrected ones use exactly their mela svaras', () => {
    expect(scale('kashiramakriya').notes).toEqual(['S', 'R1', 'G3', 'M2', 'P', 'D1', 'N3']);
    expect(scale('bhanumati').notes).toEqual(['S', 'R1', 'G1', 'M1', 'P', 'D2', 'N2']);
    expect(scale('bhairavi')).toMatchObject({ bhashanga: true, anyaSvaras: ['D2'] });
  });

  it('when CHANGELOG.md is compared with the corrections it is generated from, then it is up to date and names every corrected raga', () => {
    const changelog = readFileSync(`${REFERENCE_DIR}CHANGELOG.md`, 'utf8');
    expect(changelog).toBe(renderChangelog(REFERENCE_DIR));
    const { corrections, bhashanga } = JSON.parse(readFileSync(`${REFERENCE_DIR}ragas-corrections.json`, 'utf8')) as {
      corrections: { id: string }[];
      bhashanga: { id: string }[];
    };
    for (const { id } of [...corrections, ...bhashanga]) expect(changelog).toContain(`| ${id} |`);
  });
});

const ORDER = ['S', 'R1', 'R2', 'R3', 'G1', 'G2', 'G3', 'M1', 'M2', 'P', 'D1', 'D2', 'D3', 'N1', 'N2', 'N3'];
