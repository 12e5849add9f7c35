/**
 * One log line per CLI command: what ran, on which batch or row, and how it ended. Commands that
 * change something log at info (an audit trail on the operator's machine, with LOG_LEVEL=info),
 * reads at debug, an unexpected failure at error. One-shot commands log at warn unless LOG_LEVEL
 * says otherwise, so by default only failures show — as one human-readable line on a terminal, a
 * JSON line otherwise (or with LOG_FORMAT=json).
 */
import { batchWorkflowId } from '../shared';
import { createLogger, type Level, type Logger } from './logger';

const MUTATING = new Set(['submit', 'pause', 'resume', 'cancel', 'retry-failed', 'revert', 'migrate', 'approve', 'reject']);
const BATCH_COMMANDS = new Set(['status', 'watch', 'report', 'pause', 'resume', 'cancel', 'retry-failed', 'revert']);

export interface CliLogContext {
  command: string;
  subcommand?: string;
  batchId?: string;
  /** The row a review names, `<batchId>:<line>`. */
  row?: string;
  workflowId?: string;
  mutating: boolean;
}

/** The log fields of a command line: never its option values (a note may hold anything). */
export function cliLogContext(argv: string[]): CliLogContext {
  const positionals = argv.filter((a, i) => !a.startsWith('-') && !(i > 0 && /^--(batch|name|raga|composer|tala|title|note|limit|every)$/.test(argv[i - 1] ?? '')));
  const [command = 'help', first, second] = positionals;
  if (command === 'review') {
    const batchFlag = argv.indexOf('--batch');
    const ref = second ? /^([a-z2-7]{1,40}):(\d+)$/.exec(second) : null;
    const batchId = batchFlag >= 0 ? argv[batchFlag + 1] : ref?.[1];
    return {
      command,
      ...(first ? { subcommand: first } : {}),
      ...(ref ? { row: second } : second && /^\d+$/.test(second) && batchId ? { row: `${batchId}:${second}` } : {}),
      ...(batchId ? { batchId } : {}),
      mutating: MUTATING.has(first ?? ''),
    };
  }
  if (BATCH_COMMANDS.has(command) && first)
    return { command, batchId: first, workflowId: batchWorkflowId(first), mutating: MUTATING.has(command) };
  return { command, mutating: MUTATING.has(command) };
}

/** Logs how a CLI command ended; `exitCode` 0 is success. */
export function logCliOutcome(logger: Logger, argv: string[], outcome: { exitCode: number; err?: unknown }): void {
  const ctx = cliLogContext(argv);
  const { mutating, ...fields } = ctx;
  const level: Level = outcome.err ? 'error' : mutating ? 'info' : 'debug';
  logger[level]({ ...fields, exitCode: outcome.exitCode, ...(outcome.err ? { err: outcome.err } : {}) }, outcome.err ? 'cli command failed' : 'cli command finished');
}

export function createCliLogger(level: Level, format: 'json' | 'human' = 'json'): Logger {
  return createLogger({ level, base: { process: 'cli' }, format });
}
