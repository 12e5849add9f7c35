import { ApplicationFailure } from '@temporalio/common';
import { ScrapeError } from '../scraping/errors';

/**
 * The one place a domain error becomes a Temporal failure: its stable `type` travels to the
 * workflow (and the row), retryable or not as the domain says, with the server's requested delay.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ScrapeError) {
    return ApplicationFailure.create({
      type: err.type,
      message: err.message,
      nonRetryable: !err.retryable,
      nextRetryDelay: err.opts?.retryAfterMs,
      details: [{ status: err.opts?.status ?? null, url: err.opts?.url ?? null }],
    });
  }
  return err;
}
