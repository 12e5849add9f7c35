/**
 * Safe deploys: a workflow change guarded by patched() is deployed while KrithiImport runs wait for
 * review. The waiting runs — started by the previous code — replay without a non-determinism error
 * and finish under the new code; runs started after the deploy take the new path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { rowWorkflowId } from '../../src/shared';
import { createHarness, manifest, unknownRaga, type Harness } from '../support/harness';

const WORKFLOW_TASK_FAILED = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED;
const dir = mkdtempSync(join(tmpdir(), 'krithi-patched-'));
const open: Harness[] = [];
afterAll(async () => {
  for (const h of open) await h.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('when a patched() change is deployed while rows wait for review', () => {
  it('then the waiting runs finish under the new code and new runs take the new path', async () => {
    const before = await createHarness();
    open.push(before);
    const old = await before.submit(manifest(2, { raga: unknownRaga() }));
    await before.waitFor(async () => {
      const rows = await before.rows(old.batchId);
      return rows.every((r) => r.status === 'PENDING_REVIEW') ? rows : undefined;
    }, 'both rows waiting for review under the old code');
    await before.close();
    open.pop();

    // The new deploy: same queues, a bundle built from the patched workflow code.
    const silent = () => {};
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/patched-workflows/index.ts', import.meta.url)),
      logger: { log: silent, trace: silent, debug: silent, info: silent, warn: silent, error: silent },
    });
    const bundlePath = join(dir, 'v2.js');
    writeFileSync(bundlePath, code);
    const after = await createHarness({ taskQueuePrefix: before.config.taskQueuePrefix, bundlePath });
    open.push(after);

    for (const row of await after.rows(old.batchId)) {
      await after.reviews.review(row.id, { decision: 'approve', reviewer: 'meera', overrides: { ragaIds: ['mechakalyani'] } });
    }
    await after.waitFor(async () => {
      const rows = await after.rows(old.batchId);
      return rows.every((r) => r.status === 'IMPORTED') ? rows : undefined;
    }, 'old runs finished under the new code');

    for (const line of [2, 3]) {
      const handle = after.client.workflow.getHandle(rowWorkflowId(old.batchId, line));
      // The row is IMPORTED in PostgreSQL by the persist activity, a moment before its workflow
      // closes: wait for the close rather than racing it.
      await handle.result();
      const history = await handle.fetchHistory();
      // No workflow task failed (a non-determinism error fails the task and retries it forever).
      const failed = (history.events ?? []).filter((e) => e.eventType === WORKFLOW_TASK_FAILED);
      expect(failed).toHaveLength(0);
      expect(history.events!.length).toBeGreaterThan(10);
      const d = await handle.describe();
      expect(d.status.name).toBe('COMPLETED');
      expect(d.memo?.deployedWith).toBeUndefined(); // recorded without the patch, replayed without it
    }

    const fresh = await after.submit(manifest(1));
    await after.client.workflow.getHandle(fresh.workflowId).result();
    const d = await after.client.workflow.getHandle(rowWorkflowId(fresh.batchId, 2)).describe();
    expect(d.memo?.deployedWith).toBe('v2');
    expect(d.status.name).toBe('COMPLETED');
  });
});
