//! The persistent candidate index in the SQLite file.
//!
//! For each language (primary subtag) and token key, the variants holding it:
//! - `match_term`: one row per term, written by [`rebuild`] (`tmm index`), its postings a blob
//!   of (varint id delta, length byte) pairs in id order, so a million six-language units fit
//!   in a few hundred megabytes and a term is one B-tree lookup;
//! - `match_recent`: one row per posting for variants imported since, written in the import
//!   transaction by [`IndexWriter`];
//! - `match_dead`: variants deleted since (the `update` policy), skipped by queries.
//!
//! A bulk import (more than [`LIVE_LIMIT`] variants in one transaction) stops writing
//! `match_recent` and records the first variant it left out; queries still see those variants
//! by scanning the uncovered id range until `tmm index` runs, and `tmm import` runs it for
//! them at the end.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::token::content_ids;
use crate::error::Result;

/// Variants one import indexes row by row before switching to a deferred build.
pub const LIVE_LIMIT: u64 = 20_000;

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

/// Keeps the index up to date inside an import transaction: one call per inserted variant,
/// one per deleted unit.
pub struct IndexWriter {
    live: bool,
    added: u64,
}

impl IndexWriter {
    /// Reads the index state in the transaction.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn new(tx: &Transaction) -> Result<Self> {
        Ok(IndexWriter {
            live: uncovered_from(tx)?.is_none(),
            added: 0,
        })
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
        if self.added > LIVE_LIMIT {
            // A bulk import: leave the rest to one build at the end.
            self.live = false;
            set_state(tx, "uncovered_from", Some(variant_id))?;
            return Ok(());
        }
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

/// Builds the index from scratch over every stored variant, in one transaction.
/// `progress(done, total)` is called every 65,536 variants.
///
/// # Errors
/// [`crate::Error::Database`].
pub fn rebuild(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> Result<IndexStats> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let total: i64 = tx.query_row("SELECT count(*) FROM variant", [], |r| r.get(0))?;
    let mut langs: Vec<String> = Vec::new();
    let mut lists: TermMap<Builder> = TermMap::default();
    let mut stats = IndexStats::default();
    {
        let mut stmt = tx.prepare("SELECT id, lang, text FROM variant ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut ids = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let lang = lang_key(row.get_ref(1)?.as_str().unwrap_or(""));
            let text = row.get_ref(2)?.as_str().unwrap_or("");
            let l = match langs.iter().position(|x| *x == lang) {
                Some(l) => l,
                None => {
                    langs.push(lang);
                    langs.len() - 1
                }
            } as u16;
            ids.clear();
            ids.extend(content_ids(text));
            let len = len_byte(ids.len());
            ids.sort_unstable();
            ids.dedup();
            for &term in &ids {
                let b = lists.entry((l, term)).or_insert(Builder {
                    last: 0,
                    df: 0,
                    bytes: Vec::new(),
                });
                put_varint(&mut b.bytes, (id - b.last) as u64);
                b.bytes.push(len);
                b.last = id;
                b.df += 1;
            }
            stats.variants += 1;
            if stats.variants % 65_536 == 0 {
                progress(stats.variants, total as u64);
            }
        }
    }
    tx.execute_batch(
        "DELETE FROM match_term; DELETE FROM match_recent; DELETE FROM match_dead;
         DELETE FROM match_state;",
    )?;
    {
        let mut insert = tx
            .prepare("INSERT INTO match_term (lang, term, df, postings) VALUES (?1, ?2, ?3, ?4)")?;
        let mut keys: Vec<(u16, u64)> = lists.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let b = lists.remove(&key).expect("key listed");
            stats.terms += 1;
            stats.postings += u64::from(b.df);
            stats.bytes += b.bytes.len() as u64;
            insert.execute(params![langs[key.0 as usize], key.1 as i64, b.df, b.bytes])?;
        }
    }
    tx.commit()?;
    progress(stats.variants, total as u64);
    Ok(stats)
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
    let blob: Option<Vec<u8>> = conn
        .prepare_cached("SELECT postings FROM match_term WHERE lang = ?1 AND term = ?2")?
        .query_row(params![lang, term as i64], |r| r.get(0))
        .optional()?;
    if let Some(b) = blob {
        decode_postings(&b, &mut f);
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
        .prepare_cached("SELECT df FROM match_term WHERE lang = ?1 AND term = ?2")?
        .query_row(params![lang, term as i64], |r| r.get(0))
        .optional()?;
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
        let mut blob = Vec::new();
        let mut last = 0;
        for (id, len) in [(3i64, 5u8), (4, 255), (1_000_000, 1), (1_000_300, 22)] {
            put_varint(&mut blob, (id - last) as u64);
            blob.push(len);
            last = id;
        }
        let mut out = Vec::new();
        decode_postings(&blob, |id, len| out.push((id, len)));
        assert_eq!(out, [(3, 5), (4, 255), (1_000_000, 1), (1_000_300, 22)]);
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
