import { ROW_STATUSES } from '../../shared';
import { defineCommand, JSON_OPTION } from '../command';
import { formatFields, out } from '../output';

export const statusCommand = defineCommand({
  name: 'status',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: "a batch's counts per row status (PostgreSQL) and its workflow's progress",
  options: { ...JSON_OPTION },
  async run({ positionals, json, services }) {
    const { batches } = await services();
    const s = await batches.status(positionals[0]!);
    if (json) {
      out(s);
      return 0;
    }
    const { batch, counts, progress } = s;
    out(
      formatFields([
        ['batch', `${batch.id}${batch.name ? ` (${batch.name})` : ''}`],
        ['status', batch.status],
        ['records', `${batch.totalRecords} in the file: ${batch.acceptedRows} accepted, ${batch.invalidRows} invalid, ${batch.duplicateRows} duplicate`],
        ...ROW_STATUSES.filter((st) => counts[st] > 0).map((st): [string, number] => [`  ${st.toLowerCase().replace('_', ' ')}`, counts[st]]),
        ...(progress
          ? [['workflow', `${progress.paused ? 'paused' : 'running'}, ${progress.inFlight} in flight, run ${progress.run}`] as [string, string]]
          : []),
      ]),
    );
    return 0;
  },
});
