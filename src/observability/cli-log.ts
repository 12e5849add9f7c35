/**
 * One JSON log line per CLI command: what ran, on which batch or row, by whom, and how it ended.
 * Commands that change something log at info (an audit trail on the operator's machine); reads
 * log at debug so a plain `status` does not print JSON by default.
 */
import { batchWorkflowId } from '../shared';
import { createLogger, type Level, type Logger } from './logger';

const MUTATING = new Set(['submit', 'pause', 'resume', 'cancel', 'retry-failed', 'revert', 'migrate', 'approve', 'reject']);
const BATCH_COMMANDS = new Set(['status', 'watch', 'report', 'pause', 'resume', 'cancel', 'retry-failed', 'revert']);

export interface CliLogContext {
  command: string;
  subcommand?: string;
  batchId?: string;
  rowId?: string;
  workflowId?: string;
  mutating: boolean;
}

/** The log fields of a command line: never its option values (a note may hold anything). */
export function cliLogContext(argv: string[]): CliLogContext {
  const positionals = argv.filter((a, i) => !a.startsWith('-') && !(i > 0 && /^--(batch|name|raga|composer|tala|title|note|limit|every)$/.test(argv[i - 1] ?? '')));
  const [command = 'help', first, second] = positionals;
  if (command === 'review') {
    const batchFlag = argv.indexOf('--batch');
    const batchId = batchFlag >= 0 ? argv[batchFlag + 1] : undefined;
    return {
      command,
      ...(first ? { subcommand: first } : {}),
      ...(second && /^\d+$/.test(second) ? { rowId: second } : {}),
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
  logger[level]({ ...fields, exitCode: outcome.exitCode, ...(outcome.err ? { err: outcome.err } : {}) }, 'cli command finished');
}

export function createCliLogger(level: Level): Logger {
  return createLogger({ level, base: { process: 'cli' } });
}
