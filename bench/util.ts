import type { ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { commandHelp, isHelp, parseArgsOptions, type CommandSpec, type OptionSpec, type OptionValues } from '../src/cli/command';

export { freePort } from '../src/net';

/** Resident set size of a process in MiB, from /proc (0 when it is gone). */
export function procRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Waits until a spawned `serve` process answers /healthz (it fails fast if the process exits). */
export async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the API process exited with ${child.exitCode}`);
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) return;
    if (i > 240) throw new Error('the API process did not come up');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Streams a manifest file to `POST /v1/batches`, as an editor's upload arrives. */
export async function postManifest(base: string, token: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/v1/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(path)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * A script's command line, read with the CLI's own table (src/cli/command.ts): --help prints the
 * help made from the table and runs nothing; an unknown or malformed option is one line on stderr
 * and exit 2 (an operator's typo, not a stack trace).
 */
export function parseScriptArgs<const O extends Record<string, OptionSpec>>(script: CommandSpec<O>, argv = process.argv.slice(2)): OptionValues<O> {
  if (isHelp(argv)) {
    process.stdout.write(`${commandHelp(script)}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, strict: true, options: parseArgsOptions(script.options) }).values as OptionValues<O>;
  } catch (err) {
    process.stderr.write(`${script.name}: ${(err as Error).message.split('\n')[0]}; see --help\n`);
    process.exit(2);
  }
}
