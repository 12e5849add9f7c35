/**
 * krithi-import command line. Every command goes through the same application services as the
 * HTTP API; results go to stdout, progress and hints to stderr.
 */
import { parseArgs } from 'node:util';
import { createReadStream } from 'node:fs';
import { ConfigError, loadConfig } from '../config';
import { ManifestError } from '../manifest/errors';
import { ServiceError } from '../services/errors';
import { batchSettingsFrom } from '../services/settings';
import { createBatchService } from '../services/batches';
import { createReviewService } from '../services/reviews';
import { ReviewArgsError, reviewOverridesFromArgs } from './review-args';
import { createBatchViews } from '../services/batch-views';
import { createRevertService } from '../services/revert';
import { reportCommand, revertCommand, watchCommand } from './editor-commands';
import { connectTemporal, prepareDatabase } from '../stack';
import { createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { seedReference } from '../db/reference';
import { runDemo } from './demo';
import { runServe } from './serve';
import { runWorkerCommand } from './worker-command';
import { EXTRACT_USAGE, runExtractCommand } from './extract-command';
import { ResolveUsageError, runResolveCommand } from './resolve-command';
import { info, out } from './output';
import { createCliLogger, logCliOutcome } from '../observability/cli-log';
import type { Logger } from '../observability/logger';

const USAGE = `usage: krithi-import <command> [options]

  demo [manifest] [--keep]        import a manifest end to end against the offline fixture site
  serve [--dev] [--fixture-site] [--api-only]
                                  worker + HTTP API (npm start); --dev: local Temporal, one-time admin token;
                                  --api-only: the API without a worker
  worker                          run the workflow and activity workers
  migrate                         apply database migrations and load the reference data
  ${EXTRACT_USAGE}
                                  one page's extraction as JSON (no server, no database)
  submit <csv> [--name NAME] [--follow [--every N]]
                                  submit a manifest; prints the batch as JSON; --follow shows progress
  watch <batchId> [--every N]     follow a batch (a bar on a terminal, else a line every N rows, default 20)
  report <batchId> [--csv]        every line with its outcome (JSON lines, or CSV)
  revert <batchId> [--yes]        remove the krithis the batch created that nobody changed since
  status <batchId>                counts per row status, and the workflow's progress
  pause|resume|cancel <batchId>   steer a batch
  retry-failed <batchId>          re-queue the failed rows as new attempts
  review list [--batch ID] [--overdue]
                                  rows awaiting review (--overdue: past REVIEW_DEADLINE_HOURS)
  review approve <rowId> [--raga ID]… [--composer ID] [--tala ID] [--title T] [--note TEXT]
  review approve <rowId> --new-raga NAME --parent MELA --arohanam '…' --avarohanam '…' [--anya SVARA]… --note SOURCE
                                  add a raga the reference lacks (svaras S R1 … N3; the note is its source) and choose it
  review reject <rowId> [--note TEXT]
  resolve --raga NAME | --composer NAME | --tala NAME
                                  resolve one name against the reference; prints JSON
  resolve --batch [--kind raga|composer|tala]
                                  one name per stdin line → one JSON line each, in order

Environment: DATABASE_URL, TEMPORAL_ADDRESS (unset: the local dev server on 127.0.0.1:7233), see README.`;

const ACTOR = process.env.KRITHI_ACTOR ?? process.env.USER ?? 'cli';
let logger: Logger | undefined;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    info(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  logger = createCliLogger(config.logLevel);

  switch (command) {
    case 'demo':
      return runDemo(config, rest);
    case 'serve':
    case 'start':
      return runServe(config, rest);
    case 'worker':
      return runWorkerCommand(config, rest);
    case 'extract':
      return runExtractCommand(config, rest);
    case 'resolve':
      // Needs no Temporal and, optionally, no database.
      return runResolveCommand(config, rest);
    case 'migrate': {
      const sql = await prepareDatabase(config.databaseUrl, { max: 2 });
      const result = await migrate(sql);
      const seeded = await seedReference(sql);
      out({ ...result, referenceSeeded: seeded });
      await sql.end();
      return 0;
    }
  }

  // Client commands: database plus a running Temporal server (never a throwaway one).
  const sql = createSql(config.databaseUrl, { max: 4 });
  const temporal = await connectTemporal(config, { startDevServer: false });
  const batches = createBatchService({ sql, client: temporal.client });
  const reviews = createReviewService({ sql, client: temporal.client, reviewDeadlineHours: config.review.deadlineHours });
  const views = createBatchViews({ sql, batches });
  const revert = createRevertService({ sql });
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        batch: { type: 'string' },
        raga: { type: 'string', multiple: true },
        composer: { type: 'string' },
        tala: { type: 'string' },
        title: { type: 'string' },
        note: { type: 'string' },
        limit: { type: 'string' },
        follow: { type: 'boolean' },
        every: { type: 'string' },
        csv: { type: 'boolean' },
        yes: { type: 'boolean' },
        overdue: { type: 'boolean' },
        'new-raga': { type: 'string' },
        'new-raga-id': { type: 'string' },
        parent: { type: 'string' },
        arohanam: { type: 'string' },
        avarohanam: { type: 'string' },
        anya: { type: 'string', multiple: true },
      },
    });
    const need = (i: number, what: string): string => {
      const v = positionals[i];
      if (!v) throw new UsageError(`${command}: missing ${what}`);
      return v;
    };
    const every = (): number => {
      const n = Number(values.every ?? 20);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${command}: --every takes a positive whole number`);
      return n;
    };
    switch (command) {
      case 'submit': {
        const file = need(0, '<csv>');
        const result = await batches.submit({
          source: createReadStream(file),
          name: values.name ?? file.split('/').pop(),
          createdBy: ACTOR,
          maxBytes: config.manifestMaxBytes,
          settings: batchSettingsFrom(config),
        });
        out(result);
        if (values.follow && result.status !== 'COMPLETED') return await watchCommand(batches, result.batchId, every());
        return 0;
      }
      case 'watch':
        return await watchCommand(batches, need(0, '<batchId>'), every());
      case 'report':
        return await reportCommand(batches, views, need(0, '<batchId>'), values.csv ? 'csv' : 'jsonl');
      case 'revert':
        return await revertCommand(revert, need(0, '<batchId>'), ACTOR, Boolean(values.yes));
      case 'status':
        out(await batches.status(need(0, '<batchId>')));
        return 0;
      case 'pause':
        await batches.pause(need(0, '<batchId>'), ACTOR);
        out({ batchId: positionals[0], status: 'PAUSED' });
        return 0;
      case 'resume':
        await batches.resume(need(0, '<batchId>'), ACTOR);
        out({ batchId: positionals[0], status: 'RUNNING' });
        return 0;
      case 'cancel':
        await batches.cancel(need(0, '<batchId>'), ACTOR);
        out({ batchId: positionals[0], status: 'CANCELLING' });
        return 0;
      case 'retry-failed':
        out({ batchId: positionals[0], ...(await batches.retryFailed(need(0, '<batchId>'), ACTOR)) });
        return 0;
      case 'review': {
        const sub = need(0, 'list|approve|reject');
        if (sub === 'list') {
          const pending = await reviews.listPending({
            batchId: values.batch,
            limit: Number(values.limit ?? 100),
            overdue: values.overdue ?? false,
          });
          for (const row of pending)
            out(row);
          return 0;
        }
        if (sub !== 'approve' && sub !== 'reject') throw new UsageError(`review: unknown subcommand ${sub}`);
        const rowId = need(1, '<rowId>');
        let overrides;
        try {
          overrides = reviewOverridesFromArgs(values);
        } catch (err) {
          if (err instanceof ReviewArgsError) throw new UsageError(err.message);
          throw err;
        }
        const result = await reviews.review(rowId, {
          decision: sub,
          reviewer: ACTOR,
          note: values.note,
          ...(Object.keys(overrides).length ? { overrides } : {}),
        });
        out({ rowId, ...result });
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}\n\n${USAGE}`);
    }
  } finally {
    await temporal.close();
    await sql.end({ timeout: 5 });
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    if (logger) logCliOutcome(logger, process.argv.slice(2), { exitCode: code });
    process.exit(code);
  },
  (err: unknown) => {
    if (logger) logCliOutcome(logger, process.argv.slice(2), err instanceof UsageError ? { exitCode: 2 } : { exitCode: 1, err });
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof ResolveUsageError) {
      info(err.message);
      process.exit(2);
    }
    if (err instanceof ServiceError || err instanceof ManifestError) {
      out({ error: err.code, message: err.message, ...('line' in err && err.line ? { line: err.line } : {}) });
      process.exit(1);
    }
    info(`krithi-import: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
