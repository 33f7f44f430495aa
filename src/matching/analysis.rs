//! The match-band analysis of a new document: how many segments and words fall in each band,
//! the figures a translation manager quotes from.

use std::collections::HashSet;

use serde::Serialize;

use super::{Matcher, Query, SuggestOptions, token};
use crate::error::Result;

/// The bands, best first: (name, lowest score, highest score).
pub const BANDS: &[(&str, u32, u32)] = &[
    ("in-context", 101, 101),
    ("100", 100, 100),
    ("95-99", 95, 99),
    ("85-94", 85, 94),
    ("75-84", 75, 84),
    ("50-74", 50, 74),
];

/// Segments and words in one band.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Band {
    pub band: String,
    pub segments: u64,
    pub words: u64,
}

/// The analysis of a document.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The bands of [`BANDS`], then `no match` and `repetitions`, then `total`.
    pub bands: Vec<Band>,
    /// Each segment's best score (None: no match at or above 50) or `repetition`.
    pub segments: Vec<SegmentResult>,
}

/// What one segment got.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentResult {
    pub text: String,
    pub words: u64,
    pub best: Option<u32>,
    pub band: String,
}

/// Words of a segment as the analysis counts them: content tokens (a Chinese character
/// counts as one).
pub fn word_count(text: &str) -> u64 {
    token::tokenize(text)
        .iter()
        .filter(|t| t.is_content())
        .count() as u64
}

/// Analyses the segments of a new document against the memory. Segments that repeat an
/// earlier one of the same document (same text after normalisation) count as repetitions.
///
/// # Errors
/// [`crate::Error::Invalid`] for languages the memory does not hold; [`crate::Error::Database`].
pub fn analyze(
    matcher: &Matcher,
    segments: &[String],
    options: &SuggestOptions,
) -> Result<Analysis> {
    let mut opts = options.clone();
    opts.limit = 1;
    opts.min = opts.min.min(50);
    let mut bands: Vec<Band> = BANDS
        .iter()
        .map(|b| Band {
            band: b.0.to_string(),
            ..Default::default()
        })
        .chain(["no match", "repetitions", "total"].map(|b| Band {
            band: b.to_string(),
            ..Default::default()
        }))
        .collect();
    let (none, reps, total) = (BANDS.len(), BANDS.len() + 1, BANDS.len() + 2);
    let mut seen: HashSet<Vec<u64>> = HashSet::new();
    let mut results = Vec::new();
    for (i, text) in segments.iter().enumerate() {
        let words = word_count(text);
        let key = token::content_ids(text);
        let slot;
        let mut best = None;
        if words == 0 {
            slot = none;
        } else if !seen.insert(key) {
            slot = reps;
        } else {
            let query = Query {
                text,
                previous: i.checked_sub(1).map(|p| segments[p].as_str()),
                next: None,
                position: Some(i),
            };
            let found = if word_count(text) as usize > super::MAX_TOKENS {
                None
            } else {
                matcher
                    .suggest(&query, &opts)?
                    .suggestions
                    .first()
                    .map(|s| s.score)
            };
            best = found;
            slot = match found {
                Some(s) => BANDS
                    .iter()
                    .position(|b| s >= b.1 && s <= b.2)
                    .unwrap_or(none),
                None => none,
            };
        }
        bands[slot].segments += 1;
        bands[slot].words += words;
        bands[total].segments += 1;
        bands[total].words += words;
        results.push(SegmentResult {
            text: text.clone(),
            words,
            best,
            band: bands[slot].band.clone(),
        });
    }
    Ok(Analysis {
        bands,
        segments: results,
    })
}
