/**
 * Every command of the table as a user runs it: `--help` prints its usage and exits 0 having run
 * nothing; an option it does not take is a one-line usage error, exit 2, no stack. The database and
 * Temporal are pointed at closed ports, so a command that tried to do its work (migrate, worker)
 * would fail or hang instead of printing its help.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/krithi-import.js'), ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          TEMPORAL_ADDRESS: '127.0.0.1:1',
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** A few at a time: each is a node process compiling TypeScript. */
async function each<T, R>(items: readonly T[], f: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await f(items[i]!);
      }
    }),
  );
  return results;
}

describe('krithi-import --help and unknown options', { timeout: 180_000 }, () => {
  it('when any command is given --help, then it prints its usage and every option it takes, exit 0, and runs nothing', async () => {
    const results = await each(COMMANDS, (c) => run([...c.name.split(' '), '--help']));
    COMMANDS.forEach((c, i) => {
      const r = results[i]!;
      expect(r.code, `${c.name} --help: ${r.stderr}`).toBe(0);
      expect(r.stderr, `${c.name} --help wrote to stderr`).toBe('');
      expect(r.stdout.startsWith(`usage: krithi-import ${c.name}`), `${c.name}: ${r.stdout}`).toBe(true);
      for (const option of Object.keys(c.options)) expect(r.stdout, `${c.name} --help lacks --${option}`).toContain(`--${option}`);
    });
  });

  it('when any command is given an option it does not take, then one line on stderr, exit 2, nothing on stdout', async () => {
    const results = await each(COMMANDS, (c) => run([...c.name.split(' '), '--no-such-option']));
    COMMANDS.forEach((c, i) => {
      const r = results[i]!;
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n'), `${c.name}: ${r.stderr}`).toHaveLength(1);
      expect(r.stderr).toContain(`krithi-import ${c.name}: unknown option '--no-such-option'`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('when the command line names no command, an unknown one, or a review subcommand that does not exist, then a usage error (exit 2)', async () => {
    const [none, unknown, sub, overview] = await Promise.all([run([]), run(['frobnicate']), run(['review', 'approv', 'x:2']), run(['--help'])]);
    expect(none.code).toBe(2);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr.trim()).toBe("krithi-import: unknown command 'frobnicate' (krithi-import --help lists them)");
    expect(sub.code).toBe(2);
    expect(sub.stderr.trim()).toBe("krithi-import review: unknown subcommand 'approv'; one of list, approve, reject");
    expect(overview.code).toBe(0);
    for (const c of COMMANDS) expect(overview.stdout).toContain(`  ${c.name}`);
  });

  it('when a row is given as a bare number without its batch, then review approve refuses it as ambiguous before connecting', async () => {
    const r = await run(['review', 'approve', '78']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("krithi-import review approve: which batch's line 78? give <batchId>:78 (or --batch <batchId>)");
  });

  it('when submit names a file that does not exist, then one line naming it, exit 1, no unhandled error event', async () => {
    const r = await run(['submit', 'nosuch.csv']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('krithi-import submit: cannot read nosuch.csv: ENOENT');
  });
});
