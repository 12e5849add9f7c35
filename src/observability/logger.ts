/**
 * The one structured logger: JSON lines on stderr (stdout carries the CLI's results), level from
 * LOG_LEVEL. Workflow and activity lines arrive through the Temporal runtime's logger (see
 * `temporalLogger`), which carries the workflow id and run id; the batch id and row line are
 * derived from the workflow id (`batch-<id>/row-<line>`), so every line of a row can be found by
 * either. Secrets never reach the output: known secret fields are censored by path and any
 * credential embedded in a string (a URL's password, a bearer token) is masked.
 */
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { ApplicationFailure, type LogLevel as TemporalLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/common';
import { ScrapeErrorType } from '../scraping/errors';

export type Logger = Pino;
export type Level = 'debug' | 'info' | 'warn' | 'error';

const CENSOR = '[redacted]';

/** Fields that hold secrets wherever they appear (one level of nesting is enough for our objects). */
const SECRET_KEYS = [
  'password',
  'token',
  'tokens',
  'apiTokens',
  'authorization',
  'cookie',
  'databaseUrl',
  'DATABASE_URL',
  'taskToken',
  'secret',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/** userinfo of a URL (`scheme://user:password@`), bearer/basic credentials, and `password=` pairs. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi;
const AUTH_SCHEMES = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const PASSWORD_PAIRS = /\b(password|passwd|pwd|token)=([^\s&;]+)/gi;

/** Masks credentials inside free text (error messages, URLs). */
export function scrubSecrets(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${CENSOR}@`)
    .replace(AUTH_SCHEMES, `$1 ${CENSOR}`)
    .replace(PASSWORD_PAIRS, `$1=${CENSOR}`);
}

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubSecrets(value.message), stack: value.stack ? scrubSecrets(value.stack) : undefined };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
}

export interface LoggerOptions {
  level: Level;
  /** Fields on every line (process role, command). */
  base?: Record<string, unknown>;
  /** Where lines go; default stderr, written synchronously so nothing is lost on exit. */
  destination?: DestinationStream;
  /** json (default): JSON lines; human: one short line each, for a person at a terminal. */
  format?: 'json' | 'human';
}

/** LOG_FORMAT=json, or stderr is not a terminal: JSON lines; else lines for a person. */
export function logFormatFor(setting: 'json' | 'auto', stream: { isTTY?: boolean } = process.stderr): 'json' | 'human' {
  return setting === 'json' || !stream.isTTY ? 'json' : 'human';
}

/** Fields a person at a terminal does not need on every line (they stay in the JSON format). */
const HUMAN_HIDDEN = new Set([
  'level', 'time', 'msg', 'pid', 'process', 'command', 'sdkComponent', 'taskQueue', 'isLocal', 'namespace', 'activityId',
  'workflowType', 'workflowId', 'runId', 'target', 'attempt', 'durationMs',
  // The database's row id: a person names a row by batch and line (its public name), never by this.
  'rowId',
]);

/**
 * One JSON log line as one short line: `warn  scrape attempt failed  batch=… line=64 outcome=HTTP_NOT_FOUND …`.
 * An error shows its message; its stack only at debug level.
 */
export function humanLine(line: string, withStacks = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(o)) {
    if (HUMAN_HIDDEN.has(k) || v === undefined || v === null) continue;
    if ((k === 'err' || k === 'error') && typeof v === 'object') {
      const e = v as { type?: string; message?: string; stack?: string };
      fields.push(`${k}=${JSON.stringify(`${e.type ? `${e.type}: ` : ''}${e.message ?? ''}`)}`);
      if (withStacks && e.stack) stack = `\n${e.stack}`;
      continue;
    }
    const text = typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
    fields.push(`${k === 'batchId' ? 'batch' : k}=${text}`);
  }
  return `${String(o.level ?? '').padEnd(5)}  ${String(o.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

function humanDestination(level: Level): DestinationStream {
  return { write: (line: string) => void process.stderr.write(humanLine(line, level === 'debug')) };
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid, ...opts.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrubDeep(obj) as Record<string, unknown>,
      },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      hooks: {
        logMethod(args, method) {
          // The message itself may carry a credential (an error text with a connection string).
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as typeof args;
          return method.apply(this, scrubbed);
        },
      },
    },
    opts.destination ?? (opts.format === 'human' ? humanDestination(opts.level) : pino.destination({ dest: 2, sync: true })),
  );
}

const ROW_WORKFLOW_ID = /^batch-([^/]+)(?:\/row-(\d+))?$/;

/** batchId and row line encoded in a workflow id, when it is one of ours. */
export function workflowIdFields(workflowId: unknown): { batchId?: string; line?: number } {
  if (typeof workflowId !== 'string') return {};
  const m = ROW_WORKFLOW_ID.exec(workflowId);
  if (!m) return {};
  return { batchId: m[1], ...(m[2] ? { line: Number(m[2]) } : {}) };
}

const NO_WORKFLOWS = 'No workflows registered, not polling for workflow tasks';

const isKnownScrapeFailure = (err: unknown): boolean =>
  err instanceof ApplicationFailure && typeof err.type === 'string' && (Object.values(ScrapeErrorType) as string[]).includes(err.type);

const LEVELS: Record<TemporalLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal runtime's logger, forwarding to the JSON logger: workflow `log.*` lines (with
 * workflowId, runId), activity `Context.current().log` lines (workflowId, workflowRunId) and the
 * SDK's own. Field names are made uniform (runId), the batch and row are added from the workflow
 * id, and the SDK worker's lifecycle chatter at INFO is demoted to debug.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const emit = (level: TemporalLevel, message: string, meta: LogMetadata = {}) => {
    const { workflowRunId, taskToken: _taskToken, ...rest } = meta as Record<string, unknown>;
    const fields: Record<string, unknown> = { ...rest, ...workflowIdFields(rest.workflowId) };
    if (workflowRunId !== undefined && fields.runId === undefined) fields.runId = workflowRunId;
    let target = LEVELS[level];
    if (target === 'info' && (fields.sdkComponent === 'worker' || fields.sdkComponent === 'core')) target = 'debug';
    // The scrape workers are activity-only by design: the SDK's notice that they poll no workflow
    // tasks is expected, not a warning.
    if (message === NO_WORKFLOWS && fields.sdkComponent === 'worker') target = 'debug';
    // A page that failed in a way the taxonomy knows was already logged, in one line, by the scrape
    // activity; the SDK's own line repeats it with a stack.
    if (message === 'Activity failed' && isKnownScrapeFailure(rest.error)) target = 'debug';
    logger[target](fields, message);
  };
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}
