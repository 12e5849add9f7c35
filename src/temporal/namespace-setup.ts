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

/** Who sets limits from this application's configuration (an operator's CLI or UI is someone else). */
export const CONFIG_IDENTITY = 'krithi-import';

export async function setQueueRateLimit(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  requestsPerSecond: number,
  identity: string = CONFIG_IDENTITY,
): Promise<void> {
  await connection.workflowService.updateTaskQueueConfig({
    namespace,
    identity,
    taskQueue,
    taskQueueType: ACTIVITY_QUEUE,
    updateQueueRateLimit: {
      rateLimit: { requestsPerSecond },
      reason: identity === CONFIG_IDENTITY ? 'per-site politeness limit (krithi-import configuration)' : 'set by an operator',
    },
  });
}

/** The queue's configured rate limit and who set it, or null when none is set. */
export async function queueRateLimit(
  connection: Connection,
  namespace: string,
  taskQueue: string,
): Promise<{ requestsPerSecond: number; setBy: string } | null> {
  const d = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: ACTIVITY_QUEUE,
    reportConfig: true,
  });
  const config = d.config?.queueRateLimit;
  if (!config?.rateLimit) return null;
  return { requestsPerSecond: config.rateLimit.requestsPerSecond ?? 0, setBy: config.metadata?.updateIdentity ?? '' };
}

/**
 * Applies SITE_RATE_LIMIT to a site queue unless an operator has set that queue's limit: every
 * worker start used to re-apply it, overwriting a per-site limit set with `temporal task-queue
 * config set`. A limit this application set earlier follows the configuration (a changed
 * SITE_RATE_LIMIT still takes effect). Returns whether it wrote.
 */
export async function ensureQueueRateLimit(
  connection: Connection,
  namespace: string,
  taskQueue: string,
  requestsPerSecond: number,
): Promise<boolean> {
  const current = await queueRateLimit(connection, namespace, taskQueue);
  if (current && (current.setBy !== CONFIG_IDENTITY || current.requestsPerSecond === requestsPerSecond)) return false;
  await setQueueRateLimit(connection, namespace, taskQueue, requestsPerSecond);
  return true;
}
