import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';

export const cancelCommand = defineCommand({
  name: 'cancel',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'cancel a batch: every unfinished row, including those awaiting review, ends CANCELLED',
  options: { ...JSON_OPTION },
  async run({ positionals, json, actor, services }) {
    const batchId = positionals[0]!;
    await (await services()).batches.cancel(batchId, actor);
    out(json ? { batchId, status: 'CANCELLING' } : `batch ${batchId}: CANCELLING`);
    return 0;
  },
});
