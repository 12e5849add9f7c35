/**
 * The one structured logger: JSON lines on stderr (stdout carries the CLI's results), level from
 * LOG_LEVEL. Workflow and activity lines arrive through the Temporal runtime's logger (see
 * `temporalLogger`), which carries the workflow id and run id; the batch id and row line are
 * derived from the workflow id (`batch-<id>/row-<line>`), so every line of a row can be found by
 * either. Secrets never reach the output: known secret fields are censored by path and any
 * credential embedded in a string (a URL's password, a bearer token) is masked.
 */
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { LogLevel as TemporalLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

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
    opts.destination ?? pino.destination({ dest: 2, sync: true }),
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
