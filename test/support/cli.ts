/**
 * Running the CLIs as an operator would: `krithi-import` and `temporal` on PATH (a shim directory
 * pointing at bin/krithi-import.js and the suite's temporal binary), commands run by bash with a
 * given environment, long-running ones (workers) as child process groups. Also reads the fenced
 * `sh` blocks of docs/RUNBOOK.md so the runbook test executes exactly what the document says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliKit {
  env: Record<string, string>;
  /** Runs a bash script (`set -euo pipefail`) with the kit's env plus `extra`. */
  sh(script: string, extra?: Record<string, string>, stdin?: string): Promise<ShellResult>;
  /** Runs `krithi-import …` and parses the last stdout line as JSON (throws on a non-zero exit). */
  cli<T = Record<string, unknown>>(args: string[], extra?: Record<string, string>): Promise<T>;
  /** Starts a long-running script; resolves once `ready` appears on its stderr. */
  background(script: string, ready: RegExp, extra?: Record<string, string>): Promise<ChildProcess>;
  stop(child: ChildProcess): Promise<void>;
  /** What a background process wrote to stderr so far (for failure messages). */
  logOf(child: ChildProcess): string;
  close(): Promise<void>;
}

export function createCliKit(baseEnv: Record<string, string>, temporalBin: string): CliKit {
  const dir = mkdtempSync(join(tmpdir(), 'krithi-cli-'));
  writeFileSync(join(dir, 'krithi-import'), `#!/bin/sh\nexec "${process.execPath}" "${ROOT}bin/krithi-import.js" "$@"\n`);
  chmodSync(join(dir, 'krithi-import'), 0o755);
  symlinkSync(temporalBin, join(dir, 'temporal'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...baseEnv,
    PATH: `${dir}:${process.env.PATH}`,
  };
  const children = new Set<ChildProcess>();
  const logs = new WeakMap<ChildProcess, () => string>();

  const sh: CliKit['sh'] = (script, extra = {}, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
        env: { ...env, ...extra },
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });

  return {
    env,
    sh,
    async cli(args, extra) {
      const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const r = await sh(`krithi-import ${quoted}`, extra);
      if (r.code !== 0) throw new Error(`krithi-import ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      return JSON.parse(last);
    },
    background(script, ready, extra = {}) {
      const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
        env: { ...env, ...extra },
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true, // its own process group, so stop() reaches the node process under bash
      });
      children.add(child);
      let seen = '';
      logs.set(child, () => seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`background start timed out:\n${seen}`)), 60_000);
        child.stderr!.on('data', (d) => {
          seen += d;
          if (ready.test(seen)) {
            clearTimeout(timer);
            resolve(child);
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`background process exited ${code} before it was ready:\n${seen}`));
        });
      });
    },
    logOf: (child) => logs.get(child)?.() ?? '',
    async stop(child) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
    async close() {
      for (const c of [...children]) await this.stop(c);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunbookBlock {
  background: boolean;
  code: string;
}

/** The `sh` blocks of one runbook entry, found by its number (`## 3. …`). */
export function runbookBlocks(entry: number): { title: string; testName: string; blocks: RunbookBlock[] } {
  const text = readFileSync(`${ROOT}docs/RUNBOOK.md`, 'utf8');
  const sections = text.split(/^## /m).slice(1);
  const section = sections.find((s) => s.startsWith(`${entry}. `));
  if (!section) throw new Error(`RUNBOOK.md has no entry ${entry}`);
  const title = section.split('\n')[0]!.replace(/^\d+\.\s*/, '');
  const testName = /^Test: `([^`]+)`/m.exec(section)?.[1] ?? '';
  const blocks = [...section.matchAll(/^```sh( background)?\n([\s\S]*?)^```/gm)].map((m) => ({
    background: Boolean(m[1]),
    code: m[2]!,
  }));
  return { title, testName, blocks };
}

/** Replaces `<name>` placeholders; one the caller did not supply is an error (doc and test drifted). */
export function fill(code: string, vars: Record<string, string>): string {
  return code.replace(/<([a-zA-Z][a-zA-Z0-9]*)>/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`runbook placeholder <${name}> has no value in the test`);
    return v;
  });
}

/**
 * A `krithi-import worker` process, as a deployment runs one: the e2e tests SIGKILL these and start
 * others. Its stderr is kept (the last 8 KB) for failure messages.
 */
export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [`${ROOT}bin/krithi-import.js`, 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8192);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, log: () => stderr };
}

/** SIGKILLs every worker still running (a test's afterAll). */
export function killWorkers(workers: WorkerProcess[]): void {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
}
