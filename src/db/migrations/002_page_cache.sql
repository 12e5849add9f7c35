-- Fetched pages, so a retried row or a re-run does not fetch the same page again. Keyed by the
-- URL the row asked for (its normalized_url); expires_at is fetched_at + the configured TTL, after
-- which the page is revalidated with its ETag / Last-Modified before it is fetched again.
CREATE TABLE page_cache (
  url            text PRIMARY KEY,
  final_url      text NOT NULL,
  status         integer NOT NULL,
  content_type   text NOT NULL,
  html           text NOT NULL,
  etag           text,
  last_modified  text,
  fetched_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX page_cache_expires_idx ON page_cache (expires_at);
