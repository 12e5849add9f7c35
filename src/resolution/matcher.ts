/**
 * Matches a raw name against the reference entities of one kind and says how sure it is.
 *
 * Calibration: an equal comparison key (on a name or a known alias) scores 1. Anything else is
 * a guess and scores strictly below 1: an edit-distance ratio on keys scaled by FUZZY_CEILING, or a
 * word-level comparison capped at TOKEN_CEILING (always below HIGH). HIGH is only given when the
 * best candidate clears `high` and stands clear of the runner-up by AMBIGUITY_MARGIN, so two
 * entities sharing a key, or two near-equal guesses, go to a reviewer.
 *
 * Confusable entries: two reference entities whose names share a comparison key (Kalāvathi /
 * Kalāvati, Kanadā / Kannada) or whose keys differ by one letter (Bhairavi / Bhairavam). An answer
 * between them is never HIGH: a key shared with another entity stays MEDIUM even when the
 * doubled-consonant tie-break prefers one, and a guess (fuzzy or token) whose best entity has a
 * confusable stays MEDIUM, since the spelling error could have come from either.
 */
import { distance } from 'fastest-levenshtein';
import type { Confidence } from '../shared';
import { comparisonKey, comparisonTokens, splitReferenceName, type KeyOptions } from './normalize';
import type { EntityKind, RefEntity, ReferenceData } from './reference';

export type MatchReason = 'exact' | 'alias' | 'fuzzy' | 'token';

export interface Candidate {
  id: string;
  name: string;
  /** In [0, 1]; 1 only for an equal key. */
  score: number;
  reason: MatchReason;
  /** Other entities this one is confusable with (shared key or one letter apart), so a reviewer can compare. */
  confusableWith?: string[];
  /** The equal key is shared with another entity; only the doubled-consonant tie-break chose this one. */
  tieBroken?: boolean;
  /** For a raga: its parent mela id (janya) or melakarta number, and its scale, to tell confusables apart. */
  parent?: string;
  melakarta?: number;
  scale?: string;
}

/** score >= high → HIGH, >= low → MEDIUM, else LOW (HIGH further needs a clear runner-up gap). */
export interface Thresholds {
  high: number;
  low: number;
}

export interface Match {
  input: string;
  kind: EntityKind;
  best: Candidate | null;
  /** Top 5 distinct entities, best first. */
  candidates: Candidate[];
  confidence: Confidence;
}

export interface Matcher {
  match(kind: EntityKind, input: string): Match;
}

/**
 * Chosen from `npm run eval:resolution` (data/eval): every labelled spelling scoring 1 is right, and
 * the highest-scoring guess that names another raga is 0.873 (`dEva gAndhAraM` → Devagandhari), so
 * `high` sits above it with a margin (a fuzzy guess then needs a key ratio ≥ 0.94); typos of real
 * ragas score 0.80–0.89 and go to review. Below `low` (0.7) the best guess shares little more than
 * a few letters (`rAga mAlikA` → Shravanamallika 0.665): the entity is unknown. RESOLUTION_HIGH /
 * RESOLUTION_LOW override these.
 */
export const DEFAULT_THRESHOLDS: Thresholds = { high: 0.9, low: 0.7 };

/** A fuzzy score is the key-similarity ratio times this, so only a near-identical long key reaches HIGH. */
export const FUZZY_CEILING = 0.96;
/** Word-level matches (other word order, a missing word, a name inside a longer one) stay MEDIUM at best. */
export const TOKEN_CEILING = 0.85;
/** Best and runner-up closer than this → not HIGH. */
export const AMBIGUITY_MARGIN = 0.06;
/** An equal key that loses the doubled-consonant tie-break (`kAnaDa` is not Kannada) scores this. */
export const TIE_BREAK_SCORE = 0.92;
/** Names whose keys are further apart than this ratio are not scored at all (cheap length prefilter). */
const MIN_FUZZY_RATIO = 0.6;
const MAX_CANDIDATES = 5;

/** Honorifics ("Sri", "Saint") are noise in composer names but part of raga names ("Sri Ranjani"). */
const KEY_OPTIONS: Record<EntityKind, KeyOptions> = {
  raga: { stripHonorifics: false },
  tala: { stripHonorifics: false },
  composer: { stripHonorifics: true },
};

interface IndexedName {
  entity: RefEntity;
  key: string;
  /** Tokens sorted, joined: equal for the same words in another order. */
  sortedKey: string;
  /** Key keeping doubled consonants, to break ties between equal keys. */
  fineKey: string;
  reason: 'exact' | 'alias';
}

interface KindIndex {
  byKey: Map<string, IndexedName[]>;
  names: IndexedName[];
  /** Entity id → ids of entities with a name sharing its key or one letter away. */
  confusables: Map<string, string[]>;
  entities: Map<string, RefEntity>;
}

function sortedTokenKey(tokens: string[]): string {
  return [...tokens].sort().join(' ');
}

function buildIndex(kind: EntityKind, entities: RefEntity[]): KindIndex {
  const options = KEY_OPTIONS[kind];
  const byKey = new Map<string, IndexedName[]>();
  const names: IndexedName[] = [];
  const seen = new Set<string>();
  const add = (entity: RefEntity, raw: string, reason: 'exact' | 'alias'): void => {
    const key = comparisonKey(raw, options);
    if (key === '' || seen.has(`${entity.id}\u0000${key}`)) return;
    seen.add(`${entity.id}\u0000${key}`);
    const indexed: IndexedName = {
      entity,
      key,
      sortedKey: sortedTokenKey(comparisonTokens(raw, options)),
      fineKey: comparisonKey(raw, { ...options, keepDoubledConsonants: true }),
      reason,
    };
    names.push(indexed);
    const list = byKey.get(key);
    if (list) list.push(indexed);
    else byKey.set(key, [indexed]);
  };
  // An entry marked as a duplicate of another (meta.sameAs) lends its names to that one instead.
  const matchable = entities.filter((e) => typeof e.meta?.sameAs !== 'string');
  for (const entity of matchable) {
    for (const name of splitReferenceName(entity.name)) add(entity, name, 'exact');
  }
  for (const entity of matchable) {
    for (const alias of [...entity.aliases, ...signatures(entity)]) {
      for (const name of splitReferenceName(alias)) add(entity, name, 'alias');
    }
  }
  return { byKey, names, confusables: confusablePairs(names), entities: new Map(matchable.map((e) => [e.id, e])) };
}

/**
 * Pairs of entities with a name whose keys are equal or one edit apart. Names are bucketed by key
 * length so only lengths within one of each other are compared.
 */
function confusablePairs(names: IndexedName[]): Map<string, string[]> {
  const byLength = new Map<number, IndexedName[]>();
  for (const n of names) {
    const list = byLength.get(n.key.length);
    if (list) list.push(n);
    else byLength.set(n.key.length, [n]);
  }
  const out = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    const set = out.get(a);
    if (set) set.add(b);
    else out.set(a, new Set([b]));
  };
  for (const [length, list] of byLength) {
    const against = [...list, ...(byLength.get(length + 1) ?? [])];
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as IndexedName;
      // Very short keys (three letters or fewer) are one letter from too much to mean anything.
      if (a.key.length < 4) continue;
      for (let j = i + 1; j < against.length; j++) {
        const b = against[j] as IndexedName;
        if (a.entity.id === b.entity.id) continue;
        if (a.key === b.key || distance(a.key, b.key) <= 1) {
          link(a.entity.id, b.entity.id);
          link(b.entity.id, a.entity.id);
        }
      }
    }
  }
  return new Map([...out].map(([id, set]) => [id, [...set].sort()]));
}

/** A composer's mudras and source-site hosts name the composer as surely as an alias does. */
function signatures(entity: RefEntity): string[] {
  const out: string[] = [];
  for (const field of ['mudras', 'sites']) {
    const value = entity.meta?.[field];
    if (Array.isArray(value)) out.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return out;
}

function ratio(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 0 : 1 - distance(a, b) / longest;
}

/** Score of one reference name for an input that has no equal key, or null if not worth listing. */
function guess(key: string, sortedKey: string, name: IndexedName): { score: number; reason: MatchReason } | null {
  let best: { score: number; reason: MatchReason } | null = null;
  const longest = Math.max(key.length, name.key.length);
  if (Math.abs(key.length - name.key.length) <= (1 - MIN_FUZZY_RATIO) * longest) {
    const r = ratio(key, name.key);
    if (r >= MIN_FUZZY_RATIO) best = { score: r * FUZZY_CEILING, reason: 'fuzzy' };
  }
  // Same words in another order.
  if (sortedKey.includes(' ') || name.sortedKey.includes(' ')) {
    const r = sortedKey === name.sortedKey ? 1 : ratio(sortedKey, name.sortedKey);
    const score = r * TOKEN_CEILING;
    if (r >= MIN_FUZZY_RATIO && (!best || score > best.score)) best = { score, reason: 'token' };
  }
  // A name inside a longer one ("Dikshitar" in "Muthuswami Dikshitar"): a hint, never decisive.
  const [shorter, longer] = key.length <= name.key.length ? [key, name.key] : [name.key, key];
  if (shorter.length >= 4 && longer.includes(shorter)) {
    const score = Math.min(TOKEN_CEILING, 0.55 + 0.35 * (shorter.length / longer.length));
    if (!best || score > best.score) best = { score, reason: 'token' };
  }
  return best;
}

/**
 * When several entities share the input's key, the one entity whose doubled-consonant key also
 * equals the input's wins; otherwise null (no tie-break: all stay at 1 and the match is ambiguous).
 */
function tieBreak(hits: IndexedName[], fineKey: string): Set<string> | null {
  const ids = new Set(hits.map((h) => h.entity.id));
  if (ids.size < 2) return null;
  const winners = new Set(hits.filter((h) => h.fineKey === fineKey).map((h) => h.entity.id));
  return winners.size === 1 ? winners : null;
}

/** The confidence band of ranked candidates under `thresholds` (exported for the evaluation's threshold sweep). */
export function confidenceOf(candidates: Candidate[], thresholds: Thresholds): Confidence {
  const [best, second] = candidates;
  if (!best || best.score < thresholds.low) return 'LOW';
  if (best.score < thresholds.high) return 'MEDIUM';
  if (second && best.score - second.score < AMBIGUITY_MARGIN) return 'MEDIUM';
  if (best.tieBroken) return 'MEDIUM';
  if ((best.reason === 'fuzzy' || best.reason === 'token') && (best.confusableWith?.length ?? 0) > 0) return 'MEDIUM';
  return 'HIGH';
}

/** What a reviewer needs to tell two ragas apart: the parent (or mela number) and the scale. */
function ragaDetail(entity: RefEntity): Pick<Candidate, 'parent' | 'melakarta' | 'scale'> {
  const meta = entity.meta ?? {};
  const out: Pick<Candidate, 'parent' | 'melakarta' | 'scale'> = {};
  if (typeof meta.parent === 'string') out.parent = meta.parent;
  if (typeof meta.melakarta === 'number') out.melakarta = meta.melakarta;
  if (typeof meta.arohanam === 'string' && typeof meta.avarohanam === 'string') out.scale = `${meta.arohanam} / ${meta.avarohanam}`;
  return out;
}

function upsert(byId: Map<string, Candidate>, candidate: Candidate): void {
  const previous = byId.get(candidate.id);
  if (
    !previous ||
    candidate.score > previous.score ||
    (candidate.score === previous.score && candidate.reason === 'exact' && previous.reason !== 'exact')
  ) {
    byId.set(candidate.id, candidate);
  }
}

function ranked(byId: Map<string, Candidate>): Candidate[] {
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, MAX_CANDIDATES);
}

export function createMatcher(ref: ReferenceData, thresholds: Thresholds = DEFAULT_THRESHOLDS): Matcher {
  const indexes: Record<EntityKind, KindIndex> = {
    raga: buildIndex('raga', ref.ragas),
    composer: buildIndex('composer', ref.composers),
    tala: buildIndex('tala', ref.talas),
  };

  return {
    match(kind: EntityKind, input: string): Match {
      const index = indexes[kind];
      const options = KEY_OPTIONS[kind];
      const key = comparisonKey(input, options);
      const byId = new Map<string, Candidate>();
      if (key !== '') {
        const hits = index.byKey.get(key);
        if (hits) {
          const winners = tieBreak(hits, comparisonKey(input, { ...options, keepDoubledConsonants: true }));
          for (const hit of hits) {
            const score = winners === null || winners.has(hit.entity.id) ? 1 : TIE_BREAK_SCORE;
            upsert(byId, { id: hit.entity.id, name: hit.entity.name, score, reason: hit.reason, ...(winners ? { tieBroken: true } : {}) });
          }
        } else {
          const sortedKey = sortedTokenKey(comparisonTokens(input, options));
          for (const name of index.names) {
            const g = guess(key, sortedKey, name);
            if (g) upsert(byId, { id: name.entity.id, name: name.entity.name, score: round(g.score), reason: g.reason });
          }
        }
      }
      const candidates = ranked(byId).map((c) => {
        const entity = index.entities.get(c.id);
        const confusableWith = index.confusables.get(c.id);
        return {
          ...c,
          ...(confusableWith ? { confusableWith } : {}),
          ...(kind === 'raga' && entity ? ragaDetail(entity) : {}),
        };
      });
      return { input, kind, best: candidates[0] ?? null, candidates, confidence: confidenceOf(candidates, thresholds) };
    },
  };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
