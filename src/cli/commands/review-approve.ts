import { defineCommand, JSON_OPTION, UsageError } from '../command';
import { ReviewArgsError, reviewOverridesFromArgs } from '../review-args';
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
    note: { type: 'string', value: 'TEXT', help: 'a note for the audit trail (with --new-raga: where the raga comes from, kept as its source)' },
    'new-raga': { type: 'string', value: 'NAME', help: 'add a raga the reference lacks and choose it (needs --parent, --arohanam, --avarohanam, --note)' },
    'new-raga-id': { type: 'string', value: 'ID', help: "the new raga's id (default: from its name)" },
    parent: { type: 'string', value: 'MELA', help: "the new raga's parent melakarta (id)" },
    arohanam: { type: 'string', value: 'SVARAS', help: "the new raga's ascent, e.g. 'S R2 M1 P D2 S'" },
    avarohanam: { type: 'string', value: 'SVARAS', help: "the new raga's descent, e.g. 'S D2 P M1 G3 R2 S'" },
    anya: { type: 'string', value: 'SVARA', multiple: true, help: 'an anya svara of the new raga (repeat), allowed outside its parent' },
    ...JSON_OPTION,
  },
  async run({ positionals, values, json, actor, services }) {
    const row = rowArgument('review approve', positionals[0]!, values.batch);
    let overrides;
    try {
      overrides = reviewOverridesFromArgs(values);
    } catch (err) {
      if (err instanceof ReviewArgsError) throw new UsageError(err.message);
      throw err;
    }
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
