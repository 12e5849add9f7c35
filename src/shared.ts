/**
 * Names and payload types that cross process boundaries (workflow ⇄ activities ⇄ client ⇄ CLI/API).
 * Everything here must stay free of Node APIs: the workflow bundle imports it.
 */

/** The one list of row statuses. The database, search attributes, CLI and API all use it. */
export const ROW_STATUSES = [
  'QUEUED',
  'SCRAPING',
  'RESOLVING',
  'PENDING_REVIEW',
  'PERSISTING',
  'IMPORTED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export const TERMINAL_STATUSES = ['IMPORTED', 'REJECTED', 'FAILED', 'CANCELLED'] as const satisfies readonly RowStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(status: RowStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly RowStatus[]).includes(status);
}

export const BATCH_STATUSES = ['RUNNING', 'PAUSED', 'CANCELLING', 'CANCELLED', 'COMPLETED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export type Confidence = 'HIGH' | 'MEDIUM' | 'LOW';

/** Workflow ids are derived, never stored separately: one batch, one id; one row, one id. */
export const batchWorkflowId = (batchId: string): string => `batch-${batchId}`;
export const rowWorkflowId = (batchId: string, line: number): string => `batch-${batchId}/row-${line}`;

/** Search attributes registered at startup (all Keyword). */
export const SEARCH_ATTRIBUTES = {
  BatchId: 'BatchId',
  ImportStatus: 'ImportStatus',
  SourceSite: 'SourceSite',
} as const;
