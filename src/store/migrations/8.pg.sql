-- Version 7 → 8 on PostgreSQL, as migrations/8.sql: the table of text dictionaries, which
-- stays empty here (PostgreSQL stores text plain and compresses long values itself), and
-- tmm_text(), the identity, so that statements shared with SQLite read text the same way.
CREATE TABLE IF NOT EXISTS text_dictionary (
    id         BIGINT  PRIMARY KEY,
    lang       TEXT    NOT NULL,
    dictionary BYTEA   NOT NULL
);
CREATE OR REPLACE FUNCTION tmm_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT t';
