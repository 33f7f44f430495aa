//! Sentence sub-segments of multi-sentence units (table `subsegment`, see `schema.sql`).
//!
//! When a unit's source segment holds more than one sentence (an imported TMX paragraph, a
//! paragraph from `tmm align`) and the unit has another language, the source is cut with the
//! aligner's sentence splitter and each sentence is stored as a byte range of the variant's
//! text ([`unit_sentences`]; with `tmm index --sentences every`, every language's too). The sentences are made in the writing transaction
//! ([`SubsegmentWriter`]) and indexed before its commit, with the variants' catch-up
//! ([`catch_up_in`]), in the `match_*` tables under the language key `en:s` ([`key`]), so
//! that queries read them with the same postings code.
//!
//! A matched sentence's translation is found when it is suggested ([`align_sentence`]): the
//! unit's source and target texts are cut the same way and aligned by
//! [`crate::align::align_paragraph`] (in order when both have as many sentences, else by the
//! aligner's Gale–Church model), and the row holding the sentence gives the translation, its
//! bead and confidence. Aligning at import cost more than the rest of the sub-segments
//! together (benches/SUBSEGMENTS.md), every language of every paragraph unit for the few
//! sentences a lookup suggests; and a pair aligned on its own is finer than six languages'
//! rows joined through the source.

use std::collections::HashMap;
use std::ops::Range;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::index::{append_chunks, runs};
use super::snapshot::{SqliteView, lang_clause, sql};
use crate::align;
use crate::error::Result;
use crate::lang::LanguageTag;
use crate::matching::index::{BATCH, Batch, CHUNK_VARIANTS, Worker, lang_key};
use crate::model::{TranslationUnit, UnitId, Variant, VariantId};
use crate::text::SentenceSplitter;

/// The match-index language key of the sub-segments in `lang`: `en` → `en:s`.
pub fn key(lang: &str) -> String {
    format!("{}:s", lang_key(lang))
}

const UNCOVERED: &str = "subsegments_uncovered_from";
const UNITS_FROM: &str = "subsegment_units_from";

/// The byte ranges of `text`'s sentences.
fn split(splitter: &SentenceSplitter, text: &str) -> Vec<Range<usize>> {
    splitter
        .split(text)
        .into_iter()
        .map(|s| {
            // The splitter returns slices of the text: their offsets are its byte range.
            let start = s.as_ptr() as usize - text.as_ptr() as usize;
            start..start + s.len()
        })
        .collect()
}

/// Which languages' sentences a memory stores and indexes as sub-segments (match_state
/// `subsegment_languages`, set by `tmm index --sentences`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SentenceLanguages {
    /// The unit's source language only (the default): queries from it find sentences.
    #[default]
    Source,
    /// Every language of the unit: queries from any of them find sentences, for about
    /// twice the import's instructions on a six-language paragraph memory.
    Every,
}

const LANGUAGES: &str = "subsegment_languages";

/// The sub-segments of a unit: for its source, and for every other language when `every`,
/// the variant's index in the unit and the byte ranges of its sentences, when it has more
/// than one and the unit has another language with text to translate them; else none (the
/// unit is matched whole only).
pub(crate) fn unit_sentences(
    unit: &TranslationUnit,
    source: &Variant,
    every: SentenceLanguages,
    splitters: &mut HashMap<String, SentenceSplitter>,
) -> Vec<(usize, Vec<Range<usize>>)> {
    let with_text = |v: &Variant| !v.segment.text.trim().is_empty();
    if !unit
        .variants
        .iter()
        .any(|v| v.lang != source.lang && with_text(v))
    {
        return Vec::new();
    }
    let source_index = unit
        .variants
        .iter()
        .position(|v| std::ptr::eq(v, source))
        .unwrap_or(0);
    // The source, then the first variant with text of each other language.
    let mut order = vec![source_index];
    if every == SentenceLanguages::Every {
        for (i, v) in unit.variants.iter().enumerate() {
            if with_text(v) && !order.iter().any(|&o| unit.variants[o].lang == v.lang) {
                order.push(i);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|i| {
            let v = &unit.variants[i];
            let splitter = splitters
                .entry(v.lang.to_string())
                .or_insert_with(|| SentenceSplitter::new(&v.lang));
            let sentences = split(splitter, &v.segment.text);
            (sentences.len() >= 2).then_some((i, sentences))
        })
        .collect()
}

/// Which languages' sentences the memory stores.
pub(crate) fn languages(conn: &Connection) -> Result<SentenceLanguages> {
    Ok(match state(conn, LANGUAGES)? {
        Some(_) => SentenceLanguages::Every,
        None => SentenceLanguages::Source,
    })
}

/// The statements that record which languages' sentences the memory stores and drop the
/// sentences stored, to be made again from every unit by the index rebuild that must follow
/// in the same transaction; the same on both backends.
pub(crate) fn set_languages_sql(languages: SentenceLanguages) -> Vec<&'static str> {
    let mut sql = vec![
        "DELETE FROM subsegment",
        "DELETE FROM match_state WHERE key IN ('subsegment_languages', 'subsegments_uncovered_from',
             'subsegment_units_from')",
        "INSERT INTO match_state (key, value) SELECT 'subsegment_units_from', min(id) FROM unit
         HAVING count(*) > 0",
    ];
    if languages == SentenceLanguages::Every {
        sql.push("INSERT INTO match_state (key, value) VALUES ('subsegment_languages', 1)");
    }
    sql
}

pub(crate) fn set_languages(conn: &Connection, languages: SentenceLanguages) -> Result<()> {
    for sql in set_languages_sql(languages) {
        conn.execute(sql, [])?;
    }
    Ok(())
}

/// A stored sentence's row in the alignment of its unit's source with one translation.
#[derive(Debug, Clone, PartialEq)]
pub struct AlignedSentence {
    /// The row's source sentences (the stored one among them), 1-based, and their byte
    /// range in the source text.
    pub first: u32,
    pub last: u32,
    pub source: Range<usize>,
    /// The row's sentences in the translation: their byte range and how many they are.
    pub target: Range<usize>,
    pub target_sentences: usize,
    /// The posterior probability of the row's bead.
    pub confidence: f64,
}

impl AlignedSentence {
    /// The row's sentence counts, source first (`1-1`, `2-1`).
    pub fn bead(&self) -> String {
        format!("{}-{}", self.last - self.first + 1, self.target_sentences)
    }
}

/// The row holding sentence `stored.n` of its unit's source (`stored.whole`) when the source
/// is aligned sentence by sentence with `target` (a variant of the same unit in
/// `target_lang`); None when the translation has nothing in that row, or when the source no
/// longer splits into the sentences stored (a splitter changed since: the unit is then
/// matched whole only until `tmm index` makes its sentences again).
pub fn align_sentence(
    stored: &StoredSentence,
    target: &str,
    target_lang: &LanguageTag,
) -> Option<AlignedSentence> {
    let source_lang = LanguageTag::parse(&stored.lang).ok()?;
    let source = split(&SentenceSplitter::new(&source_lang), &stored.whole);
    let n = stored.n as usize;
    if n == 0 || source.len() != stored.m as usize || source.get(n - 1)? != &stored.range {
        return None;
    }
    let translation = split(&SentenceSplitter::new(target_lang), target);
    if translation.is_empty() {
        return None;
    }
    let texts = |text: &str, ranges: &[Range<usize>]| -> Vec<String> {
        ranges.iter().map(|r| text[r.clone()].to_string()).collect()
    };
    let rows =
        align::align_paragraph(&[texts(&stored.whole, &source), texts(target, &translation)]);
    // Each row takes the next sentences of each side, as many as the aligner put there.
    let (mut s, mut t) = (0usize, 0usize);
    for row in rows {
        let (took_s, took_t) = (row.segments[0].len(), row.segments[1].len());
        let (s0, t0) = (s, t);
        s += took_s;
        t += took_t;
        if took_s == 0 || !(s0..s).contains(&(n - 1)) {
            continue;
        }
        if took_t == 0 || t > translation.len() || s > source.len() {
            return None;
        }
        return Some(AlignedSentence {
            first: s0 as u32 + 1,
            last: s as u32,
            source: source[s0].start..source[s - 1].end,
            target: translation[t0].start..translation[t - 1].end,
            target_sentences: took_t,
            confidence: row.confidence,
        });
    }
    None
}

/// Stores the sub-segments of the units a writing transaction inserts.
#[derive(Default)]
pub(crate) struct SubsegmentWriter {
    splitters: HashMap<String, SentenceSplitter>,
    /// The memory's [`SentenceLanguages`], read at the first unit.
    languages: Option<SentenceLanguages>,
    /// The transaction has marked its sub-segments for indexing.
    marked: bool,
}

impl SubsegmentWriter {
    /// Splits and stores the sentences of unit `unit_id` just inserted, whose variants got
    /// the ids `variant_ids` (in the unit's order).
    pub(crate) fn add(
        &mut self,
        tx: &Transaction,
        unit_id: i64,
        variant_ids: &[i64],
        unit: &TranslationUnit,
        source: &Variant,
    ) -> Result<()> {
        let languages = match self.languages {
            Some(l) => l,
            None => *self.languages.insert(languages(tx)?),
        };
        for (i, sentences) in unit_sentences(unit, source, languages, &mut self.splitters) {
            if let (Some(&id), Some(v)) = (variant_ids.get(i), unit.variants.get(i)) {
                insert_rows(
                    tx,
                    unit_id,
                    id,
                    v.lang.as_str(),
                    &sentences,
                    &mut self.marked,
                )?;
            }
        }
        Ok(())
    }
}

/// How many rows one INSERT statement takes: a unit's sentences go in a few statements of
/// these sizes (fewer statement runs, and one `sqlite_sequence` update per statement), and
/// the few distinct statements stay in the connection's cache.
const INSERT_SIZES: [usize; 3] = [16, 4, 1];

const COLUMNS: usize = 7;

fn insert_rows(
    conn: &Connection,
    unit_id: i64,
    variant_id: i64,
    lang: &str,
    sentences: &[Range<usize>],
    marked: &mut bool,
) -> Result<()> {
    use rusqlite::types::Value::{self, Integer, Text};
    let m = sentences.len() as i64;
    let mut values: Vec<Value> = Vec::with_capacity(sentences.len() * COLUMNS);
    for (n, r) in sentences.iter().enumerate() {
        values.extend([
            Integer(unit_id),
            Integer(n as i64 + 1),
            Integer(m),
            Text(lang.to_string()),
            Integer(variant_id),
            Integer(r.start as i64),
            Integer(r.end as i64),
        ]);
    }
    let mut values = values.into_iter();
    let mut left = sentences.len();
    while left > 0 {
        let k = INSERT_SIZES.into_iter().find(|&k| k <= left).unwrap_or(1);
        let placeholders = vec!["(?, ?, ?, ?, ?, ?, ?)"; k].join(", ");
        conn.prepare_cached(&format!(
            "INSERT INTO subsegment (unit_id, n, m, lang, variant_id, start, end)
             VALUES {placeholders}"
        ))?
        .execute(rusqlite::params_from_iter(
            values.by_ref().take(k * COLUMNS),
        ))?;
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

/// A stored unit whose sub-segments are to be made: its id, source language, and its
/// variants (id, language, text) in order.
pub(crate) type UnitTexts = (i64, String, Vec<(i64, String, String)>);

/// Groups the rows of [`sql::UNITS_WITHOUT_SENTENCES`] (unit id, source language, variant
/// id, language, text) by unit.
pub(crate) fn group_units(
    rows: impl IntoIterator<Item = (i64, String, i64, String, String)>,
) -> Vec<UnitTexts> {
    let mut units: Vec<UnitTexts> = Vec::new();
    for (id, source_lang, vid, lang, text) in rows {
        if units.last().is_none_or(|u| u.0 != id) {
            units.push((id, source_lang, Vec::new()));
        }
        if let Some(u) = units.last_mut() {
            u.2.push((vid, lang, text));
        }
    }
    units
}

/// The sub-segments of a stored unit: for each variant that has them, its id, language and
/// sentences' byte ranges (see [`unit_sentences`]).
pub(crate) fn stored_unit_sentences(
    (_, source_lang, variants): &UnitTexts,
    languages: SentenceLanguages,
    splitters: &mut HashMap<String, SentenceSplitter>,
) -> Vec<(i64, String, Vec<Range<usize>>)> {
    let mut ids = Vec::new();
    let mut unit = TranslationUnit::default();
    for (vid, lang, text) in variants {
        if let Ok(l) = LanguageTag::parse(lang) {
            ids.push(*vid);
            unit.variants.push(Variant::new(l, text.as_str()));
        }
    }
    let source_lang = LanguageTag::parse(source_lang).ok();
    let index = source_lang
        .and_then(|l| unit.variants.iter().position(|v| v.lang == l))
        .unwrap_or(0);
    let Some(source) = unit.variants.get(index) else {
        return Vec::new();
    };
    unit_sentences(&unit, source, languages, splitters)
        .into_iter()
        .map(|(i, sentences)| (ids[i], unit.variants[i].lang.to_string(), sentences))
        .collect()
}

/// How many units' ids [`make_missing`] reads at a time.
pub(crate) const MISSING_BATCH: i64 = 10_000;

/// Makes the sub-segments of the units stored without them (a memory migrated from before
/// sub-segments, or from schema 5), from the first such unit on, [`MISSING_BATCH`] unit ids
/// at a time.
fn make_missing(conn: &Connection) -> Result<()> {
    let Some(from) = state(conn, UNITS_FROM)? else {
        return Ok(());
    };
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM unit", [], |r| r.get(0))?;
    let languages = languages(conn)?;
    let mut splitters = HashMap::new();
    let mut marked = false;
    let mut stmt = conn.prepare(sql::UNITS_WITHOUT_SENTENCES)?;
    for lo in (from..=last).step_by(MISSING_BATCH as usize) {
        let rows: Vec<(i64, String, i64, String, String)> = stmt
            .query_map([lo, lo + MISSING_BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for unit in group_units(rows) {
            for (variant_id, lang, sentences) in
                stored_unit_sentences(&unit, languages, &mut splitters)
            {
                insert_rows(conn, unit.0, variant_id, &lang, &sentences, &mut marked)?;
            }
        }
    }
    conn.execute("DELETE FROM match_state WHERE key = ?1", [UNITS_FROM])?;
    Ok(())
}

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
    let worker = Worker::start();
    let mut runs = runs(conn);
    let mut stmt = conn.prepare(&format!(
        "SELECT s.id, s.lang, tmm_text(v.text), s.start, s.\"end\" {MATCHED} AND s.id >= ?1 ORDER BY s.id"
    ))?;
    let mut rows = stmt.query([from])?;
    let mut done = 0u64;
    let mut run = 0u64;
    let mut batch = Batch::with_capacity(BATCH);
    while let Some(row) = rows.next()? {
        let lang: &str = row.get_ref(1)?.as_str().unwrap_or("");
        let text = slice(
            row.get_ref(2)?.as_str().unwrap_or(""),
            row.get(3)?,
            row.get(4)?,
        );
        batch.push(row.get(0)?, &key(lang), &text);
        if batch.len() == BATCH {
            worker.send(batch.take());
        }
        done += 1;
        run += 1;
        if run >= CHUNK_VARIANTS || (done % BATCH as u64 == 0 && worker.full()) {
            run = 0;
            worker.send(batch.take());
            runs.push(worker.take_run()?)?;
        }
    }
    worker.send(batch);
    append_chunks(conn, runs, worker.finish()?)?;
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

/// A stored sentence of a unit's source.
#[derive(Debug, Clone)]
pub struct StoredSentence {
    pub unit_id: UnitId,
    /// The unit's variant the sentence is part of.
    pub variant_id: VariantId,
    /// The sentence, 1-based, of `m` in the variant's text.
    pub n: u32,
    pub m: u32,
    pub lang: String,
    pub text: String,
    /// Its byte range in the variant's text, and that whole text.
    pub range: Range<usize>,
    pub whole: String,
}

fn stored_sentence(r: &rusqlite::Row) -> rusqlite::Result<StoredSentence> {
    let whole: String = r.get(5)?;
    let (start, end): (i64, i64) = (r.get(6)?, r.get(7)?);
    Ok(StoredSentence {
        unit_id: UnitId(r.get(0)?),
        variant_id: VariantId(r.get(1)?),
        n: r.get(2)?,
        m: r.get(3)?,
        lang: r.get(4)?,
        text: slice(&whole, start, end),
        range: start.max(0) as usize..end.max(0) as usize,
        whole,
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

    /// Source sentence `n` of unit `unit`, when the unit's source is in `lang`.
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

    /// Sentence `n` of the unit's first variant, as the store gives it back.
    fn stored(u: &TranslationUnit, n: usize) -> StoredSentence {
        let source = &u.variants[0];
        let ranges = unit_sentences(u, source, SentenceLanguages::Source, &mut HashMap::new())
            .remove(0)
            .1;
        let range = ranges[n - 1].clone();
        StoredSentence {
            unit_id: UnitId(1),
            variant_id: VariantId(1),
            n: n as u32,
            m: ranges.len() as u32,
            lang: source.lang.to_string(),
            text: source.segment.text[range.clone()].to_string(),
            range,
            whole: source.segment.text.clone(),
        }
    }

    fn paragraph() -> TranslationUnit {
        unit(&[
            (
                "en",
                "The first sentence is here. The second one follows it closely.",
            ),
            (
                "fr",
                "La première phrase est ici. La seconde la suit de près.",
            ),
            ("zh", "第一句在这里。第二句紧随其后。"),
        ])
    }

    #[test]
    fn a_paragraph_unit_gives_its_source_sentences() {
        let u = paragraph();
        let rows = unit_sentences(
            &u,
            &u.variants[0],
            SentenceLanguages::Source,
            &mut HashMap::new(),
        );
        assert_eq!(rows.len(), 1, "the source only");
        let (i, ranges) = &rows[0];
        assert_eq!(*i, 0);
        let text = &u.variants[0].segment.text;
        let sentences: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            sentences,
            [
                "The first sentence is here.",
                "The second one follows it closely."
            ]
        );
    }

    #[test]
    fn every_language_has_its_sentences_when_the_memory_asks_for_them() {
        let u = paragraph();
        let rows = unit_sentences(
            &u,
            &u.variants[1],
            SentenceLanguages::Every,
            &mut HashMap::new(),
        );
        let langs: Vec<&str> = rows
            .iter()
            .map(|(i, _)| u.variants[*i].lang.as_str())
            .collect();
        assert_eq!(langs, ["fr", "en", "zh"], "the source first");
        assert!(rows.iter().all(|(_, r)| r.len() == 2));
    }

    #[test]
    fn a_sentence_is_given_its_own_translation_in_each_language() {
        let u = paragraph();
        let second = stored(&u, 2);
        for (i, want) in [(1, "La seconde la suit de près."), (2, "第二句紧随其后。")] {
            let v = &u.variants[i];
            let row = align_sentence(&second, &v.segment.text, &v.lang).unwrap();
            assert_eq!(&v.segment.text[row.target.clone()], want);
            assert_eq!(row.bead(), "1-1");
            assert_eq!(&second.whole[row.source.clone()], second.text);
            assert!(row.confidence > 0.5, "{row:?}");
        }
    }

    #[test]
    fn a_translation_that_merges_two_sentences_gives_both_with_their_bead() {
        let u = unit(&[
            (
                "en",
                "The Committee met on 12 May. It adopted its report, which was long and detailed. \
                 The session was then closed by the Chair.",
            ),
            (
                "fr",
                "Le Comité s'est réuni le 12 mai et a adopté son rapport, long et détaillé. \
                 La séance a ensuite été levée par la présidence.",
            ),
        ]);
        let row = align_sentence(
            &stored(&u, 2),
            &u.variants[1].segment.text,
            &u.variants[1].lang,
        )
        .unwrap();
        assert_eq!(row.bead(), "2-1");
        assert_eq!((row.first, row.last), (1, 2));
        assert!(u.variants[1].segment.text[row.target.clone()].ends_with("détaillé."));
    }

    #[test]
    fn a_unit_of_one_sentence_or_one_language_has_no_subsegments() {
        let u = unit(&[
            ("en", "Only one sentence here."),
            ("fr", "Une seule. Phrase."),
        ]);
        assert!(
            unit_sentences(
                &u,
                &u.variants[0],
                SentenceLanguages::Source,
                &mut HashMap::new()
            )
            .is_empty()
        );
        // The French has two: with every language's sentences, they are its own.
        let french = unit_sentences(
            &u,
            &u.variants[0],
            SentenceLanguages::Every,
            &mut HashMap::new(),
        );
        assert_eq!(french.len(), 1);
        assert_eq!(french[0].0, 1);
        let alone = unit(&[("en", "One. Two.")]);
        assert!(
            unit_sentences(
                &alone,
                &alone.variants[0],
                SentenceLanguages::Every,
                &mut HashMap::new()
            )
            .is_empty()
        );
        let untranslated = unit(&[("en", "One here. Two there."), ("fr", " ")]);
        assert!(
            unit_sentences(
                &untranslated,
                &untranslated.variants[0],
                SentenceLanguages::Every,
                &mut HashMap::new()
            )
            .is_empty()
        );
    }

    #[test]
    fn a_source_that_no_longer_splits_as_stored_gives_no_translation() {
        let u = paragraph();
        let mut second = stored(&u, 2);
        second.range.start += 1;
        assert_eq!(
            align_sentence(&second, &u.variants[1].segment.text, &u.variants[1].lang),
            None
        );
        second = stored(&u, 2);
        second.n = 0;
        assert_eq!(
            align_sentence(&second, &u.variants[1].segment.text, &u.variants[1].lang),
            None
        );
    }
}
