/**
 * Section-header detection and the splitting of a page's text lines into the romanised lyric and
 * its variants in other scripts. Pure: lines in, structure out.
 */
import { dominantScript, isMixedScript, parseScriptLabel } from './script';
import type { ScriptName, Section, SectionType } from './types';

export interface SectionHeader {
  type: SectionType;
  number?: number;
  script: ScriptName;
  /** Lyric text that followed the label on the same line (`pallavi: ...`). */
  rest?: string;
}

const INDIC_DIGITS = /[\u0966-\u096f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f]/g;

function asciiDigits(s: string): string {
  // Each block's digits run from U+xx66 / U+xxE6 to U+xx6F / U+xxEF.
  return s.replace(INDIC_DIGITS, (d) => String(((d.codePointAt(0) ?? 0) & 0xf) - 6));
}

/** Romanised label → comparison key: no diacritics, lower case, ch→c, sh→s, w→v, no separators. */
function latinKey(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ch/g, 'c')
    .replace(/sh/g, 's')
    .replace(/w/g, 'v')
    .replace(/aa/g, 'a')
    .replace(/[^a-z]/g, '');
}

const LATIN_LABELS: ReadonlyArray<readonly [RegExp, SectionType]> = [
  [/^pallavi$/, 'pallavi'],
  [/^anupallavi$/, 'anupallavi'],
  [/^samast?icaranam?u?$/, 'samashti_caranam'],
  [/^caranam?u?$/, 'caranam'],
  [/^svarasahitya[mn]?$/, 'svara_sahitya'],
  [/^cit?tas?varam?$/, 'chittasvaram'],
  [/^madhyamakala[mn]?(?:sahitya[mn]?)?$/, 'madhyama_kala'],
  [/^(?:muktayi|ettugada|solkattu|carana)s?varam?$|^anubandham?$/, 'other'],
];

const LATIN_ABBREVIATIONS: Record<string, SectionType> = {
  P: 'pallavi',
  A: 'anupallavi',
  C: 'caranam',
  Ch: 'caranam',
  MK: 'madhyama_kala',
};

/** Full labels in the Indic scripts, each anchored to the whole label. */
const INDIC_LABELS: ReadonlyArray<readonly [RegExp, SectionType, ScriptName]> = [
  [/^पल्लव[िी]$/, 'pallavi', 'devanagari'],
  [/^अनुपल्लव[िी]$/, 'anupallavi', 'devanagari'],
  [/^समष्टि\s*चरण(?:म्|ं|म)?$/, 'samashti_caranam', 'devanagari'],
  [/^चरण(?:म्|ं|म)?$/, 'caranam', 'devanagari'],
  [/^स्वर\s*साहित्य(?:म्|ं)?$/, 'svara_sahitya', 'devanagari'],
  [/^चिट्ट\s*स्वर(?:म्|ं)?$/, 'chittasvaram', 'devanagari'],
  [/^मध्यम\s*काल(?:\s*साहित्य(?:म्|ं)?)?$/, 'madhyama_kala', 'devanagari'],
  [/^பல்லவி$/, 'pallavi', 'tamil'],
  [/^அனுபல்லவி$/, 'anupallavi', 'tamil'],
  [/^ஸமஷ்டி\s*சரணம்$/, 'samashti_caranam', 'tamil'],
  [/^சரணம்$/, 'caranam', 'tamil'],
  [/^ஸ்வர\s*ஸாஹித்ய(?:ம்)?$/, 'svara_sahitya', 'tamil'],
  [/^சிட்ட\s*ஸ்வரம்$/, 'chittasvaram', 'tamil'],
  [/^மத்\d?யம\s*கால(?:\s*ஸாஹித்ய(?:ம்)?)?$/, 'madhyama_kala', 'tamil'],
  [/^పల్లవి$/, 'pallavi', 'telugu'],
  [/^అనుపల్లవి$/, 'anupallavi', 'telugu'],
  [/^సమష్టి\s*చరణ(?:మ్|ం|ము)?$/, 'samashti_caranam', 'telugu'],
  [/^చరణ(?:మ్|ం|ము)?$/, 'caranam', 'telugu'],
  [/^స్వర\s*సాహిత్య(?:మ్|ం)?$/, 'svara_sahitya', 'telugu'],
  [/^చిట్ట\s*స్వర(?:మ్|ం)?$/, 'chittasvaram', 'telugu'],
  [/^మధ్యమ\s*కాల(?:\s*సాహిత్య(?:మ్|ం)?)?$/, 'madhyama_kala', 'telugu'],
  [/^ಪಲ್ಲವಿ$/, 'pallavi', 'kannada'],
  [/^ಅನುಪಲ್ಲವಿ$/, 'anupallavi', 'kannada'],
  [/^ಸಮಷ್ಟಿ\s*ಚರಣ(?:ಮ್|ಂ)?$/, 'samashti_caranam', 'kannada'],
  [/^ಚರಣ(?:ಮ್|ಂ)?$/, 'caranam', 'kannada'],
  [/^ಸ್ವರ\s*ಸಾಹಿತ್ಯ(?:ಮ್|ಂ)?$/, 'svara_sahitya', 'kannada'],
  [/^ಚಿಟ್ಟ\s*ಸ್ವರ(?:ಮ್|ಂ)?$/, 'chittasvaram', 'kannada'],
  [/^ಮಧ್ಯಮ\s*ಕಾಲ(?:\s*ಸಾಹಿತ್ಯ(?:ಮ್|ಂ)?)?$/, 'madhyama_kala', 'kannada'],
  [/^പല്ലവി$/, 'pallavi', 'malayalam'],
  [/^അനുപല്ലവി$/, 'anupallavi', 'malayalam'],
  [/^സമഷ്ടി\s*ചരണ(?:മ്|ം)?$/, 'samashti_caranam', 'malayalam'],
  [/^ചരണ(?:മ്|ം)?$/, 'caranam', 'malayalam'],
  [/^സ്വര\s*സാഹിത്യ(?:മ്|ം)?$/, 'svara_sahitya', 'malayalam'],
  [/^ചിട്ട\s*സ്വര(?:മ്|ം)?$/, 'chittasvaram', 'malayalam'],
  [/^മധ്യമ\s*കാല(?:\s*സാഹിത്യ(?:മ്|ം)?)?$/, 'madhyama_kala', 'malayalam'],
];

/**
 * Single-letter abbreviations in Indic scripts (`प.`, `ச.`, `च1`). A bare letter needs a dot or an
 * adjacent number: `ப 4 க்த` is a Tamil phonetic index inside a lyric line, not a header.
 */
const INDIC_ABBREVIATIONS: Record<string, readonly [SectionType, ScriptName]> = {
  'प': ['pallavi', 'devanagari'],
  'अ': ['anupallavi', 'devanagari'],
  'च': ['caranam', 'devanagari'],
  'ப': ['pallavi', 'tamil'],
  'அ': ['anupallavi', 'tamil'],
  'ச': ['caranam', 'tamil'],
  'ప': ['pallavi', 'telugu'],
  'అ': ['anupallavi', 'telugu'],
  'చ': ['caranam', 'telugu'],
  'ಪ': ['pallavi', 'kannada'],
  'ಅ': ['anupallavi', 'kannada'],
  'ಚ': ['caranam', 'kannada'],
  'പ': ['pallavi', 'malayalam'],
  'അ': ['anupallavi', 'malayalam'],
  'ച': ['caranam', 'malayalam'],
};

function matchLabel(label: string): { type: SectionType; script: ScriptName } | null {
  const script = dominantScript(label);
  if (!script) return null;
  if (script === 'latin') {
    if (label.length > 40) return null;
    const key = latinKey(label);
    for (const [re, type] of LATIN_LABELS) if (re.test(key)) return { type, script };
    return null;
  }
  const compact = label.replace(/\s+/g, ' ').trim();
  for (const [re, type, s] of INDIC_LABELS) if (re.test(compact)) return { type, script: s };
  return null;
}

/**
 * A line that is a section header: `pallavi`, `caraNam 2`, `C1`, `P:`, `(madhyama kAla sAhityam)`,
 * `स्वर साहित्य 3`, `ப.`, or `pallavi: text`. Anything with more on the line is lyric text.
 */
export function parseSectionHeader(rawLine: string): SectionHeader | null {
  const inlineIndic = parseInlineIndicLabel(rawLine);
  if (inlineIndic) return inlineIndic;
  const line = asciiDigits(rawLine).replace(/\s+/g, ' ').trim();
  if (!line || line.length > 60) return null;

  const abbr = /^(P|A|C|Ch|MK)\s*(\d{1,2})?\s*[.:)]?$/.exec(line);
  if (abbr?.[1]) {
    const type = LATIN_ABBREVIATIONS[abbr[1]];
    if (type) return withNumber({ type, script: 'latin' }, abbr[2]);
  }
  const indicAbbr = /^(\S)(?:\s*\.\s*(\d{1,2})?|(\d{1,2}))$/u.exec(line);
  if (indicAbbr?.[1]) {
    const hit = INDIC_ABBREVIATIONS[indicAbbr[1]];
    if (hit) return withNumber({ type: hit[0], script: hit[1] }, indicAbbr[2] ?? indicAbbr[3]);
  }

  const inner = line.replace(/^[([]\s*(.*?)\s*[)\]]$/, '$1');
  const numbered = /^(.*?)[\s\-–.#:]*[([]?(\d{1,2})[)\]]?\s*[.:\-–]?$/.exec(inner);
  if (numbered?.[1] && numbered[2]) {
    const hit = matchLabel(numbered[1].trim());
    if (hit) return withNumber(hit, numbered[2]);
  }
  const plain = matchLabel(inner.replace(/\s*[:.\-–—]+$/, ''));
  if (plain) return plain;

  const inline = /^([^:：]{1,30})[:：]\s*(.+)$/.exec(line);
  if (inline?.[1] && inline[2]) {
    const label = inline[1].trim();
    const short = /^(P|A|C)(\d{1,2})?$/.exec(label);
    const hit = short?.[1] ? { type: LATIN_ABBREVIATIONS[short[1]] as SectionType, script: 'latin' as const } : matchLabel(label);
    if (hit) return { ...withNumber(hit, short?.[2]), rest: inline[2].trim() };
  }
  return null;
}

/**
 * `प. वेंकटेश निनु`, `ச1. ஹரி ஹர`: an abbreviation, an optional number and a dot, then the lyric on
 * the same line, all in one script. The dot is required: Tamil writes pronunciation digits after a
 * letter inside words (`ப4க்த`), never followed by a dot and a space.
 */
function parseInlineIndicLabel(rawLine: string): SectionHeader | null {
  const m = /^(\S)([0-9\u0966-\u096f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f]{1,2})?\.\s+(\S.*)$/u.exec(rawLine.trim());
  if (!m?.[1] || !m[3]) return null;
  const hit = INDIC_ABBREVIATIONS[m[1]];
  if (!hit) return null;
  const rest = m[3].replace(/\s+/g, ' ').trim();
  if (dominantScript(rest) !== hit[1] || isMixedScript(rest)) return null;
  return { ...withNumber({ type: hit[0], script: hit[1] }, m[2] ? asciiDigits(m[2]) : undefined), rest };
}

function withNumber(h: { type: SectionType; script: ScriptName }, num: string | undefined): SectionHeader {
  return num ? { ...h, number: Number(num) } : { ...h };
}

/** Labels that end the lyric part of a block: what follows is prose, not lyrics. */
const BOUNDARIES: ReadonlyArray<readonly [RegExp, string | null]> = [
  [/^gist$/, 'GIST'],
  [/^(?:word[\s-]*by[\s-]*word\s+|word\s+)?meanings?$/, 'MEANING'],
  [/^(?:english\s+)?translation$|^explanation$/, 'MEANING'],
  [/^notes?$/, 'NOTES'],
  [/^variations?$/, 'VARIATIONS'],
  [/^references?$/, 'REFERENCES'],
  [/^(?:foot\s*notes?|comments?|back|top|audio|video|links?|discography)$/, null],
  [/^(?:\S+\s*[-–]\s*)?word\s*division$/, null],
  [/^(?:posted by|labels?:|updated on|newer post|older post)\b/, null],
];

export function parseBoundary(line: string): { label: string | null } | null {
  const l = line
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s:–—\-.]+$/, '')
    .toLowerCase();
  if (l.length > 40) return null;
  for (const [re, label] of BOUNDARIES) if (re.test(l)) return { label };
  return null;
}

/** `1. SrI rAgaM`, `2. Arabhi rAgaM`, `3. गौरि रागं` — a ragamalika segment marker, not lyrics. */
export function parseRagamalikaMarker(line: string): string | null {
  const m = /^\d{1,2}\s*[.)]\s*(.+?)\s+(r[aā]+g[aā]+[mṃṁM]?|रागं|रागम्|ராகம்|రాగం|రాగమ్|ರಾಗಂ|രാഗം)\s*[.:]?$/iu.exec(
    asciiDigits(line.trim()),
  );
  return m?.[1] ? m[1].trim() : null;
}

export interface ScriptBlock {
  script: ScriptName;
  sections: Section[];
}

export interface ParsedLyrics {
  /** The romanised lyric (empty when the page has none). */
  primary: Section[];
  /** One block per other script, in page order. */
  variants: ScriptBlock[];
  /** Metadata labels met on the way (GIST, MEANING, NOTES, VARIATIONS, REFERENCES). */
  boundaries: string[];
  /** Lines before the first section header: where titles and raga/tala lines live. */
  preamble: string[];
  /** Raga names from ragamalika segment markers of the romanised lyric, in order. */
  ragamalikaRagas: string[];
}

interface RawSection {
  type: SectionType;
  number?: number;
  lines: string[];
}

interface Block {
  script: ScriptName | null;
  labelled: ScriptName | null;
  sections: RawSection[];
  pending: string[];
  skipping: boolean;
}

const newBlock = (labelled: ScriptName | null): Block => ({
  script: labelled,
  labelled,
  sections: [],
  pending: [],
  skipping: false,
});

/**
 * Split a page's text lines into script blocks of sections.
 *
 * A block starts at a script label (`Devanagari`) or where headers switch script; the header's own
 * script wins over the label. A block stops collecting at a metadata label (`Gist`, `Meaning`,
 * `Word Division`…) or when its pallavi starts again (a word-by-word meaning or translation that
 * repeats the headers). Later blocks of a script that already has lyrics are ignored.
 */
export function parseLyricLines(lines: readonly string[]): ParsedLyrics {
  const blocks: Block[] = [];
  const boundaries: string[] = [];
  const preamble: string[] = [];
  let sawHeader = false;
  let cur = newBlock(null);
  blocks.push(cur);

  const startBlock = (labelled: ScriptName | null): Block => {
    cur = newBlock(labelled);
    blocks.push(cur);
    return cur;
  };

  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;

    const label = parseScriptLabel(line);
    if (label) {
      startBlock(label);
      continue;
    }
    const boundary = parseBoundary(line);
    if (boundary) {
      if (boundary.label) boundaries.push(boundary.label);
      cur.skipping = true;
      continue;
    }

    const header = parseSectionHeader(line);
    if (header) {
      sawHeader = true;
      if (cur.script && cur.script !== header.script) {
        // A header in another script: the previous block is over unless it never got going.
        if (cur.sections.length > 0 || cur.skipping || !cur.labelled) startBlock(header.script);
        else cur.script = header.script;
      } else if (!cur.script) {
        cur.script = header.script;
      }
      if (cur.skipping) continue;
      const restarts =
        (header.type === 'pallavi' && cur.sections.some((s) => s.type === 'pallavi')) ||
        (header.number !== undefined && cur.sections.some((s) => s.type === header.type && s.number === header.number));
      if (restarts) {
        cur.skipping = true;
        continue;
      }
      if (cur.sections.length === 0 && header.type === 'anupallavi' && cur.script !== 'latin') {
        const leading = cur.pending.filter((p) => dominantScript(p) === cur.script && !isMixedScript(p));
        if (leading.length > 0 && leading.length === cur.pending.length) {
          cur.sections.push({ type: 'pallavi', lines: leading });
        }
      }
      cur.pending = [];
      cur.sections.push({ type: header.type, ...(header.number !== undefined ? { number: header.number } : {}), lines: header.rest ? [header.rest] : [] });
      continue;
    }

    if (!sawHeader) preamble.push(line);
    if (cur.skipping) continue;
    const script = dominantScript(line);
    if (!script) continue;
    if (cur.script && script !== cur.script) {
      // Latin inside an Indic block is a legend or a stray note; another Indic script is an
      // unlabelled variant starting.
      if (script === 'latin' || cur.script === 'latin' && cur.sections.length === 0) continue;
      startBlock(null).script = script;
    }
    const section = cur.sections[cur.sections.length - 1];
    if (section) {
      if (!isMixedScript(line)) section.lines.push(line);
    } else {
      cur.pending.push(line);
    }
  }

  const ragamalikaRagas: string[] = [];
  const primary: Section[] = [];
  const variants: ScriptBlock[] = [];
  const taken = new Set<ScriptName>();
  for (const block of blocks) {
    if (!block.script || taken.has(block.script)) continue;
    const sections = finishSections(block.sections, block.script === 'latin' ? ragamalikaRagas : null);
    if (sections.length === 0) continue;
    taken.add(block.script);
    if (block.script === 'latin') primary.push(...sections);
    else variants.push({ script: block.script, sections });
  }
  return { primary, variants, boundaries, preamble, ragamalikaRagas };
}

/** Drop ragamalika markers and empty sections; number the types that repeat. */
function finishSections(raw: RawSection[], ragamalika: string[] | null): Section[] {
  const kept: RawSection[] = [];
  for (const s of raw) {
    const lines: string[] = [];
    for (const l of s.lines) {
      const raga = parseRagamalikaMarker(l);
      if (raga) ragamalika?.push(raga);
      else lines.push(l);
    }
    if (lines.length > 0) kept.push({ ...s, lines });
  }
  cutAtRefrain(kept);
  const counts = new Map<SectionType, number>();
  for (const s of kept) counts.set(s.type, (counts.get(s.type) ?? 0) + 1);
  const next = new Map<SectionType, number>();
  return kept.map((s) => {
    const n = (next.get(s.type) ?? 0) + 1;
    next.set(s.type, n);
    const number = s.number ?? ((counts.get(s.type) ?? 0) > 1 ? n : undefined);
    return { type: s.type, ...(number !== undefined ? { number } : {}), text: s.lines.join('\n') };
  });
}

/** Letters only, lower case: `(வேங்க)` and `வேங்கடேஸ1 நினு` compare without digits, spaces, brackets. */
function refrainKey(s: string): string {
  return s.normalize('NFC').replace(/[^\p{L}\p{M}]/gu, '').toLowerCase();
}

/**
 * The posts end the anupallavi and each caranam with a cue of the pallavi's opening words
 * (`(vEnka)`, `vAr(endarO)`). When the block uses such cues, its last section ends at its last cue:
 * what follows in the same script (a gist or a trailer after the last script block) is prose.
 */
function cutAtRefrain(sections: RawSection[]): void {
  const pallavi = sections.find((s) => s.type === 'pallavi');
  const last = sections[sections.length - 1];
  if (!pallavi || !last || last === pallavi) return;
  const opening = pallavi.lines.join(' ');
  const keys = [refrainKey(opening), refrainKey(opening.replace(/\([^()]*\)/g, ''))];
  const isCue = (line: string | undefined): boolean => {
    const m = line === undefined ? null : /\(([^()]{1,40})\)\s*$/.exec(line);
    const k = m?.[1] ? refrainKey(m[1]) : '';
    return k.length >= 2 && keys.some((key) => key.startsWith(k));
  };
  const usesCues = sections.some((s) => s !== pallavi && s !== last && isCue(s.lines[s.lines.length - 1]));
  if (!usesCues) return;
  for (let i = last.lines.length - 1; i >= 0; i--) {
    if (isCue(last.lines[i])) {
      last.lines = last.lines.slice(0, i + 1);
      return;
    }
  }
}
