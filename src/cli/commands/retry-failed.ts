import { defineCommand, JSON_OPTION } from '../command';
import { out } from '../output';

export const retryFailedCommand = defineCommand({
  name: 'retry-failed',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'queue the FAILED rows of a batch again as new attempts (a closed batch gets a new run under the same id)',
  options: { ...JSON_OPTION },
  async run({ positionals, json, actor, services }) {
    const batchId = positionals[0]!;
    const result = await (await services()).batches.retryFailed(batchId, actor);
    out(json ? { batchId, ...result } : `batch ${batchId}: ${result.requeued} failed rows queued again`);
    return 0;
  },
});
