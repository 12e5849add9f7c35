/**
 * Safe deploys: the recorded histories of real runs (test/fixtures/histories, written by
 * `npm run histories:record`) replay against the current workflow code. A change that would make
 * running workflows non-deterministic — a new command, a reordered activity, a removed timer —
 * fails here before it is deployed; guard such changes with `patched()`. Histories recorded by
 * earlier deploys stay in sub-folders named for the patch that followed them, so workflows those
 * deploys started are proved to finish under today's code too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker';

const DIR = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const earlier = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(`${DIR}${d.name}`).filter((f) => f.endsWith('.json')).map((f) => `${d.name}/${f}`))
  .sort();

describe('when the recorded workflow histories are replayed against the current code', () => {
  it('then every scenario is recorded (happy path, review, retry, continue-as-new, cancel)', () => {
    for (const name of ['batch-happy', 'row-review', 'row-scrape-retried', 'batch-retry-failed', 'batch-continue-as-new-run1', 'batch-cancelled', 'row-cancelled'])
      expect(files).toContain(`${name}.json`);
  });

  it('then histories of an earlier deploy are kept beside them', () => {
    expect(earlier).toContain('before-lean-row-reports/row-happy.json');
    expect(earlier).toContain('before-lean-row-reports/batch-continue-as-new-run1.json');
    // Recorded before the row state machine (issue 13: patches confirmed-decisions, row-liveness).
    expect(earlier).toContain('before-row-state-machine/row-review.json');
    expect(earlier).toContain('before-row-state-machine/batch-review.json');
    // Recorded before resolveRow decided and persisted in the same call (patch resolve-decides-and-persists).
    expect(earlier).toContain('before-resolve-decides-and-persists/row-happy.json');
    expect(earlier).toContain('before-resolve-decides-and-persists/row-review.json');
  });

  it('then each one, current or earlier, replays without a non-determinism error', async () => {
    const histories = [...files, ...earlier].map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: proto.temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(`${DIR}${f}`, 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(11);
    expect(replayed).toBe(files.length + earlier.length);
  }, 120_000);
});
