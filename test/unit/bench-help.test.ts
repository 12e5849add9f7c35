/**
 * The benchmark scripts as an operator runs them: `--help` prints the usage with every option the
 * script takes and starts nothing; a typo is one line and exit 2, not a stack trace. A script that
 * ignored --help would start a Temporal server and run for minutes: the timeout would catch it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCH } from '../../bench/options';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, script), ...args],
      { cwd: ROOT, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('bench scripts: --help and unknown options', { timeout: 60_000 }, () => {
  it('when bench/run.ts is given --help, then it prints a usage naming every option, exit 0, and runs nothing', async () => {
    const r = await run('bench/run.ts', ['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('usage: npm run bench --')).toBe(true);
    for (const option of Object.keys(BENCH.options)) expect(r.stdout, `--help lacks --${option}`).toContain(`--${option}`);
  });

  it('when bench/run.ts is given an unknown option or one without its value, then it says which in one line and exits 2', async () => {
    const unknown = await run('bench/run.ts', ['--rowz', '10']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe("bench: Unknown option '--rowz'; see --help");
    const missing = await run('bench/run.ts', ['--rows']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('--rows');
  });

  it('when bench/upload.ts is given --help or a typo, then the same holds', async () => {
    const help = await run('bench/upload.ts', ['-h']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('usage: npm run bench:upload -- [--rows N]');
    const typo = await run('bench/upload.ts', ['--row', '5']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("bench:upload: Unknown option '--row'; see --help");
  });
});
