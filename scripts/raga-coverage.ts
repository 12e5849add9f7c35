/**
 * How the raga spellings of the real manifests resolve with the default thresholds:
 * counts of distinct spellings and of rows per confidence, then every MEDIUM/LOW spelling with its
 * best candidate. Run: npx tsx scripts/raga-coverage.ts [--high] (also list the HIGH ones).
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { createMatcher, type Match } from '../src/resolution/matcher';
import { loadShippedReference } from '../src/resolution/reference';

const MANIFEST_DIR = process.env.MANIFEST_DIR ?? fileURLToPath(new URL('../data/manifests', import.meta.url));
const MANIFESTS = [
  'Dikshitar-Krithi-For-Import.csv',
  'Syama-Sastri-Krithi-For-Import.csv',
  'Thyagaraja-Krithi-For-Import.csv',
  'Musical-Trinity-Krithi-Test-60.csv',
];
/** The test manifest repeats rows of the three composer files; rows are counted over those three. */
const ROW_MANIFESTS = new Set(MANIFESTS.slice(0, 3));

const rowsPerSpelling = new Map<string, number>();
for (const file of MANIFESTS) {
  const rows = parse(readFileSync(`${MANIFEST_DIR}/${file}`, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }) as {
    Raga: string;
  }[];
  for (const row of rows) {
    const raga = row.Raga.trim();
    rowsPerSpelling.set(raga, (rowsPerSpelling.get(raga) ?? 0) + (ROW_MANIFESTS.has(file) ? 1 : 0));
  }
}

const matcher = createMatcher(loadShippedReference());
const results: { match: Match; rows: number }[] = [];
const started = performance.now();
for (const [raga, rows] of rowsPerSpelling) results.push({ match: matcher.match('raga', raga), rows });
const elapsed = performance.now() - started;

const REPEAT = 20;
const timed = performance.now();
for (let i = 0; i < REPEAT; i++) for (const raga of rowsPerSpelling.keys()) matcher.match('raga', raga);
const meanMicros = ((performance.now() - timed) * 1000) / (REPEAT * rowsPerSpelling.size);

const levels = ['HIGH', 'MEDIUM', 'LOW'] as const;
console.log(`distinct raga spellings: ${results.length} (first pass ${elapsed.toFixed(1)} ms)`);
for (const level of levels) {
  const hit = results.filter((r) => r.match.confidence === level);
  console.log(`  ${level.padEnd(6)} spellings ${String(hit.length).padStart(4)}   rows ${hit.reduce((n, r) => n + r.rows, 0)}`);
}
console.log(`rows: ${results.reduce((n, r) => n + r.rows, 0)}; mean match time ${meanMicros.toFixed(1)} µs`);

const show = (r: { match: Match; rows: number }): string => {
  const [best, second] = r.match.candidates;
  const fmt = (c: typeof best): string => (c ? `${c.name} (${c.id}) ${c.score} ${c.reason}` : '—');
  return `  ${JSON.stringify(r.match.input).padEnd(28)} ×${String(r.rows).padEnd(3)} → ${fmt(best)}${second ? `   | next: ${fmt(second)}` : ''}`;
};
for (const level of process.argv.includes('--high') ? levels : (['MEDIUM', 'LOW'] as const)) {
  console.log(`\n${level}:`);
  for (const r of results.filter((x) => x.match.confidence === level)) console.log(show(r));
}
