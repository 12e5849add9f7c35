/**
 * krithi-import command line: finds the command in the table, answers `--help` from it, parses the
 * arguments strictly against it, and runs its handler with the configuration and — for client
 * commands — the application services (the same ones the HTTP API uses). Results go to stdout;
 * progress, hints and errors to stderr, one line each, without stacks (LOG_LEVEL=debug adds them).
 */
import { ConfigError, loadConfig, type Config } from '../config';
import { ManifestError } from '../manifest/errors';
import { createCliLogger, logCliOutcome } from '../observability/cli-log';
import { logFormatFor, type Logger } from '../observability/logger';
import { ServiceError } from '../services/errors';
import { CommandError, commandHelp, isHelp, parseCommandArgs, UsageError, type CliServices, type Command } from './command';
import { COMMANDS, findCommand, groupOf } from './commands';
import { info, out } from './output';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length + (c.args ? c.args.length + 1 : 0)));
  return [
    'usage: krithi-import <command> [options]     (krithi-import <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: DATABASE_URL, TEMPORAL_ADDRESS (unset: the local dev server on 127.0.0.1:7233), LOG_LEVEL,',
    'LOG_FORMAT=json; see README.',
  ].join('\n');
}

/** Services over one pool and one connection, made when a handler first asks. */
function lazyServices(config: Config): { get(): Promise<CliServices>; close(): Promise<void> } {
  let made: Promise<CliServices> | undefined;
  return {
    get() {
      made ??= (async () => {
        const { connectTemporal } = await import('../stack');
        const { createServices } = await import('../services');
        const { createSql } = await import('../db/client');
        // A running Temporal server is needed (never a throwaway one) — and the database.
        const temporal = await connectTemporal(config, { startServer: false }).catch((err: Error) => {
          throw new CommandError(
            `cannot reach Temporal at ${config.temporal.address ?? `127.0.0.1:${config.temporal.devPort}`}: ${err.message.split('\n')[0]}`,
          );
        });
        const sql = createSql(config.databaseUrl, { max: 4 });
        const services = createServices({ sql, client: temporal.client, reviewDeadlineHours: config.review.deadlineHours });
        return {
          ...services,
          temporalAddress: temporal.address,
          async close() {
            await temporal.close();
            await sql.end({ timeout: 5 });
          },
        };
      })();
      return made;
    },
    async close() {
      if (made) await (await made.catch(() => null))?.close();
    },
  };
}

let logger: Logger | undefined;

async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    // Asked for: stdout, exit 0. Nothing asked: a usage error on stderr.
    (first ? out : info)(overview());
    return first ? 0 : 2;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = groupOf(first);
    if (group.length) {
      if (isHelp(argv.slice(1))) {
        out(group.map(commandHelp).join('\n\n'));
        return 0;
      }
      throw new UsageError(`${first}: ${argv[1] ? `unknown subcommand '${argv[1]}'` : 'missing subcommand'}; one of ${group.map((c) => c.name.split(' ')[1]).join(', ')}`);
    }
    throw new UsageError(`unknown command '${first}' (krithi-import --help lists them)`);
  }
  const { command, rest } = found;
  if (isHelp(rest)) {
    out(commandHelp(command));
    return 0;
  }
  const { values, positionals } = parseCommandArgs(command, rest);
  const config = loadConfig();
  logger = createCliLogger(config.cliLogLevel, logFormatFor(config.logFormat));
  const services = lazyServices(config);
  try {
    return await (command as Command).run({
      config,
      values,
      positionals,
      actor: process.env.KRITHI_ACTOR ?? process.env.USER ?? 'cli',
      json: Boolean(values.json) || !process.stdout.isTTY,
      services: services.get,
    });
  } finally {
    await services.close();
  }
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    if (logger) logCliOutcome(logger, argv, { exitCode: code });
    process.exit(code);
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof ConfigError;
    const expected = usage || err instanceof CommandError || err instanceof ServiceError || err instanceof ManifestError;
    if (logger && !expected) logCliOutcome(logger, argv, { exitCode: 1, err });
    if (err instanceof ServiceError || err instanceof ManifestError) {
      // Scripts read the JSON; people read the line.
      if (!process.stdout.isTTY) out({ error: err.code, message: err.message, ...('line' in err && err.line ? { line: err.line } : {}) });
      info(`krithi-import: ${err.message}${err instanceof ManifestError && err.line ? ` (line ${err.line})` : ''}`);
      process.exit(1);
    }
    if (expected) {
      // Messages name their command (`submit: …`) when they have one.
      const message = (err as Error).message;
      info(`krithi-import${/^[a-z-]+( [a-z]+)?: /.test(message) ? ' ' : ': '}${message}`);
      process.exit(usage ? 2 : 1);
    }
    // Unexpected: the logger's error line (one line on a terminal; JSON with the stack otherwise).
    if (!logger) info(`krithi-import: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
