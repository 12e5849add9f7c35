/** Every application service over one database pool and one Temporal client: what the API is given. */
import type { Client } from '@temporalio/client';
import { createApiStateStore } from '../db/api-state';
import type { Sql } from '../db/client';
import { createBatchViews } from './batch-views';
import { createBatchService } from './batches';
import { createBulkReview } from './bulk-review';
import { createImportService } from './imports';
import { createReferenceService } from './reference';
import { createReviewService } from './reviews';
import { createRevertService } from './revert';

export function createServices({
  sql,
  client,
  updateTimeoutMs,
  reviewDeadlineHours,
}: {
  sql: Sql;
  client: Client;
  updateTimeoutMs?: number;
  /** REVIEW_DEADLINE_HOURS: pending rows older than this are listed as overdue. */
  reviewDeadlineHours?: number;
}) {
  const batches = createBatchService({ sql, client });
  const reviews = createReviewService({ sql, client, updateTimeoutMs, reviewDeadlineHours });
  return {
    batches,
    batchViews: createBatchViews({ sql, batches }),
    imports: createImportService({ sql, reviewDeadlineHours }),
    reviews,
    bulkReview: createBulkReview({ sql, reviews }),
    reference: createReferenceService({ sql }),
    revert: createRevertService({ sql }),
    /** Sessions and request windows every API process shares (src/db/api-state.ts). */
    apiState: createApiStateStore(sql),
    /** PostgreSQL and Temporal each answer within a couple of seconds. */
    async health(): Promise<{ postgres: boolean; temporal: boolean }> {
      const within = <T>(p: Promise<T>) =>
        Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]).catch(() => false);
      const [postgres, temporal] = await Promise.all([
        within(sql`SELECT 1`),
        within(client.withDeadline(Date.now() + 2000, () => client.workflowService.getSystemInfo({}))),
      ]);
      return { postgres, temporal };
    },
  };
}

export type Services = ReturnType<typeof createServices>;
