/**
 * Evaluates entity resolution against a hand-labelled set and prints (and writes as JSON) top-1
 * accuracy, precision of acceptance, coverage, the confusions, a threshold sweep, the coverage of
 * the real manifests' rows and the speed; then the held-out lists of Dikshitar-school mela names and
 * common ragas (kept apart from the reference's aliases), and the confusable pairs of the reference
 * (entries sharing a comparison key or one letter apart), which must never be answered HIGH between.
 *
 *   npm run eval:resolution [-- --labels FILE] [--out FILE] [--high X --low Y]
 *
 * Label file: CSV `kind,input,expected_id[,note]`. expected_id is a reference id; several ragas in
 * one value are joined with `+`; `-` means the reference has no such entity (the right answer is
 * anything but HIGH); a note starting with `ambiguous` excludes the row (reported apart).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import type { Confidence } from '../src/shared';
import {
  confidenceOf,
  createMatcher,
  DEFAULT_THRESHOLDS,
  type Match,
  type Matcher,
  type Thresholds,
} from '../src/resolution/matcher';
import { splitRagaList } from '../src/resolution/normalize';
import { resolveRow, type ResolveInput } from '../src/resolution/policy';
import { loadShippedReference, type EntityKind } from '../src/resolution/reference';

const { values } = parseArgs({
  options: {
    labels: { type: 'string', default: 'data/eval/resolution-labels.csv' },
    out: { type: 'string', default: '.state/eval-resolution.json' },
    manifests: { type: 'string', default: 'data/manifests' },
    high: { type: 'string' },
    low: { type: 'string' },
    'mela-labels': { type: 'string', default: 'data/eval/mela-names-heldout.csv' },
    'common-labels': { type: 'string', default: 'data/eval/common-ragas-heldout.csv' },
  },
});

interface Label {
  kind: EntityKind;
  input: string;
  expected: string;
  note: string;
}

function readLabels(path: string): Label[] {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  const out = rows.map((r): Label => ({ kind: r.kind as EntityKind, input: r.input ?? '', expected: (r.expected_id ?? '').trim(), note: r.note ?? '' }));
  for (const l of out) {
    if (!['raga', 'composer', 'tala'].includes(l.kind)) throw new Error(`${path}: unknown kind '${l.kind}' for input ${JSON.stringify(l.input)}`);
  }
  return out;
}
const labels = readLabels(values.labels);

const thresholds: Thresholds = {
  high: values.high !== undefined ? Number(values.high) : DEFAULT_THRESHOLDS.high,
  low: values.low !== undefined ? Number(values.low) : DEFAULT_THRESHOLDS.low,
};
const reference = loadShippedReference();
const matcher = createMatcher(reference, thresholds);

/** A raga value may name several ragas: each part is matched; the value is as sure as its least sure part. */
function resolveValue(m: Matcher, kind: EntityKind, input: string): Match[] {
  const parts = kind === 'raga' ? splitRagaList(input) : [input];
  return parts.map((p) => m.match(kind, p));
}

const LEVEL: Record<Confidence, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };
function combined(matches: Match[], t: Thresholds): { best: string | null; confidence: Confidence } {
  const bests = matches.map((m) => m.best?.id ?? null);
  const confidence = matches
    .map((m) => confidenceOf(m.candidates, t))
    .reduce<Confidence>((a, b) => (LEVEL[a] <= LEVEL[b] ? a : b), matches.length ? 'HIGH' : 'LOW');
  return { best: bests.includes(null) || bests.length === 0 ? null : bests.join('+'), confidence };
}

const evaluated = labels.map((label) => ({ label, matches: resolveValue(matcher, label.kind, label.input) }));
const isAmbiguous = (l: Label) => /^ambiguous/i.test(l.note) || l.expected === '';
const isAbsent = (l: Label) => l.expected === '-';

function score(t: Thresholds, kind?: EntityKind, set: typeof evaluated = evaluated) {
  const rows = set.filter((e) => !isAmbiguous(e.label) && (!kind || e.label.kind === kind));
  let right = 0;
  let high = 0;
  let rightHigh = 0;
  let known = 0;
  let absentRight = 0;
  let absent = 0;
  const confusions: { kind: string; input: string; expected: string; best: string | null; confidence: Confidence; candidates: string[] }[] = [];
  for (const e of rows) {
    const { best, confidence } = combined(e.matches, t);
    const ok = best === e.label.expected;
    if (confidence === 'HIGH') high++;
    if (isAbsent(e.label)) {
      absent++;
      if (confidence !== 'HIGH') absentRight++;
      else confusions.push({ kind: e.label.kind, input: e.label.input, expected: '-', best, confidence, candidates: [] });
      continue;
    }
    known++;
    if (ok) right++;
    if (ok && confidence === 'HIGH') rightHigh++;
    if (!ok || confidence !== 'HIGH') {
      confusions.push({
        kind: e.label.kind,
        input: e.label.input,
        expected: e.label.expected,
        best,
        confidence,
        candidates: e.matches.flatMap((m) => m.candidates.slice(0, 3).map((c) => `${c.id} ${c.score} ${c.reason}`)),
      });
    }
  }
  const highKnown = high - (absent - absentRight);
  return {
    labelled: known,
    top1: known ? right / known : 0,
    top1Right: right,
    high,
    precision: high ? rightHigh / high : 1,
    rightHigh,
    wrongHigh: high - rightHigh,
    coverage: known ? highKnown / known : 0,
    absent: { rows: absent, notHigh: absentRight },
    confusions,
  };
}

const overall = score(thresholds);
const perKind = Object.fromEntries((['raga', 'composer', 'tala'] as const).map((k) => [k, score(thresholds, k)]));
const ambiguous = evaluated
  .filter((e) => isAmbiguous(e.label))
  .map((e) => ({ kind: e.label.kind, input: e.label.input, note: e.label.note, ...combined(e.matches, thresholds) }));

// Threshold sweep: how precision and coverage move with the upper threshold.
const sweep = [] as { high: number; precision: number; coverage: number; wrongHigh: number }[];
for (let h = 0.8; h <= 1.0001; h += 0.02) {
  const s = score({ high: Math.round(h * 100) / 100, low: thresholds.low });
  sweep.push({ high: Math.round(h * 100) / 100, precision: s.precision, coverage: s.coverage, wrongHigh: s.wrongHigh });
}

// The highest score a wrong entity reaches as best: the upper threshold must stay above it. Counted
// over wrong bests of labelled rows, over rows whose entity is absent from the reference, and over
// ambiguous rows that name a different raga than their best (their best is a guess by definition).
const nearMisses = evaluated
  .filter((e) => isAbsent(e.label) || isAmbiguous(e.label) || combined(e.matches, thresholds).best !== e.label.expected)
  .flatMap((e) => e.matches.filter((m) => m.best && m.best.score < 1).map((m) => ({ kind: e.label.kind, input: m.input, best: m.best!.id, score: m.best!.score })))
  .sort((a, b) => b.score - a.score)
  .slice(0, 5);

// Coverage of the real rows: every manifest row's raga value, weighted by rows (the test manifest
// repeats rows of the three others and is left out).
function manifestCoverage() {
  const files = ['Dikshitar-Krithi-For-Import.csv', 'Syama-Sastri-Krithi-For-Import.csv', 'Thyagaraja-Krithi-For-Import.csv'];
  let rows = 0;
  let high = 0;
  try {
    for (const f of files) {
      const records = parse(readFileSync(`${values.manifests}/${f}`, 'utf8'), { columns: true, skip_empty_lines: true, bom: true }) as { Raga: string }[];
      for (const r of records) {
        rows++;
        if (combined(resolveValue(matcher, 'raga', r.Raga), thresholds).confidence === 'HIGH') high++;
      }
    }
  } catch {
    return null;
  }
  return { rows, high, coverage: rows ? high / rows : 0 };
}
const manifestRows = manifestCoverage();

// Speed: single matches over the labelled inputs, and whole rows (composer hints, ragas, tala).
function speed() {
  const inputs = labels.map((l) => [l.kind, l.input] as const);
  for (const [k, i] of inputs) matcher.match(k, i); // warm up
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (const [k, i] of inputs) matcher.match(k, i);
    n += inputs.length;
  }
  const matchSeconds = (performance.now() - started) / 1000;
  const ragas = labels.filter((l) => l.kind === 'raga').map((l) => l.input);
  const rows: ResolveInput[] = ragas.map((raga, i) => ({
    title: null,
    composerHints: [
      { source: 'manifest', value: ['Tyagaraja', 'Muthuswami Dikshitar', 'Syama Sastri'][i % 3] as string },
      { source: 'mudra', value: ['tyAgarAja', 'guru guha', 'SyAma kRshNa'][i % 3] as string },
      { source: 'site', value: ['thyagaraja-vaibhavam.blogspot.com', 'guru-guha.blogspot.com', 'syamakrishnavaibhavam.blogspot.com'][i % 3] as string },
    ],
    ragas: [raga],
    tala: ['Adi', 'rUpakaM', 'miSra cApu', 'cApu', 'jhampa', 'tripuTa', 'khaNDa cApu'][i % 7] as string,
  }));
  let r = 0;
  const rowStarted = performance.now();
  while (performance.now() - rowStarted < 1000) {
    for (const row of rows) resolveRow(matcher, row);
    r += rows.length;
  }
  const rowSeconds = (performance.now() - rowStarted) / 1000;
  return {
    matchesPerSecond: Math.round(n / matchSeconds),
    microsPerMatch: Math.round((matchSeconds * 1e6 * 10) / n) / 10,
    rowsPerSecond: Math.round(r / rowSeconds),
    microsPerRow: Math.round((rowSeconds * 1e6 * 10) / r) / 10,
  };
}
const perf = speed();

// Held-out lists kept apart from the reference's aliases: Dikshitar-school mela names and common ragas.
function heldOut(path: string) {
  let list: Label[];
  try {
    list = readLabels(path);
  } catch {
    return null;
  }
  const set = list.map((label) => ({ label, matches: resolveValue(matcher, label.kind, label.input) }));
  const s = score(thresholds, undefined, set);
  return {
    labels: path,
    labelled: s.labelled,
    rightHigh: s.rightHigh,
    rightHighShare: s.labelled ? s.rightHigh / s.labelled : 0,
    wrongHigh: s.wrongHigh,
    top1: s.top1,
    notHigh: s.confusions.filter((c) => c.confidence !== 'HIGH').map((c) => `${c.input} → ${c.best ?? '—'} ${c.confidence}`),
  };
}
const heldOutLists = { melaNames: heldOut(values['mela-labels']), commonRagas: heldOut(values['common-labels']) };
const sama = matcher.match('raga', 'sAma');

// Confusable pairs: every name of either entity of a pair, matched. A HIGH answer naming the other
// entity of a pair, or any HIGH answer for a name whose key both share, is a confident error.
function confusablePairs() {
  const pairs = new Set<string>();
  const inputs = new Map<string, Set<string>>();
  for (const r of reference.ragas) {
    if (typeof r.meta?.sameAs === 'string') continue;
    const m = matcher.match('raga', r.name.replace(/\{[^}]*\}/g, ' ').split('/')[0] as string);
    const self = m.candidates.find((c) => c.id === r.id);
    for (const other of self?.confusableWith ?? []) pairs.add([r.id, other].sort().join('\u0000'));
  }
  let tested = 0;
  let highToOther = 0;
  let sharedKeyHigh = 0;
  let highToSelf = 0;
  const errors: string[] = [];
  const byId = new Map(reference.ragas.map((r) => [r.id, r]));
  for (const pair of pairs) {
    const [a, b] = pair.split('\u0000') as [string, string];
    for (const [self, other] of [[a, b], [b, a]] as const) {
      const entity = byId.get(self);
      if (!entity) continue;
      for (const name of [entity.name, ...entity.aliases].flatMap((n) => n.replace(/\{[^}]*\}/g, ' ').split('/')).map((n) => n.trim()).filter(Boolean)) {
        const m = matcher.match('raga', name);
        tested++;
        const shared = m.candidates.some((c) => c.id === other && c.reason !== 'fuzzy' && c.reason !== 'token');
        if (m.confidence !== 'HIGH') continue;
        if (m.best?.id === other) {
          highToOther++;
          errors.push(`${name} → ${other} HIGH (is ${self})`);
        } else if (shared) {
          sharedKeyHigh++;
          errors.push(`${name} → ${m.best?.id} HIGH though ${other} shares its key`);
        } else if (m.best?.id === self) highToSelf++;
      }
    }
  }
  return { pairs: pairs.size, namesTested: tested, highToOther, sharedKeyHigh, highToSelf, errors };
}
const confusables = confusablePairs();

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const report = {
  labels: values.labels,
  thresholds,
  overall: { ...overall, confusions: undefined },
  perKind: Object.fromEntries(Object.entries(perKind).map(([k, v]) => [k, { ...v, confusions: undefined }])),
  confusions: overall.confusions,
  ambiguous,
  sweep,
  nearMisses,
  manifestRows,
  heldOut: heldOutLists,
  sama: { input: 'sAma', best: sama.best?.id ?? null, confidence: sama.confidence },
  confusablePairs: confusables,
  speed: perf,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);

console.log(`labels ${values.labels}: thresholds high ${thresholds.high}, low ${thresholds.low}`);
for (const [name, s] of [['all', overall], ...Object.entries(perKind)] as const) {
  console.log(
    `  ${name.padEnd(9)} labelled ${String(s.labelled).padStart(4)}  top-1 ${pct(s.top1).padStart(6)} (${s.top1Right})  ` +
      `precision ${pct(s.precision).padStart(6)} (${s.rightHigh}/${s.high})  coverage ${pct(s.coverage).padStart(6)}  ` +
      `absent not HIGH ${s.absent.notHigh}/${s.absent.rows}`,
  );
}
if (manifestRows) console.log(`real manifest rows: ${manifestRows.high}/${manifestRows.rows} HIGH (${pct(manifestRows.coverage)})`);
console.log(`ambiguous (excluded): ${ambiguous.length}`);
for (const a of ambiguous) console.log(`  ${a.kind} ${JSON.stringify(a.input)} → ${a.best ?? '—'} ${a.confidence}`);
console.log('confusions (wrong best, or not HIGH):');
for (const c of overall.confusions) {
  const mark = c.best === c.expected ? ' ' : c.confidence === 'HIGH' ? '!' : 'x';
  console.log(`  ${mark} ${c.kind} ${JSON.stringify(c.input)} expected ${c.expected} → ${c.best ?? '—'} ${c.confidence}   [${c.candidates.join(' | ')}]`);
}
console.log('threshold sweep (high → precision, coverage, wrong HIGH):');
console.log(`  ${sweep.map((s) => `${s.high.toFixed(2)}: ${pct(s.precision)} ${pct(s.coverage)} ${s.wrongHigh}`).join('\n  ')}`);
console.log(`highest-scoring guesses that are not (surely) right — the upper threshold must exceed them:`);
for (const n of nearMisses) console.log(`  ${n.kind} ${JSON.stringify(n.input)} → ${n.best} ${n.score}`);
for (const [name, h] of [['Dikshitar mela names', heldOutLists.melaNames], ['common ragas', heldOutLists.commonRagas]] as const) {
  if (!h) continue;
  console.log(
    `held-out ${name} (${h.labels}): labelled ${h.labelled}  right at HIGH ${pct(h.rightHighShare)} (${h.rightHigh})  ` +
      `confidently wrong ${h.wrongHigh}  top-1 ${pct(h.top1)}`,
  );
  for (const n of h.notHigh) console.log(`    not HIGH: ${n}`);
}
console.log(`Sama present: sAma → ${sama.best?.id ?? '—'} ${sama.confidence}`);
console.log(
  `confusable pairs: ${confusables.pairs} pairs (shared key or one letter apart), ${confusables.namesTested} names matched: ` +
    `HIGH to the other entity ${confusables.highToOther}, HIGH on a shared key ${confusables.sharedKeyHigh}, HIGH to itself ${confusables.highToSelf}`,
);
for (const e of confusables.errors) console.log(`  ! ${e}`);
console.log(
  `speed: ${perf.matchesPerSecond} matches/s (${perf.microsPerMatch} µs each); ${perf.rowsPerSecond} rows/s (${perf.microsPerRow} µs per row: 3 composer hints, ragas, tala)`,
);
console.log(`written ${values.out}`);
