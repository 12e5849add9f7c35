import { defineCommand, JSON_OPTION, UsageError } from '../command';
import { out } from '../output';
import { rowArgument } from '../row-argument';

/** One failed row again, as a new attempt: what an operator does once the cause is fixed. */
export const retryCommand = defineCommand({
  name: 'retry',
  args: '<row>',
  positionals: { min: 1, max: 1 },
  summary: 'queue one FAILED row again as a new attempt (its batch runs again if it had closed)',
  details:
    '<row> is <batchId>:<line> as the report, `status` and the Web UI (batch-<batchId>/row-<line>) show it, ' +
    'or <batchId> with --line N. Every failed row of a batch: retry-failed.',
  options: {
    line: { type: 'string', value: 'N', help: 'the line within the batch given as <batchId>' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, json, actor, services }) {
    const arg = positionals[0]!;
    let row: string;
    if (values.line !== undefined) {
      if (!/^[a-z2-7]{1,40}$/.test(arg)) throw new UsageError(`retry: with --line, give the batch id alone (not '${arg}')`);
      row = rowArgument('retry', values.line, arg);
    } else {
      row = rowArgument('retry', arg, undefined);
    }
    const result = await (await services()).batches.retryRow(row, actor);
    out(json ? result : `row ${row}: queued again as a new attempt`);
    return 0;
  },
});
