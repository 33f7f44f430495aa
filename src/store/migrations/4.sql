-- Version 3 → 4: sentence sub-segments of multi-sentence units. The units already stored get
-- theirs at the next import, alignment or `tmm index` (made in Rust: the sentence splitter and
-- aligner are not SQL).
CREATE TABLE subsegment (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    m          INTEGER NOT NULL,
    lang       TEXT    NOT NULL,
    variant_id INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    sentences  INTEGER NOT NULL,
    bead       TEXT    NOT NULL,
    confidence REAL    NOT NULL
);
CREATE INDEX subsegment_by_unit ON subsegment (unit_id, n);
INSERT OR REPLACE INTO match_state (key, value)
SELECT 'subsegment_units_from', min(id) FROM unit HAVING count(*) > 0;
