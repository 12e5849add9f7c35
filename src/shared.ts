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

/** Workflow type names, for clients that start workflows by name. */
export const WORKFLOW_TYPES = { batch: 'BatchImport', row: 'KrithiImport' } as const;

/** Workflow ids are derived, never stored separately: one batch, one id; one row, one id. */
export const batchWorkflowId = (batchId: string): string => `batch-${batchId}`;
export const rowWorkflowId = (batchId: string, line: number): string => `batch-${batchId}/row-${line}`;

/**
 * Search attributes registered at startup (all Keyword; the dev server's SQLite visibility holds
 * at most 10). Composer is the resolved composer's name, ResolutionConfidence HIGH|MEDIUM|LOW.
 */
export const SEARCH_ATTRIBUTES = {
  BatchId: 'BatchId',
  ImportStatus: 'ImportStatus',
  SourceSite: 'SourceSite',
  Composer: 'Composer',
  ResolutionConfidence: 'ResolutionConfidence',
} as const;

/** Settings fixed when a batch is submitted and carried by its workflows (never read from env there). */
export interface BatchSettings {
  /** At most this many rows actively processing (waiting for review holds no slot). */
  window: number;
  /** Children started per BatchImport run before it continues-as-new. */
  rowsPerRun: number;
  taskQueuePrefix: string;
  /** Hosts that have a scrape queue; rows of other hosts fail BLOCKED_URL without a request. */
  sites: string[];
  scrape: { maxAttempts: number; initialRetryMs: number; maxRetryMs: number };
  /** How often an idle batch re-checks PostgreSQL for rows whose report it may have missed. */
  reconcileIntervalMs: number;
  /**
   * 'human' (default): uncertain rows wait for a reviewer. 'auto': they are decided at once by
   * policy — approved when a composer and a raga were chosen, rejected otherwise (benchmarks,
   * unattended re-imports); the decision is audited as made by `auto-policy`.
   */
  reviewPolicy?: 'human' | 'auto';
}

export function emptyCounts(): Record<RowStatus, number> {
  return Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
}

/**
 * A raga the reference lacks, added by the reviewer with the decision that needs it. Its scale is
 * svaras (`S R2 M1 P D2 S`); svaras outside the parent mela must be listed as anya svaras. The
 * decision's note is its source.
 */
export interface NewRaga {
  /** Derived from the name when absent (see ragaIdFromName); the review service fills it in. */
  id?: string;
  name: string;
  /** The parent melakarta's id. */
  parent: string;
  arohanam: string;
  avarohanam: string;
  anyaSvaras?: string[];
}

/** A reviewer's decision, sent as the `review` update (or signal). */
export interface ReviewDecision {
  decision: 'approve' | 'reject';
  reviewer: string;
  note?: string;
  overrides?: {
    composerId?: string;
    ragaIds?: string[];
    talaId?: string | null;
    title?: string;
    /** Added to the reference when the row is persisted, in the same transaction; `ragaIds` names it. */
    newRaga?: NewRaga;
  };
}

/** C0 controls (NUL included) and DEL: PostgreSQL refuses NUL, and none of them belongs in a name. */
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The same, except tab, line feed and carriage return (free text such as a note may hold lines). */
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function hasControlCharacters(s: string, opts: { lines?: boolean } = {}): boolean {
  return (opts.lines ? CONTROL_EXCEPT_LINES : CONTROL).test(s);
}

/**
 * The first field of a decision that holds characters no row may store, as `field: why`, or null.
 * Checked at every edge (API, review page, service, workflow) so such a decision is refused, not
 * confirmed and then unwritable.
 */
export function decisionTextProblem(d: ReviewDecision): string | null {
  const fields: [string, unknown, boolean][] = [
    ['reviewer', d.reviewer, false],
    ['note', d.note, true],
    ['overrides.composerId', d.overrides?.composerId, false],
    ['overrides.talaId', d.overrides?.talaId, false],
    ['overrides.title', d.overrides?.title, false],
    ...(Array.isArray(d.overrides?.ragaIds) ? d.overrides!.ragaIds.map((r, i) => [`overrides.ragaIds[${i}]`, r, false] as [string, unknown, boolean]) : []),
  ];
  for (const [field, value, lines] of fields)
    if (typeof value === 'string' && hasControlCharacters(value, { lines })) return `${field} contains control characters`;
  return null;
}

export interface ReviewResult {
  status: Extract<RowStatus, 'PERSISTING' | 'REJECTED'>;
}

/** A child's report to its batch: one per status change. */
export interface RowTransition {
  line: number;
  from: RowStatus;
  to: RowStatus;
}

export interface BatchProgress {
  batchId: string;
  paused: boolean;
  inFlight: number;
  cursor: number;
  run: number;
  /** False for the moment between a run's start and its first read of the counters (counts empty). */
  countersRead: boolean;
  counts: Record<RowStatus, number>;
}

export interface BatchSummary {
  batchId: string;
  status: BatchStatus;
  totalRecords: number;
  invalidRows: number;
  duplicates: number;
  counts: Record<RowStatus, number>;
}

/** Error types the workflows themselves raise or branch on. */
export const WorkflowErrorType = {
  NOT_AWAITING_REVIEW: 'NOT_AWAITING_REVIEW',
  ALREADY_DECIDED: 'ALREADY_DECIDED',
  INVALID_DECISION: 'INVALID_DECISION',
} as const;
