/**
 * Raga, tala, composer and language from the lines a page gives them in. Pure string work.
 */

export interface RagaTala {
  raga: string | null;
  tala: string | null;
}

const RAGA_WORD = String.raw`r[aā]+g[aā]+[mṃṁ]?`;
const TALA_WORD = String.raw`t[aā]+[lḷ][aā]+[mṃṁ]?`;

/** `rAga bhairavi (tALa cApu)` — the Blogger intro sentence form. */
const RAGA_PAREN_TALA = new RegExp(
  String.raw`(?:^|[^\p{L}])${RAGA_WORD}\s*[:\-–]?\s+([^()\n]+?)\s*\(\s*${TALA_WORD}\s*[:\-–]?\s*([^)]+?)\s*\)`,
  'iu',
);
const RAGA_ALONE = new RegExp(
  String.raw`(?:^|[^\p{L}])${RAGA_WORD}(?![\p{L}])\s*[:.\-–]?\s*(.+?)\s*(?=[,;|/(\[]|\s[-–—]\s|\s-?\s*${TALA_WORD}(?![\p{L}])|$)`,
  'iu',
);
const TALA_ALONE = new RegExp(
  String.raw`(?:^|[^\p{L}])${TALA_WORD}(?![\p{L}])\s*[:.\-–]?\s*(.+?)\s*(?=[,;|/()\[]|\s[-–—]\s|$)`,
  'iu',
);

function cleanName(s: string | undefined): string | null {
  if (!s) return null;
  const v = s
    .replace(/^[\s'"‘’“”:.\-–]+|[\s'"‘’“”:.,;\-–]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!v || v.length > 40 || v.split(' ').length > 4) return null;
  if (/\d/.test(v)) return null;
  return v;
}

/**
 * Raga and tala from one line: `rAga bhairavi (tALa cApu)`, `rAgaM kalyANi - tALaM Adi`,
 * `Raga: Todi, Tala: Adi`, `Ragam Sri Talam Adi`, `rāgaṁ tODi tāḷaṁ rUpakaM`.
 */
export function parseRagaTalaLine(rawLine: string): RagaTala {
  // A quoted title (`‘saindhavi rAga priyE’`) is not where the raga is named.
  const line = rawLine.replace(/[‘“][^’”]*[’”]/g, ' ');
  const malika = RAGAMALIKA_PHRASE.exec(line);
  if (malika) return { raga: malika[0].replace(/\s+/g, ''), tala: cleanName(TALA_ALONE.exec(line)?.[1]) };
  const paren = RAGA_PAREN_TALA.exec(line);
  if (paren) return { raga: cleanName(paren[1]), tala: cleanName(paren[2]) };
  const raga = cleanName(RAGA_ALONE.exec(line)?.[1]);
  const tala = cleanName(TALA_ALONE.exec(line)?.[1]);
  return { raga, tala };
}

/** `rAga mAlikA`, `rAgamAlikA`: one name, not `rAga` followed by a raga called `mAlikA`. */
const RAGAMALIKA_PHRASE = /r[aā]+g[aā]+\s*m[aā]+l[iī]k[aā]+/iu;

/**
 * The bold `title-raga` line the Blogger posts open with (`vEnkaTESa-madhyamAvati`): a title and a
 * raga joined by a bare hyphen. Its raga part is only trusted when no sentence names the raga: a
 * title that contains the word rAga (`saindhavi rAga priyE-saindhavi`) would be misread.
 */
function isTitleRagaLine(line: string): boolean {
  return line.length < 100 && /^[^-–]*\S[-–]\S[^-–]*$/.test(line) && !/[(),.;:!?’]/.test(line);
}

/** The first raga and first tala found over `lines`, sentences before the bold `title-raga` line. */
export function findRagaTala(lines: readonly string[]): RagaTala {
  const first = findIn(lines.filter((l) => !isTitleRagaLine(l)));
  if (first.raga && first.tala) return first;
  const all = findIn(lines);
  return { raga: first.raga ?? all.raga, tala: first.tala ?? all.tala };
}

function findIn(lines: readonly string[]): RagaTala {
  let raga: string | null = null;
  let tala: string | null = null;
  for (const line of lines) {
    const found = parseRagaTalaLine(line);
    raga ??= found.raga;
    tala ??= found.tala;
    if (raga && tala) break;
  }
  return { raga, tala };
}

export function isRagamalika(raga: string): boolean {
  return /^r[aā]+g[aā]+\s*m[aā]+l[iī]k[aā]+$/i.test(raga.normalize('NFC').replace(/[^\p{L}\s]/gu, '').trim());
}

/** `rAgamAlikA (SrI, Arabhi, gauri)` → the listed ragas. */
export function ragamalikaListFrom(lines: readonly string[]): string[] {
  for (const line of lines) {
    const m = /r[aā]+g[aā]+\s*m[aā]+l[iī]k[aā]+\s*[:\-–]?\s*\(([^)]+)\)/iu.exec(line);
    if (m?.[1]) {
      const list = m[1].split(/\s*[,;/]\s*/).map((s) => cleanName(s)).filter((s): s is string => !!s);
      if (list.length > 1) return list;
    }
  }
  return [];
}

export interface ComposerRule {
  name: string;
  hosts: readonly string[];
  /** How the page writes the composer's name (in plain lower case, no diacritics). */
  names: RegExp;
  /** The signature word inside the lyric. */
  mudra: RegExp;
  defaultLanguage: string;
}

export const COMPOSERS: readonly ComposerRule[] = [
  {
    name: 'Muthuswami Dikshitar',
    hosts: ['guru-guha.blogspot.com'],
    names: /\b(?:mut+h?us+wam[iy]\s+)?di(?:k|ksh|x)s?hith?ar\b/,
    mudra: /\bguru\s*guha/,
    defaultLanguage: 'sa',
  },
  {
    name: 'Tyagaraja',
    hosts: ['thyagaraja-vaibhavam.blogspot.com'],
    names: /\bth?yagaraja\b|\bthiyagaraja\b/,
    mudra: /\bth?yagaraja/,
    defaultLanguage: 'te',
  },
  {
    name: 'Syama Sastri',
    hosts: ['syamakrishnavaibhavam.blogspot.com'],
    names: /\bs(?:h)?yama\s*s(?:h)?as?tr[iy]\b/,
    mudra: /\bs(?:h)?yama\s*kr?i?s?h?na/,
    defaultLanguage: 'te',
  },
];

/** Lower case, no diacritics, HK capitals folded: `SyAmA Sastry` → `syama sastry`. */
export function plainLower(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/aa/g, 'a');
}

export function composerForHost(host: string): ComposerRule | null {
  const h = host.toLowerCase().replace(/^www\./, '');
  return COMPOSERS.find((c) => c.hosts.includes(h)) ?? null;
}

export function composerNamedIn(text: string): ComposerRule | null {
  const t = plainLower(text);
  return COMPOSERS.find((c) => c.names.test(t)) ?? null;
}

export function composerByMudra(lyric: string): ComposerRule | null {
  const t = plainLower(lyric);
  return COMPOSERS.find((c) => c.mudra.test(t)) ?? null;
}

const LANGUAGES: Record<string, string> = {
  telugu: 'te',
  sanskrit: 'sa',
  tamil: 'ta',
  kannada: 'kn',
  malayalam: 'ml',
  manipravalam: 'sa',
};

/** `Transliteration–Telugu`, `Language: Sanskrit` → an ISO 639-1 code. */
export function languageFromLines(lines: readonly string[]): string | null {
  for (const line of lines) {
    const m = /(?:transliteration|language|bhasha)\s*[–\-:]\s*([a-z]+)/i.exec(line);
    const code = m?.[1] ? LANGUAGES[m[1].toLowerCase()] : undefined;
    if (code) return code;
  }
  return null;
}
