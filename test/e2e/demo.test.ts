/**
 * The README's main job, `krithi-import demo`, on the suite's dev server and database: it imports
 * the real 60-krithi test manifest end to end and prints its JSON summary; then Temporal's own list,
 * as an operator would query it with the stock CLI, counts exactly the batch's failed rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/db/client';
import { createCliKit, type CliKit } from '../support/cli';
import { testPrefix } from '../support/harness';

let kit: CliKit;
let sql: Sql;
const stateDir = mkdtempSync(join(tmpdir(), 'krithi-demo-'));

beforeAll(() => {
  kit = createCliKit(
    {
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE_PREFIX: testPrefix(),
      KRITHI_STATE_DIR: stateDir,
      METRICS_PORT: '0',
      LOG_LEVEL: 'error',
    },
    inject('temporalBin'),
  );
  sql = createSql(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await kit?.close();
  await sql?.end({ timeout: 5 });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('when an editor runs the demo', () => {
  it('then it imports the real test manifest, and `temporal workflow list` by BatchId and ExecutionStatus="Failed" counts exactly its failed rows', async () => {
    const summary = await kit.cli<{ batchId: string; total: number; imported: number; failed: number; awaitingReview: number }>(['demo']);
    expect(summary.total).toBeGreaterThanOrEqual(60);
    expect(summary.imported).toBeGreaterThan(0);
    const [db] = await sql`
      SELECT count(*) FILTER (WHERE status = 'FAILED')::int AS failed FROM import_rows WHERE batch_id = ${summary.batchId} AND kind = 'record'`;
    expect(db!.failed).toBe(summary.failed);
    // The fixture site answers some pages as the real blogs do (404, 5xx): the demo has failures to count.
    expect(summary.failed).toBeGreaterThan(0);
    // Visibility is eventually consistent: the count settles on the database's within seconds.
    const query = `BatchId="${summary.batchId}" AND ExecutionStatus="Failed"`;
    // 90 s, not 30: once (1 of 5 full runs, on a box busy with back-to-back suites) the count was
    // still 0 after 30 s; the cause is not yet established (see the issue notes of 2026-12-06).
    const deadline = Date.now() + 90_000;
    let listed = -1;
    while (Date.now() < deadline) {
      const r = await kit.sh(`temporal workflow list --query '${query}' --limit 1000 | tail -n +2 | grep -c KrithiImport || true`);
      listed = Number(r.stdout.trim());
      if (listed === summary.failed) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(listed).toBe(summary.failed);
  }, 300_000);
});
