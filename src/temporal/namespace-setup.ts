/**
 * What every start of the stack makes true on the Temporal side: the custom search attributes exist
 * (registered through the operator API, because `--search-attribute` only applies when the
 * namespace is first created) and each source site's scrape queue carries its rate limit (set
 * through the task-queue configuration API, which overrides whatever a worker sends).
 */
import proto from '@temporalio/proto';
import type { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../shared';

const { temporal } = proto; // CommonJS package: named ESM imports are not available
const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const ACTIVITY_QUEUE = temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((name) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  } catch (err) {
    // Another process registered them between our list and add.
    if (!/already exists/i.test(String((err as Error).message))) throw err;
  }
  // Visibility picks up new attributes asynchronously; wait until they are listed.
  for (let i = 0; i < 50; i++) {
    const now = await connection.operatorService.listSearchAttributes({ namespace });
    if (missing.every((name) => name in (now.customAttributes ?? {}))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function setQueueRateLimit(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  requestsPerSecond: number,
): Promise<void> {
  await connection.workflowService.updateTaskQueueConfig({
    namespace,
    identity: 'krithi-import',
    taskQueue,
    taskQueueType: ACTIVITY_QUEUE,
    updateQueueRateLimit: {
      rateLimit: { requestsPerSecond },
      reason: 'per-site politeness limit (krithi-import configuration)',
    },
  });
}

/** The queue's configured rate limit (requests per second), or null when none is set. */
export async function queueRateLimit(connection: Connection, namespace: string, taskQueue: string): Promise<number | null> {
  const d = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: ACTIVITY_QUEUE,
    reportConfig: true,
  });
  const limit = d.config?.queueRateLimit?.rateLimit;
  return limit ? (limit.requestsPerSecond ?? 0) : null;
}

/**
 * Sets the site limit only where none is set yet: every worker start used to re-apply
 * SITE_RATE_LIMIT, overwriting a per-site limit an operator had set (`temporal task-queue config
 * set`). Returns whether it set one.
 */
export async function ensureQueueRateLimit(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  requestsPerSecond: number,
): Promise<boolean> {
  if ((await queueRateLimit(connection, namespace, taskQueue)) !== null) return false;
  await setQueueRateLimit(connection, namespace, taskQueue, requestsPerSecond);
  return true;
}
