/**
 * Observability of a real import: the /metrics endpoint (domain metrics moving, the SDK's merged
 * in), the Web UI's search attributes and summary on a row workflow, JSON log lines from
 * activities and workflows carrying the batch, row, workflow id and run id, and the review
 * deadline flag. Workers run in this process with their own registry, logger and SDK exporter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger';
import { createMetrics, registerReviewQueueGauges, type Metrics } from '../../src/observability/metrics';
import { freeLoopbackAddress, startMetricsServer, type MetricsServer } from '../../src/observability/metrics-server';
import { createReviewService } from '../../src/services/reviews';
import { rowWorkflowId } from '../../src/shared';
import { createHarness, manifest, SITES, unknownRaga, type Harness } from '../support/harness';

let h: Harness;
let metrics: Metrics;
let server: MetricsServer;
const logLines: Record<string, unknown>[] = [];
// One second: a row that waits for review a little longer is overdue.
const DEADLINE_HOURS = 1 / 3600;

beforeAll(async () => {
  metrics = createMetrics({ rowSettleBoundSeconds: 30, reviewDeadlineHours: DEADLINE_HOURS });
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const sdkMetricsAddress = await freeLoopbackAddress();
  h = await createHarness({ window: 20, observe: { metrics, logger, sdkMetricsAddress } });
  registerReviewQueueGauges(metrics, h.sql, { cacheMs: 0 });
  server = await startMetricsServer({
    registry: metrics.registry,
    port: 0,
    sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics`,
  });
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});

/** Parses the text exposition into `name{labels}` → value (labels in the order they were written). */
async function scrape(): Promise<{ text: string; value(name: string, labels?: Record<string, string>): number }> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return {
    text,
    value(name, labels = {}) {
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('#')) continue;
        const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
        if (!m || m[1] !== name) continue;
        const labelText = m[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(m[3]);
      }
      return sum;
    },
  };
}

describe('when a batch is imported by workers with a metrics registry', () => {
  let batchId: string;
  beforeAll(async () => {
    const res = await h.submit(manifest(6));
    batchId = res.batchId;
    await h.client.workflow.getHandle(res.workflowId).result();
  });

  it('then /metrics shows rows by status, scrapes by site, rate-limit waits, confidence, settle times and persisted krithis', async () => {
    const m = await scrape();
    expect(m.value('krithi_row_transitions_total', { status: 'IMPORTED', error_type: 'none' })).toBeGreaterThanOrEqual(6);
    expect(m.value('krithi_row_transitions_total', { status: 'SCRAPING' })).toBeGreaterThanOrEqual(6);
    for (const site of SITES) {
      expect(m.value('krithi_scrape_attempts_total', { site, outcome: 'ok', transient: 'false' })).toBeGreaterThanOrEqual(2);
      expect(m.value('krithi_scrape_duration_seconds_count', { site, outcome: 'ok' })).toBeGreaterThanOrEqual(2);
      expect(m.value('krithi_scrape_rate_limit_wait_seconds_count', { site })).toBeGreaterThanOrEqual(2);
    }
    expect(m.value('krithi_resolutions_total', { confidence: 'HIGH', auto_approved: 'true' })).toBeGreaterThanOrEqual(6);
    expect(m.value('krithi_krithis_persisted_total', { operation: 'created' })).toBeGreaterThanOrEqual(6);
    expect(m.value('krithi_rows_settled_total')).toBeGreaterThanOrEqual(6);
    expect(m.value('krithi_row_settle_seconds_count')).toBeGreaterThanOrEqual(6);
    expect(m.value('krithi_row_settle_bound_seconds')).toBe(30);
  });

  it("then the same answer carries the Temporal SDK's own metrics", async () => {
    // The SDK records a completion just after the server does: poll briefly.
    const m = await h.waitFor(async () => {
      const now = await scrape();
      return now.value('temporal_workflow_completed_total') >= 7 ? now : undefined;
    }, 'the SDK to count the batch and its six rows as completed', 10_000);
    expect(m.text).toMatch(/^temporal_workflow_completed_total\{/m);
  });

  it('then a row workflow shows BatchId, ImportStatus, SourceSite, Composer, ResolutionConfidence and a summary', async () => {
    const desc = await h.client.workflow.getHandle(rowWorkflowId(batchId, 3)).describe();
    const attrs = Object.fromEntries(desc.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
    expect(attrs).toMatchObject({
      BatchId: batchId,
      ImportStatus: 'IMPORTED',
      SourceSite: SITES[1],
      Composer: 'Syama Sastri',
      ResolutionConfidence: 'HIGH',
    });
    const [row] = await h.sql`SELECT title, raga FROM import_rows WHERE batch_id = ${batchId} AND line = 3`;
    expect(await desc.staticSummary()).toBe(`${row!.title} · ${row!.raga} · ${SITES[1]}`);
    expect(await desc.staticDetails()).toContain(`line 3 of batch \`${batchId}\``);
  });

  it('then the Composer and confidence are upserted once per row, not on every status change', async () => {
    const history = await h.client.workflow.getHandle(rowWorkflowId(batchId, 2)).fetchHistory();
    const upserts = (history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
    const withComposer = upserts.filter(
      (e) => 'Composer' in (e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    expect(withComposer).toHaveLength(1);
  });

  it('then every activity and workflow log line of the batch carries batchId, line, workflowId and runId', async () => {
    // The runtime buffers forwarded lines briefly (to order them by time): wait for the last ones.
    await h.waitFor(
      async () => logLines.filter((l) => l.batchId === batchId && l.msg === 'Workflow completed').length >= 7,
      'the completion lines of the batch and its six rows',
      10_000,
    );
    const mine = logLines.filter((l) => l.batchId === batchId);
    const fromRuns = mine.filter((l) => typeof l.workflowId === 'string');
    for (const l of fromRuns) {
      expect(l).toMatchObject({ batchId, workflowId: expect.stringContaining(`batch-${batchId}`), runId: expect.any(String) });
      if (String(l.workflowId).includes('/row-')) expect(l.line).toEqual(expect.any(Number));
      expect(l).not.toHaveProperty('taskToken');
      expect(l).not.toHaveProperty('workflowRunId');
    }
    const lines = (msg: string) =>
      fromRuns
        .filter((l) => l.msg === msg && String(l.workflowId).includes('/row-'))
        .map((l) => l.line)
        .sort();
    // Activities (Context.log) and the workflow logger (its start and completion lines).
    expect(lines('krithi persisted')).toEqual([2, 3, 4, 5, 6, 7]);
    expect(new Set(lines('row status changed'))).toEqual(new Set([2, 3, 4, 5, 6, 7]));
    expect(lines('Workflow completed')).toEqual([2, 3, 4, 5, 6, 7]);
    expect(fromRuns.some((l) => l.msg === 'Workflow completed' && l.workflowType === 'BatchImport')).toBe(true);
  });
});

describe('when a row waits for review longer than the review deadline', () => {
  it('then it is flagged overdue by the gauge and by listPending({overdue}), and still waits', async () => {
    const res = await h.submit(manifest(1, { raga: unknownRaga() }));
    const rowId = await h.waitFor(async () => {
      const [r] = await h.rows(res.batchId);
      return r?.status === 'PENDING_REVIEW' ? r.id : undefined;
    }, 'row to await review');
    const strict = createReviewService({ sql: h.sql, client: h.client, reviewDeadlineHours: DEADLINE_HOURS });
    // The default deadline (72 h) does not flag it.
    expect(await h.reviews.listPending({ batchId: res.batchId, overdue: true })).toEqual([]);
    const overdue = await h.waitFor(async () => {
      const rows = await strict.listPending({ batchId: res.batchId, overdue: true });
      return rows.length ? rows : undefined;
    }, 'row to be overdue');
    expect(overdue).toMatchObject([{ id: rowId, overdue: true, waitingSince: expect.any(String) }]);

    const m = await scrape();
    expect(m.value('krithi_review_overdue_rows')).toBeGreaterThanOrEqual(1);
    expect(m.value('krithi_review_queue_depth')).toBeGreaterThanOrEqual(1);
    expect(m.value('krithi_review_oldest_age_seconds')).toBeGreaterThan(1);
    expect(m.value('krithi_review_deadline_seconds')).toBeCloseTo(1);
    // Flagged, never expired: the row still waits for a human.
    const [row] = await h.rows(res.batchId);
    expect(row?.status).toBe('PENDING_REVIEW');
    const desc = await h.client.workflow.getHandle(rowWorkflowId(res.batchId, 2)).describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(desc.typedSearchAttributes.getAll().find((p) => p.key.name === 'ResolutionConfidence')?.value).toBe('LOW');
    await h.batches.cancel(res.batchId, 'test');
  });
});
