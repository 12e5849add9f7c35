/**
 * The steps of persistKrithi, each named for what it decides, all inside the caller's one
 * transaction: lock the row, work out the krithi the row asks for, check its references, upsert
 * it by source key without overwriting fields a reviewer set, and move the row to IMPORTED.
 */
import type { Sql } from '../db/client';
import { transitionRow } from '../db/rows';
import { titleKey } from '../resolution/title-key';
import type { ReviewDecision, RowStatus } from '../shared';

export const PersistErrorType = {
  INVALID_OVERRIDE: 'INVALID_OVERRIDE',
  UNRESOLVED_ENTITY: 'UNRESOLVED_ENTITY',
  REVIEWED_FIELDS_DIFFER: 'REVIEWED_FIELDS_DIFFER',
} as const;

export type PersistOutcome =
  | { outcome: 'IMPORTED'; krithiId: string }
  | { outcome: 'NEEDS_REVIEW'; errorType: string; reason: string }
  /** The row left PERSISTING meanwhile (cancelled by its batch): nothing was written. */
  | { outcome: 'SKIPPED'; status: RowStatus };

/** What the resolver chose, stored on the row for persist and the reviewer. */
export interface ChosenEntities {
  composerId: string | null;
  ragaIds: string[];
  talaId: string | null;
}

type Overrides = NonNullable<ReviewDecision['overrides']>;
type Scraped = { title?: string | null; language?: string | null; sections?: unknown[]; variants?: unknown[] };

/** The row as persist reads it, locked. */
export type PersistRow = Record<string, unknown> & { status: RowStatus; source_key: string; batch_id: string };

/** The krithi a row asks for: the resolver's choice with the reviewer's overrides on top. */
export interface IntendedKrithi {
  title: string;
  composerId: string | null;
  ragaIds: string[];
  talaId: string | null;
  overrides: Overrides;
  scraped: Scraped;
  /** Fields the reviewer set by hand: an automatic import never overwrites them later. */
  reviewerFields: string[];
}

/** Step 1: the row, locked; or the outcome when it is not (or no longer) PERSISTING. */
export async function lockRow(tx: Sql, rowId: string): Promise<{ row: PersistRow } | { done: PersistOutcome }> {
  const [row] = await tx`
    SELECT id, batch_id, status, krithi_id, title, url, normalized_url, source_key, scraped, resolution,
           review_decision, review_overrides, review_note, reviewer, site, reviewed_at
    FROM import_rows WHERE id = ${rowId} FOR UPDATE`;
  if (!row) throw new Error(`row ${rowId} not found`);
  // Exactly once across retries: a retry after a commit whose answer was lost finds it imported.
  if (row.status === 'IMPORTED') return { done: { outcome: 'IMPORTED', krithiId: String(row.krithi_id) } };
  if (row.status !== 'PERSISTING') return { done: { outcome: 'SKIPPED', status: row.status as RowStatus } };
  return { row: row as PersistRow };
}

/** Step 2: the krithi the row asks for. */
export function intendedKrithi(row: PersistRow): IntendedKrithi {
  const chosen = ((row.resolution as { chosen?: ChosenEntities } | null)?.chosen ?? {
    composerId: null,
    ragaIds: [],
    talaId: null,
  }) as ChosenEntities;
  const overrides = (row.review_overrides ?? {}) as Overrides;
  const scraped = (row.scraped ?? {}) as Scraped;
  return {
    title: overrides.title ?? scraped.title ?? (row.title as string),
    composerId: overrides.composerId ?? chosen.composerId,
    ragaIds: overrides.ragaIds ?? chosen.ragaIds,
    talaId: overrides.talaId !== undefined ? overrides.talaId : chosen.talaId,
    overrides,
    scraped,
    reviewerFields: [
      ...(overrides.title !== undefined ? ['title'] : []),
      ...(overrides.composerId !== undefined ? ['composer'] : []),
      ...(overrides.ragaIds !== undefined ? ['ragas'] : []),
      ...(overrides.talaId !== undefined ? ['tala'] : []),
    ],
  };
}

/**
 * Step 3: every referenced entity exists (or is the raga added with this decision) and a composer and a raga are chosen. Override ids were
 * checked before the update was sent; they are checked again here, inside the transaction.
 */
export async function referenceProblem(tx: Sql, k: IntendedKrithi, addedRagaId?: string): Promise<PersistOutcome | null> {
  const problems: string[] = [];
  if (k.composerId && !(await tx`SELECT 1 FROM composers WHERE id = ${k.composerId}`).length)
    problems.push(`composer '${k.composerId}' does not exist`);
  // A raga the reviewer adds with this decision does not exist yet: it is written with the import.
  const existing = k.ragaIds.filter((id) => id !== addedRagaId);
  if (existing.length) {
    const found = new Set((await tx`SELECT id FROM ragas WHERE id = ANY(${existing}::text[])`).map((r) => r.id as string));
    for (const id of existing) if (!found.has(id)) problems.push(`raga '${id}' does not exist`);
  }
  if (k.talaId && !(await tx`SELECT 1 FROM talas WHERE id = ${k.talaId}`).length) problems.push(`tala '${k.talaId}' does not exist`);
  if (problems.length) return { outcome: 'NEEDS_REVIEW', errorType: PersistErrorType.INVALID_OVERRIDE, reason: problems.join('; ') };
  if (!k.composerId || k.ragaIds.length === 0)
    return {
      outcome: 'NEEDS_REVIEW',
      errorType: PersistErrorType.UNRESOLVED_ENTITY,
      reason: `approved without ${!k.composerId ? 'a composer' : 'a raga'}: choose one`,
    };
  return null;
}

/**
 * Step 4: insert the krithi, or update the one with the same source key — fields a reviewer set
 * keep their value; an automatic import that differs from them goes to review instead.
 */
export async function upsertKrithi(
  tx: Sql,
  rowId: string,
  row: PersistRow,
  k: IntendedKrithi,
): Promise<{ krithiId: string; existed: boolean } | { needsReview: PersistOutcome }> {
  const values: Record<string, unknown> = { title: k.title, composer: k.composerId, ragas: k.ragaIds, tala: k.talaId };
  const [existing] = await tx`SELECT * FROM krithis WHERE source_key = ${row.source_key} FOR UPDATE`;
  if (!existing) {
    const [inserted] = await tx`
      INSERT INTO krithis (source_key, source_url, title, title_key, composer_id, raga_ids, tala_id, language, sections,
                           variants, reviewer_fields, created_batch_id, created_row_id, last_row_id)
      VALUES (${row.source_key}, ${row.normalized_url as string}, ${k.title}, ${titleKey(k.title)}, ${k.composerId}, ${k.ragaIds}::text[],
              ${k.talaId}, ${k.scraped.language ?? null}, ${tx.json((k.scraped.sections ?? []) as never)},
              ${tx.json((k.scraped.variants ?? []) as never)}, ${k.reviewerFields}::text[], ${row.batch_id}, ${rowId}, ${rowId})
      RETURNING id`;
    return { krithiId: String(inserted!.id), existed: false };
  }
  const locked = (existing.reviewer_fields as string[]).filter((f) => !k.reviewerFields.includes(f));
  const current: Record<string, unknown> = {
    title: existing.title,
    composer: existing.composer_id,
    ragas: existing.raga_ids,
    tala: existing.tala_id,
  };
  const differing = locked.filter((f) => JSON.stringify(current[f]) !== JSON.stringify(values[f]));
  if (differing.length && row.review_decision !== 'approve')
    return {
      needsReview: {
        outcome: 'NEEDS_REVIEW',
        errorType: PersistErrorType.REVIEWED_FIELDS_DIFFER,
        reason: `a reviewer set ${differing.join(', ')} on krithi ${existing.id}; this import differs`,
      },
    };
  const keep = (f: string) => locked.includes(f);
  const [updated] = await tx`
    UPDATE krithis SET
      title = ${keep('title') ? existing.title : k.title},
      title_key = ${titleKey(keep('title') ? (existing.title as string) : k.title)},
      composer_id = ${keep('composer') ? existing.composer_id : k.composerId},
      raga_ids = ${keep('ragas') ? existing.raga_ids : k.ragaIds}::text[],
      tala_id = ${keep('tala') ? existing.tala_id : k.talaId},
      language = ${k.scraped.language ?? existing.language},
      sections = ${tx.json((k.scraped.sections ?? existing.sections) as never)},
      variants = ${tx.json((k.scraped.variants ?? existing.variants) as never)},
      reviewer_fields = ARRAY(SELECT DISTINCT unnest(reviewer_fields || ${k.reviewerFields}::text[])),
      last_row_id = ${rowId}, version = version + 1, updated_at = now()
    WHERE id = ${existing.id} RETURNING id`;
  return { krithiId: String(updated!.id), existed: true };
}

/** Step 5: the row to IMPORTED with its krithi, audited as KRITHI_CREATED or KRITHI_UPDATED. */
export async function markImported(
  tx: Sql,
  { rowId, attempt, row, k, krithiId, existed }: { rowId: string; attempt: number; row: PersistRow; k: IntendedKrithi; krithiId: string; existed: boolean },
): Promise<void> {
  await transitionRow(tx, {
    rowId,
    to: 'IMPORTED',
    from: ['PERSISTING'],
    krithiId,
    actor: (row.reviewer as string | null) ?? 'system',
    eventKey: `row:${rowId}:attempt:${attempt}:imported`,
    eventType: existed ? 'KRITHI_UPDATED' : 'KRITHI_CREATED',
    data: { title: k.title, composerId: k.composerId, ragaIds: k.ragaIds, talaId: k.talaId, reviewerFields: k.reviewerFields },
  });
}
