/**
 * The command table: every command the CLI knows, in the order `--help` lists them. Dispatch and
 * help both read it, so an option that `--help` shows is one the parser takes, and no other.
 */
import type { Command } from '../command';
import { cancelCommand } from './cancel';
import { demoCommand } from './demo';
import { extractCommand } from './extract';
import { migrateCommand } from './migrate';
import { pauseCommand } from './pause';
import { reportCommand } from './report';
import { resolveCommand } from './resolve';
import { resumeCommand } from './resume';
import { retryCommand } from './retry';
import { retryFailedCommand } from './retry-failed';
import { revertCommand } from './revert';
import { reviewApproveCommand } from './review-approve';
import { reviewRejectCommand } from './review-reject';
import { reviewListCommand } from './review-list';
import { serveCommand } from './serve';
import { statusCommand } from './status';
import { submitCommand } from './submit';
import { watchCommand } from './watch';
import { workerCommand } from './worker';

export const COMMANDS: readonly Command[] = [
  demoCommand,
  serveCommand,
  workerCommand,
  migrateCommand,
  extractCommand,
  resolveCommand,
  submitCommand,
  watchCommand,
  statusCommand,
  reportCommand,
  pauseCommand,
  resumeCommand,
  cancelCommand,
  retryCommand,
  retryFailedCommand,
  revertCommand,
  reviewListCommand,
  reviewApproveCommand,
  reviewRejectCommand,
] as unknown as readonly Command[];

/** The command an argument list names (`review approve …` before `review …`), and the rest. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | null {
  const [first, second, ...more] = argv;
  if (!first) return null;
  const two = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: more };
  const one = COMMANDS.find((c) => c.name === first || c.aliases?.includes(first));
  return one ? { command: one, rest: argv.slice(1) } : null;
}

/** Commands under a group name (`review`), for `krithi-import review --help`. */
export const groupOf = (name: string): Command[] => COMMANDS.filter((c) => c.name.startsWith(`${name} `));
