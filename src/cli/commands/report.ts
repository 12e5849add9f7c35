import { REPORT_COLUMNS, reportCsvLine } from '../../services/batch-views';
import { csvLine } from '../../services/csv';
import { defineCommand } from '../command';
import { formatTable, out } from '../output';

export const reportCommand = defineCommand({
  name: 'report',
  args: '<batchId>',
  positionals: { min: 1, max: 1 },
  summary: 'every line of a batch with its outcome: a table on a terminal, JSON lines otherwise, or CSV',
  details: 'Each row is named <batchId>:<line>, as everywhere else. CSV cells a spreadsheet would run as a formula are neutralised.',
  options: {
    csv: { type: 'boolean', help: 'CSV with a header line' },
    json: { type: 'boolean', help: 'JSON lines (the default when stdout is not a terminal)' },
  },
  async run({ positionals, values, json, services }) {
    const batchId = positionals[0]!;
    const { batches, batchViews } = await services();
    await batches.status(batchId, { progress: false }); // NOT_FOUND for an unknown batch
    if (values.csv) process.stdout.write(csvLine(REPORT_COLUMNS));
    for await (const page of batchViews.report(batchId)) {
      if (values.csv) process.stdout.write(page.map(reportCsvLine).join(''));
      else if (json) for (const row of page) out(row);
      else
        out(
          formatTable(page, [
            { header: 'row', value: (r) => r.row },
            { header: 'status', value: (r) => r.status ?? r.kind.toUpperCase() },
            { header: 'title', value: (r) => r.title, max: 36 },
            { header: 'ragas', value: (r) => r.ragaIds.join('+') || r.raga, max: 24 },
            { header: 'composer', value: (r) => r.composerId, max: 16 },
            { header: 'krithi', value: (r) => r.krithiId, align: 'right' },
            { header: 'error', value: (r) => (r.errorType ? `${r.errorType}: ${r.errorMessage ?? ''}` : ''), max: 60 },
          ]),
        );
    }
    return 0;
  },
});
