//! Paragraph and sentence alignment of a document with its translations.
//!
//! Each language's document is cut into paragraphs ([`crate::text::paragraphs`]). Every
//! language is aligned to the pivot: paragraphs in order when the counts agree, otherwise by
//! length with [`gale_church`] (the length ratio of each pair estimated from the documents;
//! numbers, and names or symbols written the same in both documents, as anchors). The pairwise alignments are joined on the pivot's segments, so one
//! [`Row`] holds every language of one paragraph — or, with [`Unit::Sentence`], of one
//! sentence, aligned the same way within each aligned paragraph.
//!
//! ```
//! use tmm::align::{align, AlignOptions, Document};
//! use tmm::lang::LanguageTag;
//! # fn main() -> tmm::Result<()> {
//! let doc = |lang: &str, text: &str| Document::from_text(
//!     LanguageTag::parse(lang).unwrap(), format!("{lang}.txt"), text);
//! let alignment = align(
//!     &[doc("en", "Hello there.\n\nGoodbye now."), doc("fr", "Bonjour à tous.\n\nAu revoir.")],
//!     &AlignOptions::default(),
//! )?;
//! assert_eq!(alignment.rows.len(), 2);
//! assert_eq!(alignment.rows[1].text(1), "Au revoir.");
//! # Ok(()) }
//! ```

pub mod gale_church;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::lang::LanguageTag;
use crate::model::{Attributes, Header, Prop, TranslationUnit, Variant};
use crate::text::{self, SentenceSplitter};
use gale_church::{Bead, Measure, Params};

/// Rows at or below this confidence are marked for review. A merge or split is never above
/// 0.1 (its prior is a tenth of a 1-1 bead's), a deletion or insertion never above 0.011; a
/// 1-1 bead falls to 0.1 when its lengths differ by 1.645 standard deviations.
pub const LOW_CONFIDENCE: f64 = 0.1;

/// The length ratio of two documents beyond which no alignment is credible (Chinese runs at
/// about a third of English; nothing real is eight times shorter or longer).
const MAX_RATIO: f64 = 8.0;

/// What an aligned unit is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Unit {
    #[default]
    Paragraph,
    Sentence,
}

impl Unit {
    /// The TMX `segtype` of such units.
    pub fn segtype(self) -> &'static str {
        match self {
            Unit::Paragraph => "paragraph",
            Unit::Sentence => "sentence",
        }
    }
}

/// One language's document, cut into paragraphs.
#[derive(Debug, Clone)]
pub struct Document {
    pub lang: LanguageTag,
    pub path: PathBuf,
    pub paragraphs: Vec<String>,
}

impl Document {
    /// Reads a plain-text document (UTF-8 or UTF-16).
    ///
    /// # Errors
    /// [`Error::Io`] for a missing or unreadable file, [`Error::Format`] for one that is not
    /// text or has no text at all.
    pub fn read(lang: LanguageTag, path: &Path) -> Result<Self> {
        let doc = Document::from_text(lang, path, &text::read_text(path)?);
        if doc.paragraphs.is_empty() {
            return Err(Error::Format {
                path: path.to_path_buf(),
                message: "empty document: no text to align".into(),
            });
        }
        Ok(doc)
    }

    /// A document from text already in memory.
    pub fn from_text(lang: LanguageTag, path: impl Into<PathBuf>, text: &str) -> Self {
        Document {
            lang,
            path: path.into(),
            paragraphs: text::paragraphs(text),
        }
    }

    fn chars(&self) -> usize {
        self.paragraphs.iter().map(|p| text::length(p)).sum()
    }
}

/// How to align.
#[derive(Debug, Clone, Default)]
pub struct AlignOptions {
    /// The language every other is aligned to; the first document's when `None`.
    pub pivot: Option<LanguageTag>,
    pub unit: Unit,
    /// Sentence splitters by language, replacing the built-in rules (from an SRX file, say).
    pub splitters: Vec<(LanguageTag, SentenceSplitter)>,
}

/// One aligned unit: the segments of every language, pivot first.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The pivot paragraph (1-based) the row belongs to; for a row without pivot text, the
    /// pivot paragraph it follows (0 before the first).
    pub paragraph: usize,
    /// Each language's segments, in the order of [`Alignment::languages`]; empty when the
    /// language has nothing here.
    pub segments: Vec<Vec<String>>,
    /// The lowest confidence of the pairwise beads the row is made of.
    pub confidence: f64,
}

impl Row {
    /// The bead: segment counts per language, pivot first (`1-1`, `2-1-2`, `0-1`).
    pub fn bead(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.len().to_string())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The text of language `index`: its segments joined (without a space between CJK).
    pub fn text(&self, index: usize) -> String {
        join(self.segments.get(index).map_or(&[][..], |s| s.as_slice()))
    }

    /// How many languages have text in the row.
    pub fn languages_present(&self) -> usize {
        self.segments.iter().filter(|s| !s.is_empty()).count()
    }

    /// Whether the row should be reviewed.
    pub fn is_low(&self) -> bool {
        self.confidence <= LOW_CONFIDENCE + 1e-9
    }
}

/// The alignment of a set of documents.
#[derive(Debug, Clone)]
pub struct Alignment {
    /// The languages, pivot first.
    pub languages: Vec<LanguageTag>,
    /// The documents, in the order of `languages`.
    pub paths: Vec<PathBuf>,
    pub unit: Unit,
    pub rows: Vec<Row>,
    /// Things the user should know (paragraph counts that differ, damaged regions).
    pub warnings: Vec<String>,
}

/// Metadata of an aligned document, recorded with its units.
#[derive(Debug, Clone, Default)]
pub struct DocumentInfo {
    /// The document symbol, e.g. `SG/SM/14499`.
    pub document: Option<String>,
    pub title: Option<String>,
    /// The document's date, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// A unit ready to store or write, with its bead and confidence.
#[derive(Debug, Clone)]
pub struct AlignedUnit {
    pub unit: TranslationUnit,
    pub bead: String,
    pub confidence: f64,
}

/// Unit props holding the pivot text of the previous and next segment in the document, for
/// in-context matching.
pub const CONTEXT_PREV: &str = "x-context-prev";
pub const CONTEXT_NEXT: &str = "x-context-next";
/// Unit prop with the pivot paragraph number (1-based).
pub const PARAGRAPH: &str = "x-paragraph";
/// Unit props that carry the bead and confidence, in the store and in TMX alike.
pub const BEAD: &str = "x-align-bead";
pub const CONFIDENCE: &str = "x-align-confidence";

impl Alignment {
    /// The rows as translation units: those with at least two languages (a row with one
    /// language is no translation), each with its paragraph number, the pivot text of the
    /// previous and next row, its bead and its confidence as props, and the pivot as source
    /// language. Stored or written as TMX, they carry the same props.
    pub fn units(&self, info: &DocumentInfo) -> Vec<AlignedUnit> {
        let pivot_texts: Vec<Option<String>> = self
            .rows
            .iter()
            .map(|r| (!r.segments[0].is_empty()).then(|| r.text(0)))
            .collect();
        let mut out = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if row.languages_present() < 2 {
                continue;
            }
            let mut props = vec![prop(PARAGRAPH, row.paragraph.to_string())];
            if let Some(prev) = pivot_texts[..i].iter().rev().flatten().next() {
                props.push(prop(CONTEXT_PREV, prev.clone()));
            }
            if let Some(next) = pivot_texts[i + 1..].iter().flatten().next() {
                props.push(prop(CONTEXT_NEXT, next.clone()));
            }
            props.push(prop(BEAD, row.bead()));
            props.push(prop(CONFIDENCE, format!("{:.3}", row.confidence)));
            let variants = self
                .languages
                .iter()
                .enumerate()
                .filter(|(l, _)| !row.segments[*l].is_empty())
                .map(|(l, lang)| Variant::new(lang.clone(), row.text(l)))
                .collect();
            let tuid = info
                .document
                .as_ref()
                .map(|d| format!("{d}#{}{}", &self.unit.segtype()[..1], out.len() + 1));
            out.push(AlignedUnit {
                unit: TranslationUnit {
                    tuid,
                    srclang: Some(self.languages[0].to_string()),
                    attributes: Attributes {
                        segtype: Some(self.unit.segtype().into()),
                        ..Attributes::default()
                    },
                    props,
                    notes: Vec::new(),
                    variants,
                },
                bead: row.bead(),
                confidence: row.confidence,
            });
        }
        out
    }

    /// A TMX header for these units: the pivot as source language, the document's symbol,
    /// title and date as props.
    pub fn header(&self, info: &DocumentInfo) -> Header {
        let mut props = Vec::new();
        for (kind, value) in [
            ("x-document", &info.document),
            ("x-title", &info.title),
            ("x-document-date", &info.date),
        ] {
            if let Some(v) = value {
                props.push(prop(kind, v.clone()));
            }
        }
        Header {
            srclang: Some(self.languages[0].to_string()),
            adminlang: Some("en".into()),
            attributes: Attributes {
                creationtool: Some("tmm".into()),
                creationtoolversion: Some(env!("CARGO_PKG_VERSION").into()),
                datatype: Some("plaintext".into()),
                segtype: Some(self.unit.segtype().into()),
                o_tmf: Some("tmm".into()),
                creationdate: Some(crate::formats::tmx::now_date()),
                ..Attributes::default()
            },
            props,
            notes: Vec::new(),
            udes: None,
        }
    }

    /// How many rows are marked for review.
    pub fn low_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.is_low()).count()
    }
}

fn prop(kind: &str, value: String) -> Prop {
    Prop {
        kind: kind.into(),
        lang: None,
        o_encoding: None,
        value,
    }
}

/// Joins segments of one language: with a space, except between CJK characters.
fn join(segments: &[String]) -> String {
    let mut out = String::new();
    for s in segments {
        let cjk = out.chars().next_back().is_some_and(text::is_cjk)
            && s.chars().next().is_some_and(text::is_cjk);
        if !out.is_empty() && !cjk {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// Aligns the documents through the pivot.
///
/// # Errors
/// [`Error::InvalidOption`] for fewer than two documents, a language given twice or a
/// pivot without a document; [`Error::Alignment`] naming the file when a document is so unlike
/// the pivot that no alignment is credible.
pub fn align(documents: &[Document], options: &AlignOptions) -> Result<Alignment> {
    if documents.len() < 2 {
        return Err(Error::option(
            "documents",
            "alignment needs documents in at least two languages",
        ));
    }
    for (i, d) in documents.iter().enumerate() {
        if let Some(first) = documents[..i].iter().find(|e| e.lang == d.lang) {
            return Err(Error::option(
                "documents",
                format!(
                    "language {} given twice: {} and {}",
                    d.lang,
                    first.path.display(),
                    d.path.display()
                ),
            ));
        }
        if d.paragraphs.is_empty() {
            return Err(Error::Format {
                path: d.path.clone(),
                message: "empty document: no text to align".into(),
            });
        }
    }
    let pivot_index = match &options.pivot {
        None => 0,
        Some(p) => documents.iter().position(|d| &d.lang == p).ok_or_else(|| {
            Error::option("pivot", format!("the pivot language {p} has no document"))
        })?,
    };
    let mut docs: Vec<&Document> = vec![&documents[pivot_index]];
    docs.extend(
        documents
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != pivot_index)
            .map(|(_, d)| d),
    );
    let pivot = docs[0];
    let mut warnings = Vec::new();
    let mut params = Vec::new();
    let mut shared = Vec::new();
    let mut paragraph_beads = Vec::new();
    for doc in &docs[1..] {
        let p = pair_params(pivot, doc)?;
        let words = text::shared_tokens(&pivot.paragraphs, &doc.paragraphs);
        let pivot_measures = measures(&pivot.paragraphs, &words);
        let doc_measures = measures(&doc.paragraphs, &words);
        shared.push(words);
        let (beads, p) = if doc.paragraphs.len() == pivot.paragraphs.len() {
            let beads = in_order(&pivot_measures, &doc_measures, &p);
            let p = Params {
                variance: gale_church::estimate_variance(
                    &pivot_measures,
                    &doc_measures,
                    &beads,
                    &p,
                ),
                ..p
            };
            (in_order(&pivot_measures, &doc_measures, &p), p)
        } else {
            warnings.push(format!(
                "{} ({}): {} paragraphs against {} in {}; aligned by length",
                doc.lang,
                doc.path.display(),
                doc.paragraphs.len(),
                pivot.paragraphs.len(),
                pivot.lang
            ));
            gale_church::align_refined(&pivot_measures, &doc_measures, &p)
        };
        check_credible(pivot, doc, &beads)?;
        params.push(p);
        paragraph_beads.push(beads);
    }
    let texts: Vec<&[String]> = docs.iter().map(|d| d.paragraphs.as_slice()).collect();
    let mut rows = join_rows(&texts, &paragraph_beads);
    for row in &mut rows {
        // Paragraph numbers: the pivot paragraph a row starts at (1-based).
        row.paragraph += usize::from(!row.segments[0].is_empty());
    }
    if options.unit == Unit::Sentence {
        let splitters: Vec<SentenceSplitter> = docs
            .iter()
            .map(|d| {
                options
                    .splitters
                    .iter()
                    .find(|(l, _)| l == &d.lang)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| SentenceSplitter::new(&d.lang))
            })
            .collect();
        rows = sentence_rows(&rows, &splitters, &params, &shared);
    }
    let low = rows.iter().filter(|r| r.is_low()).count();
    if low > 0 {
        warnings.push(format!(
            "{low} of {} {}s aligned with low confidence (at most {LOW_CONFIDENCE}); review them with --preview",
            rows.len(),
            options.unit.segtype()
        ));
    }
    Ok(Alignment {
        languages: docs.iter().map(|d| d.lang.clone()).collect(),
        paths: docs.iter().map(|d| d.path.clone()).collect(),
        unit: options.unit,
        rows,
        warnings,
    })
}

fn measures(segments: &[impl AsRef<str>], shared: &HashSet<String>) -> Vec<Measure> {
    segments
        .iter()
        .map(|s| Measure::with_tokens(s.as_ref(), shared))
        .collect()
}

/// The model for aligning `doc` to `pivot`, refusing a pair whose lengths are not credible.
fn pair_params(pivot: &Document, doc: &Document) -> Result<Params> {
    let (a, b) = (pivot.chars(), doc.chars());
    let ratio = b as f64 / a.max(1) as f64;
    let (n, m) = (pivot.paragraphs.len(), doc.paragraphs.len());
    let counts = n.max(m) as f64 / n.min(m).max(1) as f64;
    if !(1.0 / MAX_RATIO..=MAX_RATIO).contains(&ratio) || (n.max(m) > 4 && counts > 4.0) {
        return Err(Error::Alignment {
            path: doc.path.clone(),
            message: format!(
                "no credible alignment with {} ({}): {b} characters in {m} paragraphs against {a} in {n}",
                pivot.lang,
                pivot.path.display()
            ),
        });
    }
    Ok(Params::with_ratio(a, b))
}

/// Refuses an alignment that leaves most of either text without a counterpart.
fn check_credible(pivot: &Document, doc: &Document, beads: &[Bead]) -> Result<()> {
    let unpaired = |side: fn(&Bead) -> usize, other: fn(&Bead) -> usize| -> usize {
        beads
            .iter()
            .filter(|b| other(b) == 0)
            .map(side)
            .sum::<usize>()
    };
    let lost_pivot = unpaired(|b| b.source.len(), |b| b.target.len());
    let lost_doc = unpaired(|b| b.target.len(), |b| b.source.len());
    // Shuffled or unrelated texts come out as merges and splits of any length, nearly all
    // doubtful; a damaged translation has a few doubtful beads among good ones.
    let low = beads
        .iter()
        .filter(|b| b.confidence <= LOW_CONFIDENCE + 1e-9)
        .count();
    if beads.len() >= 6 && 3 * low > 2 * beads.len() {
        return Err(Error::Alignment {
            path: doc.path.clone(),
            message: format!(
                "no credible alignment with {} ({}): {low} of {} paragraph pairs are doubtful",
                pivot.lang,
                pivot.path.display(),
                beads.len()
            ),
        });
    }
    if 2 * lost_pivot > pivot.paragraphs.len() || 2 * lost_doc > doc.paragraphs.len() {
        return Err(Error::Alignment {
            path: doc.path.clone(),
            message: format!(
                "no credible alignment with {} ({}): {lost_doc} of {} paragraphs have no counterpart there, {lost_pivot} of {} there none here",
                pivot.lang,
                pivot.path.display(),
                doc.paragraphs.len(),
                pivot.paragraphs.len()
            ),
        });
    }
    Ok(())
}

/// 1-1 beads in order (the documents have as many segments), with their confidences.
fn in_order(source: &[Measure], target: &[Measure], params: &Params) -> Vec<Bead> {
    source
        .iter()
        .zip(target)
        .enumerate()
        .map(|(i, (s, t))| {
            let anchors = if params.anchors {
                let matched = count_shared(&s.anchors, &t.anchors);
                (matched, s.anchors.len() + t.anchors.len() - 2 * matched)
            } else {
                (0, 0)
            };
            let cost = gale_church::bead_cost(
                gale_church::PRIORS[0].1,
                s.length,
                t.length,
                anchors,
                params,
            );
            Bead {
                source: i..i + 1,
                target: i..i + 1,
                cost,
                confidence: gale_church::confidence(gale_church::confidence_cost(cost, anchors)),
            }
        })
        .collect()
}

fn count_shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Joins pairwise alignments on the pivot: `texts[0]` is the pivot's segments, `beads[l]`
/// aligns it with `texts[l + 1]`. A row is the smallest run of pivot segments that no bead
/// of any language crosses; segments of another language with no pivot counterpart at such
/// a boundary become rows of their own. `Row::paragraph` is the number of pivot segments
/// before the row (the caller turns it into a paragraph number).
fn join_rows(texts: &[&[String]], beads: &[Vec<Bead>]) -> Vec<Row> {
    let n = texts[0].len();
    let mut cut = vec![true; n + 1];
    for lang in beads {
        for b in lang {
            if b.source.len() > 1 {
                cut[b.source.start + 1..b.source.end].fill(false);
            }
        }
    }
    let languages = texts.len();
    let mut next = vec![0usize; beads.len()];
    let mut rows = Vec::new();
    let mut start = 0;
    let empty_row = |paragraph| Row {
        paragraph,
        segments: vec![Vec::new(); languages],
        confidence: 1.0,
    };
    for end in 1..=n + 1 {
        if end <= n && !cut[end] {
            continue;
        }
        // Insertions at the boundary `start`: rows of their own.
        for (l, lang) in beads.iter().enumerate() {
            while let Some(b) = lang.get(next[l]) {
                if !(b.source.is_empty() && b.source.start == start) {
                    break;
                }
                let mut row = empty_row(start);
                row.segments[l + 1] = texts[l + 1][b.target.clone()].to_vec();
                row.confidence = b.confidence;
                rows.push(row);
                next[l] += 1;
            }
        }
        if end > n {
            break;
        }
        let mut row = empty_row(start);
        row.segments[0] = texts[0][start..end].to_vec();
        for (l, lang) in beads.iter().enumerate() {
            while let Some(b) = lang.get(next[l]) {
                if b.source.start >= end {
                    break;
                }
                row.segments[l + 1].extend_from_slice(&texts[l + 1][b.target.clone()]);
                row.confidence = row.confidence.min(b.confidence);
                next[l] += 1;
            }
        }
        rows.push(row);
        start = end;
    }
    rows
}

/// Splits every paragraph row into sentences and aligns those within the row. Two passes:
/// the variance of sentence lengths each language pair shows in the first is used in the
/// second ([`gale_church::deviations`]).
fn sentence_rows(
    rows: &[Row],
    splitters: &[SentenceSplitter],
    params: &[Params],
    shared: &[HashSet<String>],
) -> Vec<Row> {
    let sentences: Vec<Vec<Vec<String>>> = rows
        .iter()
        .map(|row| {
            row.segments
                .iter()
                .zip(splitters)
                .map(|(paragraphs, splitter)| {
                    paragraphs
                        .iter()
                        .flat_map(|p| splitter.split(p))
                        .map(String::from)
                        .collect()
                })
                .collect()
        })
        .collect();
    // Per row and language pair: the pivot's sentences and the other language's, measured
    // with the pair's shared words.
    let measured: Vec<Vec<(Vec<Measure>, Vec<Measure>)>> = sentences
        .iter()
        .map(|langs| {
            shared
                .iter()
                .enumerate()
                .map(|(l, words)| (measures(&langs[0], words), measures(&langs[l + 1], words)))
                .collect()
        })
        .collect();
    let refined: Vec<Params> = params
        .iter()
        .enumerate()
        .map(|(l, p)| {
            let squares = measured
                .iter()
                .flat_map(|m| {
                    let (pivot, other) = &m[l];
                    let beads = gale_church::align(pivot, other, p);
                    gale_church::deviations(pivot, other, &beads, p)
                })
                .collect();
            Params {
                variance: gale_church::variance_from(squares, p),
                ..*p
            }
        })
        .collect();
    let mut out = Vec::new();
    for ((row, sentences), measured) in rows.iter().zip(&sentences).zip(&measured) {
        let beads: Vec<Vec<Bead>> = refined
            .iter()
            .enumerate()
            .map(|(l, p)| {
                let (pivot, other) = &measured[l];
                let mut beads = gale_church::align(pivot, other, p);
                // A paragraph bead that was itself doubtful lends its doubt to its sentences.
                if row.is_low() {
                    for b in &mut beads {
                        b.confidence = b.confidence.min(row.confidence);
                    }
                }
                beads
            })
            .collect();
        let texts: Vec<&[String]> = sentences.iter().map(Vec::as_slice).collect();
        for mut r in join_rows(&texts, &beads) {
            r.paragraph = row.paragraph;
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lang: &str, paragraphs: &[&str]) -> Document {
        Document {
            lang: LanguageTag::parse(lang).unwrap(),
            path: format!("{lang}.txt").into(),
            paragraphs: paragraphs.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn bead(s: std::ops::Range<usize>, t: std::ops::Range<usize>, confidence: f64) -> Bead {
        Bead {
            source: s,
            target: t,
            cost: 0.0,
            confidence,
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rows_join_on_the_pivot_segments_no_language_crosses() {
        let pivot = strings(&["A", "B", "C", "D"]);
        let fr = strings(&["a", "bc", "d"]); // merged B and C
        let de = strings(&["a", "b", "c", "x", "d"]); // an insertion before D
        let beads = vec![
            vec![
                bead(0..1, 0..1, 1.0),
                bead(1..3, 1..2, 0.1),
                bead(3..4, 2..3, 0.9),
            ],
            vec![
                bead(0..1, 0..1, 1.0),
                bead(1..2, 1..2, 1.0),
                bead(2..3, 2..3, 1.0),
                bead(3..3, 3..4, 0.01),
                bead(3..4, 4..5, 0.8),
            ],
        ];
        let rows = join_rows(&[&pivot, &fr, &de], &beads);
        let beads: Vec<String> = rows.iter().map(Row::bead).collect();
        assert_eq!(beads, ["1-1-1", "2-1-2", "0-0-1", "1-1-1"]);
        assert_eq!(rows[1].text(1), "bc");
        assert_eq!(rows[1].text(2), "b c");
        assert_eq!(rows[1].confidence, 0.1);
        assert_eq!(rows[2].text(2), "x");
        assert_eq!(rows[3].confidence, 0.8);
        assert_eq!(
            rows.iter().map(|r| r.paragraph).collect::<Vec<_>>(),
            [0, 1, 3, 3]
        );
    }

    #[test]
    fn a_language_given_twice_is_refused_naming_both_files() {
        let err = align(
            &[doc("en", &["a"]), doc("fr", &["b"]), doc("fr", &["c"])],
            &AlignOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("fr given twice: fr.txt and fr.txt"), "{err}");
    }

    #[test]
    fn wildly_different_lengths_are_refused_naming_the_file() {
        let long = "A sentence of some length that goes on. ".repeat(40);
        let err = align(
            &[
                doc("en", &[&long, &long, &long, &long, &long]),
                doc("fr", &["Oui."]),
            ],
            &AlignOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Alignment { .. }));
        assert!(
            err.to_string().starts_with("fr.txt: no credible alignment"),
            "{err}"
        );
    }

    #[test]
    fn sentences_align_within_paragraphs_and_through_the_pivot() {
        let alignment = align(
            &[
                doc("en", &["One is here. Two is there.", "Three."]),
                doc("zh", &["一在这里。二在那里。", "三。"]),
                doc("fr", &["Un est ici. Deux est là.", "Trois."]),
            ],
            &AlignOptions {
                unit: Unit::Sentence,
                ..AlignOptions::default()
            },
        )
        .unwrap();
        let rows: Vec<(String, String, String)> = alignment
            .rows
            .iter()
            .map(|r| (r.text(0), r.text(1), r.text(2)))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "One is here.".into(),
                    "一在这里。".into(),
                    "Un est ici.".into()
                ),
                (
                    "Two is there.".into(),
                    "二在那里。".into(),
                    "Deux est là.".into()
                ),
                ("Three.".into(), "三。".into(), "Trois.".into()),
            ]
        );
        let units = alignment.units(&DocumentInfo {
            document: Some("SG/SM/1".into()),
            ..DocumentInfo::default()
        });
        assert_eq!(units.len(), 3);
        let u = &units[1].unit;
        assert_eq!(u.tuid.as_deref(), Some("SG/SM/1#s2"));
        let value = |k: &str| {
            u.props
                .iter()
                .find(|p| p.kind == k)
                .map(|p| p.value.as_str())
        };
        assert_eq!(value(CONTEXT_PREV), Some("One is here."));
        assert_eq!(value(CONTEXT_NEXT), Some("Three."));
        assert_eq!(value(PARAGRAPH), Some("1"));
        assert_eq!(units[1].bead, "1-1-1");
    }

    proptest::proptest! {
        // Any documents either align, every segment of every language in exactly one row in
        // order, or are refused; never a panic.
        #[test]
        fn every_segment_lands_in_one_row_in_order(
            en in proptest::collection::vec("[a-z0-9 .]{0,60}", 1..12),
            fr in proptest::collection::vec("[a-z0-9 .]{0,60}", 1..12),
            zh in proptest::collection::vec("[一二三四五0-9。]{0,30}", 1..12),
            sentence in proptest::bool::ANY,
        ) {
            let docs = [("en", &en), ("fr", &fr), ("zh", &zh)].map(|(lang, paragraphs)| {
                Document::from_text(LanguageTag::parse(lang).unwrap(), lang, &paragraphs.join("\n"))
            });
            if docs.iter().any(|d| d.paragraphs.is_empty()) {
                return Ok(());
            }
            let options = AlignOptions {
                unit: if sentence { Unit::Sentence } else { Unit::Paragraph },
                ..AlignOptions::default()
            };
            if let Ok(alignment) = align(&docs, &options) {
                for (l, doc) in docs.iter().enumerate() {
                    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                    let rows: String = alignment.rows.iter().map(|r| squeeze(&r.text(l))).collect();
                    proptest::prop_assert_eq!(rows, squeeze(&doc.paragraphs.concat()));
                }
            }
        }
    }

    #[test]
    fn the_pivot_option_chooses_the_source() {
        let alignment = align(
            &[doc("fr", &["Bonjour."]), doc("en", &["Hello."])],
            &AlignOptions {
                pivot: Some(LanguageTag::parse("en").unwrap()),
                ..AlignOptions::default()
            },
        )
        .unwrap();
        assert_eq!(alignment.languages[0].as_str(), "en");
        assert_eq!(alignment.rows[0].text(0), "Hello.");
    }
}
