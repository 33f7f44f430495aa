//! Pretranslation: a draft of a new document from its best matches, as TMX (the score, match
//! type and origin as props, every warning `suggest` gives as notes) or as TSV with tmm's
//! escaping.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::formats::{tmx::TmxWriter, tsv};
use crate::matching::{Matcher, Query, SuggestOptions, Suggestion, match_type};
use crate::model::{Header, Note, Prop, TranslationUnit, Variant};

/// The formats a draft is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftFormat {
    /// TMX 1.4b: each segment a unit, with the translation when one was found.
    Tmx,
    /// `source<TAB>target<TAB>score<TAB>type<TAB>notes` with a header row, escaped as
    /// [`crate::formats::tsv`] escapes; `notes` holds every warning `suggest` gives, `; `
    /// between them.
    Tsv,
}

/// What a pretranslation did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Draft {
    pub segments: u64,
    /// Segments that got a translation from the memory.
    pub filled: u64,
    /// Segments left to translate.
    pub empty: u64,
    /// Segments that could not be matched at all (empty, too long), 1-based, and why.
    pub refused: Vec<(usize, String)>,
}

fn prop(kind: &str, value: impl Into<String>) -> Prop {
    Prop {
        kind: kind.into(),
        lang: None,
        o_encoding: None,
        value: value.into(),
    }
}

/// The translation to put in the draft: with the new numbers in place when they differ.
fn target_of(s: &Suggestion) -> &str {
    s.adapted.as_ref().map_or(&s.target, |a| &a.text)
}

/// Writes a draft of `segments` (in document order, so each has its neighbours as context)
/// to `out`, each filled with its best match at or above `options.min`.
///
/// # Errors
/// [`Error::NoSegments`] for a language the memory does not hold; [`Error::Io`] on `out`
/// (named `out_name`); [`Error::Database`].
pub fn pretranslate(
    matcher: &Matcher,
    segments: &[String],
    options: &SuggestOptions,
    format: DraftFormat,
    out: impl Write,
    out_name: &std::path::Path,
) -> Result<Draft> {
    let io = |e: std::io::Error| Error::io(out_name, e);
    let options = SuggestOptions {
        limit: 1,
        ..options.clone()
    };
    let header = Header::of_tmm(options.from.to_string(), "paragraph");
    let mut out = Some(out);
    let mut tmx = match format {
        DraftFormat::Tmx => out
            .take()
            .map(|o| TmxWriter::new(o, &header))
            .transpose()
            .map_err(io)?,
        DraftFormat::Tsv => None,
    };
    let mut lines = out;
    if let Some(o) = lines.as_mut() {
        writeln!(o, "source\ttarget\tscore\ttype\tnotes").map_err(io)?;
    }
    let mut draft = Draft {
        segments: segments.len() as u64,
        ..Default::default()
    };
    for (i, text) in segments.iter().enumerate() {
        let query = Query {
            text,
            previous: i.checked_sub(1).map(|p| segments[p].as_str()),
            next: None,
            position: Some(i),
        };
        let best = match matcher.suggest(&query, &options) {
            Ok(m) => m.suggestions.into_iter().next(),
            Err(Error::Query(why)) => {
                draft.refused.push((i + 1, why));
                None
            }
            Err(e) => return Err(e),
        };
        let score = best.as_ref().map(|b| b.score);
        if best.is_some() {
            draft.filled += 1;
        } else {
            draft.empty += 1;
        }
        let notes = best.as_ref().map(Suggestion::notes).unwrap_or_default();
        if let Some(o) = lines.as_mut() {
            writeln!(
                o,
                "{}\t{}\t{}\t{}\t{}",
                tsv::escape(text),
                tsv::escape(best.as_ref().map_or("", target_of)),
                score.map(|s| s.to_string()).unwrap_or_default(),
                match_type(score),
                tsv::escape(&notes.join("; ")),
            )
            .map_err(io)?;
        }
        if let Some(w) = tmx.as_mut() {
            let mut unit = TranslationUnit {
                srclang: Some(options.from.to_string()),
                props: vec![prop("x-match-type", match_type(score))],
                variants: vec![Variant::new(options.from.clone(), text.as_str())],
                ..Default::default()
            };
            if let Some(b) = &best {
                unit.props.push(prop("x-match-score", b.score.to_string()));
                let doc = b.from.document.as_deref().unwrap_or(&b.from.origin);
                unit.props.push(prop("x-match-origin", doc));
                unit.notes = notes
                    .into_iter()
                    .map(|text| Note {
                        lang: None,
                        o_encoding: None,
                        text,
                    })
                    .collect();
                unit.variants
                    .push(Variant::new(options.to.clone(), target_of(b)));
            }
            w.write_unit(&unit).map_err(io)?;
        }
    }
    if let Some(w) = tmx {
        w.finish().map_err(io)?.flush().map_err(io)?;
    }
    if let Some(mut o) = lines {
        o.flush().map_err(io)?;
    }
    Ok(draft)
}

/// The stored PO plural forms (`msgstr[1]`, …) of a whole-unit match's translation, as
/// imported from a PO file; none when the match is a sentence, had its numbers adapted
/// (the forms hold the stored numbers), or the unit came from elsewhere.
fn stored_plural_forms(matcher: &Matcher, s: &Suggestion) -> Result<Vec<String>> {
    if s.kind != crate::matching::MatchKind::Unit || s.adapted.is_some() {
        return Ok(Vec::new());
    }
    let Some(stored) = matcher.store().unit(s.unit_id)? else {
        return Ok(Vec::new());
    };
    let Some(target) = stored
        .unit
        .variants
        .iter()
        .find(|v| v.lang.as_str() == s.target_lang)
    else {
        return Ok(Vec::new());
    };
    let mut forms: Vec<(usize, String)> = target
        .props
        .iter()
        .filter_map(|p| {
            let n = p.kind.strip_prefix("x-po-msgstr[")?.strip_suffix(']')?;
            Some((n.parse().ok()?, p.value.clone()))
        })
        .collect();
    forms.sort_by_key(|f| f.0);
    // Only an unbroken run msgstr[1], msgstr[2], … is a set of forms.
    let run = forms
        .iter()
        .enumerate()
        .take_while(|(i, f)| f.0 == i + 1)
        .count();
    Ok(forms.into_iter().take(run).map(|f| f.1).collect())
}

/// The kind of a new document given to [`pretranslate_document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// An XLIFF 1.x/2.x or PO file from a CAT tool: its empty targets are filled in place.
    Bilingual,
    /// Plain text, cut into segments and turned into a new XLIFF 1.2 file first.
    TextToXliff(crate::text::Segmentation),
    /// Plain text, cut into segments and turned into a new XLIFF 2.0 file first.
    TextToXliff2(crate::text::Segmentation),
}

/// Pretranslates an XLIFF or PO document (or plain text made into one) in the file format
/// the translator opens: each empty target filled with the best match at or above
/// `options.min`, up to `options.limit` matches listed beside it, and everything else in
/// the file left byte for byte as it was.
///
/// # Errors
/// [`Error::Syntax`] / [`Error::Format`] for a document that cannot be read;
/// [`Error::NoSegments`] for a language the memory does not hold; [`Error::Database`].
pub fn pretranslate_document(
    matcher: &Matcher,
    name: &std::path::Path,
    input: &[u8],
    kind: DocumentKind,
    options: &SuggestOptions,
) -> Result<crate::formats::xliff::Pretranslated> {
    use crate::formats::xliff::{self, Candidate, PretranslateOptions, SegmentQuery, Version};
    let made;
    let input = match kind {
        DocumentKind::Bilingual => input,
        DocumentKind::TextToXliff(unit) | DocumentKind::TextToXliff2(unit) => {
            let text = crate::text::decode_text(input).map_err(|message| Error::Format {
                path: name.to_path_buf(),
                message,
            })?;
            let segments = crate::text::segments(&text, &options.from, unit);
            let version = if matches!(kind, DocumentKind::TextToXliff(_)) {
                Version::V1
            } else {
                Version::V2
            };
            let original = name.file_name().map_or_else(
                || name.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            made = xliff::text_to_xliff(&segments, &options.from, &options.to, &original, version);
            made.as_bytes()
        }
    };
    let mut failure = None;
    let mut find = |q: &SegmentQuery| -> Vec<Candidate> {
        if failure.is_some() {
            return Vec::new();
        }
        let query = Query {
            text: &q.text,
            previous: q.previous.as_deref(),
            next: None,
            position: Some(q.position),
        };
        match matcher.suggest(&query, options) {
            Ok(m) => m
                .suggestions
                .into_iter()
                .map(|s| {
                    let plural_forms = match &q.plural {
                        Some(_) => stored_plural_forms(matcher, &s).unwrap_or_else(|e| {
                            failure.get_or_insert(e);
                            Vec::new()
                        }),
                        None => Vec::new(),
                    };
                    Candidate {
                        score: s.score,
                        warnings: s.notes(),
                        source_text: s.source.clone(),
                        // Stored markup holds the stored numbers: only unchanged text keeps it.
                        target_markup: s
                            .adapted
                            .is_none()
                            .then(|| s.target_markup.clone())
                            .flatten(),
                        target_text: target_of(&s).to_string(),
                        origin: s.from.document.clone().unwrap_or(s.from.origin.clone()),
                        plural_forms,
                    }
                })
                .collect(),
            // A segment that cannot be matched (only punctuation, too long) stays empty.
            Err(Error::Query(_)) => Vec::new(),
            Err(e) => {
                failure = Some(e);
                Vec::new()
            }
        }
    };
    let done = xliff::pretranslate(
        name,
        input,
        &PretranslateOptions {
            min_score: options.min,
            limit: options.limit,
            source_lang: Some(options.from.clone()),
            target_lang: Some(options.to.clone()),
        },
        &mut find,
    )?;
    match failure {
        Some(e) => Err(e),
        None => Ok(done),
    }
}
