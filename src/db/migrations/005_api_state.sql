-- What the HTTP API must share between its processes so that N replicas behave as one service:
-- review-page sessions (with their CSRF token) and the per-token request windows. Only a hash of
-- a session id is stored: someone who reads the table cannot sign in with it.
CREATE TABLE api_sessions (
  id_sha256 text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL,
  csrf text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX api_sessions_expires_idx ON api_sessions (expires_at);

-- One fixed one-minute window per token name, started by its first request.
CREATE TABLE api_rate_windows (
  caller text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  count integer NOT NULL
);
