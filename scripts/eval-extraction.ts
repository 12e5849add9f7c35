/**
 * Extraction against the fixture site's own ground truth: every page the site serves for the real
 * manifests' rows (data/manifests: guru-guha, syamakrishnavaibhavam, thyagaraja-vaibhavam; 1,240
 * rows) is fetched over HTTP with the import's fetcher, extracted, and compared field by field with
 * what the drawing put on the page. Faults are off: this measures reading, not fetching.
 *
 *   npm run eval:extraction [-- --manifests DIR] [--out FILE] [--show N]
 *
 * Prints one JSON line: per host, rows and exact-match counts for title, transliterated title,
 * composer, ragas, tala, language, sections (types, numbers and text all equal), sections by type,
 * variants (same scripts, each with equal sections) and whole-page; plus the share of exact sections.
 * `--show N` prints the first N mismatches (field, expected, got) to stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseManifestAll } from '../src/manifest/parse';
import { drawKrithiPage, type FixtureTruth } from '../src/fixture-site/pages';
import { startFixtureSite } from '../src/fixture-site/server';
import { DEFAULT_FETCH_POLICY, createFetcher } from '../src/scraping/fetcher';
import { extractKrithi } from '../src/scraping/extract';
import type { Extraction, Section } from '../src/scraping/types';

const { values } = parseArgs({
  options: {
    manifests: { type: 'string', default: 'data/manifests' },
    out: { type: 'string', default: '.state/eval-extraction.json' },
    show: { type: 'string', default: '0' },
  },
});
const FILES = ['Dikshitar-Krithi-For-Import.csv', 'Syama-Sastri-Krithi-For-Import.csv', 'Thyagaraja-Krithi-For-Import.csv'];
const FIELDS = ['title', 'titleTransliterated', 'composer', 'ragas', 'tala', 'language', 'sections', 'variants', 'page'] as const;
type Field = (typeof FIELDS)[number];

interface Row {
  url: string;
  title: string;
  raga: string;
  site: string;
}

const rows: Row[] = [];
for (const f of FILES) {
  const { entries } = await parseManifestAll(readFileSync(`${values.manifests}/${f}`));
  for (const e of entries) {
    if (e.kind === 'record') rows.push({ url: e.normalizedUrl, title: e.title, raga: e.raga, site: e.site });
    // A repeated URL is a real row of the manifest: the same page, read again.
    else if (e.kind === 'duplicate') {
      const first = rows.find((r) => r.url === e.normalizedUrl);
      if (first) rows.push({ ...first });
    } else throw new Error(`${f} line ${e.line}: ${e.field ?? 'row'} invalid: ${e.reason}`);
  }
}

const hosts = [...new Set(rows.map((r) => r.site))].sort();
const site = await startFixtureSite({ defaultFaults: false });
site.addRows(rows);
const fetcher = createFetcher({ ...DEFAULT_FETCH_POLICY, userAgent: 'krithi-import eval', allowedHosts: hosts, hostOverrides: site.hostOverrides(hosts) });

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const key = (s: Section): string => `${s.type}${s.number ?? ''}`;

interface HostTally {
  rows: number;
  failed: number;
  exact: Record<Field, number>;
  sections: { expected: number; exact: number };
  sectionsByType: Record<string, { expected: number; exact: number }>;
  variants: { expected: number; exact: number };
}
const tally = new Map<string, HostTally>();
const mismatches: Array<{ url: string; field: string; expected: unknown; got: unknown }> = [];

function compare(t: HostTally, truth: FixtureTruth, e: Extraction, url: string): void {
  const got: Record<Field, unknown> = {
    title: e.title,
    titleTransliterated: e.titleTransliterated,
    composer: e.composer,
    ragas: e.ragas,
    tala: e.tala,
    language: e.language,
    sections: e.sections,
    variants: e.variants.map((v) => ({ script: v.script, sections: v.sections })),
    page: null,
  };
  const want: Record<Field, unknown> = { ...truth, page: null };
  let whole = true;
  for (const f of FIELDS) {
    if (f === 'page') continue;
    if (same(got[f], want[f])) t.exact[f]++;
    else {
      whole = false;
      mismatches.push({ url, field: f, expected: want[f], got: got[f] });
    }
  }
  if (whole) t.exact.page++;
  // Section by section: the i-th expected section matched by the extracted section of that label.
  const byLabel = new Map(e.sections.map((s) => [key(s), s]));
  for (const s of truth.sections) {
    const ok = same(byLabel.get(key(s)), s);
    t.sections.expected++;
    if (ok) t.sections.exact++;
    const bucket = (t.sectionsByType[s.type] ??= { expected: 0, exact: 0 });
    bucket.expected++;
    if (ok) bucket.exact++;
  }
  for (const v of truth.variants) {
    t.variants.expected++;
    if (same(e.variants.find((x) => x.script === v.script)?.sections, v.sections)) t.variants.exact++;
  }
}

const started = Date.now();
let next = 0;
async function worker(): Promise<void> {
  while (next < rows.length) {
    const row = rows[next++] as Row;
    const t = (tally.get(row.site) ?? tally.set(row.site, { rows: 0, failed: 0, exact: Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<Field, number>, sections: { expected: 0, exact: 0 }, sectionsByType: {}, variants: { expected: 0, exact: 0 } }).get(row.site)) as HostTally;
    t.rows++;
    try {
      const page = await fetcher(row.url);
      compare(t, drawKrithiPage(row, { withTala: true }).truth, extractKrithi(page.html, page.finalUrl), row.url);
    } catch (err) {
      t.failed++;
      mismatches.push({ url: row.url, field: 'extract', expected: 'an extraction', got: (err as Error).message });
    }
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
await site.close();

const pct = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 10000) / 100);
const perHost = Object.fromEntries(
  hosts.map((h) => {
    const t = tally.get(h) as HostTally;
    return [h, { ...t, exactSectionsPct: pct(t.exact.sections, t.rows), exactPagesPct: pct(t.exact.page, t.rows), exactVariantsPct: pct(t.variants.exact, t.variants.expected) }];
  }),
);
const result = {
  eval: 'extraction',
  rows: rows.length,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  minExactSectionsPct: Math.min(...hosts.map((h) => perHost[h]!.exactSectionsPct)),
  hosts: perHost,
};
const line = JSON.stringify(result);
console.log(line);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${line}\n`);
for (const m of mismatches.slice(0, Number(values.show))) console.error(JSON.stringify(m));
