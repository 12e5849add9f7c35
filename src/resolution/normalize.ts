/**
 * Comparison keys for raga, composer and tala names.
 *
 * The same name reaches us in several romanisations: Harvard-Kyoto in the manifests
 * (`SankarAbharaNaM`, `kEdAra gauLa`), IAST in the reference list (`Dhīraśankarābharaṇam`),
 * ITRANS-like ASCII (`shankaraabharaNam`) and loose English (`Shankarabharanam`, `Kedaragowla`).
 * A key deliberately forgets what these spellings disagree on — vowel length, retroflex vs dental,
 * aspiration, sibilant kind, doubled letters, a final nasal — so that equal keys mean "same name"
 * and small key distances mean "probably the same name". Keys are for comparison only, never shown.
 */

export interface KeyOptions {
  /** Drop a leading honorific (Sri, Saint, …). Right for composers; wrong for ragas ("Sri Ranjani"). */
  stripHonorifics?: boolean;
  /**
   * Keep doubled consonants (`kannaDa` vs `kAnaDa`, two ragas). Only for breaking a tie between
   * entities whose ordinary keys are equal: English spellings double letters at random.
   */
  keepDoubledConsonants?: boolean;
}

/**
 * Harvard-Kyoto letters whose case carries meaning, read before lower-casing. Each maps to the
 * collapsed ASCII the rest of the pipeline expects (long vowels become short, retroflex becomes
 * dental, ṅ/ñ become n, anusvara m, visarga nothing).
 */
const HK_UPPER: Readonly<Record<string, string>> = {
  A: 'a',
  I: 'i',
  U: 'u',
  E: 'e',
  O: 'o',
  R: 'ri',
  S: 's',
  N: 'n',
  T: 't',
  D: 'd',
  L: 'l',
  M: 'm',
  H: '',
  G: 'n',
  J: 'n',
};

/** IAST letters that must not simply lose their diacritic (ś → s is fine via NFD, ṛ is not). */
const IAST: Readonly<Record<string, string>> = {
  ṛ: 'ri',
  ṝ: 'ri',
  ḷ: 'l',
  ḻ: 'l',
  ḹ: 'li',
  ṃ: 'm',
  ṁ: 'm',
  ḥ: '',
  ś: 's',
  ṣ: 's',
  ṅ: 'n',
  ñ: 'n',
  ṇ: 'n',
  đ: 'd',
  æ: 'ae',
  ß: 'ss',
};

const HONORIFICS = new Set(['sri', 'srimat', 'saint', 'st', 'sant', 'sadguru', 'tiru']);
/** Words that only say what kind of thing follows or precedes ("rAgaM", "tALa"). */
const TRAILING_KIND_WORDS = new Set(['raga', 'tala']);
const LEADING_KIND_WORDS = new Set(['tala']);

/**
 * A word is read as Harvard-Kyoto when its capitals cannot be ordinary English capitalisation:
 * an upper-case letter after the first position (`kalyANi`, `SrI`). Title-case and all-caps words
 * (`Hamsadhwani`, `ADI`) are simply lower-cased, so an initial `H` or `R` is not a visarga or a
 * vocalic r.
 */
function readWord(word: string): string {
  const rest = word.slice(1);
  const isHk = /[A-Z]/.test(rest) && /[a-z]/.test(word);
  if (!isHk) return word.toLowerCase();
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] as string;
    // ITRANS `Sh` (ṣ) and HK `S` (ś) both become s; the following h is dropped.
    if (ch === 'S' && word[i + 1] === 'h') {
      out += 's';
      i++;
      continue;
    }
    if (ch === 'z') {
      out += 's';
      continue;
    }
    const mapped = HK_UPPER[ch];
    out += mapped ?? ch.toLowerCase();
  }
  return out;
}

/**
 * ITRANS spells some letters with punctuation (`R^i` ṛ, `~n` ñ, `.N` candrabindu, `.h` virama),
 * which would otherwise be read as word breaks. Rewritten to their IAST letters before splitting.
 */
const ITRANS_MARKS: [RegExp, string][] = [
  [/R\^[iI]|RR[iI]/g, 'ṛ'],
  [/L\^[iI]|LL[iI]/g, 'ḷ'],
  [/~N/g, 'ṅ'],
  [/~n/g, 'ñ'],
  [/\.[nNm]/g, 'ṃ'],
  [/\.[ha]/g, ''],
];

/** Lower-cased, diacritic-free, romanisation-aware words; punctuation and braces are word breaks. */
function baseWords(input: string): string[] {
  let text = input.normalize('NFC');
  if (/[\^~.]|RR|LL/.test(text)) for (const [pattern, letter] of ITRANS_MARKS) text = text.replace(pattern, letter);
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  return words
    .map((word) => {
      let w = readWord(word);
      w = w.replace(/[ṛṝḷḻḹṃṁḥśṣṅñṇđæß]/g, (c) => IAST[c] ?? c);
      w = w.normalize('NFD').replace(/\p{M}/gu, '');
      return w.replace(/[^a-z0-9]/g, '');
    })
    .filter((w) => w.length > 0);
}

/** Collapse the distinctions romanisations disagree on, within one word. */
function collapseWord(word: string, keepDoubledConsonants: boolean): string {
  let w = word;
  w = w.replace(/zh/g, 'l');
  w = w.replace(/x/g, 'ks').replace(/q/g, 'k').replace(/w/g, 'v').replace(/f/g, 'p').replace(/z/g, 's');
  w = w.replace(/sh/g, 's');
  w = w.replace(/([tdbkgpjc])h/g, '$1').replace(/([tdbkgpjc])h/g, '$1');
  w = w.replace(/ee/g, 'i').replace(/oo/g, 'u');
  w = w.replace(/ov(?![aeiouy])/g, 'au').replace(/ou/g, 'au');
  // Anusvara and class nasals before a stop or sibilant are written m, n, M, G, J: all become n.
  w = w.replace(/[mn](?=[kgcjtdpbs])/g, 'n');
  // Letters only: digits in a title (`krithi 3` vs `krithi 33`) are not a romanisation's doubling.
  w = w.replace(keepDoubledConsonants ? /([aeiouy])\1+/g : /([a-z])\1+/g, '$1');
  // Sanskrit, Tamil and Telugu endings of one name: -am, -an, -amu, -ai (Nāṭṭai / Nāṭa) → -a.
  if (w.length > 3) w = w.replace(/(?:a[mn]|amu|ai)$/, 'a');
  return w;
}

/**
 * The comparison tokens of a name: one collapsed token per word, with a leading honorific
 * (optional) and a trailing word that only says "raga"/"tala" removed, so long as a word remains.
 */
export function comparisonTokens(input: string, options: KeyOptions = {}): string[] {
  const stripHonorifics = options.stripHonorifics ?? true;
  const keepDoubled = options.keepDoubledConsonants ?? false;
  const tokens = baseWords(input)
    .map((w) => collapseWord(w, keepDoubled))
    .filter((t) => t.length > 0);
  while (tokens.length > 1 && TRAILING_KIND_WORDS.has(tokens[tokens.length - 1] as string)) tokens.pop();
  while (tokens.length > 1 && LEADING_KIND_WORDS.has(tokens[0] as string)) tokens.shift();
  if (stripHonorifics) {
    while (tokens.length > 1 && HONORIFICS.has(tokens[0] as string)) tokens.shift();
  }
  return tokens;
}

/** The comparison key: the tokens joined without spaces, doubled letters across the joins collapsed. */
export function comparisonKey(input: string, options: KeyOptions = {}): string {
  const joined = comparisonTokens(input, options).join('');
  return options.keepDoubledConsonants ? joined.replace(/([aeiouy])\1+/g, '$1') : joined.replace(/([a-z])\1+/g, '$1');
}

/**
 * The names a reference entry stands for. Entries in ragas.csv carry a note in braces
 * (`Bibhās {Hindustani}`) or alternatives separated by `/` (`Malkosh /Malkauns`); each
 * alternative is a name of its own, the note is not a name.
 */
export function splitReferenceName(name: string): string[] {
  const withoutNotes = name.replace(/\{[^}]*\}/g, ' ').replace(/\([^)]*\)/g, ' ');
  return withoutNotes
    .split('/')
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter((part) => part.length > 0);
}

/**
 * The ragas a raga value names. A manifest or page may name two ragas in one value, separated by a
 * spaced dash, a comma or a semicolon (`rItigauLa - Abheri`, `kEsari - sindhu kannaDa`); a hyphen
 * inside a word (`divya maNi-dundubhi`) and a `/` (alternative names of one raga) do not separate.
 */
export function splitRagaList(value: string): string[] {
  return value
    .split(/\s+[-–—]+\s+|\s*[,;]\s*/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
