import type { ScriptName } from './types';

/** Unicode blocks of the scripts Carnatic lyrics are published in. */
const RANGES: ReadonlyArray<readonly [ScriptName, number, number]> = [
  ['devanagari', 0x0900, 0x097f],
  ['devanagari', 0xa8e0, 0xa8ff],
  ['devanagari', 0x1cd0, 0x1cff],
  ['bengali', 0x0980, 0x09ff],
  ['gurmukhi', 0x0a00, 0x0a7f],
  ['gujarati', 0x0a80, 0x0aff],
  ['oriya', 0x0b00, 0x0b7f],
  ['tamil', 0x0b80, 0x0bff],
  ['telugu', 0x0c00, 0x0c7f],
  ['kannada', 0x0c80, 0x0cff],
  ['malayalam', 0x0d00, 0x0d7f],
  ['grantha', 0x11300, 0x1137f],
];

const LATIN = /[A-Za-z\u00c0-\u024f\u1e00-\u1eff]/;

export function scriptOfChar(ch: string): ScriptName | null {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return null;
  if (cp < 0x80) return LATIN.test(ch) ? 'latin' : null;
  for (const [name, lo, hi] of RANGES) if (cp >= lo && cp <= hi) return name;
  return LATIN.test(ch) ? 'latin' : null;
}

/** Letter counts per script (combining marks of Indic scripts count too). */
export function scriptCounts(text: string): Map<ScriptName, number> {
  const counts = new Map<ScriptName, number>();
  for (const ch of text) {
    const s = scriptOfChar(ch);
    if (s) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return counts;
}

/** The script with most letters in `text`, or null when it has no letters. */
export function dominantScript(text: string): ScriptName | null {
  let best: ScriptName | null = null;
  let max = 0;
  for (const [s, n] of scriptCounts(text)) {
    if (n > max) {
      best = s;
      max = n;
    }
  }
  return best;
}

/** True when a second script carries a real share of the letters (legends, glossaries). */
export function isMixedScript(text: string): boolean {
  const counts = [...scriptCounts(text).values()].sort((a, b) => b - a);
  const [first, second] = counts;
  return first !== undefined && second !== undefined && second >= 2 && second / first >= 0.15;
}

const SCRIPT_LABELS: Record<string, ScriptName> = {
  english: 'latin',
  roman: 'latin',
  latin: 'latin',
  devanagari: 'devanagari',
  sanskrit: 'devanagari',
  hindi: 'devanagari',
  tamil: 'tamil',
  telugu: 'telugu',
  kannada: 'kannada',
  malayalam: 'malayalam',
  grantha: 'grantha',
  bengali: 'bengali',
  gujarati: 'gujarati',
  gurmukhi: 'gurmukhi',
  oriya: 'oriya',
  odia: 'oriya',
};

/** `Devanagari`, `Tamil:`, `Telugu script` → the script; anything else → null. */
export function parseScriptLabel(line: string): ScriptName | null {
  const m = /^([a-z]+)(?:\s+(?:script|version|lyrics|text))?\s*[:.\-–—]?$/i.exec(line.trim());
  if (!m?.[1]) return null;
  return SCRIPT_LABELS[m[1].toLowerCase()] ?? null;
}
