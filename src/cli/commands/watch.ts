import type { BatchService } from '../../services/batches';
import { defineCommand, JSON_OPTION, positiveInt } from '../command';
import { followBatch } from '../follow';
import { info, out } from '../output';

export const EVERY_OPTION = {
  every: { type: 'string', value: 'N', help: 'not on a terminal: a status line each time another N rows are done (default 20)' },
} as const;

export const watchCommand = defineCommand({
  name: 'watch',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'follow a batch until nothing more happens without a person (a bar on a terminal, else status lines)',
  details: 'Ctrl-C detaches (exit 130) and leaves the batch running. Exit 1 when rows of the batch failed.',
  options: { ...EVERY_OPTION, ...JSON_OPTION },
  async run({ positionals, values, json, services }) {
    return follow((await services()).batches, positionals[0]!, positiveInt('watch', 'every', values.every, 20), json);
  },
});

/**
 * Follows a batch until it settles and prints its counts. Exit 130 when detached by Ctrl-C, 1 when
 * rows failed (a script's `submit --follow && …` must not go on as if all was well), else 0.
 */
export async function follow(batches: BatchService, batchId: string, every: number, json: boolean): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const result = await followBatch({ batches, batchId, stream: process.stderr, every, signal: controller.signal });
    const { last } = result;
    const summary = {
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
    };
    if (json) out(summary);
    else
      out(
        `batch ${batchId} ${last.batchStatus}${result.detached ? ' (detached)' : ''}: ${last.imported} imported, ` +
          `${last.awaitingReview} awaiting review, ${last.rejected} rejected, ${last.failed} failed` +
          (last.cancelled ? `, ${last.cancelled} cancelled` : '') +
          ` of ${last.total}`,
      );
    if (result.detached) return 130;
    if (last.failed > 0) {
      info(`${last.failed} ${last.failed === 1 ? 'row' : 'rows'} failed: krithi-import report ${batchId} shows why; krithi-import retry-failed ${batchId} tries them again`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
