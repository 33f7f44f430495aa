//! The persistent candidate index in the SQLite file.
//!
//! For each language (primary subtag) and token key, the variants holding it:
//! - `match_term`: a few rows (chunks) per term, written by [`rebuild`] (`tmm index`) and bulk
//!   imports, each a blob of (varint id delta, length byte) pairs in id order, so a million
//!   six-language units fit in a few hundred megabytes and a term is one B-tree range; a
//!   chunk holds at most [`CHUNK_VARIANTS`] variants' postings, which bounds the memory of
//!   building them;
//! - `match_recent`: one row per posting for variants imported since, written in the import
//!   transaction by [`IndexWriter`];
//! - `match_dead`: variants deleted since (the `update` policy), skipped by queries.
//!
//! A bulk import (more than [`live_limit`] variants in one transaction) leaves its variants
//! marked as not covered; [`catch_up`] then appends their postings in chunks, after the
//! commit, with memory bounded whatever the import's size.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::token::content_ids;
use crate::error::Result;

/// Variants one import indexes row by row before it switches to a bulk build: a twentieth of
/// the stored variants, between 2,000 and 50,000. Row by row costs about 22 inserts per
/// variant; a bulk build adds a chunk row per term, and every chunk is one more row a query
/// reads, so small imports into a large memory stay row by row.
pub fn live_limit(stored_variants: i64) -> u64 {
    (stored_variants / 20).clamp(2_000, 50_000) as u64
}

/// The language key of the index: the primary subtag, lower case.
pub fn lang_key(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or(lang)
        .to_ascii_lowercase()
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Decodes a postings blob into `(variant id, length)` pairs.
pub fn decode_postings(blob: &[u8], mut f: impl FnMut(i64, u8)) {
    let mut id: u64 = 0;
    let mut i = 0;
    while i < blob.len() {
        let mut delta: u64 = 0;
        let mut shift = 0;
        while i < blob.len() {
            let b = blob[i];
            i += 1;
            delta |= u64::from(b & 0x7F) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 63 {
                break;
            }
        }
        id = id.wrapping_add(delta);
        let Some(&len) = blob.get(i) else { break };
        i += 1;
        f(id as i64, len);
    }
}

/// Encodes `(variant id, length)` pairs, ids ascending.
#[cfg(test)]
fn encode_postings(postings: &[(i64, u8)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * 3);
    let mut last = 0;
    for &(id, len) in postings {
        put_varint(&mut out, (id - last) as u64);
        out.push(len);
        last = id;
    }
    out
}

/// The length byte of a posting: content tokens, capped.
fn len_byte(n: usize) -> u8 {
    n.min(255) as u8
}

/// The distinct terms of a segment with how often each occurs, and its length in content
/// tokens.
pub fn terms(text: &str) -> (Vec<(u64, u32)>, usize) {
    let ids = content_ids(text);
    let n = ids.len();
    let mut counts: HashMap<u64, u32> = HashMap::with_capacity(n);
    for id in ids {
        *counts.entry(id).or_default() += 1;
    }
    (counts.into_iter().collect(), n)
}

/// The index's part of `schema.sql`, from its heading comment to the end.
fn index_schema() -> &'static str {
    const SCHEMA: &str = include_str!("../../schema.sql");
    SCHEMA
        .find("-- The fuzzy-match index")
        .map_or("", |i| &SCHEMA[i..])
}

/// Creates the index tables in a database made before they existed (a no-op otherwise).
///
/// # Errors
/// [`crate::Error::Database`].
pub fn ensure_schema(conn: &Connection) -> Result<()> {
    let present = conn
        .prepare_cached("SELECT 1 FROM sqlite_master WHERE name = 'match_state'")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some();
    if !present {
        conn.execute_batch(index_schema())?;
        // Segments stored before the index: not covered until `tmm index` (the next
        // `tmm import` runs it); queries scan them meanwhile.
        conn.execute(
            "INSERT INTO match_state (key, value)
             SELECT 'uncovered_from', min(id) FROM variant HAVING count(*) > 0",
            [],
        )?;
    }
    Ok(())
}

fn state(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT value FROM match_state WHERE key = ?1", [key], |r| {
            r.get(0)
        })
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
pub fn uncovered_from(conn: &Connection) -> Result<Option<i64>> {
    state(conn, "uncovered_from")
}

/// How many variants the index does not cover (0 when it is up to date).
pub fn pending(conn: &Connection) -> Result<i64> {
    Ok(match uncovered_from(conn)? {
        None => 0,
        Some(from) => {
            conn.query_row("SELECT count(*) FROM variant WHERE id >= ?1", [from], |r| {
                r.get(0)
            })?
        }
    })
}

/// Keeps the index up to date inside an import transaction: one call per inserted variant
/// and one per deleted unit.
///
/// The first variants (see [`live_limit`]) go into `match_recent` row by row. Past that the
/// import is a bulk one: its variants are marked as not covered, and [`catch_up`] indexes
/// them after the commit, in chunks of bounded memory (`tmm import` runs it); until then
/// queries scan them.
pub struct IndexWriter {
    live: bool,
    limit: u64,
    added: u64,
    /// The first variant this writer indexed row by row.
    first_live: Option<i64>,
}

impl IndexWriter {
    /// Reads the index state in the transaction.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn new(tx: &Transaction) -> Result<Self> {
        ensure_schema(tx)?;
        let stored: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM variant", [], |r| r.get(0))?;
        Ok(IndexWriter {
            live: uncovered_from(tx)?.is_none(),
            limit: live_limit(stored),
            added: 0,
            first_live: None,
        })
    }

    /// Leaves the variants of this transaction for `tmm index` (queries scan them
    /// meanwhile): a bulk import then costs no indexing at all.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn defer(&mut self, tx: &Transaction) -> Result<()> {
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
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn add(&mut self, tx: &Transaction, variant_id: i64, lang: &str, text: &str) -> Result<()> {
        if !self.live {
            return Ok(());
        }
        self.added += 1;
        if self.added > self.limit {
            // A bulk import: this import's variants, the ones indexed row by row included,
            // are left for catch_up, so that queries need not read match_recent.
            self.live = false;
            let first = self.first_live.unwrap_or(variant_id);
            set_state(tx, "uncovered_from", Some(first))?;
            tx.execute("DELETE FROM match_recent WHERE variant_id >= ?1", [first])?;
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
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn remove_unit(&mut self, tx: &Transaction, unit_id: i64) -> Result<()> {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO match_dead (variant_id) SELECT id FROM variant WHERE unit_id = ?1",
        )?
        .execute([unit_id])?;
        Ok(())
    }
}

/// What [`rebuild`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexStats {
    pub variants: u64,
    pub terms: u64,
    pub postings: u64,
    pub bytes: u64,
}

impl IndexStats {
    fn add(&mut self, other: IndexStats) {
        self.variants += other.variants;
        self.terms += other.terms;
        self.postings += other.postings;
        self.bytes += other.bytes;
    }
}

/// Term ids are already xxh3 hashes: hashing them again is wasted work.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        // Spread sequential ids (variant ids) over the top bits hashbrown uses as tags.
        self.0 ^= v.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u16(&mut self, v: u16) {
        self.0 = self.0.rotate_left(16) ^ u64::from(v);
    }
}

/// A map keyed by term ids (already hashes).
pub type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<PassThrough>>;

type TermMap<V> = HashMap<(u16, u64), V, std::hash::BuildHasherDefault<PassThrough>>;

struct Builder {
    last: i64,
    df: u32,
    bytes: Vec<u8>,
}

/// Postings accumulated in memory, in increasing variant id order, then written as blobs.
#[derive(Default)]
struct PostingsBuilder {
    langs: Vec<String>,
    lists: TermMap<Builder>,
    ids: Vec<u64>,
    variants: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl PostingsBuilder {
    fn add(&mut self, id: i64, lang: &str, text: &str) {
        self.first.get_or_insert(id);
        self.last = Some(id);
        let lang = lang_key(lang);
        let l = match self.langs.iter().position(|x| *x == lang) {
            Some(l) => l,
            None => {
                self.langs.push(lang);
                self.langs.len() - 1
            }
        } as u16;
        self.ids.clear();
        self.ids.extend(content_ids(text));
        let len = len_byte(self.ids.len());
        self.ids.sort_unstable();
        self.ids.dedup();
        for &term in &self.ids {
            let b = self.lists.entry((l, term)).or_insert(Builder {
                last: 0,
                df: 0,
                bytes: Vec::new(),
            });
            put_varint(&mut b.bytes, (id - b.last) as u64);
            b.bytes.push(len);
            b.last = id;
            b.df += 1;
        }
        self.variants += 1;
    }

    /// Writes the lists as one new chunk per term (a term's chunks are read in row order,
    /// which is id order: every id here is newer than the stored ones).
    fn write(self, tx: &Connection) -> Result<IndexStats> {
        let mut stats = IndexStats {
            variants: self.variants,
            ..Default::default()
        };
        let mut lists = self.lists;
        let mut keys: Vec<(u16, u64)> = lists.keys().copied().collect();
        keys.sort_unstable();
        let mut insert = tx.prepare_cached(
            "INSERT INTO match_term (lang, term, df, postings) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for key in keys {
            let Some(b) = lists.remove(&key) else {
                continue;
            };
            stats.terms += 1;
            stats.postings += u64::from(b.df);
            stats.bytes += b.bytes.len() as u64;
            insert.execute(params![
                self.langs[key.0 as usize],
                key.1 as i64,
                b.df,
                b.bytes
            ])?;
        }
        if let (Some(first), Some(last)) = (self.first, self.last) {
            // An id of a deleted variant used again by a new one is alive again.
            tx.prepare_cached("DELETE FROM match_dead WHERE variant_id BETWEEN ?1 AND ?2")?
                .execute([first, last])?;
        }
        Ok(stats)
    }
}

/// Variants tokenised in memory before their postings are written as a chunk: bounds the
/// memory of a bulk import or a rebuild (about 60 MB) whatever its size.
const CHUNK_VARIANTS: u64 = 200_000;

/// Builds the index from scratch over every stored variant, in one transaction: one thread
/// reads the rows, another tokenises them. `progress(done, total)` is called every 65,536
/// variants.
///
/// # Errors
/// [`crate::Error::Database`].
pub fn rebuild(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
    build(conn, None, progress)
}

/// Indexes the variants a bulk import left uncovered (see [`IndexWriter`]), appending their
/// chunks to the index; does nothing when all are covered.
///
/// # Errors
/// [`crate::Error::Database`].
pub fn catch_up(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
    ensure_schema(conn)?;
    match uncovered_from(conn)? {
        None => Ok(IndexStats::default()),
        Some(from) => build(conn, Some(from), progress),
    }
}

/// Indexes every variant (`from` is `None`: the index is emptied first) or those from id
/// `from` on, a chunk per [`CHUNK_VARIANTS`] variants.
fn build(
    conn: &Connection,
    from: Option<i64>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IndexStats> {
    ensure_schema(conn)?;
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
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
    let mut stats = IndexStats::default();
    let mut worker = Worker::start();
    {
        let mut stmt =
            tx.prepare("SELECT id, lang, text FROM variant WHERE id >= ?1 ORDER BY id")?;
        let mut rows = stmt.query([first])?;
        let mut done = 0u64;
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(row) = rows.next()? {
            batch.push((
                row.get(0)?,
                row.get_ref(1)?.as_str().unwrap_or("").to_string(),
                row.get_ref(2)?.as_str().unwrap_or("").to_string(),
            ));
            if batch.len() == BATCH {
                worker.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
            done += 1;
            if done % CHUNK_VARIANTS == 0 {
                let full = std::mem::replace(&mut worker, Worker::start());
                full.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                stats.add(full.finish()?.write(&tx)?);
            }
            if done % 65_536 == 0 {
                progress(done, total as u64);
            }
        }
        worker.send(batch);
    }
    stats.add(worker.finish()?.write(&tx)?);
    set_state(&tx, "uncovered_from", None)?;
    tx.commit()?;
    progress(stats.variants, total as u64);
    Ok(stats)
}

/// Variants handed to the tokenising thread at a time.
const BATCH: usize = 4096;

type Batch = Vec<(i64, String, String)>;

/// A thread that tokenises variants and accumulates their postings, so that reading and
/// storing (the import, or the rebuild's scan) run beside it on the other core.
struct Worker {
    send: std::sync::mpsc::SyncSender<Batch>,
    handle: std::thread::JoinHandle<PostingsBuilder>,
}

impl Worker {
    fn start() -> Self {
        let (send, recv) = std::sync::mpsc::sync_channel::<Batch>(8);
        let handle = std::thread::spawn(move || {
            let mut b = PostingsBuilder::default();
            for batch in recv {
                for (id, lang, text) in batch {
                    b.add(id, &lang, &text);
                }
            }
            b
        });
        Worker { send, handle }
    }

    fn send(&self, batch: Batch) {
        // The thread only stops when the channel closes; a failed send means it panicked,
        // which finish reports.
        let _ = self.send.send(batch);
    }

    fn finish(self) -> Result<PostingsBuilder> {
        drop(self.send);
        self.handle
            .join()
            .map_err(|_| crate::Error::Invalid("the index builder thread failed".into()))
    }
}

/// True when variants were indexed row by row since the last build (queries then read
/// `match_recent` too).
pub fn has_recent(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM match_recent LIMIT 1")?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A term's postings: `(variant id, length)` from the compact list and, when `recent`, the
/// rows added since.
pub fn postings(
    conn: &Connection,
    lang: &str,
    term: u64,
    recent: bool,
    mut f: impl FnMut(i64, u8),
) -> Result<()> {
    {
        // A term's chunks, oldest first: their ids follow on.
        let mut stmt = conn.prepare_cached(
            "SELECT postings FROM match_term WHERE lang = ?1 AND term = ?2 ORDER BY id",
        )?;
        let mut rows = stmt.query(params![lang, term as i64])?;
        while let Some(r) = rows.next()? {
            decode_postings(r.get_ref(0)?.as_blob().unwrap_or_default(), &mut f);
        }
    }
    if !recent {
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached("SELECT variant_id, len FROM match_recent WHERE lang = ?1 AND term = ?2")?;
    let mut rows = stmt.query(params![lang, term as i64])?;
    while let Some(r) = rows.next()? {
        f(r.get(0)?, r.get::<_, i64>(1)? as u8);
    }
    Ok(())
}

/// How many variants hold a term (compact list plus, when `recent`, the rows added since).
pub fn document_frequency(conn: &Connection, lang: &str, term: u64, recent: bool) -> Result<u64> {
    let df: Option<i64> = conn
        .prepare_cached("SELECT sum(df) FROM match_term WHERE lang = ?1 AND term = ?2")?
        .query_row(params![lang, term as i64], |r| r.get(0))?;
    if !recent {
        return Ok(df.unwrap_or(0) as u64);
    }
    let recent: i64 = conn
        .prepare_cached("SELECT count(*) FROM match_recent WHERE lang = ?1 AND term = ?2")?
        .query_row(params![lang, term as i64], |r| r.get(0))?;
    Ok((df.unwrap_or(0) + recent) as u64)
}

/// True when a variant was deleted since the last build.
pub fn is_dead(conn: &Connection, variant_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM match_dead WHERE variant_id = ?1")?
        .query_row([variant_id], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let blob = encode_postings(&[(3i64, 5u8), (4, 255), (1_000_000, 1), (1_000_300, 22)]);
        let mut out = Vec::new();
        decode_postings(&blob, |id, len| out.push((id, len)));
        assert_eq!(out, [(3, 5), (4, 255), (1_000_000, 1), (1_000_300, 22)]);
    }

    fn key_id_of(word: &str) -> u64 {
        crate::matching::token::key_id(word)
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
        let mut store = crate::store::Store::open(&dir.path().join("tm.db"))?;
        // A small import (row by row), then two bulk ones (the second appends to the lists).
        for (name, units, seed) in [("a.tmx", 50, 1), ("b.tmx", 1_200, 2), ("c.tmx", 1_300, 3)] {
            let path = dir.path().join(name);
            big_tmx(&path, units, seed);
            store.import_tmx(&path, &Default::default(), &mut ())?;
        }
        let conn = store.connection();
        assert_eq!(pending(conn)?, 0);
        // Only the small import's 100 variants went in row by row.
        let recent: i64 = conn.query_row(
            "SELECT count(DISTINCT variant_id) FROM match_recent",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(recent, 100);
        let maintained = all_postings(conn)?;
        rebuild(conn, &mut |_, _| {})?;
        assert!(!has_recent(conn)?);
        assert_eq!(maintained, all_postings(conn)?);
        Ok(())
    }

    // Regression: a database made before the index had no match_* tables and failed.
    #[test]
    fn a_database_without_the_index_tables_gets_them() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE variant (id INTEGER PRIMARY KEY, lang TEXT, text TEXT);
             INSERT INTO variant VALUES (7, 'en', 'Stored before the index');",
        )?;
        assert!(!index_schema().is_empty());
        ensure_schema(&conn)?;
        ensure_schema(&conn)?;
        // The old segment waits for `tmm index`, and queries scan it meanwhile.
        assert_eq!(pending(&conn)?, 1);
        rebuild(&conn, &mut |_, _| {})?;
        assert_eq!(pending(&conn)?, 0);
        let mut ids = Vec::new();
        postings(&conn, "en", key_id_of("stored"), false, |id, _| {
            ids.push(id)
        })?;
        assert_eq!(ids, [7]);
        Ok(())
    }

    #[test]
    fn a_terms_chunks_read_as_one_list() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(index_schema())?;
        let mut first = PostingsBuilder::default();
        first.add(1, "en", "south cooperation");
        first.add(2, "en", "south south");
        let mut second = PostingsBuilder::default();
        second.add(9, "en-GB", "South");
        first.write(&conn)?;
        second.write(&conn)?;
        let term = key_id_of("south");
        let mut ids = Vec::new();
        postings(&conn, "en", term, false, |id, _| ids.push(id))?;
        assert_eq!(ids, [1, 2, 9]);
        assert_eq!(document_frequency(&conn, "en", term, false)?, 3);
        let chunks: i64 = conn.query_row("SELECT count(*) FROM match_term", [], |r| r.get(0))?;
        assert_eq!(chunks, 3, "south twice, cooperation once");
        Ok(())
    }

    #[test]
    fn truncated_blob_does_not_panic() {
        decode_postings(&[0xFF, 0xFF], |_, _| {});
        decode_postings(&[0x05], |_, _| {});
    }

    #[test]
    fn language_keys_are_primary_subtags() {
        assert_eq!(lang_key("zh-Hans-CN"), "zh");
        assert_eq!(lang_key("en"), "en");
    }
}
