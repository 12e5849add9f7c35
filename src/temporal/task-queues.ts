/**
 * Task-queue names, derived in one place. Scrapes run on a queue per source site so the server's
 * per-queue rate limit is a per-site limit, however many workers poll it.
 */
export interface TaskQueues {
  /** Workflows and the fast DB activities. */
  main: string;
  /** Scrape queue for one source host. */
  scrape(host: string): string;
}

export function taskQueues(prefix: string): TaskQueues {
  return {
    main: `${prefix}-import`,
    scrape: (host: string) => `${prefix}-scrape-${host.toLowerCase()}`,
  };
}
