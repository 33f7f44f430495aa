-- tmm's PostgreSQL schema, version 8: the same tables, columns and indexes as schema.sql (the
-- SQLite truth), checked against it by a test (store::pg::tests), so a change to schema.sql
-- that forgets this file fails. The version is recorded as the comment on table origin
-- ('tmm schema 8'), PostgreSQL having no PRAGMA user_version. The backend began at version 5;
-- migrations/N.pg.sql take a memory from N - 1 to N.
--
-- Differences, all of type or dialect, none of meaning:
-- - every INTEGER is BIGINT (ids, hashes and term keys are 64-bit in tmm; SQLite's INTEGER
--   is 64-bit too), REAL is DOUBLE PRECISION, BLOB is BYTEA (the match_term postings, in
--   the same chunked, delta-encoded layout);
-- - ids of origin, unit and variant are assigned by tmm (next after the largest, under the
--   writer's lock, as SQLite assigns rowids), so a memory migrated either way keeps its ids;
--   subsegment ids come from an identity sequence, never reused (SQLite's AUTOINCREMENT);
-- - the column subsegment.end is quoted: END is reserved in PostgreSQL;
-- - WITHOUT ROWID has no counterpart (every PostgreSQL table is a heap with its indexes).

CREATE TABLE origin (
    id                  BIGINT  PRIMARY KEY,
    kind                TEXT    NOT NULL
                        CHECK (kind IN ('tmx', 'align', 'tsv', 'csv', 'jsonl', 'xliff', 'po', 'edit')),
    path                TEXT,
    name                TEXT    NOT NULL,
    content_hash        BIGINT,
    size                BIGINT,
    imported_at         TEXT    NOT NULL,
    encoding            TEXT,
    tmx_version         TEXT,
    document            TEXT,
    title               TEXT,
    document_date       TEXT,
    srclang             TEXT,
    adminlang           TEXT,
    datatype            TEXT,
    segtype             TEXT,
    o_tmf               TEXT,
    o_encoding          TEXT,
    usagecount          TEXT,
    lastusagedate       TEXT,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    extra               TEXT,
    udes                TEXT
);
CREATE INDEX origin_by_hash ON origin (content_hash);

CREATE TABLE unit (
    id                  BIGINT  PRIMARY KEY,
    origin_id           BIGINT  NOT NULL REFERENCES origin (id),
    position            BIGINT  NOT NULL,
    line                BIGINT,
    tuid                TEXT,
    srclang             TEXT,
    source_lang         TEXT    NOT NULL,
    source_hash         BIGINT  NOT NULL,
    content_hash        BIGINT  NOT NULL,
    datatype            TEXT,
    segtype             TEXT,
    o_tmf               TEXT,
    o_encoding          TEXT,
    usagecount          TEXT,
    lastusagedate       TEXT,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    extra               TEXT
);
CREATE INDEX unit_by_source ON unit (source_hash);
CREATE INDEX unit_by_origin ON unit (origin_id, position);

CREATE TABLE variant (
    id                  BIGINT  PRIMARY KEY,
    unit_id             BIGINT  NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    position            BIGINT  NOT NULL,
    lang                TEXT    NOT NULL,
    lang_original       TEXT,
    text                TEXT    NOT NULL,
    markup              TEXT,
    datatype            TEXT,
    o_tmf               TEXT,
    o_encoding          TEXT,
    usagecount          TEXT,
    lastusagedate       TEXT,
    creationtool        TEXT,
    creationtoolversion TEXT,
    creationdate        TEXT,
    creationid          TEXT,
    changedate          TEXT,
    changeid            TEXT,
    extra               TEXT
);
CREATE UNIQUE INDEX variant_by_unit ON variant (unit_id, position);

-- Empty here: PostgreSQL stores text plain (and compresses long values itself); tmm_text() is
-- the identity, for the statements shared with SQLite, where text may be a zstd frame.
CREATE TABLE text_dictionary (
    id         BIGINT  PRIMARY KEY,
    lang       TEXT    NOT NULL,
    dictionary BYTEA   NOT NULL
);
CREATE FUNCTION tmm_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT t';

CREATE TABLE prop (
    unit_id    BIGINT  NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    tuv        BIGINT  NOT NULL,
    ord        BIGINT  NOT NULL,
    type       TEXT    NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT    NOT NULL,
    PRIMARY KEY (unit_id, tuv, ord)
);

CREATE TABLE note (
    unit_id    BIGINT  NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    tuv        BIGINT  NOT NULL,
    ord        BIGINT  NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    text       TEXT    NOT NULL,
    PRIMARY KEY (unit_id, tuv, ord)
);

CREATE TABLE origin_prop (
    origin_id  BIGINT  NOT NULL REFERENCES origin (id) ON DELETE CASCADE,
    ord        BIGINT  NOT NULL,
    type       TEXT    NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT    NOT NULL,
    PRIMARY KEY (origin_id, ord)
);

CREATE TABLE origin_note (
    origin_id  BIGINT  NOT NULL REFERENCES origin (id) ON DELETE CASCADE,
    ord        BIGINT  NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    text       TEXT    NOT NULL,
    PRIMARY KEY (origin_id, ord)
);

CREATE TABLE subsegment (
    id         BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    unit_id    BIGINT  NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    n          BIGINT  NOT NULL,
    m          BIGINT  NOT NULL,
    lang       TEXT    NOT NULL,
    variant_id BIGINT  NOT NULL,
    start      BIGINT  NOT NULL,
    "end"      BIGINT  NOT NULL
);
CREATE INDEX subsegment_by_unit ON subsegment (unit_id, n);

CREATE TABLE match_term (
    lang     TEXT    NOT NULL,
    term     BIGINT  NOT NULL,
    chunk    BIGINT  NOT NULL,
    df       BIGINT  NOT NULL,
    postings BYTEA   NOT NULL
);
CREATE UNIQUE INDEX match_term_key ON match_term (lang, term, chunk) INCLUDE (df);

CREATE TABLE match_recent (
    lang       TEXT    NOT NULL,
    term       BIGINT  NOT NULL,
    variant_id BIGINT  NOT NULL,
    len        BIGINT  NOT NULL,
    PRIMARY KEY (lang, term, variant_id)
);

CREATE TABLE match_dead (variant_id BIGINT PRIMARY KEY);

CREATE TABLE match_state (key TEXT PRIMARY KEY, value BIGINT);

CREATE TABLE token (
    name        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    hash        TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL
);
