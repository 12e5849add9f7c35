import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';
import { ROW_HELP, rowArgument } from '../row-argument';

export const reviewApproveCommand = defineCommand({
  name: 'review approve',
  args: '<row>',
  positionals: { min: 1, max: 1 },
  summary: "approve a row awaiting review, with the resolver's choice or your own ids",
  details: ROW_HELP,
  options: {
    batch: { type: 'string', value: 'ID', help: 'the batch of a bare <line>' },
    raga: { type: 'string', value: 'ID', multiple: true, help: 'the raga(s), in order (repeat for a ragamalika)' },
    composer: { type: 'string', value: 'ID', help: 'the composer' },
    tala: { type: 'string', value: 'ID', help: 'the tala' },
    title: { type: 'string', value: 'T', help: 'the title' },
    note: { type: 'string', value: 'TEXT', help: 'a note for the audit trail' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, json, actor, services }) {
    const row = rowArgument('review approve', positionals[0]!, values.batch);
    const overrides = {
      ...(values.raga ? { ragaIds: values.raga } : {}),
      ...(values.composer ? { composerId: values.composer } : {}),
      ...(values.tala ? { talaId: values.tala } : {}),
      ...(values.title ? { title: values.title } : {}),
    };
    const result = await (await services()).reviews.review(row, {
      decision: 'approve',
      reviewer: actor,
      note: values.note,
      ...(Object.keys(overrides).length ? { overrides } : {}),
    });
    out(json ? { row, ...result } : `row ${row}: approved${Object.keys(overrides).length ? ' with overrides' : ''} (${result.status})`);
    return 0;
  },
});
