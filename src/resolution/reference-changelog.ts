/**
 * Renders data/reference/CHANGELOG.md: every change this project makes to the upstream ragas.csv
 * (ragas-corrections.json), the ragas it adds (ragas-added.json) and the alias fixes, each with why and
 * its source. Generated so it cannot drift from the data: `npm run reference:changelog` rewrites it,
 * test/unit/raga-scales.test.ts fails when it is stale.
 */
import { readFileSync } from 'node:fs';

interface Correction {
  id: string;
  field: string;
  from: string;
  to: string;
  why: string;
  source: string;
}
interface Mark {
  id: string;
  anyaSvaras: string[];
  why: string;
  source: string;
}
interface Added {
  id: string;
  name: string;
  parent: string;
  arohanam: string;
  avarohanam: string;
  source: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderChangelog(dir: string): string {
  const read = (f: string) => JSON.parse(readFileSync(`${dir}${f}`, 'utf8'));
  const { corrections, bhashanga } = read('ragas-corrections.json') as { corrections: Correction[]; bhashanga: Mark[] };
  const { ragas: added } = read('ragas-added.json') as { ragas: Added[] };
  const out: string[] = [
    '# Changes to the upstream reference',
    '',
    'Generated from `ragas-corrections.json` and `ragas-added.json` by `npm run reference:changelog`; do not edit by hand.',
    '`ragas.csv` itself stays byte-identical to upstream (carnaticlabs/Sangeetha-Grantha); these changes are applied when it is loaded.',
    'Sources are the ids of `sources.json`.',
    '',
    '## Alias fixes (issue 12)',
    '',
    '- **Sumadyuti / Sumadhyuti** no longer point at melakarta 69 (Dhātuvardhani): in the Dikshitar-school (asampurna) scheme',
    '  Sumadyuti is mela **57** (Simhendramadhyamam); 69 is Dhautapañchamam, which ragas.csv lists as the janya `dhowtha panchamam`.',
    '  The 72 Dikshitar-school names now live in `melakartas.json` (source `wikipedia-asampurna-melakarta`), checked by `test/unit/melakartas.test.ts`.',
    '- **Sama / Saama / Sāma** are aliases of `shyama` (ragas.csv: Shyāmā, harikambhoji, the scale S R2 M1 P D2 S / S D2 P M1 G3 R2 S); source `sama-raga`.',
    '',
    `## Scale corrections (${corrections.length})`,
    '',
    'A correction replaces the whole text of one field; `from` is the upstream text exactly (the loader refuses it otherwise).',
    '',
    '| raga | field | upstream | now | why | source |',
    '|---|---|---|---|---|---|',
    ...corrections.map((c) => `| ${cell(c.id)} | ${c.field} | \`${cell(c.from)}\` | \`${cell(c.to)}\` | ${cell(c.why)} | ${c.source} |`),
    '',
    `## Marked bhashanga (${bhashanga.length})`,
    '',
    'Janyas whose scale in ragas.csv uses svaras outside the parent mela without saying so. Marked, not changed: the outside',
    'svaras become anya svaras. Source `unverified-upstream` means no source was consulted to tell a bhashanga raga from a typing',
    'error; a reviewer with a source should confirm or correct the entry. Ragas whose upstream text already declares its anya',
    'svaras (`(ANya SwaRa*: …)`) are bhashanga without a mark and are not listed here.',
    '',
    '| raga | anya svaras | why | source |',
    '|---|---|---|---|',
    ...bhashanga.map((b) => `| ${cell(b.id)} | ${b.anyaSvaras.join(' ')} | ${cell(b.why)} | ${b.source} |`),
    '',
    `## Added ragas (${added.length})`,
    '',
    ...(added.length === 0
      ? ['None.']
      : [
          '| id | name | parent | arohanam | avarohanam | source |',
          '|---|---|---|---|---|---|',
          ...added.map((r) => `| ${cell(r.id)} | ${cell(r.name)} | ${r.parent} | \`${r.arohanam}\` | \`${r.avarohanam}\` | ${r.source} |`),
        ]),
    '',
  ];
  return out.join('\n');
}
