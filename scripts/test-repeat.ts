/**
 * Flake hunt: `npm run test:repeat -- N [vitest args…]` runs the whole suite N times, each on a
 * freshly reset database and its own dev server (the suite's global setup does both), and prints
 * each run's failures, then every test that failed at least once with how often. No retries: a
 * test that fails once here is a flake to fix, not to re-run. Exits non-zero if any run failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface AssertionResult {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'todo' | 'skipped';
  failureMessages?: string[];
}
interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: AssertionResult[] }[];
}

const [countArg, ...vitestArgs] = process.argv.slice(2);
const runs = Number(countArg ?? '5');
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run test:repeat -- N [vitest args…]   (N ≥ 1 runs of the whole suite)');
  process.exit(2);
}

const root = join(import.meta.dirname, '..');
const outDir = join(root, '.state', 'repeat');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const failures = new Map<string, number>();
let failedRuns = 0;
for (let i = 1; i <= runs; i++) {
  const out = join(outDir, `run-${i}.json`);
  const started = Date.now();
  const run = spawnSync('npx', ['vitest', 'run', `--outputFile.json=${out}`, ...vitestArgs], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: process.env,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  let report: Report | undefined;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  } catch {
    report = undefined;
  }
  if (!report) {
    failedRuns++;
    console.log(`run ${i}/${runs}: no report (vitest exit ${run.status ?? run.signal}) in ${seconds} s`);
    failures.set('(no report)', (failures.get('(no report)') ?? 0) + 1);
    continue;
  }
  const failed: string[] = [];
  for (const file of report.testResults) {
    const rel = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    // A file that failed outside any test (a hook, an import) has no failed assertion of its own.
    if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) {
      failed.push(`${rel} (file: ${(file.message ?? '').split('\n')[0]})`);
    }
    for (const a of file.assertionResults) if (a.status === 'failed') failed.push(`${rel} › ${a.fullName}`);
  }
  if (failed.length > 0 || run.status !== 0) failedRuns++;
  // A file that failed outside its tests reports them skipped: its failure counts here too.
  const fileFailures = failed.length - report.testResults.reduce((n, f) => n + f.assertionResults.filter((a) => a.status === 'failed').length, 0);
  console.log(`run ${i}/${runs}: ${report.numPassedTests} passed, ${report.numFailedTests + fileFailures} failed in ${seconds} s`);
  for (const f of failed) {
    console.log(`  FAIL ${f}`);
    failures.set(f, (failures.get(f) ?? 0) + 1);
  }
}

console.log(`\n${runs - failedRuns} of ${runs} runs passed`);
for (const [name, n] of [...failures].sort((a, b) => b[1] - a[1])) console.log(`  ${n}× ${name}`);
process.exitCode = failedRuns > 0 ? 1 : 0;
