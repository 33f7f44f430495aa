-- Version 4 → 5: the match index's chunks are keyed by (language, term, chunk) in a table
-- without rowid, so a term's chunks are one range of the table itself and the separate index
-- on (lang, term, id) goes (a fifth of the file). The old row ids become the chunk numbers:
-- their order is the order the chunks were written in.
CREATE TABLE match_term_v5 (
    lang     TEXT    NOT NULL,
    term     INTEGER NOT NULL,
    chunk    INTEGER NOT NULL,
    df       INTEGER NOT NULL,
    postings BLOB    NOT NULL,
    PRIMARY KEY (lang, term, chunk)
) WITHOUT ROWID;
INSERT INTO match_term_v5 (lang, term, chunk, df, postings)
SELECT lang, term, id, df, postings FROM match_term ORDER BY lang, term, id;
DROP TABLE match_term;
ALTER TABLE match_term_v5 RENAME TO match_term;
INSERT OR REPLACE INTO match_state (key, value)
SELECT 'next_chunk', max(chunk) + 1 FROM match_term HAVING count(*) > 0;
