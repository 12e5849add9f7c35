import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';
import { ROW_HELP, rowArgument } from '../row-argument';

export const reviewRejectCommand = defineCommand({
  name: 'review reject',
  args: '<row>',
  positionals: { min: 1, max: 1 },
  summary: 'reject a row awaiting review (nothing is imported)',
  details: ROW_HELP,
  options: {
    batch: { type: 'string', value: 'ID', help: 'the batch of a bare <line>' },
    note: { type: 'string', value: 'TEXT', help: 'why, for the audit trail' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, json, actor, services }) {
    const row = rowArgument('review reject', positionals[0]!, values.batch);
    const result = await (await services()).reviews.review(row, { decision: 'reject', reviewer: actor, note: values.note });
    out(json ? { row, ...result } : `row ${row}: rejected`);
    return 0;
  },
});
