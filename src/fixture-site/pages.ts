/**
 * Page drawings for the offline fixture site, one template per blog in the layout the real posts
 * use (issue #11 and the saved syamakrishnavaibhavam pages): thyagaraja-vaibhavam and guru-guha put
 * a large-font label on the lyric's own line (`P`, `C1`, `pallavi`, `samashTi caraNam`) and open each
 * line of another script with `प.` / `ச1.`; syamakrishnavaibhavam puts labels on lines of their own.
 * Around the lyric: a transliteration legend, the bold `title-raga` line, an intro sentence, a gist,
 * a word-by-word meaning, notes with footnotes, one block per script with its letter legend, and
 * sometimes prose after the last block.
 *
 * Every choice comes from a hash of the URL, so a URL always draws the same page, and the drawing
 * returns what it drew (`truth`): what an exact extraction of the page must give.
 */
import type { Section, SectionType } from '../scraping/types';
import {
  ABBREVIATION,
  FULL_LABEL,
  INDIC_SCRIPTS,
  SCRIPT_HEADING,
  SCRIPT_LEGEND,
  SCRIPT_PROSE,
  WORD_COUNT,
  word,
  type FixtureScript,
  type IndicScript,
} from './lyrics';

export interface FixtureRow {
  url: string;
  title: string;
  raga: string;
}

/** What the page says, as an exact extraction must return it. */
export interface FixtureTruth {
  title: string;
  titleTransliterated: string;
  composer: string | null;
  ragas: string[];
  tala: string | null;
  language: string;
  sections: Section[];
  variants: Array<{ script: IndicScript; sections: Section[] }>;
}

export interface DrawnPage {
  html: string;
  truth: FixtureTruth;
  layout: LayoutName;
}

/** FNV-1a, 32 bit: small, stable, good enough to spread URLs over buckets. */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Tala names as the blogs spell them; all resolve in data/reference/talas.json. */
export const FIXTURE_TALAS = ['Adi', 'rUpakaM', 'miSra cApu', 'cApu', 'jhampa', 'tripuTa', 'khaNDa cApu'] as const;

const RAGAMALIKA_RAGAS = ['SrI', 'Arabhi', 'gauri', 'nATa', 'gauLa', 'kalyANi', 'bilahari'] as const;

export type LayoutName = 'thyagaraja-vaibhavam' | 'guru-guha' | 'syamakrishnavaibhavam';

interface Layout {
  name: LayoutName;
  blogName: string;
  kriti: string;
  composer: string | null;
  /** `Transliteration–Telugu` → te. */
  language: 'te' | 'sa';
  /** Post titles put the raga first (`Raga Todi`) or last (`Todi Raga`). */
  ragaLast: boolean;
}

/** The layout registry: one template per blog. */
const LAYOUTS: Record<string, Layout> = {
  'thyagaraja-vaibhavam.blogspot.com': {
    name: 'thyagaraja-vaibhavam',
    blogName: 'Thyagaraja Vaibhavam',
    kriti: 'Thyagaraja Kriti',
    composer: 'Tyagaraja',
    language: 'te',
    ragaLast: false,
  },
  'guru-guha.blogspot.com': {
    name: 'guru-guha',
    blogName: 'Guru Guha Vaibhavam',
    kriti: 'Dikshitar Kriti',
    composer: 'Muthuswami Dikshitar',
    language: 'sa',
    ragaLast: false,
  },
  'syamakrishnavaibhavam.blogspot.com': {
    name: 'syamakrishnavaibhavam',
    blogName: 'Shyama Krishna Vaibhavam',
    kriti: 'Syama Sastry Kriti',
    composer: 'Syama Sastri',
    language: 'te',
    ragaLast: true,
  },
};

/** Another host gets the thyagaraja-vaibhavam drawing under a neutral blog name. */
const OTHER_HOST: Layout = { ...LAYOUTS['thyagaraja-vaibhavam.blogspot.com']!, blogName: 'Krithi Notes', kriti: 'Kriti', composer: null };

function layoutFor(host: string): Layout {
  return LAYOUTS[host.replace(/^www\./, '')] ?? OTHER_HOST;
}

/** What varies from page to page, drawn from the URL's hash. */
export interface PageShape {
  /** Scripts after the Latin lyric, in the blogs' order (0–5: pages carry 1–6 scripts). */
  scripts: IndicScript[];
  /** Null: the page names no tala. */
  tala: string | null;
  caranams: number;
  /** guru-guha: a samashTi caraNam instead of anupallavi and caraNam. */
  samashti: boolean;
  /** guru-guha: madhyama kAla sAhityam inside the anupallavi and/or the caraNam. */
  madhyamaKala: { anupallavi: boolean; caranam: boolean };
  /** guru-guha: `P`/`A`/`C` like thyagaraja-vaibhavam instead of `pallavi`/`caraNam`. */
  abbreviated: boolean;
  /** syamakrishnavaibhavam: a svara jati (pallavi and svara sAhitya 1..n). */
  svaraJati: number;
  footnotes: number;
  /** After the last script block: nothing, an English note, or prose in the block's own script. */
  trailer: 'none' | 'english' | 'script';
  /** The gist has a bare label line (`P`) among its prose. */
  gistLabel: boolean;
}

export function shapeFor(url: string): PageShape {
  const h = (salt: string): number => hashOf(`${salt}:${url}`);
  const host = new URL(url).hostname.toLowerCase();
  const layout = layoutFor(host);
  const nScripts = h('scripts') % 6;
  // A stable pick of nScripts scripts, kept in the blogs' order.
  const order = [...INDIC_SCRIPTS].sort((a, b) => h(`s-${a}`) - h(`s-${b}`));
  const chosen = new Set(order.slice(0, nScripts));
  const trailers = ['none', 'english', 'script'] as const;
  return {
    scripts: INDIC_SCRIPTS.filter((s) => chosen.has(s)),
    tala: h('tala-present') % 4 === 0 ? null : (FIXTURE_TALAS[h('tala') % FIXTURE_TALAS.length] as string),
    caranams: 1 + (h('caranams') % 3),
    samashti: layout.name === 'guru-guha' && h('samashti') % 5 === 0,
    madhyamaKala: { anupallavi: h('mk-a') % 3 === 0, caranam: h('mk-c') % 2 === 0 },
    abbreviated: layout.name !== 'guru-guha' || h('abbr') % 3 === 0,
    svaraJati: layout.name === 'syamakrishnavaibhavam' && h('svarajati') % 3 === 0 ? 3 + (h('sj') % 6) : 0,
    footnotes: h('footnotes') % 4,
    // guru-guha lyrics end in no refrain cue, so prose in the script could not be told from lyric.
    trailer: trailers[h('trailer') % (layout.name === 'guru-guha' ? 2 : 3)] as PageShape['trailer'],
    gistLabel: h('gist') % 4 === 0,
  };
}

/** `abhayAmbA jagadambA` → `Abhayamba Jagadamba`, the way post titles spell it. */
export function plainTitle(hk: string): string {
  return hk
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const isRagamalika = (raga: string): boolean => /^r[aā]ga\s*m[aā]lik[aā]$/i.test(raga.trim());

/** One section as drawn: its type, the number the page shows, and lines of word indices. */
interface Planned {
  type: SectionType;
  number?: number;
  /** The Latin label the page prints (`C1`, `caraNam`); madhyama kAla has none (it sits inside). */
  label: string;
  lines: number[][];
  /** Ends with the refrain cue `(vEnka)`. */
  cue: boolean;
}

function planSections(layout: Layout, shape: PageShape, seed: number): Planned[] {
  let w = seed;
  const line = (n: number): number[] => {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      w = Math.imul(w ^ (w >>> 13), 0x5bd1e995) >>> 0;
      out.push(w % WORD_COUNT);
    }
    return out;
  };
  const lines = (count: number): number[][] => Array.from({ length: count }, (_, i) => line(3 + ((seed >>> i) % 3)));
  const plan: Planned[] = [];
  const abbr = shape.abbreviated;
  const numbered = shape.caranams > 1;

  if (layout.name === 'syamakrishnavaibhavam') {
    plan.push({ type: 'pallavi', label: 'pallavi', lines: lines(2), cue: false });
    if (shape.svaraJati > 0) {
      for (let i = 1; i <= shape.svaraJati; i++) plan.push({ type: 'svara_sahitya', number: i, label: `svara sAhitya ${i}`, lines: lines(2 + (i % 3)), cue: true });
      return plan;
    }
    plan.push({ type: 'anupallavi', label: 'anupallavi', lines: lines(2), cue: true });
    for (let i = 1; i <= shape.caranams; i++) {
      plan.push({ type: 'caranam', ...(numbered ? { number: i } : {}), label: numbered ? `caraNam ${i}` : 'caraNam', lines: lines(4), cue: true });
    }
    return plan;
  }

  if (layout.name === 'guru-guha') {
    const mk = (): Planned => ({ type: 'madhyama_kala', label: '', lines: lines(2), cue: false });
    plan.push({ type: 'pallavi', label: abbr ? 'P' : 'pallavi', lines: lines(2), cue: false });
    if (shape.samashti) {
      plan.push({ type: 'samashti_caranam', label: 'samashTi caraNam', lines: lines(3), cue: false });
      if (shape.madhyamaKala.caranam) plan.push(mk());
    } else {
      plan.push({ type: 'anupallavi', label: abbr ? 'A' : 'anupallavi', lines: lines(2), cue: false });
      if (shape.madhyamaKala.anupallavi) plan.push(mk());
      plan.push({ type: 'caranam', label: abbr ? 'C' : 'caraNam', lines: lines(4), cue: false });
      if (shape.madhyamaKala.caranam) plan.push(mk());
    }
    // The page numbers neither; a repeated madhyama kAla is numbered in order of appearance.
    const mks = plan.filter((p) => p.type === 'madhyama_kala');
    if (mks.length > 1) mks.forEach((p, i) => (p.number = i + 1));
    return plan;
  }

  plan.push({ type: 'pallavi', label: 'P', lines: lines(2), cue: false });
  plan.push({ type: 'anupallavi', label: 'A', lines: lines(2), cue: true });
  for (let i = 1; i <= shape.caranams; i++) {
    plan.push({ type: 'caranam', ...(numbered ? { number: i } : {}), label: numbered ? `C${i}` : 'C', lines: lines(2 + (i % 3)), cue: true });
  }
  return plan;
}

/** `(vEnka)`: the pallavi's first word, cut to five letters when longer than six. */
function latinCue(title: string): string {
  const first = title.replace(/\([^)]*\)/g, ' ').trim().split(/\s+/)[0] ?? title;
  return first.length > 6 ? first.slice(0, 5) : first;
}

/** Each section's lines as text, in one script, with the cue and (Latin) the title in front. */
function writeLyric(plan: Planned[], script: FixtureScript, title: string): string[][] {
  const cue = script === 'latin' ? latinCue(title) : word(plan[0]?.lines[0]?.[0] ?? 0, script);
  return plan.map((p, si) =>
    p.lines.map((ws, li) => {
      let text = ws.map((i) => word(i, script)).join(' ');
      if (si === 0 && li === 0 && script === 'latin') text = `${title} ${text}`;
      if (p.cue && li === p.lines.length - 1) text += ` (${cue})`;
      return text;
    }),
  );
}

function toSections(plan: Planned[], text: string[][]): Section[] {
  return plan.map((p, i) => ({ type: p.type, ...(p.number !== undefined ? { number: p.number } : {}), text: (text[i] ?? []).join('\n') }));
}

const LEGEND_TELUGU = [
  'Transliteration–Telugu <br />Transliteration as per Modified Harvard-Kyoto (HK) Convention <br />(including Telugu letters – Short e, Short o) -<br /><br />',
];
const LEGEND_SANSKRIT = ['Transliteration–Sanskrit <br />Transliteration as per Modified Harvard-Kyoto (HK) Convention <br />'];
const LEGEND_TABLE = [
  'a   A     i    I     u   U  <br />R  RR  lR  lRR  <br />e  E   ai  o  O   au  M (H or :)  <br /><br />',
  '(e – short | E – Long |  o – short | O – Long)<br /><br />',
  'k    kh   g   gh  n/G     <br />c     ch   j    jh   n/J    (jn – as in jnAna)<br />T    Th  D  Dh  N     <br />t    th   d   dh   n<br />p    ph  b   bh   m     <br />y     r     l    L    v <br />S    sh    s     h   <br /><br />',
];

const BIG = (label: string): string => `<span style="font-size:180%;">${esc(label)}</span>`;

/** Latin lyric lines as HTML, with `<sup>n</sup>` footnote markers glued to chosen words. */
function latinHtml(text: string[][], footnotes: number): string[][] {
  const html = text.map((lines) => lines.map(esc));
  for (let n = 1; n <= footnotes; n++) {
    const s = html[(n * 2 - 1) % html.length] ?? html[0];
    if (!s || s.length === 0) continue;
    const li = (n - 1) % s.length;
    const words = (s[li] as string).split(' ');
    const wi = Math.min(n, words.length - 1);
    words[wi] = `<sup>${n}</sup>${words[wi]}`;
    s[li] = words.join(' ');
  }
  return html;
}

interface Drawing {
  row: FixtureRow;
  layout: Layout;
  shape: PageShape;
  plan: Planned[];
  title: string;
  ragas: string[];
  tala: string | null;
}

function introLine(d: Drawing): string {
  const { layout, shape, title, row, tala } = d;
  const raga = isRagamalika(row.raga) ? `rAgamAlikA (${d.ragas.join(', ')})` : `rAga ${row.raga}`;
  const kind = shape.svaraJati > 0 ? 'svara jati' : 'kRti';
  // A blog of no known composer (another host) names nobody: its rows wait for a reviewer.
  const who =
    layout.composer === null
      ? 'the composer'
      : layout.name === 'guru-guha'
        ? 'SrI muttusvAmi dIkshitar'
        : layout.name === 'syamakrishnavaibhavam'
          ? 'SrI SyAmA Sastry'
          : 'SrI tyAgarAja';
  if (layout.name === 'guru-guha') {
    // guru-guha gives raga and tala on a line of their own under the intro.
    const line = isRagamalika(row.raga) ? 'rAgaM rAgamAlikA' : `rAgaM ${row.raga}`;
    return `In the ${kind} ‘${esc(title)}’ – ${esc(raga)}, ${who} sings the praise of the Lord.<br />${esc(tala ? `${line} - tALaM ${tala}` : line)}<br /><br />`;
  }
  return `In the ${kind} ‘${esc(title)}’ – ${esc(raga)}${tala ? ` (tALa ${esc(tala)})` : ''}, ${who} prays to the Lord to protect the devotee.<br /><br />`;
}

function gistHtml(d: Drawing): string {
  const bare = d.shape.gistLabel ? `${d.layout.name === 'syamakrishnavaibhavam' ? 'pallavi' : 'P'}<br />This line of the gist is not a section.<br />` : '';
  return (
    '<hr /><br /><strong>Gist</strong><br /><ul>' +
    '<li>In the Pallavi, the Lord is asked to protect His devotee always.<br />' +
    '<li>In the Anupallavi and the caraNam, the composer says the Lord alone is the refuge of those who seek Him.</ul><br />' +
    bare
  );
}

function meaningHtml(d: Drawing, latin: string[][]): string {
  const first = d.plan[0];
  if (!first) return '';
  const label = d.layout.name === 'syamakrishnavaibhavam' ? `${first.label} <br />` : `${BIG(first.label)} `;
  return (
    '<hr /><br /><strong>Word-by-word Meaning</strong><br /><br />' +
    `${label}${(latin[0] ?? []).map((l) => esc(l.replace(/ /g, '-'))).join('<br />')}<br /><br />` +
    'O Lord (SrI)! Please protect (pAhi) me (mAM) always (sadA).<br />'
  );
}

function notesHtml(d: Drawing): string {
  const notes = Array.from({ length: d.shape.footnotes }, (_, i) => `<sup>${i + 1}</sup> – ${esc(word(i, 'latin'))} – ${esc(word(i + 3, 'latin'))}.<br /><br />`);
  return (
    '<hr /><br />Notes –<br /><strong>Variations</strong> –<br />' +
    notes.join('') +
    '<strong>References</strong> –<br />Please refer to the notes of the earlier posts.<br /><br />Comments -<br />The P and A are sung twice in some schools.<br />'
  );
}

/** The Latin lyric in the layout's form. */
function latinLyricHtml(d: Drawing, html: string[][]): string {
  const parts: string[] = [];
  d.plan.forEach((p, i) => {
    const lines = html[i] ?? [];
    if (d.layout.name === 'syamakrishnavaibhavam') {
      parts.push(`${esc(p.label)} <br />${lines.join('<br />')}<br /><hr /><br />`);
    } else if (p.type === 'madhyama_kala') {
      // Inside the section before it: the last break of that section is taken back.
      parts.push(`${esc(FULL_LABEL.madhyama_kala!.latin)}<br />${lines.join('<br />')}<br /><br />`);
    } else {
      const next = d.plan[i + 1]?.type === 'madhyama_kala';
      parts.push(`${BIG(p.label)} ${lines.join('<br />')}<br />${next ? '' : '<br />'}`);
    }
  });
  return parts.join('');
}

/** One script's block: heading, legend, the lyric in the layout's form. */
function scriptBlockHtml(d: Drawing, script: IndicScript, text: string[][]): string {
  const out: string[] = [`<br />${SCRIPT_HEADING[script]}<br /><br />`];
  const legend = SCRIPT_LEGEND[script];
  if (legend) out.push(`${legend.map(esc).join('<br />')}<br /><br />`);
  d.plan.forEach((p, i) => {
    const lines = (text[i] ?? []).map(esc);
    const full = FULL_LABEL[p.type]?.[script] ?? '';
    if (d.layout.name === 'syamakrishnavaibhavam') {
      out.push(`${full}${p.number !== undefined ? ` ${p.number}` : ''} <br />${lines.join('<br />')}<br /><br />`);
    } else if (p.type === 'madhyama_kala' || p.type === 'samashti_caranam') {
      out.push(`${full}<br />${lines.join('<br />')}<br /><br />`);
    } else {
      const abbr = ABBREVIATION[p.type as 'pallavi' | 'anupallavi' | 'caranam'][script];
      out.push(`${abbr}${p.number ?? ''}. ${lines.join('<br />')}<br /><br />`);
    }
  });
  if (d.layout.name === 'syamakrishnavaibhavam' && script === 'tamil') {
    // The real pages follow the Tamil lyric with a Tamil meaning that repeats the labels.
    out.push(`${FULL_LABEL.pallavi!.tamil} <br />${SCRIPT_PROSE.tamil.join('<br />')}<br /><br />`);
  }
  if (d.layout.name === 'syamakrishnavaibhavam' && script === 'devanagari') {
    const first = text[0] ?? [];
    out.push(`<hr /><br />Word Division  <br /><br />${FULL_LABEL.pallavi!.devanagari} <br />${first.map((l) => esc(l.replace(/ /g, '-'))).join('<br />')}<br /><br />`);
  }
  return out.join('');
}

function page(layout: Layout, postTitle: string, body: string): string {
  const titleTag = `${layout.blogName}: ${postTitle}`;
  return `<!DOCTYPE html>
<html dir='ltr'><head><meta charset="utf-8"><title>${esc(titleTag)}</title>
<style type='text/css'>.post-body { font-size: 105%; line-height: 1.5; }</style></head>
<body>
<div class='header section' id='header'><h1 class='title'>${esc(layout.blogName)}</h1></div>
<div class='main section' id='main'><div class='blog-posts hfeed'>
<h2 class='date-header'><span>Sunday, May 22, 2011</span></h2>
<div class='post-outer'><div class='post hentry'>
<h3 class='post-title entry-title'>
${esc(postTitle)}
</h3>
<div class='post-body entry-content'>
${body}
</div>
<div class='post-footer'>Posted by V Govindan at 8:00 AM | Labels: kriti</div>
</div>
<div class='comments' id='comments'><h4>2 comments:</h4>
<dl id='comments-block'><dt>Anonymous said...</dt><dd>pallavi<br />In the caraNam, is it rAga tODi or rAga kalyANi (tALa rUpakaM)?</dd></dl>
</div></div></div></div>
<div class='footer-outer'>Powered by Blogger. Subscribe to: Post Comments (Atom)</div>
</body></html>`;
}

/** A kriti page for `row` on its blog, and what it says; `withTala: false` leaves any tala out. */
export function drawKrithiPage(row: FixtureRow, opts: { withTala: boolean }): DrawnPage {
  const host = new URL(row.url).hostname.toLowerCase();
  const layout = layoutFor(host);
  const shape = shapeFor(row.url);
  // The page carries the row's title as the manifest writes it, digits included (`vArija
  // nayana-1`): tests tell rows apart by those digits, and the importer keys krithis by title.
  const title = row.title;
  const ragas = isRagamalika(row.raga)
    ? RAGAMALIKA_RAGAS.slice(hashOf(`rm:${row.url}`) % 3, (hashOf(`rm:${row.url}`) % 3) + 3 + (hashOf(`rmn:${row.url}`) % 2))
    : [row.raga];
  const d: Drawing = { row, layout, shape, plan: planSections(layout, shape, hashOf(`lyrics:${row.url}`)), title, ragas, tala: opts.withTala ? shape.tala : null };

  const latin = writeLyric(d.plan, 'latin', title);
  const body: string[] = [layout.language === 'sa' ? LEGEND_SANSKRIT.join('') : LEGEND_TELUGU.join(''), ...LEGEND_TABLE];
  body.push(`<strong><span style="font-size:130%;">${esc(title)}-${esc(row.raga)}</span></strong><br /><br />`);
  body.push(introLine(d));
  body.push(latinLyricHtml(d, latinHtml(latin, shape.footnotes)));
  body.push(gistHtml(d), meaningHtml(d, latin), notesHtml(d), '<hr />');

  const variants: FixtureTruth['variants'] = [];
  if (shape.scripts.length > 0) {
    body.push('<span style="font-size:130%;line-height: 30px;">');
    for (const script of shape.scripts) {
      const text = writeLyric(d.plan, script, title);
      body.push(scriptBlockHtml(d, script, text), '<hr />');
      variants.push({ script, sections: toSections(d.plan, text) });
    }
    const last = shape.scripts[shape.scripts.length - 1] as IndicScript;
    if (shape.trailer === 'script') body.push(`<br />${SCRIPT_PROSE[last].join('<br />')}<br />`);
    body.push('</span>');
  }
  if (shape.trailer !== 'none') body.push('<br />Updated on 22 May 2011<br />');

  const ragaPart = isRagamalika(row.raga) ? 'Ragamalika' : plainTitle(row.raga);
  const postTitle = `${layout.kriti} - ${plainTitle(title)} - ${layout.ragaLast ? `${ragaPart} Raga` : `Raga ${ragaPart}`}`;
  return {
    html: page(layout, postTitle, body.join('\n')),
    layout: layout.name,
    truth: {
      title: plainTitle(title),
      titleTransliterated: title,
      composer: layout.composer,
      ragas,
      tala: d.tala,
      language: layout.language,
      sections: toSections(d.plan, latin),
      variants,
    },
  };
}

export function renderKrithiPage(row: FixtureRow, opts: { withTala: boolean }): string {
  return drawKrithiPage(row, opts).html;
}

/** A post of the same blog that is not a composition: no sections, no raga. */
export function renderNoKrithiPage(url: string): string {
  const layout = layoutFor(new URL(url).hostname.toLowerCase());
  return page(layout, 'Blog update - index of posts', 'Dear readers,<br />The index of all posts has been updated. Thank you for your comments.<br />');
}

export function renderNotFoundPage(): string {
  return '<!DOCTYPE html><html><head><title>Page not found</title></head><body><p>Sorry, the page you were looking for in this blog does not exist.</p></body></html>';
}
