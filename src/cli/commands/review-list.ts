import type { EntityCandidates } from '../../services/reviews';
import { defineCommand, JSON_OPTION, positiveInt } from '../command';
import { out } from '../output';

export const reviewListCommand = defineCommand({
  name: 'review list',
  summary: 'rows awaiting review, with why, since when, and the candidates with their scores',
  details: 'Each row is named <batchId>:<line>: give that to `review approve` or `review reject`.',
  options: {
    batch: { type: 'string', value: 'ID', help: 'only this batch' },
    overdue: { type: 'boolean', help: 'only rows waiting longer than REVIEW_DEADLINE_HOURS' },
    limit: { type: 'string', value: 'N', help: 'at most N rows (default 100)' },
    ...JSON_OPTION,
  },
  async run({ values, json, services }) {
    const pending = await (await services()).reviews.listPending({
      batchId: values.batch,
      limit: positiveInt('review list', 'limit', values.limit, 100),
      overdue: values.overdue ?? false,
    });
    if (json) {
      for (const row of pending) out(row);
      return 0;
    }
    if (pending.length === 0) {
      out(`nothing awaits review${values.batch ? ` in batch ${values.batch}` : ''}${values.overdue ? ' past the deadline' : ''}`);
      return 0;
    }
    const blocks = pending.map((r) =>
      [
        `${r.row}  ${r.title ?? '(no title)'}  [${r.confidence ?? '—'}${r.overdue ? ', OVERDUE' : ''}, waiting since ${r.waitingSince.slice(0, 16).replace('T', ' ')}]`,
        ...(r.reasons.length ? [`  why: ${r.reasons.join('; ')}`] : []),
        ...r.candidates.ragas.map((e, i) => entityLine(r.candidates.ragas.length > 1 ? `raga ${i + 1}` : 'raga', e, r.chosen.ragaIds[i])),
        ...(r.candidates.composer ? [entityLine('composer', r.candidates.composer, r.chosen.composerId)] : []),
        ...(r.candidates.tala ? [entityLine('tala', r.candidates.tala, r.chosen.talaId)] : []),
        ...(r.url ? [`  source: ${r.url}`] : []),
      ].join('\n'),
    );
    out(blocks.join('\n\n'));
    out(`\n${pending.length} rows; krithi-import review approve <row> [--raga ID]… | review reject <row> [--note TEXT]`);
    return 0;
  },
});

/** `  raga  page says "kalyani": kalyani 0.97 (chosen) · yamunakalyani 0.71` */
function entityLine(label: string, e: EntityCandidates, chosen: string | null | undefined): string {
  const cands = e.candidates.length
    ? e.candidates.map((c) => `${c.id} ${c.score.toFixed(2)}${c.id === chosen ? ' (chosen)' : ''}`).join(' · ')
    : 'no candidates';
  return `  ${label.padEnd(9)} page says “${e.input ?? ''}”: ${cands}`;
}
