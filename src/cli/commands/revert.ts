import { createInterface } from 'node:readline/promises';
import { defineCommand } from '../command';
import { info, out } from '../output';

export const revertCommand = defineCommand({
  name: 'revert',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'remove the krithis a batch created that nobody changed since (audited, one transaction)',
  details: 'Shows what would be removed and asks first; a closed stdin is a "no" (exit 1).',
  options: { yes: { type: 'boolean', help: 'do not ask' } },
  async run({ positionals, values, actor, services }) {
    const batchId = positionals[0]!;
    const { revert } = await services();
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
    if (!values.yes && !(await confirm(`Remove ${plan.revertible.length} krithis created by batch ${batchId}? [y/N] `))) {
      info('nothing changed');
      return 1;
    }
    out(await revert.revert(batchId, actor));
    return 0;
  },
});

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
