/**
 * Signals, updates, queries and search-attribute keys: defined once, imported by workflows, the
 * services (CLI, API) and tests alike.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { BatchProgress, ReviewDecision, ReviewResult, RowStatus, RowTransition } from '../shared';
import { SEARCH_ATTRIBUTES } from '../shared';

// Batch
export const rowTransitionSignal = defineSignal<[RowTransition]>('rowTransition');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
/**
 * Retry the batch's FAILED rows. Sent bare (`temporal workflow signal --name retryFailed`), the
 * batch re-queues them itself; the services and a reset row send `{ requeued: true }` after they
 * have re-queued the rows they meant, and the batch only pages again.
 */
export const retryFailedSignal = defineSignal<[RetryFailedRequest?]>('retryFailed');
export interface RetryFailedRequest {
  requeued?: boolean;
}
export const progressQuery = defineQuery<BatchProgress>('progress');

// Row
export const reviewUpdate = defineUpdate<ReviewResult, [ReviewDecision]>('review');
/** The same decision as a signal: what `temporal workflow signal --query …` sends to many rows. */
export const reviewSignal = defineSignal<[ReviewDecision]>('review');
export const rowStatusQuery = defineQuery<RowStatus>('status');

export const BatchIdKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.BatchId, SearchAttributeType.KEYWORD);
export const ImportStatusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.ImportStatus, SearchAttributeType.KEYWORD);
export const SourceSiteKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.SourceSite, SearchAttributeType.KEYWORD);
export const ComposerKey = defineSearchAttributeKey(SEARCH_ATTRIBUTES.Composer, SearchAttributeType.KEYWORD);
export const ResolutionConfidenceKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTES.ResolutionConfidence,
  SearchAttributeType.KEYWORD,
);
