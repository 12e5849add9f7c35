/**
 * Signalling a batch's workflow from outside it (the services, and activities that change a
 * batch's rows): signal-with-start, so a batch whose run has closed — completed, or closing right
 * now — gets a new run under the same workflow id that takes the signal, instead of the signal
 * being lost. The new run reads its state from PostgreSQL.
 */
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { WORKFLOW_TYPES, batchWorkflowId, type BatchSettings } from '../shared';
import { taskQueues } from './task-queues';

export async function signalBatch<Args extends unknown[]>(
  client: Client,
  batch: { id: string; settings: unknown },
  signal: SignalDefinition<Args>,
  ...signalArgs: Args
): Promise<void> {
  // The client's typing ties signalArgs to a fixed-arity tuple; the definition carries the shape.
  const anySignal = signal as SignalDefinition<unknown[]>;
  const settings = batch.settings as BatchSettings;
  await client.workflow.signalWithStart(WORKFLOW_TYPES.batch, {
    workflowId: batchWorkflowId(batch.id),
    taskQueue: taskQueues(settings.taskQueuePrefix).main,
    args: [{ batchId: batch.id, settings }],
    signal: anySignal,
    signalArgs: signalArgs as unknown[],
  });
}
