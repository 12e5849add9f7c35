-- krithi-import initial schema. PostgreSQL is the system of record: everything a user needs after
-- Temporal's retention has deleted a closed history lives here.

CREATE TABLE batches (
  id               text PRIMARY KEY,
  name             text,
  manifest_sha256  text NOT NULL UNIQUE,          -- a byte-identical re-upload finds its batch
  manifest_bytes   bigint NOT NULL,
  status           text NOT NULL CHECK (status IN ('RUNNING','PAUSED','CANCELLING','CANCELLED','COMPLETED')),
  total_records    integer NOT NULL,
  accepted_rows    integer NOT NULL,
  invalid_rows     integer NOT NULL,
  duplicate_rows   integer NOT NULL,
  settings         jsonb NOT NULL,                -- window, rows per run, queue prefix at submission
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz
);
CREATE INDEX batches_created_idx ON batches (created_at DESC, id DESC);

-- One row per manifest record, including the invalid and duplicate ones (kind), so a report can
-- account for every line of the file.
CREATE TABLE import_rows (
  id               bigserial PRIMARY KEY,
  batch_id         text NOT NULL REFERENCES batches(id),
  line             integer NOT NULL,              -- 1-based physical line where the record starts
  kind             text NOT NULL CHECK (kind IN ('record','invalid','duplicate')),
  raw              jsonb NOT NULL,
  title            text,
  raga             text,
  url              text,
  normalized_url   text,
  site             text,
  source_key       text,                          -- idempotency key of the source page
  duplicate_of_line integer,
  status           text CHECK (status IN ('QUEUED','SCRAPING','RESOLVING','PENDING_REVIEW','PERSISTING',
                                          'IMPORTED','REJECTED','FAILED','CANCELLED')),
  attempt          integer NOT NULL DEFAULT 1,
  scraped          jsonb,
  resolution       jsonb,
  confidence       text CHECK (confidence IN ('HIGH','MEDIUM','LOW')),
  review_reasons   jsonb,
  error_type       text,
  error_message    text,
  review_decision  text CHECK (review_decision IN ('approve','reject')),
  review_overrides jsonb,
  reviewer         text,
  review_note      text,
  reviewed_at      timestamptz,
  krithi_id        bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, line),
  CHECK ((kind = 'record') = (status IS NOT NULL))
);
CREATE INDEX import_rows_batch_status_idx ON import_rows (batch_id, status, line);
CREATE INDEX import_rows_status_idx ON import_rows (status) WHERE status = 'PENDING_REVIEW';

-- Reference catalogue. Ids are stable across databases (a raga's id is its normalised name).
CREATE TABLE composers (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  meta       jsonb NOT NULL DEFAULT '{}',
  source     text NOT NULL DEFAULT 'reference',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ragas (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  meta       jsonb NOT NULL DEFAULT '{}',
  source     text NOT NULL DEFAULT 'reference',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE talas (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  beats      integer,
  meta       jsonb NOT NULL DEFAULT '{}',
  source     text NOT NULL DEFAULT 'reference',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE entity_aliases (
  kind       text NOT NULL CHECK (kind IN ('raga','composer','tala')),
  alias      text NOT NULL,
  entity_id  text NOT NULL,
  source     text NOT NULL DEFAULT 'reference',  -- 'reference' or 'reviewer'
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, alias, entity_id)
);
CREATE TABLE reference_versions (
  name       text PRIMARY KEY,
  digest     text NOT NULL,
  loaded_at  timestamptz NOT NULL DEFAULT now()
);

-- Canonical krithis: one per source page, whatever batch brought it.
CREATE TABLE krithis (
  id              bigserial PRIMARY KEY,
  source_key      text NOT NULL UNIQUE,
  source_url      text NOT NULL,
  title           text NOT NULL,
  composer_id     text REFERENCES composers(id),
  raga_ids        text[] NOT NULL DEFAULT '{}',   -- ordered; a ragamalika has several
  tala_id         text REFERENCES talas(id),
  language        text,
  sections        jsonb NOT NULL DEFAULT '[]',
  variants        jsonb NOT NULL DEFAULT '[]',
  reviewer_fields text[] NOT NULL DEFAULT '{}',   -- fields a reviewer set: a re-import never overwrites them
  created_batch_id text REFERENCES batches(id),
  created_row_id  bigint REFERENCES import_rows(id),
  last_row_id     bigint REFERENCES import_rows(id),
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Append-only audit. event_key makes a retried activity's second write a no-op.
CREATE TABLE audit_events (
  id         bigserial PRIMARY KEY,
  event_key  text NOT NULL UNIQUE,
  type       text NOT NULL,
  batch_id   text,
  row_id     bigint,
  krithi_id  bigint,
  actor      text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}',
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_row_idx ON audit_events (row_id, id);
CREATE INDEX audit_events_batch_idx ON audit_events (batch_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
