/**
 * The benchmark's command line, apart from bench/run.ts so a test can read it without running it.
 * The CLI's own table shape: --help is printed from the same table the arguments are parsed with.
 */
import type { CommandSpec, OptionSpec } from '../src/cli/command';
import { TEMPORAL_MODES } from '../src/temporal/engine';

export const BENCH = {
  name: 'bench',
  program: 'npm run bench --',
  summary: [
    'Runs the whole stack on this machine and drives every row to a terminal state. Without --rows it',
    'imports the three real manifests. Figures go to stderr, the last line of stdout is one JSON object;',
    'outputs land in bench/out/ (docs/PERFORMANCE.md).',
  ].join('\n'),
  options: {
    temporal: { type: 'string', default: 'dev', value: TEMPORAL_MODES.join('|'), help: 'the Temporal backend' },
    compare: { type: 'boolean', default: false, help: 'the same rows on each backend in turn, then one table' },
    rows: { type: 'string', value: 'N', help: 'N generated rows instead of the real manifests' },
    sites: { type: 'string', default: '3', value: 'K', help: 'fixture hosts the generated rows are spread over' },
    rate: { type: 'string', value: 'R', help: 'requests per second per site (default: unthrottled)' },
    latency: { type: 'string', default: '20', value: 'MS', help: "the fixture site's page latency" },
    workers: { type: 'string', default: '1', value: 'W', help: 'worker processes' },
    window: { type: 'string', default: '50', value: 'N', help: 'rows in flight per batch' },
    'rows-per-run': { type: 'string', default: '300', value: 'N', help: 'rows a BatchImport run takes before continue-as-new' },
    baseline: { type: 'boolean', default: false, help: 'also the same rows in process, without Temporal' },
    'no-fairness': { type: 'boolean', default: false, help: "the task queues' fairness off" },
    chaos: { type: 'boolean', default: false, help: 'kill a worker, the Temporal engine and PostgreSQL mid-run' },
    label: { type: 'string', value: 'TEXT', help: "the outputs' name" },
    'worker-heap-mb': { type: 'string', default: '160', value: 'MB', help: "the workers' V8 old space" },
    'worker-semi-mb': { type: 'string', default: '8', value: 'MB', help: "the workers' V8 semi-space" },
    'worker-cpu-prof': { type: 'boolean', default: false, help: "V8 CPU profiles of the workers' JS threads, to bench/out/cpuprof-<time>/" },
    'sqlite-sync': { type: 'string', default: 'NORMAL', value: 'NORMAL|OFF', help: "the dev server's SQLite synchronous pragma" },
    'no-eager': { type: 'boolean', default: false, help: 'eager activity dispatch off' },
    'probe-rows': { type: 'string', value: 'N', help: 'a small batch on the first site, submitted while the big one drains it' },
    'probe-after': { type: 'string', default: '20', value: 'N', help: 'rows of the big batch done before the probe is submitted' },
    'max-seconds': { type: 'string', value: 'S', help: 'stop and report what was reached after S seconds' },
    'api-heap-mb': { type: 'string', default: '128', value: 'MB', help: "the API process's V8 old space" },
  },
} as const satisfies CommandSpec<Record<string, OptionSpec>>;
