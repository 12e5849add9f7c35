/**
 * `krithi-import resolve`: resolve names against the reference without Temporal.
 *
 *   resolve --raga NAME | --composer NAME | --tala NAME     one JSON object
 *   resolve --batch [--kind raga|composer|tala]             one JSON line per stdin line, in order
 *
 * Uses the shipped reference, plus the entities and aliases reviewers taught the database when it
 * answers; when it does not, the shipped reference alone (a note on stderr says so).
 */
import { createInterface } from 'node:readline';
import type { Config } from '../../config';
import type { Sql } from '../../db/client';
import { createMatcher, DEFAULT_THRESHOLDS, type Match, type Matcher } from '../../resolution/matcher';
import { loadShippedReference, mergeReference, type EntityKind } from '../../resolution/reference';
import { defineCommand, UsageError } from '../command';
import { info, out } from '../output';

const KINDS: readonly EntityKind[] = ['raga', 'composer', 'tala'];

/** The JSON shape of one answer: `best` is the top candidate whatever its confidence. */
export function resolutionJson(match: Match) {
  return {
    input: match.input,
    kind: match.kind,
    best: match.best
      ? { id: match.best.id, name: match.best.name, score: match.best.score, confidence: match.confidence }
      : null,
    // Parent, mela number and scale (ragas) and confusable entries let a reader tell near-namesakes apart.
    candidates: match.candidates.map((c) => ({
      id: c.id,
      name: c.name,
      score: c.score,
      reason: c.reason,
      ...(c.parent !== undefined ? { parent: c.parent } : {}),
      ...(c.melakarta !== undefined ? { melakarta: c.melakarta } : {}),
      ...(c.scale !== undefined ? { scale: c.scale } : {}),
      ...(c.confusableWith ? { confusableWith: c.confusableWith } : {}),
    })),
  };
}

/** Shipped reference + learned entries; the database is optional and asked with a short timeout. */
async function buildMatcher(config: Config, useDatabase: boolean): Promise<Matcher> {
  const thresholds = {
    high: config.resolution.high ?? DEFAULT_THRESHOLDS.high,
    low: config.resolution.low ?? DEFAULT_THRESHOLDS.low,
  };
  const shipped = loadShippedReference();
  if (!useDatabase) return createMatcher(shipped, thresholds);
  const { default: postgres } = await import('postgres');
  const { loadLearned } = await import('../../db/reference');
  const sql = postgres(config.databaseUrl, { max: 1, connect_timeout: 2, onnotice: () => {} }) as unknown as Sql;
  try {
    const learned = await loadLearned(sql);
    return createMatcher(mergeReference(shipped, learned.entries), thresholds);
  } catch (err) {
    info(`resolve: database not available (${(err as Error).message}); using the shipped reference only`);
    return createMatcher(shipped, thresholds);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export const resolveCommand = defineCommand({
  name: 'resolve',
  summary: 'resolve names against the reference; prints JSON (needs no Temporal; the database is optional)',
  details:
    'resolve --raga NAME | --composer NAME | --tala NAME    one JSON object\n' +
    'resolve --batch [--kind raga|composer|tala]            one JSON line per stdin line, in order',
  options: {
    raga: { type: 'string', value: 'NAME', help: 'resolve one raga name' },
    composer: { type: 'string', value: 'NAME', help: 'resolve one composer name' },
    tala: { type: 'string', value: 'NAME', help: 'resolve one tala name' },
    batch: { type: 'boolean', help: 'read one name per stdin line' },
    kind: { type: 'string', value: 'K', help: 'with --batch: raga (default), composer or tala' },
    'no-db': { type: 'boolean', help: "the shipped reference only (do not ask the database for reviewers' additions)" },
  },
  run: ({ config, values }) => runResolve(config, values),
});

async function runResolve(
  config: Config,
  opts: { raga?: string; composer?: string; tala?: string; batch?: boolean; kind?: string; 'no-db'?: boolean },
): Promise<number> {
  const values = { ...opts, kind: opts.kind ?? 'raga', batch: opts.batch ?? false };
  const single = KINDS.filter((k) => values[k] !== undefined);
  if (values.batch ? single.length > 0 : single.length !== 1) {
    throw new UsageError('resolve: give exactly one of --raga NAME, --composer NAME, --tala NAME, or --batch [--kind K]');
  }
  if (!KINDS.includes(values.kind as EntityKind)) throw new UsageError(`resolve: --kind must be one of ${KINDS.join(', ')}`);

  const matcher = await buildMatcher(config, !values['no-db']);
  if (!values.batch) {
    const kind = single[0] as EntityKind;
    out(resolutionJson(matcher.match(kind, values[kind] as string)));
    return 0;
  }

  const kind = values.kind as EntityKind;
  // One line in, one line out: an empty line still gets its answer (best null), case is kept.
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) out(resolutionJson(matcher.match(kind, line.replace(/\r$/, ''))));
  return 0;
}
