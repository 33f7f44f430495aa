-- Version 5 → 6: a unit's sub-segments are its source sentences only, one row each, and a
-- matched sentence's translation is aligned when it is suggested (src/store/subsegment.rs);
-- the rows per aligned sentence row and language, with their bead and confidence, go. The
-- sentences are made again from the stored units (in Rust: the splitter is not SQL) at the
-- next import, alignment or `tmm index`; their old postings go with them.
DROP TABLE subsegment;
CREATE TABLE subsegment (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    m          INTEGER NOT NULL,
    lang       TEXT    NOT NULL,
    variant_id INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL
);
CREATE INDEX subsegment_by_unit ON subsegment (unit_id, n);
DELETE FROM match_term WHERE lang LIKE '%:s';
DELETE FROM match_recent WHERE lang LIKE '%:s';
DELETE FROM match_state WHERE key = 'subsegments_uncovered_from';
INSERT OR REPLACE INTO match_state (key, value)
SELECT 'subsegment_units_from', min(id) FROM unit HAVING count(*) > 0;
