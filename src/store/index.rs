//! The match index in the SQLite file (tables `match_*`, see `schema.sql`):
//! - `match_term`: a row (chunk) per term for each rebuild (`tmm index`) and bulk import,
//!   each a blob of postings ([`crate::matching::index`]) in id order, keyed by
//!   (language, term, chunk) so a term is one B-tree range; the postings are built in runs
//!   of at most [`RUN_MEMORY`](crate::matching::index::RUN_MEMORY) bytes, kept in
//!   temporary files beside the database and merged into one chunk per term ([`Runs`]), and
//!   its rows are written in key order, so the table grows at its right edge;
//! - `match_recent`: one row per posting for variants imported since, written in the import
//!   transaction by [`IndexWriter`];
//! - `match_dead`: variants deleted since (the `update` policy), skipped by queries.
//!
//! A bulk import (more than [`live_limit`] variants in one transaction) tokenises its
//! variants in a thread beside it as it stores them ([`IndexWriter`]) and writes their
//! postings run by run, before its commit, with memory bounded whatever the import's size.
//! `tmm import --defer-index` leaves its variants marked as not covered; [`catch_up`] then
//! appends their postings the same way.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Store;
use super::snapshot::sql;
use crate::error::Result;
use crate::matching::index::{
    BATCH, Batch, CHUNK_VARIANTS, IndexStats, PostingsBuilder, Runs, Worker, decode_postings,
    lang_key, len_byte, live_limit, terms,
};
use crate::model::VariantId;

fn state(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(sql::STATE)?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set_state(conn: &Connection, key: &str, value: Option<i64>) -> Result<()> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO match_state (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, v],
        )?,
        None => conn.execute("DELETE FROM match_state WHERE key = ?1", [key])?,
    };
    Ok(())
}

/// The first variant id the index does not cover, if a bulk import left some out.
pub(crate) fn uncovered_from(conn: &Connection) -> Result<Option<VariantId>> {
    Ok(state(conn, "uncovered_from")?.map(VariantId))
}

/// How many variants the index does not cover (0 when it is up to date).
fn pending(conn: &Connection) -> Result<u64> {
    Ok(match uncovered_from(conn)? {
        None => 0,
        Some(from) => conn.query_row(
            "SELECT count(*) FROM variant WHERE id >= ?1",
            [from.0],
            |r| r.get::<_, i64>(0),
        )? as u64,
    })
}

/// Keeps the index up to date inside an import transaction: one call per inserted variant
/// and one per deleted unit.
///
/// The first variants (see [`live_limit`]) go into `match_recent` row by row. Past that the
/// import is a bulk one: its variants, those indexed row by row included, go to a thread
/// that tokenises them beside the import, and their postings are written as chunks, a run at
/// a time, and by [`finish`](Self::finish) before the commit. Until then they are marked as
/// not covered, so that a failure midway leaves the index as it was.
pub(crate) struct IndexWriter {
    live: bool,
    limit: u64,
    added: u64,
    /// The first variant this writer indexed.
    first_live: Option<i64>,
    /// A bulk import's postings: the thread building the current run and the variants not
    /// handed to it yet.
    bulk: Option<Bulk>,
}

struct Bulk {
    /// The first variant of the import.
    first: i64,
    worker: Worker,
    batch: Batch,
    /// Variants in the current run.
    run: u64,
    /// The full runs, waiting in their files to be merged with the last.
    runs: Runs,
}

impl IndexWriter {
    /// Reads the index state in the transaction.
    pub(crate) fn new(tx: &Transaction) -> Result<Self> {
        let stored: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM variant", [], |r| r.get(0))?;
        Ok(IndexWriter {
            live: uncovered_from(tx)?.is_none(),
            limit: live_limit(stored),
            added: 0,
            first_live: None,
            bulk: None,
        })
    }

    /// Leaves the variants of this transaction for `tmm index` (queries scan them
    /// meanwhile): a bulk import then costs no indexing at all.
    pub(crate) fn defer(&mut self, tx: &Transaction) -> Result<()> {
        if uncovered_from(tx)?.is_none() {
            let next: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM variant", [], |r| {
                    r.get(0)
                })?;
            set_state(tx, "uncovered_from", Some(next))?;
        }
        self.live = false;
        Ok(())
    }

    /// Indexes a variant just inserted with id `variant_id`.
    pub(crate) fn add(
        &mut self,
        tx: &Transaction,
        variant_id: i64,
        lang: &str,
        text: &str,
    ) -> Result<()> {
        if let Some(bulk) = &mut self.bulk {
            bulk.batch.push(variant_id, lang, text);
            return bulk.flush(false);
        }
        if !self.live {
            return Ok(());
        }
        self.added += 1;
        if self.added > self.limit {
            // A bulk import: this import's variants, the ones indexed row by row included,
            // go to the postings thread, so that queries need not read match_recent.
            self.live = false;
            let first = self.first_live.unwrap_or(variant_id);
            set_state(tx, "uncovered_from", Some(first))?;
            tx.execute("DELETE FROM match_recent WHERE variant_id >= ?1", [first])?;
            let mut bulk = Bulk {
                first,
                worker: Worker::start(),
                batch: Batch::with_capacity(BATCH),
                run: 0,
                runs: runs(tx),
            };
            {
                let mut stmt = tx.prepare(
                    "SELECT id, lang, tmm_text(text) FROM variant WHERE id >= ?1 ORDER BY id",
                )?;
                let mut rows = stmt.query([first])?;
                while let Some(row) = rows.next()? {
                    bulk.batch.push(
                        row.get(0)?,
                        row.get_ref(1)?.as_str().unwrap_or(""),
                        row.get_ref(2)?.as_str().unwrap_or(""),
                    );
                    bulk.flush(false)?;
                }
            }
            self.bulk = Some(bulk);
            return Ok(());
        }
        self.first_live.get_or_insert(variant_id);
        tx.prepare_cached("DELETE FROM match_dead WHERE variant_id = ?1")?
            .execute([variant_id])?;
        let (terms, len) = terms(text);
        let lang = lang_key(lang);
        let mut stmt = tx.prepare_cached(
            "INSERT OR REPLACE INTO match_recent (lang, term, variant_id, len) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (term, _) in terms {
            stmt.execute(params![lang, term as i64, variant_id, len_byte(len)])?;
        }
        Ok(())
    }

    /// Drops the variants of a unit about to be deleted.
    pub(crate) fn remove_unit(&mut self, tx: &Transaction, unit_id: i64) -> Result<()> {
        if let Some(bulk) = self.bulk.take() {
            let mine: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM variant WHERE unit_id = ?1 AND id >= ?2)",
                )?
                .query_row([unit_id, bulk.first], |r| r.get(0))?;
            if mine {
                // A unit of this import goes again: its postings are in the thread's run,
                // and its id may be given again. The import's variants are left to
                // catch_up, which reads them as they are at the end.
                bulk.abandon()?;
            } else {
                self.bulk = Some(bulk);
            }
        }
        tx.prepare_cached(super::edit::sql::MARK_DEAD)?
            .execute([unit_id])?;
        Ok(())
    }

    /// Writes the postings of a bulk import's last run: its variants are covered from now
    /// on. Call before the commit (a writer dropped without it leaves them uncovered).
    pub(crate) fn finish(&mut self, tx: &Connection) -> Result<IndexStats> {
        let Some(mut bulk) = self.bulk.take() else {
            return Ok(IndexStats::default());
        };
        bulk.flush(true)?;
        let stats = write_chunks(tx, bulk.runs, bulk.worker.finish()?)?;
        set_state(tx, "uncovered_from", None)?;
        Ok(stats)
    }
}

impl Bulk {
    /// Hands the thread a full batch (or, when `end`, whatever is left), and puts the run
    /// aside when it is full.
    fn flush(&mut self, end: bool) -> Result<()> {
        if self.batch.len() < BATCH && !end {
            return Ok(());
        }
        self.run += self.batch.len() as u64;
        self.worker.send(self.batch.take());
        if !end && (self.worker.full() || self.run >= CHUNK_VARIANTS) {
            self.runs.push(self.worker.take_run()?)?;
            self.run = 0;
        }
        Ok(())
    }

    /// Drops what was built (nothing was written yet): the import's variants stay uncovered.
    fn abandon(self) -> Result<()> {
        drop(self.worker.finish()?);
        Ok(())
    }
}

/// What [`append_chunks`] wrote: its figures and the first and last id it covers.
pub(crate) struct Appended {
    pub stats: IndexStats,
    pub span: Option<(i64, i64)>,
}

/// Where the runs of an index build on `conn` keep their files: beside the database (a
/// memory-backed `/tmp` would hold them in memory), or the temporary directory for a
/// database in memory.
pub(crate) fn runs(conn: &Connection) -> Runs {
    let dir = conn
        .path()
        .map(std::path::Path::new)
        .and_then(std::path::Path::parent)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
    Runs::new(dir)
}

/// Appends the postings of `runs` and the last run `builder` to `match_term` as one new
/// chunk per term, numbered by `next_chunk`.
pub(crate) fn append_chunks(
    tx: &Connection,
    runs: Runs,
    builder: PostingsBuilder,
) -> Result<Appended> {
    if runs.is_empty() && builder.is_empty() {
        return Ok(Appended {
            stats: IndexStats::default(),
            span: None,
        });
    }
    let chunk = state(tx, "next_chunk")?.unwrap_or(1);
    let mut insert = tx.prepare_cached(
        "INSERT INTO match_term (lang, term, chunk, df, postings) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let (stats, span) = runs.into_chunks(builder, |lang, term, df, blob| {
        insert.execute(params![lang, term as i64, chunk, df, blob])?;
        Ok(())
    })?;
    set_state(tx, "next_chunk", Some(chunk + 1))?;
    Ok(Appended { stats, span })
}

/// Writes the variant postings of `runs` and the last run `builder` as one new chunk per
/// term.
fn write_chunks(tx: &Connection, runs: Runs, builder: PostingsBuilder) -> Result<IndexStats> {
    let Appended { stats, span } = append_chunks(tx, runs, builder)?;
    if let Some((first, last)) = span {
        // An id of a deleted variant used again by a new one is alive again.
        tx.prepare_cached("DELETE FROM match_dead WHERE variant_id BETWEEN ?1 AND ?2")?
            .execute([first, last])?;
    }
    Ok(stats)
}

/// Indexes the variants a bulk import left uncovered, appending their chunks to the index,
/// in a transaction of its own; does nothing when all are covered.
pub(crate) fn catch_up(
    conn: &Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IndexStats> {
    let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let stats = catch_up_in(&tx, progress)?;
    tx.commit()?;
    Ok(stats)
}

/// [`catch_up`] inside the caller's transaction: an import indexes what it stored before
/// it commits, so that no reader ever sees its units unindexed.
pub(crate) fn catch_up_in(
    tx: &Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IndexStats> {
    match uncovered_from(tx)? {
        None => {
            super::subsegment::catch_up_in(tx)?;
            Ok(IndexStats::default())
        }
        Some(from) => build_in(tx, Some(from.0), progress),
    }
}

/// Indexes every variant (`from` is `None`: the index is emptied first) or those from id
/// `from` on, a chunk per run of [`RUN_MEMORY`](crate::matching::index::RUN_MEMORY) bytes of postings, in one transaction: this thread reads
/// the rows, another tokenises them.
fn build(
    conn: &Connection,
    from: Option<i64>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IndexStats> {
    let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let stats = build_in(&tx, from, progress)?;
    tx.commit()?;
    Ok(stats)
}

/// [`build`] inside the caller's transaction.
fn build_in(
    tx: &Connection,
    from: Option<i64>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IndexStats> {
    let first = from.unwrap_or(i64::MIN);
    let total: i64 = tx.query_row(
        "SELECT count(*) FROM variant WHERE id >= ?1",
        [first],
        |r| r.get(0),
    )?;
    if from.is_none() {
        tx.execute_batch(
            "DELETE FROM match_term; DELETE FROM match_recent; DELETE FROM match_dead;",
        )?;
    } else {
        tx.execute("DELETE FROM match_recent WHERE variant_id >= ?1", [first])?;
    }
    let worker = Worker::start();
    let mut runs = runs(tx);
    {
        let mut stmt =
            tx.prepare("SELECT id, lang, tmm_text(text) FROM variant WHERE id >= ?1 ORDER BY id")?;
        let mut rows = stmt.query([first])?;
        let mut done = 0u64;
        let mut run = 0u64;
        let mut batch = Batch::with_capacity(BATCH);
        while let Some(row) = rows.next()? {
            batch.push(
                row.get(0)?,
                row.get_ref(1)?.as_str().unwrap_or(""),
                row.get_ref(2)?.as_str().unwrap_or(""),
            );
            if batch.len() == BATCH {
                worker.send(batch.take());
            }
            done += 1;
            run += 1;
            if run >= CHUNK_VARIANTS || (done % BATCH as u64 == 0 && worker.full()) {
                worker.send(batch.take());
                runs.push(worker.take_run()?)?;
                run = 0;
            }
            if done % 65_536 == 0 {
                progress(done, total as u64);
            }
        }
        worker.send(batch);
    }
    let stats = write_chunks(tx, runs, worker.finish()?)?;
    super::subsegment::index_pending(tx, from.is_none())?;
    set_state(tx, "uncovered_from", None)?;
    progress(stats.variants, total as u64);
    Ok(stats)
}

/// True when variants were indexed row by row since the last build (queries then read
/// `match_recent` too).
pub(crate) fn has_recent(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql::HAS_RECENT)?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A term's postings: `(variant id, length)` from the compact list and, when `recent`, the
/// rows added since.
pub(crate) fn postings(
    conn: &Connection,
    lang: &str,
    term: u64,
    recent: bool,
    mut f: impl FnMut(i64, u8),
) -> Result<()> {
    {
        // A term's chunks, oldest first: their ids follow on.
        let mut stmt = conn.prepare_cached(sql::POSTINGS)?;
        let mut rows = stmt.query(params![lang, term as i64])?;
        while let Some(r) = rows.next()? {
            decode_postings(r.get_ref(0)?.as_blob().unwrap_or_default(), &mut f);
        }
    }
    if !recent {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(sql::RECENT_POSTINGS)?;
    let mut rows = stmt.query(params![lang, term as i64])?;
    while let Some(r) = rows.next()? {
        f(r.get(0)?, r.get::<_, i64>(1)? as u8);
    }
    Ok(())
}

/// How many variants hold a term (compact list plus, when `recent`, the rows added since).
pub(crate) fn document_frequency(
    conn: &Connection,
    lang: &str,
    term: u64,
    recent: bool,
) -> Result<u64> {
    let df: Option<i64> = conn
        .prepare_cached(sql::DF)?
        .query_row(params![lang, term as i64], |r| r.get(0))?;
    if !recent {
        return Ok(df.unwrap_or(0) as u64);
    }
    let recent: i64 = conn
        .prepare_cached(sql::RECENT_DF)?
        .query_row(params![lang, term as i64], |r| r.get(0))?;
    Ok((df.unwrap_or(0) + recent) as u64)
}

/// True when a variant was deleted since the last build.
pub(crate) fn is_dead(conn: &Connection, variant_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql::IS_DEAD)?
        .query_row([variant_id], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Store {
    /// Builds the match index from scratch over every stored variant, in one transaction;
    /// `progress(done, total)` is called every 65,536 variants.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn rebuild_index(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.rebuild_index(None, progress);
        }
        self.write("rebuild_index", |conn| build(conn, None, progress))
    }

    /// [`Store::rebuild_index`], storing and indexing the sentences of the languages
    /// `sentences` says from now on (for this rebuild and every later import): the sentences
    /// stored are made again from every unit, in the same transaction.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn rebuild_index_with(
        &self,
        sentences: super::SentenceLanguages,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<IndexStats> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.rebuild_index(Some(sentences), progress);
        }
        self.write("rebuild_index", |conn| {
            let tx = Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
            super::subsegment::set_languages(&tx, sentences)?;
            let stats = build_in(&tx, None, progress)?;
            tx.commit()?;
            Ok(stats)
        })
    }

    /// Indexes what a bulk import left out of the match index (a no-op when it is up to
    /// date), in chunks of bounded memory.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn catch_up_index(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.catch_up_index(progress);
        }
        self.write("catch_up_index", |conn| catch_up(conn, progress))
    }

    /// How many stored variants the match index does not cover yet (queries scan them).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn index_pending(&self) -> Result<u64> {
        #[cfg(feature = "postgres")]
        if let Some(pg) = self.postgres() {
            return pg.index_pending();
        }
        self.read("index_pending", pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_id_of(word: &str) -> u64 {
        crate::text::token::key_id(word)
    }

    /// Every (lang, term) → variant ids the index holds, compact and recent.
    fn all_postings(
        conn: &Connection,
    ) -> Result<std::collections::BTreeMap<(String, i64), Vec<i64>>> {
        let keys: Vec<(String, i64)> = conn
            .prepare("SELECT lang, term FROM match_term UNION SELECT lang, term FROM match_recent")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = std::collections::BTreeMap::new();
        for (lang, term) in keys {
            let mut ids = Vec::new();
            postings(conn, &lang, term as u64, true, |id, _| ids.push(id))?;
            ids.sort_unstable();
            out.insert((lang, term), ids);
        }
        Ok(out)
    }

    fn big_tmx(path: &std::path::Path, units: usize, seed: u64) {
        let words = [
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
            "lambda", "mu",
        ];
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize
        };
        let mut body = String::new();
        for _ in 0..units {
            let sentence = |next: &mut dyn FnMut() -> usize| {
                (0..3 + next() % 6)
                    .map(|_| words[next() % words.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let en = format!("{} {}", sentence(&mut next), next());
            let fr = sentence(&mut next);
            body.push_str(&format!("<tu><tuv xml:lang=\"en\"><seg>{en}</seg></tuv><tuv xml:lang=\"fr\"><seg>{fr}</seg></tuv></tu>"));
        }
        std::fs::write(path, format!(r#"<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>{body}</body></tmx>"#)).unwrap();
    }

    #[test]
    fn bulk_imports_index_what_a_rebuild_would() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("tm.db"))?;
        // A small import (row by row), then two bulk ones (the second appends to the lists).
        for (name, units, seed) in [("a.tmx", 50, 1), ("b.tmx", 1_200, 2), ("c.tmx", 1_300, 3)] {
            let path = dir.path().join(name);
            big_tmx(&path, units, seed);
            store.import_tmx(&path, &Default::default(), &mut ())?;
        }
        store.write("test", |conn| {
            let conn = &*conn;
            assert_eq!(pending(conn)?, 0);
            // Only the small import's 100 variants went in row by row.
            let recent: i64 = conn.query_row(
                "SELECT count(DISTINCT variant_id) FROM match_recent",
                [],
                |r| r.get(0),
            )?;
            assert_eq!(recent, 100);
            // Each bulk import took three runs (CHUNK_VARIANTS is 1,000 in tests), merged
            // into one chunk per term.
            let most_chunks = |conn: &Connection| -> Result<i64> {
                Ok(conn.query_row(
                    "SELECT max(n) FROM (SELECT count(*) AS n FROM match_term GROUP BY lang, term)",
                    [],
                    |r| r.get(0),
                )?)
            };
            assert_eq!(most_chunks(conn)?, 2);
            let maintained = all_postings(conn)?;
            build(conn, None, &mut |_, _| {})?;
            assert!(!has_recent(conn)?);
            assert_eq!(maintained, all_postings(conn)?);
            assert_eq!(most_chunks(conn)?, 1);
            Ok(())
        })
    }

    // Regression: SQLite compiled the postings read and the language-clause statements again
    // at nearly every run, because their plans looked at the bound values (see
    // `store::steady_plans`).
    #[test]
    fn the_statements_of_a_lookup_are_not_compiled_again_for_new_values() -> Result<()> {
        use rusqlite::StatementStatus::RePrepare;
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("tm.db"))?;
        let path = dir.path().join("a.tmx");
        big_tmx(&path, 1_200, 4);
        store.import_tmx(&path, &Default::default(), &mut ())?;
        store.read("test", |conn| {
            let terms: Vec<(String, i64)> = conn
                .prepare("SELECT lang, term FROM match_term LIMIT 40")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            assert!(terms.len() >= 10, "{terms:?}");
            for (lang, term) in &terms {
                postings(conn, lang, *term as u64, false, |_, _| {})?;
            }
            let mut text = conn.prepare_cached(sql::TEXT_IN)?;
            for id in 1..40i64 {
                let lang = if id % 2 == 0 {
                    ("en", "en-%")
                } else {
                    ("fr", "fr-%")
                };
                text.query_row(params![id, lang.0, lang.1], |_| Ok(()))
                    .optional()?;
            }
            assert_eq!(text.get_status(RePrepare), 0);
            assert_eq!(conn.prepare_cached(sql::POSTINGS)?.get_status(RePrepare), 0);
            Ok(())
        })
    }

    // A bulk import under `update` that replaces one of its own units: the postings built
    // beside it are dropped, and the import's variants indexed as they are at the end.
    #[test]
    fn a_bulk_import_that_replaces_its_own_units_indexes_what_a_rebuild_would() -> Result<()> {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("tm.db"))?;
        let path = dir.path().join("a.tmx");
        big_tmx(&path, 1_500, 7);
        let tmx = std::fs::read_to_string(&path).unwrap();
        // The first unit again at the end, newer and with another translation.
        let first = &tmx[tmx.find("<tu>").unwrap()..tmx.find("</tu>").unwrap() + 5];
        let again = first
            .replacen("<tu>", r#"<tu changedate="20300101T000000Z">"#, 1)
            .replace("lang=\"fr\"><seg>", "lang=\"fr\"><seg>nouveau ");
        std::fs::write(&path, tmx.replace("</body>", &format!("{again}</body>"))).unwrap();
        let options = crate::store::ImportOptions {
            on_duplicate: crate::store::DuplicatePolicy::Update,
            ..Default::default()
        };
        let summary = store.import_tmx(&path, &options, &mut ())?;
        assert_eq!(summary.updated, 1, "{summary:?}");
        store.write("test", |conn| {
            let conn = &*conn;
            assert_eq!(pending(conn)?, 0);
            let alive = |all: std::collections::BTreeMap<(String, i64), Vec<i64>>| {
                all.into_iter()
                    .map(|(k, ids)| {
                        let ids: Vec<i64> = ids
                            .into_iter()
                            .filter(|&id| !is_dead(conn, id).unwrap_or(true))
                            .collect();
                        (k, ids)
                    })
                    .filter(|(_, ids)| !ids.is_empty())
                    .collect::<Vec<_>>()
            };
            let maintained = alive(all_postings(conn)?);
            build(conn, None, &mut |_, _| {})?;
            assert_eq!(maintained, alive(all_postings(conn)?));
            Ok(())
        })
    }

    #[test]
    fn a_terms_chunks_read_as_one_list() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(include_str!("../../schema.sql"))?;
        let mut first = PostingsBuilder::default();
        first.add(1, "en", "south cooperation");
        first.add(2, "en", "south south");
        let mut second = PostingsBuilder::default();
        second.add(9, "en-GB", "South");
        write_chunks(&conn, runs(&conn), first)?;
        write_chunks(&conn, runs(&conn), second)?;
        let next: i64 = conn.query_row(
            "SELECT value FROM match_state WHERE key = 'next_chunk'",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(next, 3, "two runs, numbered 1 and 2");
        let term = key_id_of("south");
        let mut ids = Vec::new();
        postings(&conn, "en", term, false, |id, _| ids.push(id))?;
        assert_eq!(ids, [1, 2, 9]);
        assert_eq!(document_frequency(&conn, "en", term, false)?, 3);
        let chunks: i64 = conn.query_row("SELECT count(*) FROM match_term", [], |r| r.get(0))?;
        assert_eq!(chunks, 3, "south twice, cooperation once");
        Ok(())
    }

    /// A chunk's row: lang, term, chunk, df, postings.
    type ChunkRow = (String, i64, i64, i64, Vec<u8>);

    /// The chunks' rows in key order.
    fn chunk_rows(conn: &Connection) -> Result<Vec<ChunkRow>> {
        Ok(conn
            .prepare("SELECT lang, term, chunk, df, postings FROM match_term ORDER BY 1, 2, 3")?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    #[test]
    fn the_runs_of_one_build_merge_into_the_chunks_one_run_would_make() -> Result<()> {
        let variants: [(i64, &str, &str); 6] = [
            (1, "en", "south cooperation"),
            (2, "fr", "coopération sud"),
            (200, "en", "south south north"),
            (100_000, "en-GB", "South"),
            (5_000_000, "en", "north cooperation"),
            (5_000_001, "fr", "nord"),
        ];
        let dir = tempfile::tempdir().map_err(|e| crate::Error::io("tempdir", e))?;
        let merged = Connection::open_in_memory()?;
        merged.execute_batch(include_str!("../../schema.sql"))?;
        let mut runs = Runs::new(dir.path());
        // Three runs of two variants: the first two go to files, the last stays in memory.
        for pair in variants.chunks(2) {
            let mut run = PostingsBuilder::default();
            for &(id, lang, text) in pair {
                run.add(id, lang, text);
            }
            if pair[0].0 == 5_000_000 {
                let stats = write_chunks(&merged, runs, run)?;
                assert_eq!(
                    (stats.variants, stats.postings),
                    (6, 10),
                    "a posting per distinct word"
                );
                break;
            }
            runs.push(run)?;
            assert_eq!(
                std::fs::read_dir(dir.path()).map(Iterator::count).ok(),
                Some(0)
            );
        }
        let one = Connection::open_in_memory()?;
        one.execute_batch(include_str!("../../schema.sql"))?;
        let mut run = PostingsBuilder::default();
        for &(id, lang, text) in &variants {
            run.add(id, lang, text);
        }
        write_chunks(&one, runs_of_nothing(), run)?;
        let rows = chunk_rows(&merged)?;
        assert_eq!(
            rows.len(),
            6,
            "en: south, cooperation, north; fr: coopération, sud, nord"
        );
        assert_eq!(rows, chunk_rows(&one)?);
        let mut ids = Vec::new();
        postings(&merged, "en", key_id_of("south"), false, |id, len| {
            ids.push((id, len))
        })?;
        assert_eq!(ids, [(1, 2), (200, 3), (100_000, 1)]);
        Ok(())
    }

    fn runs_of_nothing() -> Runs {
        Runs::new("/nonexistent")
    }
}
