/** `review approve` and `review reject`: one decision on one row, named as every view names it. */
import { defineCommand, JSON_OPTION, UsageError } from '../command';
import { out } from '../output';

const ROW_HELP =
  '<row> is <batchId>:<line> as `review list`, the report, the Web UI (batch-<batchId>/row-<line>) and the review page show it; ' +
  'a bare <line> needs --batch.';

/** `<batchId>:<line>`, or a bare line with --batch; a bare number alone is ambiguous and refused. */
export function rowArgument(command: string, arg: string, batch: string | undefined): string {
  if (/^[a-z2-7]{1,40}:\d{1,9}$/.test(arg)) {
    if (batch && !arg.startsWith(`${batch}:`)) throw new UsageError(`${command}: row ${arg} is not in batch ${batch}`);
    return arg;
  }
  const wf = /^batch-([a-z2-7]{1,40})\/row-(\d{1,9})$/.exec(arg);
  if (wf) return `${wf[1]}:${wf[2]}`;
  if (/^\d{1,9}$/.test(arg)) {
    if (!batch) throw new UsageError(`${command}: which batch's line ${arg}? give <batchId>:${arg} (or --batch <batchId>)`);
    return `${batch}:${arg}`;
  }
  throw new UsageError(`${command}: '${arg}' is not a row; give <batchId>:<line>`);
}

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
