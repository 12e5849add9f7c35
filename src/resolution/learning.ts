/**
 * What a review teaches the resolver. When a reviewer names the entity for a field by hand (an
 * override) and the resolver had not confidently chosen that entity, the spelling the resolver was
 * given becomes an alias of the reviewer's entity, so the next row with that spelling resolves alone.
 * Pure: the caller stores the result (src/db/reference.ts recordReviewerAliases).
 */
import type { EntityKind } from './reference';

export interface LearnedSpelling {
  kind: EntityKind;
  alias: string;
  entityId: string;
}

/** The parts of a stored row resolution this needs (the `resolution` jsonb of import_rows). */
interface StoredEntity {
  match?: { input?: string } | null;
  chosen?: { id?: string } | null;
  confidence?: string;
}
export interface StoredResolution {
  composer?: StoredEntity;
  ragas?: StoredEntity[];
  tala?: StoredEntity;
}

export interface ReviewOverrides {
  composerId?: string;
  ragaIds?: string[];
  talaId?: string | null;
}

function learn(kind: EntityKind, entity: StoredEntity | undefined, entityId: string | null | undefined): LearnedSpelling[] {
  const input = entity?.match?.input?.trim();
  if (!input || !entityId) return [];
  // Confirming what the resolver already accepted teaches nothing.
  if (entity?.confidence === 'HIGH' && entity.chosen?.id === entityId) return [];
  return [{ kind, alias: input, entityId }];
}

/** A source-site host names a composer only by convention of that site: never an alias. */
const looksLikeHost = (s: string) => /[./]/.test(s) && !/\s/.test(s);

export function aliasesFromReview(resolution: StoredResolution | null | undefined, overrides: ReviewOverrides): LearnedSpelling[] {
  if (!resolution) return [];
  const out: LearnedSpelling[] = [];
  if (overrides.composerId !== undefined) {
    out.push(...learn('composer', resolution.composer, overrides.composerId).filter((a) => !looksLikeHost(a.alias)));
  }
  // Ragas pair up by position only when the reviewer kept their number; a value the reviewer split
  // into several ragas (a ragamalika) is not one raga's spelling.
  const ragas = resolution.ragas ?? [];
  if (overrides.ragaIds !== undefined && overrides.ragaIds.length === ragas.length) {
    ragas.forEach((r, i) => out.push(...learn('raga', r, overrides.ragaIds?.[i])));
  }
  if (overrides.talaId) out.push(...learn('tala', resolution.tala, overrides.talaId));
  // One spelling, one entity per review.
  const seen = new Set<string>();
  return out.filter((a) => {
    const key = `${a.kind}\u0000${a.alias}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
