/**
 * Probable duplicates: a row whose title, composer and ragas match a krithi already in the
 * catalogue under another source, or an earlier row of the same batch, is not imported as new
 * without a reviewer. Titles are compared by comparison key, so `abhayAmbA jagadambA` and
 * `Abhayamba Jagadamba` are one title; ragas as sets, so a ragamalika's order does not matter.
 */
import type { Sql } from '../db/client';
import type { Matcher } from '../resolution/matcher';
import { splitRagaList } from '../resolution/normalize';
import { titleKey } from '../resolution/title-key';
import { composerForSite } from '../resolution/reference';

export type DuplicateCandidate =
  | { kind: 'krithi'; krithiId: string; sourceUrl: string; title: string }
  | { kind: 'row'; rowId: string; line: number; title: string };

export interface DuplicateQuery {
  rowId: string;
  batchId: string;
  line: number;
  sourceKey: string;
  /** Every title the row goes by (the page's, the manifest's); any equal key is a match. */
  titles: (string | null | undefined)[];
  composerId: string;
  ragaIds: string[];
}

export { titleKey };

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...new Set(a)].every((x) => b.includes(x));

export async function findProbableDuplicates(sql: Sql, matcher: Matcher, q: DuplicateQuery): Promise<DuplicateCandidate[]> {
  const keys = new Set(q.titles.filter((t): t is string => !!t && t.trim() !== '').map(titleKey).filter((k) => k !== ''));
  if (keys.size === 0 || q.ragaIds.length === 0) return [];
  const found: DuplicateCandidate[] = [];

  const krithis = await sql`
    SELECT id, title, source_url FROM krithis
    WHERE title_key = ANY(${[...keys]}::text[]) AND source_key <> ${q.sourceKey} AND composer_id = ${q.composerId}
      AND raga_ids @> ${q.ragaIds}::text[] AND raga_ids <@ ${q.ragaIds}::text[]`;
  for (const k of krithis) {
    found.push({ kind: 'krithi', krithiId: String(k.id), sourceUrl: k.source_url as string, title: k.title as string });
  }

  // Earlier rows of this batch only, so of two equal rows exactly the later one is held, whichever
  // resolves first. A row not yet resolved is judged by its manifest raga and its site's composer.
  const rows = await sql`
    SELECT id, line, title, raga, site, resolution->'chosen' AS chosen FROM import_rows
    WHERE batch_id = ${q.batchId} AND title_key = ANY(${[...keys]}::text[])
      AND kind = 'record' AND line < ${q.line} AND id <> ${q.rowId}
      AND status NOT IN ('REJECTED', 'CANCELLED')`;
  for (const r of rows) {
    const chosen = r.chosen as { composerId?: string | null; ragaIds?: string[] } | null;
    const scrapedTitle = (r.title as string | null) ?? '';
    const composerId = chosen?.composerId ?? composerForSite(r.site as string | null)?.id ?? null;
    const ragaIds =
      chosen?.ragaIds ??
      splitRagaList((r.raga as string | null) ?? '')
        .map((name) => matcher.match('raga', name))
        .map((m) => (m.confidence === 'HIGH' ? m.best?.id : undefined))
        .filter((id): id is string => !!id);
    if (composerId === q.composerId && sameSet(ragaIds, q.ragaIds)) {
      found.push({ kind: 'row', rowId: String(r.id), line: r.line as number, title: scrapedTitle });
    }
  }
  return found;
}

export function describeDuplicate(d: DuplicateCandidate): string {
  return d.kind === 'krithi'
    ? `probable duplicate of krithi ${d.krithiId} (${d.sourceUrl})`
    : `probable duplicate of row ${d.rowId} (line ${d.line}) of this batch`;
}
