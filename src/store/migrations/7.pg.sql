-- Version 6 → 7 on PostgreSQL, as migrations/7.sql: match_term is found through
-- match_term_key, which holds each chunk's df for the document-frequency reads (a heap never
-- kept its rows in the key's B-tree, so only the key's name and its df change here).
ALTER TABLE match_term DROP CONSTRAINT IF EXISTS match_term_pkey;
CREATE UNIQUE INDEX match_term_key ON match_term (lang, term, chunk) INCLUDE (df);
