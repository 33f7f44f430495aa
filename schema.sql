-- tmm's SQLite schema, version 8: the one source of truth. The store applies it whole to a
-- new database and records its version in PRAGMA user_version; a database of an older
-- version is brought here by the numbered migrations in src/store/migrations/ (a test checks
-- that both give the same tables, columns and indexes).
--
-- Language tags are stored normalised (BCP 47 case). TMX dates are text, YYYYMMDDThhmmssZ.
-- Attributes TMX does not define are kept in `extra` as a JSON array of [name, value] pairs.

-- Where units came from: an imported file or an aligned document.
CREATE TABLE origin (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL
                        CHECK (kind IN ('tmx', 'align', 'tsv', 'csv', 'jsonl', 'xliff', 'po', 'edit')),
    path                TEXT,               -- as given on the command line
    name                TEXT    NOT NULL,   -- file name, used by --origin
    content_hash        INTEGER,            -- xxh3 of the file's bytes
    size                INTEGER,
    imported_at         TEXT    NOT NULL,   -- YYYYMMDDThhmmssZ
    encoding            TEXT,               -- the encoding the bytes were read in
    tmx_version         TEXT,
    document            TEXT,               -- a document symbol, e.g. SG/SM/14499
    title               TEXT,
    document_date       TEXT,
    -- the TMX <header>
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
    udes                TEXT                -- <ude> elements, exact XML
);
CREATE INDEX origin_by_hash ON origin (content_hash);

-- A translation unit: one segment in any number of languages.
CREATE TABLE unit (
    id                  INTEGER PRIMARY KEY,
    origin_id           INTEGER NOT NULL REFERENCES origin (id),
    position            INTEGER NOT NULL,   -- 0-based order in its origin
    line                INTEGER,            -- line of <tu> in the imported file
    tuid                TEXT,
    srclang             TEXT,               -- as in the file (may be *all*); NULL: header's
    source_lang         TEXT    NOT NULL,   -- the language of the variant used as source
    source_hash         INTEGER NOT NULL,   -- xxh3 of source language and segment
    content_hash        INTEGER NOT NULL,   -- xxh3 of everything but dates and usage
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
    extra               TEXT                -- (an aligned unit's bead and confidence are props)
);
CREATE INDEX unit_by_source ON unit (source_hash);
CREATE INDEX unit_by_origin ON unit (origin_id, position);

-- A unit's segment in one language.
CREATE TABLE variant (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,   -- 1-based order in the unit
    lang                TEXT    NOT NULL,
    lang_original       TEXT,               -- the file's spelling, when it differs
    text                TEXT    NOT NULL,   -- plain text, for search and matching (*)
    markup              TEXT,               -- inner XML of <seg> when it has inline elements (*)
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

-- (*) Either TEXT, as it is, or a BLOB: a zstd frame without its four magic bytes, made with
-- the dictionary its header names (src/store/packed.rs). Read them through tmm_text(column),
-- which every connection of tmm defines. Each dictionary is trained on the first 4,000
-- variants of its language that one import stores; an import with fewer leaves the
-- language plain. Dictionaries are never changed or removed, and ids never reused.
CREATE TABLE text_dictionary (
    id         INTEGER PRIMARY KEY,
    lang       TEXT    NOT NULL,
    dictionary BLOB    NOT NULL
);

-- <prop> and <note> of units (tuv = 0) and variants (tuv = the variant's position).
CREATE TABLE prop (
    unit_id    INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    tuv        INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT    NOT NULL,
    PRIMARY KEY (unit_id, tuv, ord)
) WITHOUT ROWID;

CREATE TABLE note (
    unit_id    INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    tuv        INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    text       TEXT    NOT NULL,
    PRIMARY KEY (unit_id, tuv, ord)
) WITHOUT ROWID;

-- <prop> and <note> of a TMX <header>.
CREATE TABLE origin_prop (
    origin_id  INTEGER NOT NULL REFERENCES origin (id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    value      TEXT    NOT NULL,
    PRIMARY KEY (origin_id, ord)
) WITHOUT ROWID;

CREATE TABLE origin_note (
    origin_id  INTEGER NOT NULL REFERENCES origin (id) ON DELETE CASCADE,
    ord        INTEGER NOT NULL,
    lang       TEXT,
    o_encoding TEXT,
    text       TEXT    NOT NULL,
    PRIMARY KEY (origin_id, ord)
) WITHOUT ROWID;

-- The sentences of a unit's source segment when it holds more than one (an imported paragraph,
-- an aligned paragraph) and the unit has another language (src/store/subsegment.rs): one row
-- per sentence `n` of `m`, a byte range of the source variant's text (not a copy). They are
-- indexed in the match_* tables under the language key followed by `:s` (`en:s`); a matched
-- sentence's translation is its row of the unit's source and target sentences aligned when it
-- is suggested. Ids are never reused, so postings of a deleted unit's sentences find no row.
CREATE TABLE subsegment (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,   -- 1-based sentence of the unit's source
    m          INTEGER NOT NULL,   -- its sentences
    lang       TEXT    NOT NULL,   -- the unit's source language
    variant_id INTEGER NOT NULL,   -- the source variant
    start      INTEGER NOT NULL,   -- the sentence's byte range in its text
    end        INTEGER NOT NULL
);
CREATE INDEX subsegment_by_unit ON subsegment (unit_id, n);

-- The fuzzy-match index (src/store/index.rs). For each language (primary subtag) and token
-- key (xxh3 of the normalised word), the variants that hold it. `tmm index` and each bulk
-- import write one row (a chunk) per term, the postings delta-encoded in a blob (built in
-- runs of bounded memory, merged before they are written); a term's chunks are one range of
-- match_term_key, in `chunk` order (match_state's next_chunk when written), which is variant
-- id order. The blobs stay out of that key's B-tree: in a table without rowid, every step of
-- a range and every interior cell a seek compares against reads a whole row, postings and all
-- (migration 7). The key holds `df` too, so a term's document frequency is read from the key
-- alone. Variants of small imports get one row per posting in match_recent; variants deleted
-- since are listed in match_dead.
CREATE TABLE match_term (
    lang     TEXT    NOT NULL,
    term     INTEGER NOT NULL,
    chunk    INTEGER NOT NULL,
    df       INTEGER NOT NULL,  -- variants holding the term
    postings BLOB    NOT NULL   -- (varint id delta, length in tokens) pairs, ids ascending
);
CREATE INDEX match_term_key ON match_term (lang, term, chunk, df);

CREATE TABLE match_recent (
    lang       TEXT    NOT NULL,
    term       INTEGER NOT NULL,
    variant_id INTEGER NOT NULL,
    len        INTEGER NOT NULL,
    PRIMARY KEY (lang, term, variant_id)
) WITHOUT ROWID;

CREATE TABLE match_dead (variant_id INTEGER PRIMARY KEY);

-- uncovered_from: the first variant id a bulk import left for `tmm index`;
-- subsegments_uncovered_from: the first sub-segment not indexed yet; subsegment_units_from:
-- the first unit whose sub-segments are not made yet (a database migrated from version 3 or 5);
-- next_chunk: the number of the next run written to match_term.
CREATE TABLE match_state (key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;

-- Who may use `tmm serve`: a token's name (its holder, the change id of what they store),
-- its role, and the SHA-256 of the token (hex); the token itself is never stored.
CREATE TABLE token (
    name        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    hash        TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL    -- YYYYMMDDThhmmssZ
) WITHOUT ROWID;
