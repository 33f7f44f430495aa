-- Version 6 → 7: the match index's chunks go back to a table with row ids, found through
-- match_term_key on (lang, term, chunk, df). Without rowid (migration 5), the table's own
-- B-tree held the postings: each step of a term's range and each interior cell a seek compared
-- against copied the whole row, so a lookup read the blobs of common terms only to learn their
-- document frequency. Measured on the 1M reference workload: a lookup's median 0.86–0.88 ms →
-- 0.47–0.53 ms, and the index 535 MB → 497 MB (benches/MATCHING.md, 2026-12-03). The rows keep their chunk
-- numbers, copied in key order (no sort: a term's chunks end up side by side); the old
-- table's pages go to the free list, which later imports fill.
CREATE TABLE match_term_v7 (
    lang     TEXT    NOT NULL,
    term     INTEGER NOT NULL,
    chunk    INTEGER NOT NULL,
    df       INTEGER NOT NULL,
    postings BLOB    NOT NULL
);
INSERT INTO match_term_v7 (lang, term, chunk, df, postings)
SELECT lang, term, chunk, df, postings FROM match_term ORDER BY lang, term, chunk;
DROP TABLE match_term;
ALTER TABLE match_term_v7 RENAME TO match_term;
CREATE INDEX match_term_key ON match_term (lang, term, chunk, df);
