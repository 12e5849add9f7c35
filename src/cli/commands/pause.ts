import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';

export const pauseCommand = defineCommand({
  name: 'pause',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'pause a batch: rows in flight finish, no new row starts',
  options: { ...JSON_OPTION },
  async run({ positionals, json, actor, services }) {
    const batchId = positionals[0]!;
    await (await services()).batches.pause(batchId, actor);
    out(json ? { batchId, status: 'PAUSED' } : `batch ${batchId}: PAUSED`);
    return 0;
  },
});
