-- Version 7 → 8: variants' text and markup may be stored as zstd frames against a
-- dictionary of their language (src/store/packed.rs), kept here. Rows already stored stay
-- as they are (TEXT), read through tmm_text() like the compressed ones; the next import of
-- 4,000 variants of a language trains its dictionary.
CREATE TABLE text_dictionary (
    id         INTEGER PRIMARY KEY,
    lang       TEXT    NOT NULL,
    dictionary BLOB    NOT NULL
);
