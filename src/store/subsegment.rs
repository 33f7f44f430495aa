//! Sentence sub-segments of multi-sentence units (table `subsegment`, see `schema.sql`).
//!
//! When a unit's source segment holds more than one sentence (an imported TMX paragraph, a
//! paragraph from `tmm align`), each of its languages is cut with the aligner's sentence
//! splitter and the sentences are aligned across the languages through the unit's source
//! language by [`crate::align::align_paragraph`]: in order for a language with as many
//! sentences as the source (each pair's confidence that of a 1-1 bead), else by the
//! aligner's Gale–Church model on the unit's sentences. Each aligned sentence row is stored per
//! language as a byte range of the variant's text, with its bead and confidence, when the
//! unit yields at least two rows.
//!
//! The sentences are made in the writing transaction ([`SubsegmentWriter`]) and indexed before
//! its commit, with the variants' catch-up ([`catch_up_in`]), in the `match_*` tables under the
//! language key `en:s` ([`key`]), so that queries read them with the same postings code.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::index::append_chunks;
use super::snapshot::{SqliteView, lang_clause, sql};
use crate::align;
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::matching::index::{BATCH, CHUNK_VARIANTS, PostingsBuilder, Worker, lang_key};
use crate::model::{TranslationUnit, UnitId, Variant, VariantId};
use crate::text::SentenceSplitter;

/// The match-index language key of the sub-segments in `lang`: `en` → `en:s`.
pub fn key(lang: &str) -> String {
    format!("{}:s", lang_key(lang))
}

const UNCOVERED: &str = "subsegments_uncovered_from";
const UNITS_FROM: &str = "subsegment_units_from";

/// One aligned sentence row of a unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SentenceRow {
    /// Per language present in the row: the index of its variant in the unit, the byte range
    /// of the row's sentences in that variant's text, and how many sentences they are.
    pub spans: Vec<Span>,
    pub bead: String,
    pub confidence: f64,
}

/// A row's sentences in one variant's text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    pub variant: usize,
    pub start: usize,
    pub end: usize,
    pub sentences: usize,
}

/// Cuts a unit into aligned sentence rows; empty when its source has one sentence, when it
/// has a single language, or when its languages do not align credibly (the unit is then
/// matched whole only).
///
/// The sentences go through [`align::align_paragraph`]: a language with as many sentences
/// as the source is paired with it in order, the others by the aligner's model.
pub(crate) fn sentence_rows(
    unit: &TranslationUnit,
    source: &Variant,
    splitters: &mut HashMap<String, SentenceSplitter>,
) -> Vec<SentenceRow> {
    let mut split = |v: &Variant| -> Vec<(usize, usize)> {
        let text = v.segment.text.as_str();
        splitters
            .entry(v.lang.to_string())
            .or_insert_with(|| SentenceSplitter::new(&v.lang))
            .split(text)
            .into_iter()
            .map(|s| {
                // The splitter returns slices of the text: their offsets are its byte range.
                let start = s.as_ptr() as usize - text.as_ptr() as usize;
                (start, start + s.len())
            })
            .collect()
    };
    let source_sentences = split(source);
    if source_sentences.len() < 2 {
        return Vec::new();
    }
    // The first variant of each language, the source first.
    let source_index = unit
        .variants
        .iter()
        .position(|v| std::ptr::eq(v, source))
        .unwrap_or(0);
    let mut order: Vec<usize> = vec![source_index];
    for (i, v) in unit.variants.iter().enumerate() {
        if !v.segment.text.trim().is_empty()
            && !order.iter().any(|&o| unit.variants[o].lang == v.lang)
        {
            order.push(i);
        }
    }
    if order.len() < 2 {
        return Vec::new();
    }
    let mut sentences = vec![source_sentences];
    for &i in &order[1..] {
        sentences.push(split(&unit.variants[i]));
    }
    let text = |l: usize| unit.variants[order[l]].segment.text.as_str();
    // The aligner's model on these very sentences, through the source (the unit's variants
    // translate each other, so there is no pairing of paragraphs to find or refuse).
    let texts: Vec<Vec<String>> = sentences
        .iter()
        .enumerate()
        .map(|(l, s)| s.iter().map(|&(a, b)| text(l)[a..b].to_string()).collect())
        .collect();
    let aligned = align::align_paragraph(&texts);
    if aligned.len() < 2 {
        return Vec::new();
    }
    // Each row takes the next sentences of each language, as many as the aligner put there.
    let mut next = vec![0usize; order.len()];
    let mut rows = Vec::with_capacity(aligned.len());
    for row in &aligned {
        let mut spans = Vec::new();
        for (l, segs) in row.segments.iter().enumerate() {
            if segs.is_empty() {
                continue;
            }
            let Some(taken) = sentences[l].get(next[l]..next[l] + segs.len()) else {
                return Vec::new();
            };
            next[l] += segs.len();
            spans.push(Span {
                variant: order[l],
                start: taken[0].0,
                end: taken[taken.len() - 1].1,
                sentences: segs.len(),
            });
        }
        rows.push(SentenceRow {
            spans,
            bead: row.bead(),
            confidence: row.confidence,
        });
    }
    // Every sentence is in a row, or the spans would be wrong.
    if next.iter().zip(&sentences).any(|(&n, s)| n != s.len()) {
        return Vec::new();
    }
    rows
}

/// Stores the sub-segments of the units a writing transaction inserts.
#[derive(Default)]
pub(crate) struct SubsegmentWriter {
    splitters: HashMap<String, SentenceSplitter>,
    /// The transaction has marked its sub-segments for indexing.
    marked: bool,
}

impl SubsegmentWriter {
    /// Splits, aligns and stores the sentences of unit `unit_id` just inserted, whose
    /// variants got the ids `variant_ids` (in the unit's order).
    pub(crate) fn add(
        &mut self,
        tx: &Transaction,
        unit_id: i64,
        variant_ids: &[i64],
        unit: &TranslationUnit,
        source: &Variant,
    ) -> Result<()> {
        let rows = sentence_rows(unit, source, &mut self.splitters);
        insert_rows(tx, unit_id, unit, variant_ids, &rows, &mut self.marked)
    }
}

/// How many rows one INSERT statement takes: a unit's sentence rows go in a few statements
/// of these sizes (fewer statement runs, and one `sqlite_sequence` update per statement),
/// and the few distinct statements stay in the connection's cache.
const INSERT_SIZES: [usize; 3] = [16, 4, 1];

const COLUMNS: usize = 10;

fn insert_rows(
    conn: &Connection,
    unit_id: i64,
    unit: &TranslationUnit,
    variant_ids: &[i64],
    rows: &[SentenceRow],
    marked: &mut bool,
) -> Result<()> {
    use rusqlite::types::Value::{self, Integer, Real, Text};
    let m = rows.len() as i64;
    let mut values: Vec<Value> = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        for span in &row.spans {
            let (Some(v), Some(&variant_id)) = (
                unit.variants.get(span.variant),
                variant_ids.get(span.variant),
            ) else {
                continue;
            };
            values.extend([
                Integer(unit_id),
                Integer(n as i64 + 1),
                Integer(m),
                Text(v.lang.as_str().to_string()),
                Integer(variant_id),
                Integer(span.start as i64),
                Integer(span.end as i64),
                Integer(span.sentences as i64),
                Text(row.bead.clone()),
                Real(row.confidence),
            ]);
        }
    }
    let mut values = values.into_iter();
    let mut left = values.len() / COLUMNS;
    while left > 0 {
        let k = INSERT_SIZES.into_iter().find(|&k| k <= left).unwrap_or(1);
        let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; k].join(", ");
        conn.prepare_cached(&format!(
            "INSERT INTO subsegment (unit_id, n, m, lang, variant_id, start, end, sentences, bead, confidence)
             VALUES {placeholders}"
        ))?
        .execute(rusqlite::params_from_iter(values.by_ref().take(k * COLUMNS)))?;
        if !*marked {
            // The first of the rows just inserted: their ids are given in order.
            let first = conn.last_insert_rowid() - k as i64 + 1;
            conn.prepare_cached("INSERT OR IGNORE INTO match_state (key, value) VALUES (?1, ?2)")?
                .execute(params![UNCOVERED, first])?;
            *marked = true;
        }
        left -= k;
    }
    Ok(())
}

fn state(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(sql::STATE)?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Makes the sub-segments of the units stored before sub-segments existed (a migrated
/// database), from the first such unit on.
fn make_missing(conn: &Connection) -> Result<()> {
    let Some(from) = state(conn, UNITS_FROM)? else {
        return Ok(());
    };
    // (unit id, source language, [(variant id, language, text)])
    type Stored = (i64, String, Vec<(i64, String, String)>);
    let mut units: Vec<Stored> = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT u.id, u.source_lang, v.id, v.lang, v.text FROM unit u
             JOIN variant v ON v.unit_id = u.id
             WHERE u.id >= ?1 AND NOT EXISTS (SELECT 1 FROM subsegment s WHERE s.unit_id = u.id)
             ORDER BY u.id, v.position",
        )?;
        let mut rows = stmt.query([from])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if units.last().is_none_or(|u| u.0 != id) {
                units.push((id, r.get(1)?, Vec::new()));
            }
            if let Some(u) = units.last_mut() {
                u.2.push((r.get(2)?, r.get(3)?, r.get(4)?));
            }
        }
    }
    let mut splitters = HashMap::new();
    let mut marked = false;
    for (id, source_lang, variants) in units {
        let mut ids = Vec::new();
        let mut unit = TranslationUnit::default();
        for (vid, lang, text) in variants {
            if let Ok(l) = LanguageTag::parse(&lang) {
                ids.push(vid);
                unit.variants.push(Variant::new(l, text));
            }
        }
        let source = LanguageTag::parse(&source_lang)
            .ok()
            .and_then(|l| unit.variant(&l))
            .or_else(|| unit.variants.first());
        if let Some(source) = source {
            let rows = sentence_rows(&unit, source, &mut splitters);
            insert_rows(conn, id, &unit, &ids, &rows, &mut marked)?;
        }
    }
    conn.execute("DELETE FROM match_state WHERE key = ?1", [UNITS_FROM])?;
    Ok(())
}

/// The sub-segments matched against: those in their unit's source language (the language
/// their sentences were aligned through). The others are stored as the translations.
use super::snapshot::sql::MATCHED;

/// A sub-segment's text: its byte range of its variant's text.
pub(crate) fn slice(text: &str, start: i64, end: i64) -> String {
    text.get(start.max(0) as usize..end.max(0) as usize)
        .unwrap_or("")
        .to_string()
}

/// Indexes the sub-segments not indexed yet (all of them when `all`: the caller has emptied
/// the index), a chunk per run of postings of bounded memory, inside the caller's transaction.
/// Returns how many were indexed.
pub(crate) fn index_pending(conn: &Connection, all: bool) -> Result<u64> {
    make_missing(conn)?;
    let from = if all {
        Some(i64::MIN)
    } else {
        state(conn, UNCOVERED)?
    };
    let Some(from) = from else {
        return Ok(0);
    };
    let write = |builder: PostingsBuilder| -> Result<()> {
        append_chunks(conn, builder)?;
        Ok(())
    };
    let worker = Worker::start();
    let mut stmt = conn.prepare(&format!(
        "SELECT s.id, s.lang, v.text, s.start, s.\"end\" {MATCHED} AND s.id >= ?1 ORDER BY s.id"
    ))?;
    let mut rows = stmt.query([from])?;
    let mut done = 0u64;
    let mut run = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next()? {
        let lang: &str = row.get_ref(1)?.as_str().unwrap_or("");
        let text = slice(
            row.get_ref(2)?.as_str().unwrap_or(""),
            row.get(3)?,
            row.get(4)?,
        );
        batch.push((row.get(0)?, key(lang), text));
        if batch.len() == BATCH {
            worker.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
        }
        done += 1;
        run += 1;
        if run >= CHUNK_VARIANTS || (done % BATCH as u64 == 0 && worker.full()) {
            run = 0;
            worker.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            write(worker.take_run()?)?;
        }
    }
    worker.send(batch);
    write(worker.finish()?)?;
    conn.execute("DELETE FROM match_state WHERE key = ?1", [UNCOVERED])?;
    Ok(done)
}

/// Makes and indexes what is pending, inside the caller's transaction (when the variants'
/// index has nothing to catch up).
pub(crate) fn catch_up_in(tx: &Connection) -> Result<u64> {
    if state(tx, UNCOVERED)?.is_none() && state(tx, UNITS_FROM)?.is_none() {
        return Ok(0);
    }
    index_pending(tx, false)
}

/// A stored sentence of a unit.
#[derive(Debug, Clone)]
pub struct StoredSentence {
    pub unit_id: UnitId,
    /// The unit's variant the sentence is part of.
    pub variant_id: VariantId,
    /// The sentence row, 1-based, of `m` rows.
    pub n: u32,
    pub m: u32,
    pub lang: String,
    pub text: String,
    /// How many of this language's sentences the row holds.
    pub sentences: u32,
    /// The row's sentence counts in every language of the unit, source first (`1-1-2`).
    pub bead: String,
    /// The lowest confidence of the row's beads.
    pub confidence: f64,
}

fn stored_sentence(r: &rusqlite::Row) -> rusqlite::Result<StoredSentence> {
    Ok(StoredSentence {
        unit_id: UnitId(r.get(0)?),
        variant_id: VariantId(r.get(1)?),
        n: r.get(2)?,
        m: r.get(3)?,
        lang: r.get(4)?,
        text: slice(r.get_ref(5)?.as_str().unwrap_or(""), r.get(6)?, r.get(7)?),
        sentences: r.get(8)?,
        bead: r.get(9)?,
        confidence: r.get(10)?,
    })
}

impl SqliteView<'_> {
    /// True when the memory holds sentence sub-segments in `lang` to match against.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn holds_subsegments(&self, lang: &LanguageTag) -> Result<bool> {
        // The index answers from its B-tree; only sub-segments not indexed yet need a look
        // at the table.
        if self
            .conn
            .prepare_cached(sql::TERM_EXISTS)?
            .query_row([key(lang.as_str())], |_| Ok(()))
            .optional()?
            .is_some()
        {
            return Ok(true);
        }
        let Some(from) = state(self.conn, UNCOVERED)? else {
            return Ok(false);
        };
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::UNCOVERED_SENTENCE_EXISTS)?
            .query_row(params![from, exact, like], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The first sub-segment not indexed yet, if any (queries scan from there).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegments_uncovered_from(&self) -> Result<Option<i64>> {
        state(self.conn, UNCOVERED)
    }

    /// The sub-segment `id` when it is in `lang` (`None` too when its unit was deleted).
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegment_in(&self, id: i64, lang: &LanguageTag) -> Result<Option<StoredSentence>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::SENTENCE_IN)?
            .query_row(params![id, exact, like], stored_sentence)
            .optional()?)
    }

    /// Sentence row `n` of unit `unit` in `lang`.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn subsegment_of(
        &self,
        unit: UnitId,
        n: u32,
        lang: &LanguageTag,
    ) -> Result<Option<StoredSentence>> {
        let (exact, like) = lang_clause(lang);
        Ok(self
            .conn
            .prepare_cached(sql::SENTENCE_OF)?
            .query_row(params![unit.0, n, exact, like], stored_sentence)
            .optional()?)
    }

    /// Calls `f(id, text)` with every sub-segment matched against in `lang` (see
    /// `MATCHED`) from id `from` on.
    ///
    /// # Errors
    /// [`crate::Error::Database`].
    pub fn scan_subsegments(
        &self,
        lang: &LanguageTag,
        from: i64,
        mut f: impl FnMut(i64, &str),
    ) -> Result<u64> {
        let (exact, like) = lang_clause(lang);
        let mut stmt = self.conn.prepare_cached(sql::SCAN_SENTENCES)?;
        let mut rows = stmt.query(params![exact, like, from])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            n += 1;
            let text = slice(r.get_ref(1)?.as_str().unwrap_or(""), r.get(2)?, r.get(3)?);
            f(r.get(0)?, &text);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(pairs: &[(&str, &str)]) -> TranslationUnit {
        TranslationUnit {
            variants: pairs
                .iter()
                .map(|(l, t)| Variant::new(LanguageTag::parse(l).unwrap(), *t))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_paragraph_unit_gives_its_sentences_aligned() {
        let u = unit(&[
            (
                "en",
                "The first sentence is here. The second one follows it closely.",
            ),
            (
                "fr",
                "La première phrase est ici. La seconde la suit de près.",
            ),
            ("zh", "第一句在这里。第二句紧随其后。"),
        ]);
        let rows = sentence_rows(&u, &u.variants[0], &mut HashMap::new());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].bead, "1-1-1");
        let text = |s: &Span| &u.variants[s.variant].segment.text[s.start..s.end];
        assert_eq!(text(&rows[1].spans[1]), "La seconde la suit de près.");
        assert_eq!(text(&rows[1].spans[2]), "第二句紧随其后。");
        assert_eq!(text(&rows[0].spans[0]), "The first sentence is here.");
    }

    #[test]
    fn a_one_sentence_unit_has_no_subsegments() {
        let u = unit(&[
            ("en", "Only one sentence here."),
            ("fr", "Une seule. Phrase."),
        ]);
        assert!(sentence_rows(&u, &u.variants[0], &mut HashMap::new()).is_empty());
        let alone = unit(&[("en", "One. Two.")]);
        assert!(sentence_rows(&alone, &alone.variants[0], &mut HashMap::new()).is_empty());
    }
}
