/**
 * The scraping failure taxonomy. The activity layer turns a `ScrapeError` into an
 * `ApplicationFailure` whose `type` is the `ScrapeErrorType` and whose retryability is decided
 * here, where the failure is understood.
 */
export const ScrapeErrorType = {
  HTTP_NOT_FOUND: 'HTTP_NOT_FOUND',
  HTTP_GONE: 'HTTP_GONE',
  HTTP_CLIENT_ERROR: 'HTTP_CLIENT_ERROR',
  HTTP_SERVER_ERROR: 'HTTP_SERVER_ERROR',
  RATE_LIMITED: 'RATE_LIMITED',
  TIMEOUT: 'TIMEOUT',
  DNS_FAILURE: 'DNS_FAILURE',
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  TOO_LARGE: 'TOO_LARGE',
  NOT_HTML: 'NOT_HTML',
  BLOCKED_URL: 'BLOCKED_URL',
  ROBOTS_DISALLOWED: 'ROBOTS_DISALLOWED',
  NO_KRITHI_FOUND: 'NO_KRITHI_FOUND',
} as const;
export type ScrapeErrorType = (typeof ScrapeErrorType)[keyof typeof ScrapeErrorType];

/** Transient: the same request may succeed later. */
export const RETRYABLE_SCRAPE_ERRORS: readonly ScrapeErrorType[] = [
  ScrapeErrorType.HTTP_SERVER_ERROR,
  ScrapeErrorType.RATE_LIMITED,
  ScrapeErrorType.TIMEOUT,
  ScrapeErrorType.DNS_FAILURE,
  ScrapeErrorType.CONNECTION_FAILED,
];

export interface ScrapeErrorOptions {
  retryAfterMs?: number;
  status?: number;
  url?: string;
}

export class ScrapeError extends Error {
  constructor(
    readonly type: ScrapeErrorType,
    message: string,
    readonly opts?: ScrapeErrorOptions,
  ) {
    super(message);
    this.name = 'ScrapeError';
  }

  get retryable(): boolean {
    return RETRYABLE_SCRAPE_ERRORS.includes(this.type);
  }
}
