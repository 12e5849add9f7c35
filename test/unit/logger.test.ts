/**
 * The JSON logger: the fields every line carries, the Temporal runtime adapter, the CLI's line,
 * and that no secret (token, password, connection string credentials) reaches the output.
 */
import { describe, expect, it } from 'vitest';
import { cliLogContext, logCliOutcome } from '../../src/observability/cli-log';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, humanLine, logFormatFor, scrubSecrets, temporalLogger, workflowIdFields } from '../../src/observability/logger';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const raw: string[] = [];
  const logger = createLogger({ level, base: { command: 'test' }, destination: { write: (s: string) => void raw.push(s) } });
  return { logger, raw, lines: () => raw.map((s) => JSON.parse(s) as Record<string, unknown>) };
}

describe('when a line is logged', () => {
  it('then it is one JSON object with level name, ISO time, pid, the base fields and the message', () => {
    const { logger, lines } = capture();
    logger.info({ batchId: 'b1' }, 'hello');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'hello', batchId: 'b1', command: 'test', pid: process.pid, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
  });

  it('then lines below the configured level are dropped', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines().map((l) => l.msg)).toEqual(['loud']);
  });
});

describe('when a line would carry a secret', () => {
  const secretUrl = 'postgres://krithi:s3cr3t-pa55@db.internal:5432/krithi_import';
  const token = 'tok_live_0123456789abcdef';

  it.each([
    ['a token field', { token }],
    ['a nested token field', { caller: { name: 'ops', token } }],
    ['an authorization header', { req: { headers: { authorization: `Bearer ${token}` } } }],
    ['a password field', { password: 's3cr3t-pa55' }],
    ['a databaseUrl field', { databaseUrl: secretUrl }],
    ['a DATABASE_URL field', { DATABASE_URL: secretUrl }],
    ['a connection string inside another field', { detail: `could not connect to ${secretUrl}` }],
    ['a bearer token inside text', { note: `sent Authorization: Bearer ${token}` }],
    ['a password pair inside a URL query', { url: `https://example.org/x?token=${token}&password=s3cr3t-pa55` }],
    ['an error whose message holds the connection string', { err: new Error(`connect ECONNREFUSED ${secretUrl}`) }],
  ])('then %s is redacted', (_what, fields) => {
    const { logger, raw } = capture();
    logger.error(fields, 'failure');
    const text = raw.join('');
    expect(text).not.toContain('s3cr3t-pa55');
    expect(text).not.toContain(token);
    expect(text).toContain('[redacted]');
  });

  it('then a secret inside the message itself is masked, the rest of the message kept', () => {
    const { logger, lines } = capture();
    logger.warn(`retrying ${secretUrl}`);
    expect(lines()[0]?.msg).toBe('retrying postgres://krithi:[redacted]@db.internal:5432/krithi_import');
  });

  it('then scrubSecrets leaves text without credentials unchanged', () => {
    const plain = 'fetched https://guru-guha.blogspot.com/2024/01/x.html in 120 ms (postgres://postgres@127.0.0.1/db)';
    expect(scrubSecrets(plain)).toBe(plain);
  });
});

describe('when the Temporal runtime logs through the adapter', () => {
  it('then a row activity line carries batchId, line, workflowId and runId, and never the task token', () => {
    const { logger, lines } = capture();
    temporalLogger(logger).info('row status changed', {
      sdkComponent: 'activity',
      workflowId: 'batch-abc123/row-7',
      workflowRunId: 'run-1',
      activityType: 'setRowStatus',
      taskToken: 'c2VjcmV0LXRhc2stdG9rZW4=',
      rowId: '42',
    });
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', batchId: 'abc123', line: 7, workflowId: 'batch-abc123/row-7', runId: 'run-1', rowId: '42' });
    expect(line).not.toHaveProperty('taskToken');
    expect(line).not.toHaveProperty('workflowRunId');
  });

  it('then a batch workflow line carries the batch id and no line', () => {
    const { logger, lines } = capture();
    temporalLogger(logger).warn('continuing as new', { sdkComponent: 'workflow', workflowId: 'batch-abc123', runId: 'run-2' });
    expect(lines()[0]).toMatchObject({ level: 'warn', batchId: 'abc123', runId: 'run-2' });
    expect(lines()[0]).not.toHaveProperty('line');
  });

  it("then the SDK worker's INFO chatter is demoted to debug and workflow INFO is kept", () => {
    const { logger, lines } = capture('info');
    const t = temporalLogger(logger);
    t.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    t.info('persist needs review', { sdkComponent: 'workflow', workflowId: 'batch-b/row-2', runId: 'r' });
    t.log('ERROR', 'Worker failed', { sdkComponent: 'worker' });
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['info', 'persist needs review'],
      ['error', 'Worker failed'],
    ]);
  });

  it.each([
    ['batch-x1/row-12', { batchId: 'x1', line: 12 }],
    ['batch-x1', { batchId: 'x1' }],
    ['someone-elses-workflow', {}],
    [undefined, {}],
  ])('then workflow id %s yields %o', (id, expected) => {
    expect(workflowIdFields(id)).toEqual(expected);
  });
});

describe('when a CLI command finishes', () => {
  it('then a mutating command logs at info with its batch id and workflow id, and no option values', () => {
    const { logger, lines } = capture('info');
    logCliOutcome(logger, ['cancel', 'abc123'], { exitCode: 0 });
    logCliOutcome(logger, ['status', 'abc123'], { exitCode: 0 });
    logCliOutcome(logger, ['review', 'approve', 'b7:42', '--note', 'secret-looking note', '--raga', 'kalyani'], { exitCode: 0 });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', command: 'cancel', batchId: 'abc123', workflowId: 'batch-abc123', exitCode: 0 }),
      expect.objectContaining({ level: 'info', command: 'review', subcommand: 'approve', row: 'b7:42', batchId: 'b7', exitCode: 0 }),
    ]);
    expect(JSON.stringify(lines())).not.toContain('secret-looking note');
  });

  it('then a failed command logs at error with the error', () => {
    const { logger, lines } = capture('info');
    logCliOutcome(logger, ['pause', 'b9'], { exitCode: 1, err: new Error('batch b9 not found') });
    expect(lines()[0]).toMatchObject({ level: 'error', batchId: 'b9', exitCode: 1, err: { message: 'batch b9 not found' } });
  });

  it('then review list --batch names the batch', () => {
    expect(cliLogContext(['review', 'list', '--batch', 'b7', '--overdue'])).toEqual({
      command: 'review',
      subcommand: 'list',
      batchId: 'b7',
      mutating: false,
    });
  });
});

describe('when the SDK reports what the design intends', () => {
  it('then "No workflows registered" from an activity-only scrape worker is debug, not a warning', () => {
    const { logger, lines } = capture('warn');
    temporalLogger(logger).warn('No workflows registered, not polling for workflow tasks', {
      sdkComponent: 'worker',
      taskQueue: 'krithi-scrape-guru-guha.blogspot.com',
    });
    temporalLogger(logger).warn('Workflow task duration exceeded 5 sec', { sdkComponent: 'core' });
    expect(lines().map((l) => l.msg)).toEqual(['Workflow task duration exceeded 5 sec']);
  });

  it('then the SDK line for a page failure the taxonomy knows is debug (the activity logged it), an unknown error stays a warning', () => {
    const { logger, lines } = capture('warn');
    const known = ApplicationFailure.create({ type: 'HTTP_NOT_FOUND', message: '404 for http://x.test/a', nonRetryable: true });
    temporalLogger(logger).warn('Activity failed', { sdkComponent: 'worker', error: known, workflowId: 'batch-b1/row-3' });
    temporalLogger(logger).warn('Activity failed', { sdkComponent: 'worker', error: new TypeError('x is undefined'), workflowId: 'batch-b1/row-4' });
    expect(lines()).toEqual([expect.objectContaining({ msg: 'Activity failed', line: 4 })]);
  });
});

describe('when a person reads the log at a terminal', () => {
  it('then a line is level, message and its own fields on one line, an error by its message without the stack', () => {
    const json = JSON.stringify({
      level: 'warn', time: '2026-12-03T14:04:31.037Z', pid: 1, command: 'demo', sdkComponent: 'activity', taskQueue: 'q',
      workflowId: 'batch-b1/row-64', runId: 'r', rowId: '63', batchId: 'b1', line: 64, outcome: 'HTTP_NOT_FOUND',
      message: '404 for http://x.test/a b', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' },
      msg: 'scrape attempt failed',
    });
    const line = humanLine(json);
    expect(line).toBe('warn   scrape attempt failed  batch=b1 line=64 outcome=HTTP_NOT_FOUND message="404 for http://x.test/a b" err="Error: boom"\n');
    expect(humanLine(json, true)).toContain('\n    at f (x.ts:1:1)');
  });

  it('then LOG_FORMAT=json or a stderr that is not a terminal gets JSON lines', () => {
    expect(logFormatFor('auto', { isTTY: true })).toBe('human');
    expect(logFormatFor('auto', { isTTY: false })).toBe('json');
    expect(logFormatFor('json', { isTTY: true })).toBe('json');
  });
});
