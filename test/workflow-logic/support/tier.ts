/**
 * One stack per test on the tier's shared dev server: a fresh batch id (so fresh workflow ids), a
 * task-queue prefix of its own, a worker on the main queue running the real bundled workflows with
 * stub activities, and one on the site's scrape queue. Nothing is shared between tests but the
 * server and the bundle.
 *
 * Why not time skipping: it needs the Java test server, which cannot be downloaded here, so every
 * wait the workflows make (the batch's reconcile interval, retry delays) is set through their
 * inputs instead — short where a test needs it to pass, an hour where it must not happen.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { batchWorkflowId, rowWorkflowId, WORKFLOW_TYPES, type BatchSettings } from '../../../src/shared';
import { taskQueues } from '../../../src/temporal/task-queues';
import type { BatchCarry, BatchImport } from '../../../src/workflows/batch-import';
import type { KrithiImport } from '../../../src/workflows/krithi-import';
import { RowStore, type FakeRow, type RowScript } from './row-store';
import { stubMainActivities, stubScrapeActivities } from './stub-activities';

export const SITE = 'guru-guha.blogspot.com';
/** Long enough never to fire during a test: a test that passes only through it is a failing one. */
export const NEVER_MS = 3_600_000;

/**
 * The shared part of the tier: the connection, the row store and the worker on the main queue.
 * Compiling the workflow bundle into a worker costs 1.5 s or more here, so the files (run in turn
 * in one process, see vitest.config.ts) share one main-queue worker; every test still gets its own
 * batch (so its own workflow ids), its own scrape queue and scrape worker, and its rows in the
 * store under its own batch id.
 */
export interface Tier {
  env: TestWorkflowEnvironment;
  store: RowStore;
  mainQueue: string;
  /** Rejects if the main worker stops while tests run. */
  crashed: Promise<never>;
  /** Ends this file's use; the worker stops shortly after the last file let go of it. */
  close(): Promise<void>;
}

let shared: Promise<Omit<Tier, 'close'> & { stop(): Promise<void> }> | undefined;
let users = 0;
let idleTimer: NodeJS.Timeout | undefined;

async function createShared() {
  // Workers log every state change at INFO; the tier's output should be the test report.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('workflowTierAddress') });
  const store = new RowStore();
  const mainQueue = taskQueues(`wt${randomBytes(4).toString('hex')}`).main;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: mainQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: stubMainActivities(store, () => env.client),
    shutdownGraceTime: '1 second',
  });
  let stopping = false;
  const running = worker.run();
  const crashed = running.then(() => {
    if (!stopping) throw new Error('the main-queue worker stopped during the tests');
  }) as Promise<never>;
  crashed.catch(() => undefined);
  return {
    env,
    store,
    mainQueue,
    crashed,
    async stop() {
      stopping = true;
      store.releaseAll();
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

export async function openTier(): Promise<Tier> {
  clearTimeout(idleTimer);
  users += 1;
  shared ??= createShared();
  const t = await shared;
  return {
    ...t,
    async close() {
      users -= 1;
      if (users > 0) return;
      // The next file (same process) opens the tier within milliseconds and keeps it.
      idleTimer = setTimeout(() => {
        const closing = shared;
        shared = undefined;
        void closing?.then((x) => x.stop());
      }, 300);
    },
  };
}

export interface StackOptions {
  rows: number;
  script?: (line: number) => RowScript;
  settings?: Partial<BatchSettings>;
  /** Every scrape that is not held takes this long. */
  scrapeDelayMs?: number;
}

export interface Stack {
  batchId: string;
  settings: BatchSettings;
  store: RowStore;
  client: Client;
  /** Starts the batch workflow (a continued run when `carry` is given). */
  startBatch(carry?: BatchCarry): Promise<WorkflowHandleWithFirstExecutionRunId<typeof BatchImport>>;
  batch(): WorkflowHandle<typeof BatchImport>;
  /** Starts one row's workflow on its own, without a batch (its reports go nowhere, harmlessly). */
  startRow(line: number, opts?: { workflowTaskTimeout?: string }): Promise<WorkflowHandle<typeof KrithiImport>>;
  row(line: number): WorkflowHandle<typeof KrithiImport>;
  rowOf(line: number): FakeRow;
}

/** Runs `body` with a fresh batch and a scrape worker of its own; held scrapes are let go afterwards. */
export async function withStack<T>(tier: Tier, opts: StackOptions, body: (s: Stack) => Promise<T>): Promise<T> {
  const batchId = `wt${randomBytes(5).toString('hex')}`;
  const prefix = `wt${randomBytes(4).toString('hex')}`;
  const settings: BatchSettings = {
    window: 5,
    rowsPerRun: 1000,
    taskQueuePrefix: prefix,
    sites: [SITE],
    scrape: { maxAttempts: 1, initialRetryMs: 10, maxRetryMs: 10 },
    reconcileIntervalMs: NEVER_MS,
    reviewPolicy: 'human',
    ...opts.settings,
  };
  const { store, env } = tier;
  const rows = store.addBatch(batchId, opts.rows, SITE, opts.script);
  const client = env.client;
  const scrape = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: taskQueues(prefix).scrape(SITE),
    activities: stubScrapeActivities(store, { delayMs: opts.scrapeDelayMs }),
    // Heartbeats reach the server often enough for a cancellation to arrive within the test.
    maxHeartbeatThrottleInterval: '100 ms',
    shutdownGraceTime: '1 second',
  });
  const rowInput = (line: number) => {
    const r = rows.find((x) => x.line === line);
    if (!r) throw new Error(`no row on line ${line}`);
    return { batchId, rowId: r.rowId, line, site: r.site, settings };
  };
  const stack: Stack = {
    batchId,
    settings,
    store,
    client,
    startBatch: (carry) =>
      client.workflow.start<typeof BatchImport>(WORKFLOW_TYPES.batch, {
        taskQueue: tier.mainQueue,
        workflowId: batchWorkflowId(batchId),
        args: [{ batchId, settings, ...(carry ? { carry } : {}) }],
      }),
    batch: () => client.workflow.getHandle<typeof BatchImport>(batchWorkflowId(batchId)),
    startRow: (line, opts = {}) =>
      client.workflow.start<typeof KrithiImport>(WORKFLOW_TYPES.row, {
        ...opts,
        taskQueue: tier.mainQueue,
        workflowId: rowWorkflowId(batchId, line),
        args: [rowInput(line)],
      }),
    row: (line) => client.workflow.getHandle<typeof KrithiImport>(rowWorkflowId(batchId, line)),
    rowOf: (line) => store.byLine(batchId, line),
  };

  let stopped = false;
  const running = scrape.run();
  const crashed = running.then(() => {
    if (!stopped) throw new Error('the scrape worker stopped during the test');
  }) as Promise<never>;
  crashed.catch(() => undefined);
  try {
    return await Promise.race([body(stack), crashed, tier.crashed]);
  } finally {
    stopped = true;
    store.releaseBatch(batchId);
    scrape.shutdown();
    await running;
  }
}

/**
 * Polls a query (or any read) until `accept` holds. Any error fails at once: every run registers
 * its queries in its first workflow task, so even a run that has just started or continued-as-new
 * answers (steering.test.ts shows it).
 */
export async function eventually<T>(read: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await read();
    if (accept(v)) return v;
    last = v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `promise`, or a clear failure naming what did not happen in time. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
