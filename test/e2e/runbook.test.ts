/**
 * docs/RUNBOOK.md, really run: each test below executes the `sh` blocks of one runbook entry as an
 * operator would (bash, the `temporal` CLI, `krithi-import` on PATH) against the suite's dev server
 * with a worker process of its own — entry 6 against a separate server that it loses — and then
 * checks that the entry did what its text says. Test names match the `Test:` line of each entry.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { findCaller } from '../../src/api/auth';
import { parseApiTokens } from '../../src/config';
import { createSql, type Sql } from '../../src/db/client';
import { startFixtureSite, type FixtureFault, type FixtureSite } from '../../src/fixture-site/server';
import { rowWorkflowId } from '../../src/shared';
import type { DevServer } from '../../src/temporal/dev-server';
import { startTestServer } from '../support/global-setup';
import { SITES, testPrefix } from '../support/harness';
import { createCliKit, fill, runbookBlocks, type CliKit } from '../support/cli';

const NEW_SITE = 'new-krithi-source.blogspot.com';
const WORKER_READY = /worker polling/;

let site: FixtureSite;
let sql: Sql;
let connection: Connection;
let client: Client;
let kit: CliKit;
let prefix: string;
let worker: ChildProcess;
const dir = mkdtempSync(join(tmpdir(), 'krithi-runbook-'));
const extraServers: DevServer[] = [];

beforeAll(async () => {
  site = await startFixtureSite({ port: 0, latencyMs: 0, defaultFaults: false, slowMs: 1500 });
  prefix = testPrefix();
  kit = createCliKit(
    {
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE_PREFIX: prefix,
      SITE_RATE_LIMIT: '100',
      SCRAPE_MAX_ATTEMPTS: '2',
      SCRAPE_INITIAL_RETRY_MS: '100',
      FETCH_HOST_OVERRIDES: JSON.stringify(site.hostOverrides([...SITES, NEW_SITE])),
      WORKER_SHUTDOWN_GRACE_MS: '3000',
      LOG_LEVEL: 'error',
      METRICS_PORT: '0',
      KRITHI_ACTOR: 'ops',
    },
    inject('temporalBin'),
  );
  sql = createSql(inject('databaseUrl'), { max: 4 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  worker = await kit.background('krithi-import worker', WORKER_READY);
});

afterAll(async () => {
  await kit?.close();
  await connection?.close();
  await site?.close();
  await sql?.end({ timeout: 5 });
  for (const s of extraServers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A raga name the resolver cannot match. Unique per row: approving one with `--raga` teaches the
 * resolver that name as an alias, and later rows would then be imported without review.
 */
const unknownRaga = () => `${[...randomBytes(7)].map((b) => 'bcdfgklmnprstvz'[b % 15]).join('')}x rAgaM`;

interface Row {
  url: string;
  raga?: string;
  fault?: FixtureFault;
  host?: string;
}

/** Writes a manifest file of unique rows and teaches the fixture site their pages. */
function manifestFile(rows: Row[]): { path: string; urls: string[] } {
  const tag = randomBytes(3).toString('hex');
  const urls: string[] = [];
  const lines = ['Krithi,Raga,Hyperlink'];
  rows.forEach((r, i) => {
    const url = `https://${r.host ?? SITES[i % SITES.length]}/2024/05/${tag}-${r.url}-${i}.html`;
    urls.push(url);
    lines.push(`krithi ${tag} ${r.url} ${i},${r.raga ?? 'kalyANi'},${url}`);
    site.addRows([{ url, title: `krithi ${tag} ${r.url} ${i}`, raga: r.raga ?? 'kalyANi' }]);
    if (r.fault) site.setFault(url, r.fault);
  });
  const path = join(dir, `${tag}.csv`);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return { path, urls };
}

async function submit(rows: Row[], extra?: Record<string, string>) {
  const m = manifestFile(rows);
  const res = await kit.cli<{ batchId: string; acceptedRows: number }>(['submit', m.path], extra);
  return { ...res, ...m };
}

async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function rowsOf(batchId: string) {
  return (await sql`
    SELECT id::text, line, status, error_type, krithi_id::text FROM import_rows
    WHERE batch_id = ${batchId} AND kind = 'record' ORDER BY line`) as unknown as {
    id: string;
    line: number;
    status: string;
    error_type: string | null;
    krithi_id: string | null;
  }[];
}

const settledRows = (batchId: string, pred: (r: Awaited<ReturnType<typeof rowsOf>>) => boolean, what: string) =>
  until(async () => {
    const r = await rowsOf(batchId);
    return pred(r) ? r : undefined;
  }, what).catch(async (err: Error) => {
    throw new Error(`${err.message}: rows ${JSON.stringify(await rowsOf(batchId))}; worker: ${worker.exitCode ?? 'running'}\n${kit.logOf(worker).slice(-3000)}`);
  });

/** Visibility is eventually consistent: wait until a list query sees `n` workflows. */
async function visible(query: string, n: number, c: Client = client) {
  await until(async () => {
    let count = 0;
    for await (const _ of c.workflow.list({ query })) count += 1;
    return count === n;
  }, `${n} workflows for ${query}`);
}

async function runEntry(entry: number, vars: Record<string, string>, extra?: Record<string, string>) {
  const { blocks, testName } = runbookBlocks(entry);
  // The entry's `Test:` line names this test: text and test cannot drift apart.
  expect(expect.getState().currentTestName).toContain(testName);
  const outputs: string[] = [];
  const background: ChildProcess[] = [];
  for (const b of blocks) {
    const code = fill(b.code, vars);
    if (b.background) {
      background.push(await kit.background(code, WORKER_READY, extra));
      continue;
    }
    const r = await kit.sh(code, extra);
    if (r.code !== 0) throw new Error(`runbook entry ${entry} block failed (${r.code}):\n${code}\n${r.stderr}\n${r.stdout}`);
    outputs.push(r.stdout + r.stderr);
  }
  return { testName, output: outputs.join('\n'), outputs, background };
}

describe('docs/RUNBOOK.md', () => {
  it('runbook 1: find a stuck or failing row', async () => {
    // Row 4's site has no scrape worker yet (entry 9 adds one): it is stuck in SCRAPING.
    const res = await submit([{ url: 'ok' }, { url: 'gone', fault: 'not-found' }, { url: 'stuck', host: NEW_SITE }], {
      SOURCE_SITES: [...SITES, NEW_SITE].join(','),
    });
    await settledRows(res.batchId, (r) => r[1]?.status === 'FAILED' && r[2]?.status === 'SCRAPING', 'row 3 failed, row 4 scraping');
    const failed = rowWorkflowId(res.batchId, 3);
    const stuck = rowWorkflowId(res.batchId, 4);
    // Exactly the batch's failed rows, by Temporal's own status (the row's run closed Failed).
    await visible(`BatchId="${res.batchId}" AND ExecutionStatus="Failed" AND WorkflowType="KrithiImport"`, 1);
    await visible(`BatchId="${res.batchId}" AND ImportStatus="FAILED"`, 1);
    const { output, outputs } = await runEntry(1, { batchId: res.batchId, rowWorkflowId: failed, stuckRowWorkflowId: stuck });
    expect(outputs[0]).toContain(failed); // the list names the failed row's workflow
    expect(outputs[0]).not.toContain(stuck);
    expect(output).toContain('HTTP_NOT_FOUND'); // in the report line and the status counts
    const reportLine = outputs[0]!.split('\n').find((l) => l.startsWith(`{"row":"${res.batchId}:3","line":3,`));
    expect(JSON.parse(reportLine!)).toMatchObject({ status: 'FAILED', errorType: 'HTTP_NOT_FOUND' });
    expect(outputs[1]).toContain(stuck); // the running rows
    expect(outputs[1]).toMatch(/scrapePage/); // describe shows the pending scrape
  });

  it('runbook 2: retry the failed rows of a batch', async () => {
    const res = await submit([
      { url: 'fine' },
      { url: 'flaky', fault: 'server-error-always' },
      { url: 'flaky2', fault: 'server-error-always' },
    ]);
    await settledRows(res.batchId, (r) => r[1]?.status === 'FAILED' && r[2]?.status === 'FAILED', 'rows 3 and 4 failed');
    await visible(`BatchId="${res.batchId}" AND ExecutionStatus="Failed" AND WorkflowType="KrithiImport"`, 2);
    // A row that did not fail is refused, naming its status, and nothing moves.
    const refused = await kit.sh(`krithi-import retry ${res.batchId}:2`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`row ${res.batchId}:2 is IMPORTED; only a FAILED row is retried`);
    site.setFault(res.urls[1]!, 'none'); // the sites are fixed
    site.setFault(res.urls[2]!, 'none');
    const { output } = await runEntry(2, { batchId: res.batchId, line: '3' });
    const lines = output.split('\n');
    expect(lines).toContain(JSON.stringify({ row: `${res.batchId}:3`, requeued: 1 })); // one row
    expect(lines).toContain(JSON.stringify({ batchId: res.batchId, requeued: 1 })); // the other failed row
    expect(output).toMatch(/batch \S+ COMPLETED: 3\/3 done/); // watch's last status line
    const rows = (await sql`
      SELECT line, status, attempt FROM import_rows WHERE batch_id = ${res.batchId} AND kind = 'record' ORDER BY line`) as unknown as {
      line: number; status: string; attempt: number;
    }[];
    expect(rows).toEqual([
      { line: 2, status: 'IMPORTED', attempt: 1 },
      { line: 3, status: 'IMPORTED', attempt: 2 },
      { line: 4, status: 'IMPORTED', attempt: 2 },
    ]);
    const requeues = await sql`
      SELECT r.line, e.actor FROM audit_events e JOIN import_rows r ON r.id = e.row_id
      WHERE e.batch_id = ${res.batchId} AND e.type = 'ROW_REQUEUED' ORDER BY r.line`;
    expect(requeues.map((e) => e.line)).toEqual([3, 4]);
  });

  it('runbook 3: cancel a batch', async () => {
    const a = await submit([{ url: 'wait', raga: unknownRaga() }, { url: 'wait2', raga: unknownRaga() }]);
    const b = await submit([{ url: 'wait', raga: unknownRaga() }]);
    await settledRows(a.batchId, (r) => r.every((x) => x.status === 'PENDING_REVIEW'), 'batch A in review');
    await settledRows(b.batchId, (r) => r.every((x) => x.status === 'PENDING_REVIEW'), 'batch B in review');
    const waiting = (id: string) => `BatchId="${id}" AND ExecutionStatus="Running" AND ImportStatus="PENDING_REVIEW"`;
    const cancelled = (id: string) => `BatchId="${id}" AND ExecutionStatus="Canceled" AND WorkflowType="KrithiImport"`;
    await visible(waiting(a.batchId), 2); // = the rows PostgreSQL has in review
    await runEntry(3, { batchId: a.batchId, otherBatchId: b.batchId });
    for (const id of [a.batchId, b.batchId]) {
      await until(async () => {
        const [x] = await sql`SELECT status FROM batches WHERE id = ${id}`;
        return x?.status === 'CANCELLED';
      }, `batch ${id} cancelled`);
      expect((await rowsOf(id)).every((r) => r.status === 'CANCELLED')).toBe(true);
      // Temporal's lists agree with PostgreSQL: every row's run closed Canceled, none waits.
      await visible(cancelled(id), (await rowsOf(id)).length);
      await visible(waiting(id), 0);
    }
    const [audit] = await sql`SELECT actor FROM audit_events WHERE batch_id = ${b.batchId} AND type = 'BATCH_CANCEL_REQUESTED'`;
    expect(audit?.actor).toBe('ops');
  });

  it('runbook 4: bulk-approve the confident rows of a batch by query', async () => {
    const res = await submit([
      { url: 'medium', raga: 'gauri vAlAvali' },
      { url: 'medium2', raga: 'gauri vAlAvali' },
      { url: 'unknown', raga: unknownRaga() },
    ]);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'PENDING_REVIEW'), 'three rows in review');
    await visible(`BatchId="${res.batchId}" AND ImportStatus="PENDING_REVIEW"`, 3);
    const { outputs } = await runEntry(4, { batchId: res.batchId });
    expect(outputs[0]).toContain(rowWorkflowId(res.batchId, 2));
    const rows = await settledRows(
      res.batchId,
      (r) => r[0]?.status === 'IMPORTED' && r[1]?.status === 'IMPORTED',
      'the matched rows imported',
    );
    // The unmatched one: its approval refused (no raga to import), audited, and the row still waits.
    const refused = await until(async () => {
      const r = await sql`SELECT data FROM audit_events WHERE row_id = ${rows[2]!.id} AND type = 'REVIEW_SIGNAL_REFUSED'`;
      return r.length ? r : undefined;
    }, 'the refusal audited');
    expect(refused[0]!.data.reason).toContain('without a raga');
    expect((await rowsOf(res.batchId))[2]!.status).toBe('PENDING_REVIEW');
    const [who] = await sql`SELECT reviewer FROM import_rows WHERE id = ${rows[0]!.id}`;
    expect(who?.reviewer).toBe('ops');
  });

  it('runbook 5: reset workflows after a bad deploy', async () => {
    const res = await submit([{ url: 'r1', raga: unknownRaga() }, { url: 'r2', raga: unknownRaga() }]);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'PENDING_REVIEW'), 'rows in review');
    await visible(`BatchId="${res.batchId}" AND ExecutionStatus="Running" AND WorkflowType="KrithiImport"`, 2);
    const first = rowWorkflowId(res.batchId, 2);
    const before = (await client.workflow.getHandle(first).describe()).runId;
    await runEntry(5, { batchId: res.batchId, rowWorkflowId: first });
    // Each reset started a new run of the same workflow id, and the rows still wait for review.
    await until(async () => (await client.workflow.getHandle(first).describe()).runId !== before, 'row 2 reset');
    // The batch-wide reset (FirstWorkflowTask) runs as a batch operation: wait for its new runs.
    const runsOf = async (id: string) => {
      let runs = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId="${id}"` })) runs += 1;
      return runs;
    };
    await until(async () => (await runsOf(first)) >= 3 && (await runsOf(rowWorkflowId(res.batchId, 3))) >= 2, 'every row reset');
    const rows = await rowsOf(res.batchId);
    for (const r of rows) await kit.cli(['review', 'approve', `${res.batchId}:${r.line}`, '--raga', 'mechakalyani']);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'rows imported after the reset');
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM krithis WHERE created_batch_id = ${res.batchId}`) as never as [{ n: number }];
    expect(n).toBe(2);
  });

  it('runbook 7: revert a batch', async () => {
    const res = await submit([{ url: 'a' }, { url: 'b' }, { url: 'c' }]);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'three rows imported');
    await until(async () => (await sql`SELECT status FROM batches WHERE id = ${res.batchId}`)[0]?.status === 'COMPLETED', 'batch completed');
    // Someone's later work: the page of line 3 imported again by another batch (version 2).
    const later = join(dir, 'later.csv');
    writeFileSync(later, `Krithi,Raga,Hyperlink\r\nagain,kalyANi,${res.urls[1]}\r\n`);
    const again = await kit.cli<{ batchId: string }>(['submit', later]);
    await settledRows(again.batchId, (r) => r[0]?.status === 'IMPORTED', 're-import done');
    const kept = (await rowsOf(res.batchId))[1]!.krithi_id;

    // Without --yes, a "no" changes nothing.
    const declined = await kit.sh(`krithi-import revert ${res.batchId}`, {}, 'n\n');
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('2 krithis it created would be removed; 1 kept');
    expect((await rowsOf(res.batchId)).every((r) => r.status === 'IMPORTED')).toBe(true);

    const { outputs } = await runEntry(7, { batchId: res.batchId });
    expect(JSON.parse(outputs[0]!.split('\n')[0]!)).toMatchObject({ reverted: 2, kept: 1 });
    const rows = await rowsOf(res.batchId);
    expect(rows.map((r) => [r.status, r.error_type])).toEqual([
      ['CANCELLED', 'REVERTED'],
      ['IMPORTED', null],
      ['CANCELLED', 'REVERTED'],
    ]);
    const left = await sql`SELECT id::text FROM krithis WHERE created_batch_id = ${res.batchId}`;
    expect(left.map((k) => k.id)).toEqual([kept]);
    const audits = await sql`SELECT type, actor FROM audit_events WHERE batch_id = ${res.batchId} AND type IN ('KRITHI_REVERTED','BATCH_REVERTED')`;
    expect(audits.filter((a) => a.type === 'KRITHI_REVERTED')).toHaveLength(2);
    expect(audits.find((a) => a.type === 'BATCH_REVERTED')?.actor).toBe('ops');
    // The CSV report shows the outcome of every line.
    expect(outputs[0]).toMatch(new RegExp(`^${res.batchId}:2,2,record,.*,CANCELLED,.*REVERTED,krithi \\d+ removed by revert \\(ops\\)`, 'm'));
  });

  it('runbook 8: rotate API tokens', async () => {
    const { output } = await runEntry(8, {});
    const m = /token=([0-9a-f]{48}) sha256=([0-9a-f]{64})/.exec(output);
    expect(m).not.toBeNull();
    const [, token, sha] = m!;
    const oldToken = randomBytes(24).toString('hex');
    const overlap = parseApiTokens(
      JSON.stringify([
        { name: 'ops-old', role: 'operator', token: oldToken },
        { name: 'ops-new', role: 'operator', sha256: sha },
      ]),
    );
    expect(findCaller(overlap, token!)).toEqual({ name: 'ops-new', role: 'operator' });
    expect(findCaller(overlap, oldToken)).toEqual({ name: 'ops-old', role: 'operator' });
    const after = parseApiTokens(JSON.stringify([{ name: 'ops-new', role: 'operator', sha256: sha }]));
    expect(findCaller(after, token!)).not.toBeNull();
    expect(findCaller(after, oldToken)).toBeNull();
  });

  it('runbook 9: add a site with its rate limit', async () => {
    const m = manifestFile([{ url: 'fresh', host: NEW_SITE }, { url: 'fresh2', host: NEW_SITE }]);
    const { output, background } = await runEntry(9, { newSite: NEW_SITE, prefix, newSiteManifest: m.path });
    try {
      const batchId = (JSON.parse(output.split('\n').find((l) => l.startsWith('{"batchId"'))!) as { batchId: string }).batchId;
      // Scraped through the new site's queue (a failed fetch would end FAILED); the fixture pages of
      // an unknown blog name no composer, so the rows wait for a reviewer, and --follow stops there.
      expect(output).toMatch(new RegExp(`batch ${batchId} RUNNING: 0/2 done .*2 awaiting review`));
      expect(output).toContain(`2 rows await review: krithi-import review list --batch ${batchId}`);
      expect((await rowsOf(batchId)).map((r) => [r.status, r.error_type])).toEqual([
        ['PENDING_REVIEW', null],
        ['PENDING_REVIEW', null],
      ]);
      expect(site.requests().filter((r) => r.host === NEW_SITE).length).toBeGreaterThanOrEqual(2);
      const cfg = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: `${prefix}-scrape-${NEW_SITE}` },
        taskQueueType: 2, // activity
        reportConfig: true,
      });
      expect(cfg.config?.queueRateLimit?.rateLimit?.requestsPerSecond).toBe(2);
    } finally {
      for (const b of background) await kit.stop(b);
    }
  });

  it('runbook 10: migrate the database while workflows run (expand, deploy, contract)', async () => {
    const res = await submit([{ url: 'm1', raga: unknownRaga() }, { url: 'm2' }]);
    await settledRows(res.batchId, (r) => r[0]?.status === 'PENDING_REVIEW' && r[1]?.status === 'IMPORTED', 'one waiting, one imported').catch(
      async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await rowsOf(res.batchId))}; worker said:\n${kit.logOf(worker)}`);
      },
    );
    const [expand, contract] = runbookBlocks(10).blocks;
    const vars = { batchId: res.batchId };
    // Expand and "deploy" while row 2's workflow is running.
    const e = await kit.sh(fill(expand!.code, vars));
    expect(e.code, e.stderr).toBe(0);
    const [col] = await sql`SELECT count(*)::int AS n FROM krithis WHERE created_batch_id = ${res.batchId} AND editor_note = 'checked'`;
    expect(col?.n).toBe(1);
    // The running workflow carries on across the schema change.
    await kit.cli(['review', 'approve', `${res.batchId}:${(await rowsOf(res.batchId))[0]!.line}`, '--raga', 'mechakalyani']);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'the waiting row imported after expand');
    const c = await kit.sh(fill(contract!.code, vars));
    expect(c.code, c.stderr).toBe(0);
    const cols = await sql`SELECT 1 FROM information_schema.columns WHERE table_name = 'krithis' AND column_name = 'editor_note'`;
    expect(cols).toHaveLength(0);
  });
  it('runbook 11: retry failed rows with the temporal CLI', async () => {
    // A: a completed batch with one failed row (reset by id); B: a completed batch with two (reset
    // by query); C: a running batch (one row waits for review) with one failed row (the signal).
    const a = await submit([{ url: 'ok' }, { url: 'down', fault: 'server-error-always' }]);
    const b = await submit([{ url: 'ok' }, { url: 'down1', fault: 'server-error-always' }, { url: 'down2', fault: 'server-error-always' }]);
    const c = await submit([{ url: 'wait', raga: unknownRaga() }, { url: 'down', fault: 'server-error-always' }]);
    const failedRuns = (batchId: string) => `BatchId="${batchId}" AND ExecutionStatus="Failed" AND WorkflowType="KrithiImport"`;
    const batchStatus = async (batchId: string) => ((await sql`SELECT status FROM batches WHERE id = ${batchId}`)[0]?.status as string) ?? null;
    await settledRows(a.batchId, (r) => r[1]?.status === 'FAILED' && r[0]?.status === 'IMPORTED', 'A: row 3 failed');
    await settledRows(b.batchId, (r) => r.filter((x) => x.status === 'FAILED').length === 2, 'B: rows 3 and 4 failed');
    await settledRows(c.batchId, (r) => r[0]?.status === 'PENDING_REVIEW' && r[1]?.status === 'FAILED', 'C: row 3 failed, row 2 waits');
    await until(async () => (await batchStatus(a.batchId)) === 'COMPLETED' && (await batchStatus(b.batchId)) === 'COMPLETED', 'A and B completed');
    await visible(failedRuns(a.batchId), 1);
    await visible(failedRuns(b.batchId), 2);
    await visible(failedRuns(c.batchId), 1);
    for (const url of [...a.urls, ...b.urls, ...c.urls]) site.setFault(url, 'none'); // the sites are fixed

    await runEntry(11, { rowWorkflowId: rowWorkflowId(a.batchId, 3), otherBatchId: b.batchId, runningBatchId: c.batchId });

    // Every retried row imported as a second attempt; A and B ran again and completed; C still waits.
    await settledRows(a.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'A: every row imported');
    await settledRows(b.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'B: every row imported');
    await settledRows(c.batchId, (r) => r[1]?.status === 'IMPORTED', 'C: the failed row imported');
    await until(async () => (await batchStatus(a.batchId)) === 'COMPLETED' && (await batchStatus(b.batchId)) === 'COMPLETED', 'A and B completed again');
    expect(await batchStatus(c.batchId)).toBe('RUNNING');
    const attempts = async (batchId: string) =>
      (await sql`SELECT line, attempt FROM import_rows WHERE batch_id = ${batchId} AND kind = 'record' ORDER BY line`).map((r) => [r.line, r.attempt]);
    expect(await attempts(a.batchId)).toEqual([[2, 1], [3, 2]]);
    expect(await attempts(b.batchId)).toEqual([[2, 1], [3, 2], [4, 2]]);
    expect(await attempts(c.batchId)).toEqual([[2, 1], [3, 2]]);
    const requeuedBy = async (batchId: string) =>
      (await sql`SELECT e.actor, e.data->'previousError'->>'type' AS previous FROM audit_events e
                 WHERE e.batch_id = ${batchId} AND e.type = 'ROW_REQUEUED' ORDER BY e.row_id`).map((e) => [e.actor, e.previous]);
    expect(await requeuedBy(a.batchId)).toEqual([['temporal-reset', 'HTTP_SERVER_ERROR']]);
    expect(await requeuedBy(b.batchId)).toEqual([['temporal-reset', 'HTTP_SERVER_ERROR'], ['temporal-reset', 'HTTP_SERVER_ERROR']]);
    expect(await requeuedBy(c.batchId)).toEqual([['temporal-signal', 'HTTP_SERVER_ERROR']]);
    // The batches' counts are exact, and Temporal agrees with PostgreSQL: no failed run is left
    // (the superseded ones were deleted), and A and B closed COMPLETED again.
    for (const { batchId, n } of [{ batchId: a.batchId, n: 2 }, { batchId: b.batchId, n: 3 }]) {
      const summary = (await client.workflow.getHandle(`batch-${batchId}`).result()) as { counts: Record<string, number> };
      expect(summary.counts).toMatchObject({ IMPORTED: n, FAILED: 0, QUEUED: 0 });
      const [k] = await sql`SELECT count(*)::int AS n FROM krithis WHERE created_batch_id = ${batchId}`;
      expect(k!.n).toBe(n);
    }
    for (const batchId of [a.batchId, b.batchId, c.batchId]) await visible(failedRuns(batchId), 0);
  });

  it('runbook 6: recover a batch after the Temporal database was lost', async () => {
    const bin = inject('temporalBin');
    const a = await startTestServer({ bin, dbFile: join(dir, 'lost-a.db'), headless: true, synchronous: 'OFF' });
    extraServers.push(a);
    const onA = { TEMPORAL_ADDRESS: a.address, BATCH_WINDOW: '1' };
    const workerA = await kit.background('krithi-import worker', WORKER_READY, onA);
    const res = await submit(
      [{ url: 'review', raga: unknownRaga() }, ...['l1', 'l2', 'l3', 'l4'].map((u) => ({ url: u, fault: 'slow' as const }))],
      onA,
    );
    await settledRows(
      res.batchId,
      (r) => r[0]?.status === 'PENDING_REVIEW' && r.filter((x) => x.status === 'IMPORTED').length >= 1,
      'some rows done on server A',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; worker A said:\n${kit.logOf(workerA)}`);
    });
    await kit.stop(workerA);
    await a.stop(); // …and its database file is never used again
    const before = await rowsOf(res.batchId);
    expect(before.filter((r) => r.status === 'IMPORTED').length).toBeLessThan(4);

    const b = await startTestServer({ bin, dbFile: join(dir, 'lost-b.db'), headless: true, synchronous: 'OFF' });
    extraServers.push(b);
    const onB = { TEMPORAL_ADDRESS: b.address };
    const workerB = await kit.background('krithi-import worker', WORKER_READY, onB);
    const { output } = await runEntry(6, { batchId: res.batchId }, onB);
    expect(output).toContain('"status":"RUNNING"');
    const rows = await settledRows(
      res.batchId,
      (r) => r.filter((x) => x.status === 'IMPORTED').length === 4 && r[0]?.status === 'PENDING_REVIEW',
      'unstarted rows imported on server B',
    );
    // The waiting row has a live workflow on the new server and takes a decision.
    await kit.cli(['review', 'approve', `${res.batchId}:${rows[0]!.line}`, '--raga', 'mechakalyani'], onB);
    await settledRows(res.batchId, (r) => r.every((x) => x.status === 'IMPORTED'), 'all rows imported');
    const [k] = await sql`
      SELECT (SELECT count(*)::int FROM krithis WHERE created_batch_id = ${res.batchId}) AS krithis,
             (SELECT count(*)::int FROM audit_events WHERE batch_id = ${res.batchId} AND type = 'KRITHI_CREATED') AS created`;
    expect(k).toEqual({ krithis: 5, created: 5 });
    await kit.stop(workerB);
  });
});
