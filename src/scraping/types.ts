export type SectionType =
  | 'pallavi'
  | 'anupallavi'
  | 'caranam'
  | 'samashti_caranam'
  | 'svara_sahitya'
  | 'chittasvaram'
  | 'madhyama_kala'
  | 'other';

export interface Section {
  type: SectionType;
  /** Present when the type repeats on the page (caranam 1..n) or the page numbers it. */
  number?: number;
  text: string;
}

/** Lowercase script names detected from Unicode blocks. */
export type ScriptName =
  | 'latin'
  | 'devanagari'
  | 'tamil'
  | 'telugu'
  | 'kannada'
  | 'malayalam'
  | 'grantha'
  | 'bengali'
  | 'gujarati'
  | 'gurmukhi'
  | 'oriya';

export interface LyricVariant {
  script: string;
  /** The language of the composition (not of the script); null when unknown. */
  language: string | null;
  sections: Section[];
}

export type ProvenanceSource = 'title-tag' | 'post-title' | 'body-line' | 'site-rule' | 'mudra';

export interface Extraction {
  title: string | null;
  titleTransliterated: string | null;
  composer: string | null;
  ragas: string[];
  tala: string | null;
  language: string | null;
  /** The romanised (Latin-script) lyric. */
  sections: Section[];
  /** The lyric in other scripts, one entry per script; never mixed into `sections`. */
  variants: LyricVariant[];
  /** field → where it came from (`title-tag`, `post-title`, `body-line`, `site-rule`, `mudra`). */
  provenance: Record<string, string>;
  warnings: string[];
  extractor: string;
}
