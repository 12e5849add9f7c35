-- A probable duplicate that a row of the catalogue already created is listed once, as the krithi
-- naming the row that imported it; finding that row is a lookup by krithi_id.
CREATE INDEX import_rows_krithi_idx ON import_rows (krithi_id) WHERE krithi_id IS NOT NULL;
