/** How `review approve` and `review reject` take the row they decide: as every view names it. */
import { UsageError } from './command';

export const ROW_HELP =
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

