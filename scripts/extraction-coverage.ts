/**
 * How many imported rows extracted each field, read from the `scraped` jsonb of import_rows:
 * title, composer, ragas, tala, language, at least one section, at least one variant, per site and
 * in all. Run after importing the manifests (e.g. `npm run demo -- <manifest>` three times with
 * your own DATABASE_URL): DATABASE_URL=… npx tsx scripts/extraction-coverage.ts [batchId…]
 */
import { loadConfig } from '../src/config';
import { createSql } from '../src/db/client';

const batchIds = process.argv.slice(2);
const sql = createSql(loadConfig().databaseUrl, { max: 1 });
const rows = await sql`
  SELECT CASE WHEN grouping(site) = 1 THEN 'ALL' ELSE coalesce(site, '(none)') END AS site,
         count(*)::int AS rows,
         count(scraped)::int AS scraped,
         count(*) FILTER (WHERE scraped->>'title' IS NOT NULL)::int AS title,
         count(*) FILTER (WHERE scraped->>'composer' IS NOT NULL)::int AS composer,
         count(*) FILTER (WHERE jsonb_array_length(scraped->'ragas') > 0)::int AS ragas,
         count(*) FILTER (WHERE scraped->>'tala' IS NOT NULL)::int AS tala,
         count(*) FILTER (WHERE scraped->>'language' IS NOT NULL)::int AS language,
         count(*) FILTER (WHERE jsonb_array_length(scraped->'sections') > 0)::int AS sections,
         count(*) FILTER (WHERE jsonb_array_length(scraped->'variants') > 0)::int AS variants,
         count(*) FILTER (WHERE status = 'FAILED')::int AS failed
  FROM import_rows
  WHERE kind = 'record' AND (${batchIds.length === 0} OR batch_id = ANY(${batchIds}::text[]))
  GROUP BY ROLLUP (site) ORDER BY grouping(site), site`;
const errors = await sql`
  SELECT error_type, count(*)::int AS n FROM import_rows
  WHERE kind = 'record' AND status = 'FAILED' AND (${batchIds.length === 0} OR batch_id = ANY(${batchIds}::text[]))
  GROUP BY 1 ORDER BY 2 DESC`;
console.table(rows.map((r) => ({ ...r })));
console.table(errors);
await sql.end();
