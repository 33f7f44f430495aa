-- Version 1 → 2.
-- 1. The match index's tables, for databases made before the index existed (the others have
--    them already).
CREATE TABLE IF NOT EXISTS match_term (
    id       INTEGER PRIMARY KEY,
    lang     TEXT    NOT NULL,
    term     INTEGER NOT NULL,
    df       INTEGER NOT NULL,
    postings BLOB    NOT NULL
);
CREATE INDEX IF NOT EXISTS match_term_by_chunk ON match_term (lang, term, id);
CREATE TABLE IF NOT EXISTS match_recent (
    lang       TEXT    NOT NULL,
    term       INTEGER NOT NULL,
    variant_id INTEGER NOT NULL,
    len        INTEGER NOT NULL,
    PRIMARY KEY (lang, term, variant_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS match_dead (variant_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS match_state (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;
-- The tokeniser of version 2 reads a date as one placeable (and indexes its words beside it):
-- every segment is indexed again by the next import or `tmm index`, and queries scan the
-- segments meanwhile.
DELETE FROM match_term;
DELETE FROM match_recent;
DELETE FROM match_dead;
INSERT OR REPLACE INTO match_state (key, value)
SELECT 'uncovered_from', min(id) FROM variant HAVING count(*) > 0;

-- 2. An aligned unit's bead and confidence become props, as `tmm align --tmx` writes them,
--    so that an export carries them.
INSERT INTO prop (unit_id, tuv, ord, type, lang, o_encoding, value)
SELECT u.id, 0, (SELECT count(*) FROM prop p WHERE p.unit_id = u.id AND p.tuv = 0),
       'x-align-bead', NULL, NULL, u.bead
FROM unit u WHERE u.bead IS NOT NULL;
INSERT INTO prop (unit_id, tuv, ord, type, lang, o_encoding, value)
SELECT u.id, 0, (SELECT count(*) FROM prop p WHERE p.unit_id = u.id AND p.tuv = 0),
       'x-align-confidence', NULL, NULL, printf('%.3f', u.confidence)
FROM unit u WHERE u.confidence IS NOT NULL;
ALTER TABLE unit DROP COLUMN bead;
ALTER TABLE unit DROP COLUMN confidence;

-- 3. Origins of every format tmm reads (kind was limited to tmx, align, tsv).
CREATE TABLE origin_v2 (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL
                        CHECK (kind IN ('tmx', 'align', 'tsv', 'csv', 'jsonl', 'xliff', 'po', 'edit')),
    path                TEXT,
    name                TEXT    NOT NULL,
    content_hash        INTEGER,
    size                INTEGER,
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
INSERT INTO origin_v2 SELECT * FROM origin;
DROP TABLE origin;
ALTER TABLE origin_v2 RENAME TO origin;
CREATE INDEX origin_by_hash ON origin (content_hash);
