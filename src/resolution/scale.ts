/**
 * Raga scales as data. A melakarta's scale follows from its number alone; a janya's arohanam and
 * avarohanam are parsed from the reference text into svaras (S R1 … N3), with the anya svaras (notes
 * borrowed from outside the parent mela, which make a raga bhashanga) kept apart.
 */

/** The sixteen svara names, in pitch order. R2/G1, R3/G2, D2/N1 and D3/N2 are one pitch under two names. */
export const SVARAS = ['S', 'R1', 'R2', 'R3', 'G1', 'G2', 'G3', 'M1', 'M2', 'P', 'D1', 'D2', 'D3', 'N1', 'N2', 'N3'] as const;
export type Svara = (typeof SVARAS)[number];
const SVARA_SET: ReadonlySet<string> = new Set(SVARAS);

export const CHAKRAS = ['Indu', 'Netra', 'Agni', 'Veda', 'Bana', 'Rutu', 'Rishi', 'Vasu', 'Brahma', 'Disi', 'Rudra', 'Aditya'] as const;

/** R/G pair by chakra within each half (1–36, 37–72); D/N pair by position within the chakra. */
const RG: readonly [Svara, Svara][] = [['R1', 'G1'], ['R1', 'G2'], ['R1', 'G3'], ['R2', 'G2'], ['R2', 'G3'], ['R3', 'G3']];
const DN: readonly [Svara, Svara][] = [['D1', 'N1'], ['D1', 'N2'], ['D1', 'N3'], ['D2', 'N2'], ['D2', 'N3'], ['D3', 'N3']];

/** The seven svaras of melakarta `n` (1–72), derived from the number alone. */
export function melaScale(n: number): Svara[] {
  if (!Number.isInteger(n) || n < 1 || n > 72) throw new RangeError(`melakarta number must be 1–72, got ${n}`);
  const inHalf = (n - 1) % 36;
  const [r, g] = RG[Math.floor(inHalf / 6)] as [Svara, Svara];
  const [d, ni] = DN[inHalf % 6] as [Svara, Svara];
  return ['S', r, g, n <= 36 ? 'M1' : 'M2', 'P', d, ni];
}

export function chakraOf(n: number): (typeof CHAKRAS)[number] {
  melaScale(n);
  return CHAKRAS[Math.floor((n - 1) / 6)] as (typeof CHAKRAS)[number];
}

export interface ParsedScale {
  /** The svaras in the order written; several alternative phrasings are concatenated. */
  svaras: Svara[];
  /** Anya svaras the text declares in a `(ANya SwaRa*: …)` note. */
  anyaSvaras: Svara[];
  /** Parenthesised remarks that are not svaras (`(VaReS)`, `(AlSo 27)`). */
  remarks: string[];
  /** What could not be read as a svara (a letter without its variant number, stray text). */
  unreadable: string[];
}

const ANYA = /\(\s*anya\s*swara\*?\s*(?:\{[^}]*\})?\s*:\s*([^)]*)\)/gi;
const TOKEN = /(R[123]|G[123]|M[12]|D[123]|N[123]|S|P|[RGMDN](?![123]))/g;

function readSvaras(text: string, unreadable: string[]): Svara[] {
  const out: Svara[] = [];
  // Octave dots (combining marks) carry no svara information for membership.
  const clean = text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[*'’.,;|/]+/g, ' ');
  let last = 0;
  for (const m of clean.matchAll(TOKEN)) {
    const gap = clean.slice(last, m.index).trim();
    if (gap !== '') unreadable.push(gap);
    last = (m.index ?? 0) + m[0].length;
    if (SVARA_SET.has(m[0])) out.push(m[0] as Svara);
    else unreadable.push(m[0]);
  }
  const tail = clean.slice(last).trim();
  if (tail !== '') unreadable.push(tail);
  return out;
}

/** Parses one arohanam or avarohanam as ragas.csv writes it, debris included. */
export function parseScale(text: string): ParsedScale {
  const unreadable: string[] = [];
  const anyaSvaras: Svara[] = [];
  const remarks: string[] = [];
  let body = text.replace(ANYA, (_, notes: string) => {
    anyaSvaras.push(...readSvaras(notes, unreadable));
    return ' ';
  });
  body = body.replace(/\(([^)]*)\)/g, (whole, inner: string) => {
    // `S*M1(G3)P`: a parenthesised svara is a touched note, still a note of the raga.
    if (/^\s*(?:[RGDN][123]|M[12]|S|P)\s*$/.test(inner)) return ` ${inner} `;
    remarks.push(whole);
    return ' ';
  });
  return { svaras: readSvaras(body, unreadable), anyaSvaras: [...new Set(anyaSvaras)], remarks, unreadable };
}

/** Distinct svaras, in pitch order. */
export function distinct(svaras: Iterable<string>): Svara[] {
  const set = new Set(svaras);
  return SVARAS.filter((s) => set.has(s));
}

/** The svaras of `notes` that are not in `parent`. */
export function outside(notes: Iterable<Svara>, parent: Iterable<Svara>): Svara[] {
  const p = new Set(parent);
  return distinct([...notes].filter((n) => !p.has(n)));
}
