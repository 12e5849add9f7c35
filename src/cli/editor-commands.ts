/**
 * The editor's commands that follow, report on and undo a batch: `watch`, `submit --follow`,
 * `report`, `revert`. Each goes through the application services; this module only does the
 * terminal side (prompt, Ctrl-C, output format).
 */
import { createInterface } from 'node:readline/promises';
import type { BatchService } from '../services/batches';
import { REPORT_COLUMNS, reportCsvLine, type BatchViews } from '../services/batch-views';
import { csvLine } from '../services/csv';
import type { RevertService } from '../services/revert';
import { followBatch } from './follow';
import { info, out } from './output';

/** Follows a batch until it settles; Ctrl-C detaches (exit 130) and leaves the batch running. */
export async function watchCommand(batches: BatchService, batchId: string, every: number): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const result = await followBatch({ batches, batchId, stream: process.stderr, every, signal: controller.signal });
    const { last } = result;
    out({
      batchId,
      status: last.batchStatus,
      detached: result.detached,
      total: last.total,
      done: last.done,
      imported: last.imported,
      awaitingReview: last.awaitingReview,
      rejected: last.rejected,
      failed: last.failed,
      cancelled: last.cancelled,
    });
    return result.detached ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Every line of the batch with its outcome: JSON lines, or CSV with formula cells neutralised. */
export async function reportCommand(
  batches: BatchService,
  views: BatchViews,
  batchId: string,
  format: 'jsonl' | 'csv',
): Promise<number> {
  await batches.status(batchId, { progress: false }); // NOT_FOUND for an unknown batch
  if (format === 'csv') process.stdout.write(csvLine(REPORT_COLUMNS));
  for await (const page of views.report(batchId)) {
    if (format === 'csv') process.stdout.write(page.map(reportCsvLine).join(''));
    else for (const row of page) out(row);
  }
  return 0;
}

/** Shows what would be removed, asks (unless --yes), then reverts in one transaction. */
export async function revertCommand(revert: RevertService, batchId: string, actor: string, yes: boolean): Promise<number> {
  const plan = await revert.plan(batchId);
  info(
    `batch ${batchId} (${plan.batchStatus}): ${plan.revertible.length} krithis it created would be removed; ` +
      `${plan.kept.length} kept because they were changed since`,
  );
  for (const k of plan.revertible.slice(0, 10)) info(`  remove krithi ${k.krithiId} (line ${k.line ?? '?'}): ${k.title}`);
  if (plan.revertible.length > 10) info(`  … and ${plan.revertible.length - 10} more`);
  for (const k of plan.kept.slice(0, 10)) info(`  keep krithi ${k.krithiId} (version ${k.version}): ${k.title}`);
  if (plan.revertible.length === 0) {
    out({ batchId, reverted: 0, kept: plan.kept.length, krithiIds: [] });
    return 0;
  }
  if (!yes && !(await confirm(`Remove ${plan.revertible.length} krithis created by batch ${batchId}? [y/N] `))) {
    info('nothing changed');
    return 1;
  }
  out(await revert.revert(batchId, actor));
  return 0;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
  try {
    // A closed stdin (no terminal, nothing piped) is a "no".
    const answer = await Promise.race([rl.question(question), new Promise<string>((r) => rl.once('close', () => r('')))]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
