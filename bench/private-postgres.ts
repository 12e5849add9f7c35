/**
 * A throwaway PostgreSQL cluster for the chaos run (never the machine's shared server, which
 * other work uses): initdb into a temp directory as the `postgres` user, trust auth on a free
 * port, listening on 127.0.0.1 only. `restart()` is the fault the benchmark injects.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  url: string;
  restart(): void;
  stop(): void;
}

export function startPrivatePostgres(port: number): PrivatePostgres {
  const version = readdirSync('/usr/lib/postgresql').sort().pop();
  if (!version) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'krithi-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // initdb and the server refuse to run as root.
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/${cmd}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: string) =>
    asPostgres('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, action]);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/krithi_bench`,
    restart: () => ctl('restart'),
    stop: () => {
      try {
        ctl('stop');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
