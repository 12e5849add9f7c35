/**
 * Page templates for the offline fixture site, modelled on the three real Blogger blogs: the
 * blog's `<title>` pattern, `h3.post-title`, a transliteration legend, a raga/tala line in the
 * blog's style, the sections, sometimes a Devanagari variant, a gist and a word-by-word meaning,
 * then comments and a footer outside the post body. Everything is derived from a hash of the URL,
 * so one URL always renders the same page.
 */

export interface FixtureRow {
  url: string;
  title: string;
  raga: string;
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

export const FIXTURE_TALAS = ['Adi', 'rUpakaM', 'miSra cApu', 'cApu', 'jhampa', 'tripuTa', 'khaNDa cApu'] as const;

export function talaFor(url: string): string {
  return FIXTURE_TALAS[hashOf(`tala:${url}`) % FIXTURE_TALAS.length] as string;
}

interface SiteStyle {
  blogName: string;
  kriti: string;
  composerPhrase: string;
  mudra: string;
  headers: 'full' | 'abbreviated' | 'numbered';
  ragaLine: (title: string, raga: string, tala: string | null) => string;
}

const intro = (composerPhrase: string) => (title: string, raga: string, tala: string | null): string =>
  `In the kRti ‘${title}’ – rAga ${raga}${tala ? ` (tALa ${tala})` : ''}, ${composerPhrase} sings the glory of the Lord.`;

const STYLES: Record<string, SiteStyle> = {
  'guru-guha.blogspot.com': {
    blogName: 'Guru Guha Vaibhavam',
    kriti: 'Dikshitar Kriti',
    composerPhrase: 'SrI muttusvAmi dIkshita',
    mudra: 'guru guha nutE',
    headers: 'full',
    ragaLine: (_t, raga, tala) => (tala ? `rAgaM ${raga} - tALaM ${tala}` : `rAgaM ${raga}`),
  },
  'thyagaraja-vaibhavam.blogspot.com': {
    blogName: 'Thyagaraja Vaibhavam',
    kriti: 'Thyagaraja Kriti',
    composerPhrase: 'SrI tyAgarAja',
    mudra: 'tyAgarAja nuta',
    headers: 'abbreviated',
    ragaLine: intro('SrI tyAgarAja'),
  },
  'syamakrishnavaibhavam.blogspot.com': {
    blogName: 'Shyama Krishna Vaibhavam',
    kriti: 'Syama Sastry Kriti',
    composerPhrase: 'SrI SyAmA Sastry',
    mudra: 'SyAma kRshNa sOdari',
    headers: 'numbered',
    ragaLine: intro('SrI SyAmA Sastry'),
  },
};

const DEFAULT_STYLE: SiteStyle = {
  blogName: 'Krithi Notes',
  kriti: 'Kriti',
  composerPhrase: 'the composer',
  mudra: 'SrI hari nuta',
  headers: 'full',
  ragaLine: (_t, raga, tala) => (tala ? `Raga: ${raga}, Tala: ${tala}` : `Raga: ${raga}`),
};

const WORDS = ['SrI', 'rAma', 'nIvE', 'gati', 'sadA', 'pAhi', 'mAM', 'karuNA', 'sAgara', 'bhaja', 'manasA', 'hari', 'vara', 'dAyaka', 'caraNa', 'kamala'];
const DEVANAGARI = ['श्री', 'राम', 'नीवे', 'गति', 'सदा', 'पाहि', 'मां', 'करुणा', 'सागर', 'भज'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `abhayAmbA jagadambA` → `Abhayamba Jagadamba`, the way post titles spell it. */
export function plainTitle(hk: string): string {
  return hk
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function line(seed: number, i: number, vocab: readonly string[]): string {
  const n = 4 + ((seed >>> (i % 8)) % 3);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(vocab[(seed >>> ((i + k) % 24)) % vocab.length] as string);
  return out.join(' ');
}

export interface PageShape {
  caranams: number;
  madhyamaKala: boolean;
  devanagari: boolean;
  tala: string;
}

export function shapeFor(url: string): PageShape {
  const h = hashOf(`shape:${url}`);
  return { caranams: 1 + (h % 3), madhyamaKala: (h >>> 3) % 2 === 0, devanagari: (h >>> 5) % 2 === 0, tala: talaFor(url) };
}

function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase();
}

function page(titleTag: string, postTitle: string, body: string[]): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(titleTag)}</title></head>
<body>
<div class="header"><h1 class="title">${esc(titleTag.split(':')[0] ?? '')}</h1></div>
<div class="main-inner"><div class="post hentry">
<h3 class="post-title entry-title">${esc(postTitle)}</h3>
<div class="post-body entry-content">
${body.join('\n')}
</div>
<div class="post-footer">Posted by V Govindan at 8:00 AM | Labels: kriti</div>
</div>
<div class="comments" id="comments"><h4>2 comments:</h4>
<dl><dt>Anonymous said...</dt><dd>pallavi<br/>In the caraNam, is it rAga tODi or rAga kalyANi?</dd></dl>
</div></div>
<div class="footer-outer">Powered by Blogger. Subscribe to: Post Comments (Atom)</div>
</body></html>`;
}

const LEGEND = [
  'Transliteration–Telugu <br/>Transliteration as per Modified Harvard-Kyoto (HK) Convention <br/>',
  'a A i I u U <br/>R RR lR lRR <br/>e E ai o O au M (H or :) <br/>',
  'k kh g gh n/G <br/>c ch j jh n/J (jn – as in jnAna)<br/>T Th D Dh N <br/>',
];

/** A kriti page for `row` on its blog; `withTala: false` leaves the tala out of every line. */
export function renderKrithiPage(row: FixtureRow, opts: { withTala: boolean }): string {
  const host = hostOf(row.url);
  const style = STYLES[host] ?? DEFAULT_STYLE;
  const shape = shapeFor(row.url);
  const tala = opts.withTala ? shape.tala : null;
  const seed = hashOf(`lyrics:${row.url}`);
  const label = (type: 'P' | 'A' | 'C' | 'MK', n: number): string => {
    if (type === 'MK') return '(madhyama kAla sAhityam)';
    if (style.headers === 'abbreviated') return type === 'C' ? (shape.caranams > 1 ? `C${n}` : 'C') : type;
    const full = type === 'P' ? 'pallavi' : type === 'A' ? 'anupallavi' : 'caraNam';
    return type === 'C' && style.headers === 'numbered' && shape.caranams > 1 ? `${full} ${n}` : full;
  };
  const sections: Array<[string, string[]]> = [
    [label('P', 1), [`${row.title} ${line(seed, 0, WORDS)}`, line(seed, 1, WORDS)]],
    [label('A', 1), [line(seed, 2, WORDS), line(seed, 3, WORDS)]],
  ];
  if (shape.madhyamaKala) sections.push([label('MK', 1), [line(seed, 4, WORDS)]]);
  for (let c = 1; c <= shape.caranams; c++) {
    const last = c === shape.caranams;
    sections.push([label('C', c), [line(seed, 4 + c, WORDS), last ? `${line(seed, 9 + c, WORDS)} ${style.mudra}` : line(seed, 9 + c, WORDS)]]);
  }

  const body: string[] = [...LEGEND, '<br/>'];
  body.push(`<b>${esc(row.title)}-${esc(row.raga)}</b><br/><br/>`);
  body.push(`${esc(style.ragaLine(row.title, row.raga, tala))}<br/><br/>`);
  for (const [head, lines] of sections) body.push(`${esc(head)}<br/>${lines.map(esc).join('<br/>\n')}<br/><hr/>`);
  body.push('<b>Gist</b><br/><ul><li>O Lord! Please protect me always.</li><li>I sought refuge at Your feet.</li></ul><hr/>');
  body.push('<b>Word-by-word Meaning</b><br/>');
  const [firstHead, firstLines] = sections[0] ?? ['pallavi', []];
  body.push(`${esc(firstHead)}<br/>${firstLines.map(esc).join('<br/>')}<br/>O Lord (SrI) of all! Protect (pAhi) me (mAM).<br/><hr/>`);
  body.push('Notes –<br/><b>Variations</b> –<br/>1 – nIvE – nIve.<br/><hr/>');
  if (shape.devanagari) {
    body.push('<span style="font-size:130%">Devanagari<br/><br/>ऎ,कॆ,चॆ.. - e,ke,ce..(short);<br/>');
    const dev = ['पल्लवि', 'अनुपल्लवि', ...Array.from({ length: shape.caranams }, () => 'चरणम्')];
    dev.forEach((h, i) => body.push(`${h}<br/>${line(seed, i, DEVANAGARI)}<br/>${line(seed, i + 1, DEVANAGARI)}<br/><br/>`));
    body.push('</span><hr/>');
  }
  body.push('Updated on 22 May 2011<br/>');

  const raga = plainTitle(row.raga);
  const postTitle = `${style.kriti} - ${plainTitle(row.title)} - Raga ${raga}`;
  return page(`${style.blogName}: ${postTitle}`, postTitle, body);
}

/** A post of the same blog that is not a composition: no sections, no raga. */
export function renderNoKrithiPage(url: string): string {
  const style = STYLES[hostOf(url)] ?? DEFAULT_STYLE;
  const postTitle = 'Blog update - index of posts';
  return page(`${style.blogName}: ${postTitle}`, postTitle, [
    'Dear readers,<br/>The index of all posts has been updated. Thank you for your comments.<br/>',
  ]);
}

export function renderNotFoundPage(): string {
  return '<!DOCTYPE html><html><head><title>Page not found</title></head><body><p>Sorry, the page you were looking for in this blog does not exist.</p></body></html>';
}
