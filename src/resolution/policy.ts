/**
 * Per-row resolution (composer, ragas, tala) and the policy that decides whether a row may be
 * imported without a reviewer. The policy is deliberately conservative: a row is auto-approved only
 * when every part is HIGH (an absent tala is allowed) and its sources do not disagree.
 */
import type { Confidence } from '../shared';
import { AMBIGUITY_MARGIN, type Candidate, type Match, type Matcher } from './matcher';
import { splitRagaList } from './normalize';

export type ComposerHintSource = 'manifest' | 'page' | 'mudra' | 'site';

export interface ResolveInput {
  title: string | null;
  composerHints: { source: ComposerHintSource; value: string }[];
  ragas: string[];
  tala: string | null;
}

export interface EntityResolution {
  match: Match | null;
  /** The suggested entity: the best candidate unless the match is LOW (then null). */
  chosen: Candidate | null;
  confidence: Confidence | 'ABSENT';
}

export interface RowResolution {
  composer: EntityResolution & { conflict?: string };
  ragas: EntityResolution[];
  tala: EntityResolution;
  confidence: Confidence;
  reasons: string[];
}

/** Composer sources, most trusted first: the manifest column, the page text, its mudra, the site. */
const SOURCE_RANK: Record<ComposerHintSource, number> = { manifest: 0, page: 1, mudra: 2, site: 3 };
const LEVEL: Record<Confidence, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

function minConfidence(a: Confidence, b: Confidence): Confidence {
  return LEVEL[a] <= LEVEL[b] ? a : b;
}

function describe(label: string, match: Match): string | null {
  const best = match.best;
  const input = `${label} '${match.input}'`;
  if (!best || match.confidence === 'LOW') {
    return best ? `${input} not recognised (closest: ${best.name}, ${best.score})` : `${input} not recognised`;
  }
  const [, second] = match.candidates;
  if (match.confidence === 'MEDIUM' && second && best.score - second.score < AMBIGUITY_MARGIN) {
    return `${input} is ambiguous: ${best.name} or ${second.name}`;
  }
  if (match.confidence === 'MEDIUM' && best.tieBroken && second) {
    return `${input} matched ${best.name}, but ${second.name} shares its comparison key, needs review`;
  }
  if (best.reason === 'exact' && match.confidence === 'HIGH') return null;
  const how = best.reason === 'exact' || best.reason === 'alias' ? `by ${best.reason}` : `by ${best.reason} (${best.score})`;
  return `${input} matched ${best.name} ${how}${match.confidence === 'MEDIUM' ? ', needs review' : ''}`;
}

function resolved(match: Match): EntityResolution {
  return { match, chosen: match.confidence === 'LOW' ? null : match.best, confidence: match.confidence };
}

const ABSENT: EntityResolution = { match: null, chosen: null, confidence: 'ABSENT' };

/** Site hints may be a whole URL; the host is what names the composer. */
function siteHost(value: string): string {
  try {
    return new URL(value).hostname;
  } catch {
    return value;
  }
}

function resolveComposer(
  matcher: Matcher,
  hints: ResolveInput['composerHints'],
  reasons: string[],
): RowResolution['composer'] {
  const ordered = hints
    .filter((h) => h.value.trim() !== '')
    .map((h, i) => ({ ...h, i }))
    .sort((a, b) => SOURCE_RANK[a.source] - SOURCE_RANK[b.source] || a.i - b.i);
  if (ordered.length === 0) {
    reasons.push('composer not given by manifest, page or site');
    return { ...ABSENT };
  }

  const usable: { source: ComposerHintSource; match: Match }[] = [];
  for (const hint of ordered) {
    const match = matcher.match('composer', hint.source === 'site' ? siteHost(hint.value) : hint.value);
    const why = describe(`composer (${hint.source})`, match);
    if (match.confidence === 'LOW') {
      if (why) reasons.push(why);
      continue;
    }
    if (why && usable.length === 0) reasons.push(why);
    usable.push({ source: hint.source, match });
  }

  const first = usable[0];
  if (!first) return { match: null, chosen: null, confidence: 'LOW' };
  const chosen = first.match.best as Candidate;
  let confidence = first.match.confidence;
  const agreeing: string[] = [];
  const disagreeing: string[] = [];
  for (const other of usable.slice(1)) {
    const otherBest = other.match.best as Candidate;
    if (otherBest.id === chosen.id) {
      // An independent source naming the same composer confirms a less certain first one.
      if (LEVEL[other.match.confidence] > LEVEL[confidence]) {
        confidence = other.match.confidence;
        agreeing.push(other.source);
      }
    } else {
      disagreeing.push(`${other.source} says ${otherBest.name}`);
    }
  }
  if (agreeing.length > 0) reasons.push(`composer ${chosen.name} (${first.source}) confirmed by ${agreeing.join(', ')}`);

  if (disagreeing.length > 0) {
    const conflict = `composer conflict: ${first.source} says ${chosen.name}, ${disagreeing.join(', ')}`;
    reasons.push(conflict);
    return { match: first.match, chosen, confidence: minConfidence(confidence, 'MEDIUM'), conflict };
  }
  return { match: first.match, chosen, confidence };
}

export function resolveRow(matcher: Matcher, input: ResolveInput): RowResolution {
  const reasons: string[] = [];

  const composer = resolveComposer(matcher, input.composerHints, reasons);

  // One value may name several ragas (`rItigauLa - Abheri`): each is resolved on its own.
  const ragaNames = input.ragas.flatMap(splitRagaList);
  if (ragaNames.length === 0) reasons.push('no raga given');
  const ragas = ragaNames.map((name) => {
    const match = matcher.match('raga', name);
    const why = describe('raga', match);
    if (why) reasons.push(why);
    return resolved(match);
  });

  let tala: EntityResolution = { ...ABSENT };
  const talaName = input.tala?.trim() ?? '';
  if (talaName === '') {
    reasons.push('tala absent');
  } else {
    const match = matcher.match('tala', talaName);
    const why = describe('tala', match);
    if (why) reasons.push(why);
    tala = resolved(match);
  }

  const parts: Confidence[] = [
    composer.confidence === 'ABSENT' ? 'LOW' : composer.confidence,
    ...(ragas.length === 0 ? (['LOW'] as const) : ragas.map((r) => r.confidence as Confidence)),
    ...(tala.confidence === 'ABSENT' ? [] : [tala.confidence]),
  ];
  const confidence = parts.reduce<Confidence>(minConfidence, 'HIGH');

  return { composer, ragas, tala, confidence, reasons };
}

/**
 * Auto-approve only when the composer is HIGH without a conflict, there is at least one raga and
 * every raga is HIGH, and the tala is HIGH or absent. Otherwise the reasons say what a reviewer
 * must look at.
 */
export function decideApproval(res: RowResolution): { autoApprove: boolean; reasons: string[] } {
  const blockers: string[] = [];
  if (res.composer.conflict) blockers.push(res.composer.conflict);
  else if (res.composer.confidence !== 'HIGH') blockers.push(`composer confidence ${res.composer.confidence}`);
  if (res.ragas.length === 0) blockers.push('no raga');
  res.ragas.forEach((raga, i) => {
    if (raga.confidence !== 'HIGH') {
      blockers.push(`raga '${raga.match?.input ?? i + 1}' confidence ${raga.confidence}`);
    }
  });
  if (res.tala.confidence !== 'HIGH' && res.tala.confidence !== 'ABSENT') {
    blockers.push(`tala '${res.tala.match?.input ?? ''}' confidence ${res.tala.confidence}`);
  }
  if (blockers.length > 0) return { autoApprove: false, reasons: blockers };
  return {
    autoApprove: true,
    reasons: [res.tala.confidence === 'ABSENT' ? 'composer and ragas HIGH; tala absent' : 'composer, ragas and tala HIGH'],
  };
}
