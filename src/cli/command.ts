/**
 * The shape of a CLI command: its name, what it takes, its options with their help, and its
 * handler. `--help` is printed from the same table that dispatch parses with, so the two cannot
 * disagree; an option the table does not list is a usage error (exit 2) before anything runs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Services } from '../services';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the help (`--every N`). */
  value?: string;
  help: string;
  /** The value when the option is not given (a string option's is shown in the help). */
  default?: string | boolean;
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : string;
/** An option with a default always has a value. */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: ValueOf<O[K]> } & {
  [K in keyof O as O[K] extends { default: string | boolean } ? K : never]-?: ValueOf<O[K]>;
};

/** The process side of a client command: one database pool and one Temporal connection, made on first use. */
export interface CliServices extends Services {
  /** The Temporal server the client talks to. */
  temporalAddress: string;
  close(): Promise<void>;
}

export interface CommandContext<O extends Record<string, OptionSpec>> {
  config: Config;
  values: OptionValues<O>;
  positionals: string[];
  /** Who the audit trail names: KRITHI_ACTOR, else the login name. */
  actor: string;
  /** Results as JSON lines: `--json`, or stdout is not a terminal (a pipe, a file, a script). */
  json: boolean;
  /** The application services (database + a running Temporal server), built once on first call. */
  services(): Promise<CliServices>;
}

export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** `submit`, or `review approve` for a subcommand. */
  name: string;
  /** How it is invoked, when not `krithi-import <name>` (a script: `npm run bench --`). */
  program?: string;
  aliases?: readonly string[];
  /** Positional synopsis after the name: `<csv>`, `[manifest]`. */
  args?: string;
  /** Positionals required / allowed. */
  positionals?: { min: number; max: number };
  summary: string;
  /** More help text shown under the usage line. */
  details?: string;
  options: O;
  run(ctx: CommandContext<O>): Promise<number>;
}

/** What usage, help and parsing read of a command: a script shares them without a handler. */
export type CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> = Omit<Command<O>, 'run'>;

const invocation = (c: CommandSpec) => c.program ?? `krithi-import ${c.name}`;

/** Keeps each command's option types tied to its handler. */
export function defineCommand<const O extends Record<string, OptionSpec>>(c: Command<O>): Command<O> {
  return c;
}

/** A command line that does not fit the command: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--json` for the commands that print results. */
export const JSON_OPTION = {
  json: { type: 'boolean', help: 'print JSON lines (the default when stdout is not a terminal)' },
} as const satisfies Record<string, OptionSpec>;

export const isHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export function synopsis(c: CommandSpec): string {
  const opts = Object.entries(c.options)
    .map(([k, o]) => `[--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}]${o.multiple ? '…' : ''}`)
    .join(' ');
  return [invocation(c), c.args ?? '', opts].filter(Boolean).join(' ');
}

export function commandHelp(c: CommandSpec): string {
  const width = Math.max('-h, --help'.length, ...Object.entries(c.options).map(([k, o]) => optionLabel(k, o).length));
  const lines = [`usage: ${synopsis(c)}`, '', c.summary];
  if (c.aliases?.length) lines.push(`(also: ${c.aliases.join(', ')})`);
  if (c.details) lines.push('', c.details);
  lines.push('', 'options:');
  for (const [k, o] of Object.entries(c.options)) lines.push(`  ${optionLabel(k, o).padEnd(width)}  ${o.help}`);
  lines.push(`  ${'-h, --help'.padEnd(width)}  this help`);
  return lines.join('\n');
}

const optionLabel = (k: string, o: OptionSpec) =>
  `${o.short ? `-${o.short}, ` : ''}--${k}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? ' (repeatable)' : ''}` +
  (o.type === 'string' && o.default !== undefined ? ` (default ${o.default})` : '');

/** The table as node:util parseArgs reads it. */
export const parseArgsOptions = (options: Record<string, OptionSpec>) =>
  Object.fromEntries(
    Object.entries(options).map(([k, o]) => [
      k,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) },
    ]),
  ) as ParseArgsConfig['options'];

/** Parses a command's arguments strictly against its table entry; anything else is a UsageError. */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(
  c: CommandSpec<O>,
  args: string[],
): { values: OptionValues<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: parseArgsOptions(c.options),
    });
  } catch (err) {
    // node:util's messages carry a hint meant for programmers; the first sentence is the point.
    const message = ((err as Error).message ?? String(err)).split('. ')[0]!.replace(/^Unknown option/, 'unknown option');
    throw new UsageError(`${c.name}: ${message} (see ${invocation(c)} --help)`);
  }
  const { min, max } = c.positionals ?? { min: 0, max: 0 };
  const positionals = parsed.positionals;
  if (positionals.length < min) throw new UsageError(`${c.name}: missing ${c.args ?? 'argument'} (usage: ${synopsis(c)})`);
  if (positionals.length > max)
    throw new UsageError(`${c.name}: unexpected argument '${positionals[max]}' (usage: ${synopsis(c)})`);
  return { values: parsed.values as OptionValues<O>, positionals };
}

/** A positive whole number option, or a UsageError naming the option. */
export function positiveInt(command: string, option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${command}: --${option} takes a positive whole number, not '${value}'`);
  return n;
}

/** A command that could not do its work for a reason the user can act on: one line, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}
