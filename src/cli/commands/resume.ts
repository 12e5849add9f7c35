import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';

export const resumeCommand = defineCommand({
  name: 'resume',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'resume a paused batch (a cancelled one starts again: its cancelled rows are queued as new attempts)',
  options: { ...JSON_OPTION },
  async run({ positionals, json, actor, services }) {
    const batchId = positionals[0]!;
    await (await services()).batches.resume(batchId, actor);
    out(json ? { batchId, status: 'RUNNING' } : `batch ${batchId}: RUNNING`);
    return 0;
  },
});
