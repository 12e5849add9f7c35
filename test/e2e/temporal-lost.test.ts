/**
 * PostgreSQL is the system of record: when the Temporal side of a batch is lost (a fresh dev-server
 * database, a lost cluster), re-submitting the manifest resumes the batch from PostgreSQL on the new
 * server — finished rows stay finished, waiting rows wait again, unstarted rows run — and nothing
 * is imported twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Connection } from '@temporalio/client';
import type { DevServer } from '../../src/temporal/dev-server';
import { registerSearchAttributes } from '../../src/temporal/namespace-setup';
import { startTestServer } from '../support/global-setup';
import { createHarness, manifest, unknownRaga, type Harness } from '../support/harness';

const dir = mkdtempSync(join(tmpdir(), 'krithi-lost-'));
const servers: DevServer[] = [];
const harnesses: Harness[] = [];

async function freshServer(name: string): Promise<DevServer> {
  const server = await startTestServer({
    bin: inject('temporalBin'),
    dbFile: join(dir, `${name}.db`),
    headless: true,
    synchronous: 'OFF',
  });
  servers.push(server);
  const conn = await Connection.connect({ address: server.address });
  await registerSearchAttributes(conn, 'default');
  await conn.close();
  return server;
}

afterAll(async () => {
  for (const h of harnesses) await h.close().catch(() => {});
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('when the Temporal database is lost in the middle of a batch', () => {
  it('then re-submitting the manifest resumes the batch from PostgreSQL on a new server', async () => {
    const a = await freshServer('a');
    const h1 = await createHarness({ address: a.address, window: 1 });
    harnesses.push(h1);
    const review = manifest(1, { raga: unknownRaga(), tag: 'lostreview' });
    const normal = manifest(5, { tag: 'lostnormal' });
    const csv = `${review}${normal.split('\r\n').slice(1).join('\r\n')}`;
    for (const url of normal.trim().split('\r\n').slice(1).map((l) => l.split(',')[2]!)) h1.site.setFault(url, 'slow');
    const res = await h1.submit(csv);
    // Row 2 goes to review, then the slow rows run one at a time; lose the server after two.
    await h1.waitFor(async () => {
      const rows = await h1.rows(res.batchId);
      return rows.filter((r) => r.status === 'IMPORTED').length >= 2 ? rows : undefined;
    }, 'two rows imported on server A');
    await h1.close();
    harnesses.pop();
    await a.stop(); // …and its database file is never used again

    const before = await h1WithSql(res.batchId);
    expect(before.IMPORTED).toBeGreaterThanOrEqual(2);
    expect(before.PENDING_REVIEW).toBe(1);

    const b = await freshServer('b');
    const h2 = await createHarness({ address: b.address, taskQueuePrefix: h1.config.taskQueuePrefix });
    harnesses.push(h2);
    const again = await h2.submit(csv);
    expect(again.existing).toBe(true);
    expect(again.batchId).toBe(res.batchId);

    const rows = await h2.waitFor(async () => {
      const r = await h2.rows(res.batchId);
      return r.filter((x) => x.status === 'IMPORTED').length === 5 && r.some((x) => x.status === 'PENDING_REVIEW') ? r : undefined;
    }, 'the unstarted rows imported on server B', 90_000);
    const waiting = rows.find((r) => r.status === 'PENDING_REVIEW')!;
    // The waiting row has a live workflow again and takes the decision.
    const decided = await h2.reviews.review(waiting.id, {
      decision: 'approve',
      reviewer: 'meera',
      overrides: { ragaIds: ['mechakalyani'] },
    });
    expect(decided.status).toBe('PERSISTING');
    const summary = await h2.client.workflow.getHandle(again.workflowId).result();
    expect(summary.counts.IMPORTED).toBe(6);
    const [{ n }] = (await h2.sql`SELECT count(*)::int AS n FROM krithis WHERE created_batch_id = ${res.batchId}`) as never as [{ n: number }];
    expect(n).toBe(6);
    const [{ c }] = (await h2.sql`SELECT count(*)::int AS c FROM audit_events WHERE batch_id = ${res.batchId} AND type = 'KRITHI_CREATED'`) as never as [{ c: number }];
    expect(c).toBe(6);

    async function h1WithSql(batchId: string) {
      const { createSql } = await import('../../src/db/client');
      const sql = createSql(inject('databaseUrl'), { max: 1 });
      const r = await sql`SELECT status, count(*)::int AS n FROM import_rows WHERE batch_id = ${batchId} GROUP BY status`;
      await sql.end();
      return Object.fromEntries(r.map((x) => [x.status, x.n])) as Record<string, number>;
    }
  });
});
