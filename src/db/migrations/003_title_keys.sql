-- Probable-duplicate lookups by title used to compare every earlier row of a batch in the worker
-- (O(N) per row). The title's comparison key is stored beside it and indexed instead; it is
-- computed in TypeScript (src/resolution/normalize.ts), so existing rows are back-filled by
-- src/db/backfill.ts after the migrations run.
ALTER TABLE import_rows ADD COLUMN title_key text;
ALTER TABLE krithis ADD COLUMN title_key text;
CREATE INDEX import_rows_batch_title_key_idx ON import_rows (batch_id, title_key);
CREATE INDEX krithis_title_key_idx ON krithis (title_key);
