/**
 * A throwaway PostgreSQL cluster for runs that restart their database (the chaos benchmark, the
 * model-based test) — never the machine's shared server, which other work uses: initdb into a
 * temp directory as the `postgres` user, trust auth on a free port, listening on 127.0.0.1 only.
 * `restart()` is the fault those runs inject.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  /** The URL of database `database` on this cluster (created by the caller). */
  url: string;
  /**
   * Stops and starts the server. `fast` (the default) is an orderly restart; `immediate` kills
   * the server processes without a checkpoint, as a crash would, and recovery replays the WAL.
   */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(): void;
}

export function startPrivatePostgres(port: number, database = 'krithi_bench'): PrivatePostgres {
  const version = readdirSync('/usr/lib/postgresql').sort().pop();
  if (!version) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'krithi-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // initdb and the server refuse to run as root: as root, run them as the `postgres` user.
  const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', `${bin}/${cmd}`, ...args]] : [`${bin}/${cmd}`, args];
  const run = (cmd: string, args: string[]) => execFileSync(...asPostgres(cmd, args), { stdio: ['ignore', 'ignore', 'pipe'] });
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctlArgs = (action: string, mode: string) => ['-D', data, '-w', '-l', join(dir, 'log'), '-m', mode, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, action];
  const ctl = (action: string, mode = 'fast') => run('pg_ctl', ctlArgs(action, mode));
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    // Asynchronous: the caller's process goes on serving (a fixture site, services) while the
    // database is down, as the rest of a deployment would.
    restart: async (mode = 'fast') => {
      await promisify(execFile)(...asPostgres('pg_ctl', ctlArgs('restart', mode)));
    },
    stop: () => {
      try {
        ctl('stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
