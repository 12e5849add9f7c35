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

/** The import row that created a catalogue krithi (any batch; this batch's first, then the oldest). */
export interface ImportedBy {
  rowId: string;
  batchId: string;
  line: number;
}

/**
 * One candidate per thing a reviewer compares with. A row of this batch that has already been
 * imported is not listed beside its krithi: it is the krithi, naming the row (`importedBy`), so the
 * candidate is the same whichever of the two rows finished first — only its kind says whether the
 * earlier row had reached the catalogue yet.
 */
export type DuplicateCandidate =
  | { kind: 'krithi'; krithiId: string; sourceUrl: string; title: string; importedBy?: ImportedBy }
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
  const krithis = new Map<string, Extract<DuplicateCandidate, { kind: 'krithi' }>>();
  const rowsFound: DuplicateCandidate[] = [];

  // One snapshot for both reads, so a row and the krithi it creates are seen together or not at all.
  const { catalogue, rows } = await sql.begin('isolation level repeatable read read only', async (tx) => {
    const catalogue = await tx`
    SELECT k.id, k.title, k.source_url, r.id AS row_id, r.batch_id AS row_batch_id, r.line AS row_line
    FROM krithis k
    LEFT JOIN LATERAL (
      SELECT id, batch_id, line FROM import_rows
      WHERE krithi_id = k.id ORDER BY (batch_id = ${q.batchId}) DESC, id LIMIT 1
    ) r ON true
    WHERE k.title_key = ANY(${[...keys]}::text[]) AND k.source_key <> ${q.sourceKey} AND k.composer_id = ${q.composerId}
      AND k.raga_ids @> ${q.ragaIds}::text[] AND k.raga_ids <@ ${q.ragaIds}::text[]`;
    // Earlier rows of this batch only, so of two equal rows exactly the later one is held, whichever
    // resolves first. A row that has imported its krithi is read with that krithi and listed as it.
    const rows = await tx`
    SELECT r.id, r.line, r.title, r.raga, r.site, r.resolution->'chosen' AS chosen,
           k.id AS krithi_id, k.title AS krithi_title, k.source_url AS krithi_source_url, k.source_key AS krithi_source_key
    FROM import_rows r LEFT JOIN krithis k ON k.id = r.krithi_id
    WHERE r.batch_id = ${q.batchId} AND r.title_key = ANY(${[...keys]}::text[])
      AND r.kind = 'record' AND r.line < ${q.line} AND r.id <> ${q.rowId}
      AND r.status NOT IN ('REJECTED', 'CANCELLED')
    ORDER BY r.line`;
    return { catalogue, rows };
  });
  for (const k of catalogue) {
    krithis.set(String(k.id), {
      kind: 'krithi',
      krithiId: String(k.id),
      sourceUrl: k.source_url as string,
      title: k.title as string,
      ...(k.row_id != null
        ? { importedBy: { rowId: String(k.row_id), batchId: k.row_batch_id as string, line: k.row_line as number } }
        : {}),
    });
  }

  // A row not yet resolved is judged by its manifest raga and its site's composer.
  for (const r of rows) {
    const chosen = r.chosen as { composerId?: string | null; ragaIds?: string[] } | null;
    const composerId = chosen?.composerId ?? composerForSite(r.site as string | null)?.id ?? null;
    const ragaIds =
      chosen?.ragaIds ??
      splitRagaList((r.raga as string | null) ?? '')
        .map((name) => matcher.match('raga', name))
        .map((m) => (m.confidence === 'HIGH' ? m.best?.id : undefined))
        .filter((id): id is string => !!id);
    if (composerId !== q.composerId || !sameSet(ragaIds, q.ragaIds)) continue;
    const importedBy: ImportedBy = { rowId: String(r.id), batchId: q.batchId, line: r.line as number };
    if (r.krithi_id != null) {
      if (r.krithi_source_key === q.sourceKey) continue; // the same page, not a duplicate of it
      const krithiId = String(r.krithi_id);
      const known = krithis.get(krithiId);
      if (known) known.importedBy = importedBy;
      else {
        krithis.set(krithiId, {
          kind: 'krithi',
          krithiId,
          sourceUrl: r.krithi_source_url as string,
          title: r.krithi_title as string,
          importedBy,
        });
      }
    } else {
      rowsFound.push({ kind: 'row', rowId: String(r.id), line: r.line as number, title: (r.title as string | null) ?? '' });
    }
  }
  return [...krithis.values(), ...rowsFound];
}

/** The review reason for a candidate, as seen from a row of batch `batchId`. */
export function describeDuplicate(d: DuplicateCandidate, batchId: string): string {
  if (d.kind === 'row') return `probable duplicate of row ${d.rowId} (line ${d.line}) of this batch`;
  const by = d.importedBy;
  const where = by && (by.batchId === batchId ? 'of this batch' : `of batch ${by.batchId}`);
  return `probable duplicate of krithi ${d.krithiId} (${d.sourceUrl})` + (by ? `, imported by row ${by.rowId} (line ${by.line}) ${where}` : '');
}
