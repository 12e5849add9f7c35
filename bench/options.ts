/** The benchmark's options and usage, apart from bench/run.ts so a test can read them without running it. */
import { TEMPORAL_MODES } from '../src/temporal/engine';

export const BENCH_OPTIONS = {
  temporal: { type: 'string', default: 'dev' },
  compare: { type: 'boolean', default: false },
  rows: { type: 'string' },
  sites: { type: 'string', default: '3' },
  rate: { type: 'string' },
  latency: { type: 'string', default: '20' },
  workers: { type: 'string', default: '1' },
  window: { type: 'string', default: '50' },
  'rows-per-run': { type: 'string', default: '300' },
  baseline: { type: 'boolean', default: false },
  'no-fairness': { type: 'boolean', default: false },
  chaos: { type: 'boolean', default: false },
  label: { type: 'string' },
  'worker-heap-mb': { type: 'string', default: '160' },
  'worker-semi-mb': { type: 'string', default: '8' },
  'sqlite-sync': { type: 'string', default: 'NORMAL' },
  'no-eager': { type: 'boolean', default: false },
  // Fairness probe: a small batch on the first site, submitted while the big one drains it.
  'probe-rows': { type: 'string' },
  'probe-after': { type: 'string', default: '20' },
  'max-seconds': { type: 'string' },
  'api-heap-mb': { type: 'string', default: '128' },
} as const;

export const BENCH_USAGE = `usage: npm run bench -- [--temporal ${TEMPORAL_MODES.join('|')}] [--compare] [--rows N] [--sites K]
         [--rate R] [--latency MS] [--workers W] [--window N] [--rows-per-run N] [--baseline]
         [--no-fairness] [--chaos] [--label TEXT] [--max-seconds S] [--sqlite-sync NORMAL|OFF]
         [--no-eager] [--probe-rows N] [--probe-after N] [--worker-heap-mb N] [--worker-semi-mb N]
         [--api-heap-mb N]

Runs the whole stack on this machine and drives every row to a terminal state. Without --rows it
imports the three real manifests; --rows N generates N rows over --sites K fixture hosts. Figures go
to stderr, the last line of stdout is one JSON object; outputs land in bench/out/ (docs/PERFORMANCE.md).
`;

