/**
 * `krithi-import watch` on a real terminal: the CLI runs under a pseudo-terminal (util-linux
 * `script`), so it draws its bar the way a person sees it, redrawn in place with `\r`. The rows'
 * progress is written to PostgreSQL by the test, standing in for the workers (watch reads only
 * PostgreSQL), so each frame's expected counts are known exactly: imported / review / failed, the
 * rate and ETA while running, "paused" while paused, the note on the duplicate line said once, and
 * exit 1 because a row failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection, Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parseConfig } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { createBatchService } from '../../src/services/batches';
import { batchSettingsFrom } from '../../src/services/settings';
import { ROOT } from '../support/cli';

let sql: Sql;
let connection: Connection;
let shown = '';

beforeAll(async () => {
  sql = createSql(inject('databaseUrl'), { max: 2 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
  await sql?.end({ timeout: 5 });
});

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; the terminal showed:\n${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('when a person watches a batch on a terminal', () => {
  it('then the bar shows imported, review and failed counts, rate and ETA, "paused" while paused, and the duplicate is explained once', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const lines = Array.from({ length: 10 }, (_, i) => `krithi ${tag} ${i},kalyani,https://guru-guha.blogspot.com/2024/01/${tag}-${i}.html`);
    const csv = ['Krithi,Raga,Hyperlink', ...lines, lines[3]].join('\r\n'); // line 12 repeats line 5
    const config = parseConfig({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress') });
    const batches = createBatchService({ sql, client: new Client({ connection }) });
    // Not started: the test moves the rows itself.
    const { batchId } = await batches.submit({ source: csv, createdBy: 'test', maxBytes: 1e6, settings: batchSettingsFrom(config), start: false });
    const setRows = (lineNos: number[], status: string) =>
      sql`UPDATE import_rows SET status = ${status} WHERE batch_id = ${batchId} AND line = ANY(${lineNos}::int[])`;
    const setBatch = (status: string) => sql`UPDATE batches SET status = ${status} WHERE id = ${batchId}`;
    await setBatch('RUNNING'); // a batch submitted without a start is recorded as COMPLETED

    let output = '';
    const child: ChildProcess = spawn('script', ['-q', '-e', '-c', `node ${ROOT}bin/krithi-import.js watch ${batchId}`, '/dev/null'], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), COLUMNS: '200' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (shown = output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const frames = () => output.split(/\r(?!\n)/).map((f) => f.replace(/\x1b\[K/g, '').trim());

    try {
      await until('the first frame', () => frames().some((f) => f.startsWith('[') && f.includes('0/10')));
      await setRows([2, 3, 4, 5], 'IMPORTED');
      await setRows([6], 'FAILED');
      await setRows([7], 'PENDING_REVIEW');
      await until('a frame with the counts and a rate', () =>
        frames().some((f) => /5\/10 · imported 4 · review 1 · failed 1 · \d+(\.\d)? rows\/s · ETA (\d+s|\d+m \d\ds)$/.test(f)),
      );
      await setBatch('PAUSED');
      await until('a paused frame', () => frames().some((f) => f.endsWith('· paused')));
      await setBatch('RUNNING');
      await setRows([8, 9, 10], 'IMPORTED');
      await setRows([11], 'PENDING_REVIEW');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
      expect(code, output).toBe(1); // a row failed

      const all = frames();
      const paused = all.filter((f) => f.endsWith('· paused'));
      expect(paused.length).toBeGreaterThan(0);
      for (const f of paused) expect(f).not.toMatch(/rows\/s|ETA/);
      const last = `[${'█'.repeat(24)}${'▒'.repeat(6)}] 8/10 · imported 7 · review 2 · failed 1 · waiting for review\r\n`;
      expect(all.some((f) => f.startsWith(last.trim())), all.join('\n')).toBe(true);
      expect(output).toContain(`1 row failed: krithi-import report ${batchId} shows why`);
      expect(output.split("10 of the file's 11 records run; 1 duplicate (same page as an earlier line) left out").length - 1).toBe(1);
      expect(output).toContain(`2 rows await review: krithi-import review list --batch ${batchId}`);
      expect(output).toContain(`batch ${batchId} RUNNING: 7 imported, 2 awaiting review, 0 rejected, 1 failed of 10`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
