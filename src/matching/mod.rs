//! Fuzzy matching against the memory: candidate retrieval from a persistent index, scoring
//! with explained penalties, placeables (numbers carried into the translation), in-context
//! matches, concordance, and the match-band analysis of a new release.
//!
//! Retrieval ([`Matcher::suggest`]) uses the count filter with prefix filtering: a stored
//! segment within the threshold `t` of a query of `n` tokens shares at least `⌈t·n⌉` tokens
//! with it and has between `⌈t·n⌉` and `⌊n/t⌋` tokens, so only the rarest `n − ⌈t·n⌉ + 1`
//! query tokens' postings need reading to find every candidate. The other tokens' postings
//! (up to a size budget) tighten each candidate's upper bound; candidates are verified in
//! order of that bound with a bit-parallel edit distance until the bound falls below the
//! k-th best score found.

pub mod analysis;
pub mod distance;
pub mod index;
pub mod score;
/// The tokens the matcher compares (they live with the rest of text processing).
pub use crate::text::{date, months, token};

use std::collections::HashSet;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lang::LanguageTag;
use crate::model::{OriginId, UnitId, VariantId};
pub use crate::store::Provenance;
pub use crate::store::UnitFilter;
use crate::store::{MatchedVariant, Snapshot, Store, subsegment};
use distance::Pattern;
pub use score::{
    Adapted, Comparison, DiffOp, DiffPart, NumberChange, Penalty, PenaltyKind, adapt_target,
    compare, diff,
};

/// The longest segment matched, in content tokens; longer ones are refused with a message.
pub const MAX_TOKENS: usize = 2_000;

/// Sums the query counts of each id's postings, `(id, count, length)` in any order, into one
/// entry per id, ascending.
fn merge_hits(mut hits: Vec<(i64, u32, u8)>) -> Vec<(i64, u32, u8)> {
    hits.sort_unstable_by_key(|h| h.0);
    hits.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
        }
        same
    });
    hits
}

/// Adds `c` to candidate `id`'s count, if it is one, in `cands` ascending by id; `at` is
/// where the previous id of the same list was looked for. Ids ascend within a list, so the
/// walk goes forward; one that goes back (the rows added since a build precede a later bulk
/// import's chunks) is looked up afresh.
fn credit(cands: &mut [(i64, u32, u8)], at: &mut usize, id: i64, c: u32) {
    if *at > 0 && cands[*at - 1].0 >= id {
        *at = cands.partition_point(|cand| cand.0 < id);
    }
    while *at < cands.len() && cands[*at].0 < id {
        *at += 1;
    }
    if *at < cands.len() && cands[*at].0 == id {
        cands[*at].1 += c;
        *at += 1;
    }
}

/// Verifying a candidate (fetch, tokenise, edit distance) costs about as much as decoding
/// this many postings.
const VERIFY_COST_IN_POSTINGS: u64 = 1_000;
/// Candidates verified at most per query.
const MAX_VERIFY: usize = 20_000;

/// What to match and how.
#[derive(Debug, Clone)]
pub struct SuggestOptions {
    pub from: LanguageTag,
    pub to: LanguageTag,
    /// Matches returned at most.
    pub limit: usize,
    /// The lowest score returned (0–100).
    pub min: u32,
    /// Scan every stored segment instead of using the index (to verify it).
    pub exhaustive: bool,
    /// Only stored units this filter admits are offered.
    pub filter: UnitFilter,
    /// Points taken off every match from these origins (a less trusted memory), shown as a
    /// penalty.
    pub origin_penalties: Vec<(OriginId, u32)>,
}

/// How many more candidates a filtered query looks at, since the filter drops some.
const FILTERED_WANT_FACTOR: usize = 20;

impl SuggestOptions {
    /// Defaults: 5 matches of at least 70.
    pub fn new(from: LanguageTag, to: LanguageTag) -> Self {
        SuggestOptions {
            from,
            to,
            limit: 5,
            min: 70,
            exhaustive: false,
            filter: UnitFilter::default(),
            origin_penalties: Vec::new(),
        }
    }
}

/// A new segment to match, with what surrounds it in its document.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    /// The previous segment of the new document (`None` for the first, or unknown).
    pub previous: Option<&'a str>,
    /// The next segment, when the caller gives it: an in-context match then needs the
    /// stored next segment to be the same too (memoQ's double context).
    pub next: Option<&'a str>,
    /// The segment's 0-based position in the new document.
    pub position: Option<usize>,
}

/// What a suggestion was matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// A whole stored unit.
    Unit,
    /// One sentence of a stored multi-sentence unit; the translation is that sentence's.
    SubSegment,
    /// The new text's sentences matched one by one, their translations put together.
    Assembled,
}

/// Which sentence of a stored unit a sub-segment match is, and how it was aligned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceRef {
    /// The sentence row, 1-based, of `m` rows in the unit.
    pub n: u32,
    pub m: u32,
    /// Sentences of the source and of the translation in the row: `1-1`, `1-2`, `2-1`.
    pub bead: String,
    /// The lowest confidence of the row's beads (across all the unit's languages).
    pub confidence: f64,
}

/// One sentence of an assembled suggestion, in the new text's order.
#[derive(Debug, Clone, Serialize)]
pub struct AssembledPart {
    /// The new sentence.
    pub text: String,
    /// The best match's score; `None` when nothing matched (the sentence is left as source).
    pub score: Option<u32>,
    /// `unit` or `sub-segment`, for a matched sentence.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MatchKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<UnitId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<SentenceRef>,
    /// The stored source matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The translation put in (new numbers in place), or the new sentence when unmatched.
    pub target: String,
}

/// A stored translation offered for a new segment.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// 0–100, or 101 for an in-context exact match.
    pub score: u32,
    /// `unit`, `sub-segment` (the stored source and translation are one sentence of a unit:
    /// see `sentence`) or `assembled` (see `parts`; `unit_id`, `source_lang`, `target_lang`
    /// and `from` are the first matched part's).
    #[serde(rename = "type")]
    pub kind: MatchKind,
    /// For a sub-segment: which sentence of the unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentence: Option<SentenceRef>,
    /// For an assembled suggestion: its parts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<AssembledPart>,
    /// The same text, and the previous segment (or the document position) is the same too.
    pub in_context: bool,
    /// 1 − d / max(len), before penalties.
    pub similarity: f64,
    pub unit_id: UnitId,
    pub variant_id: VariantId,
    pub source_lang: String,
    pub source: String,
    /// The stored source's inline markup (TMX), when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_markup: Option<String>,
    /// How the stored source turns into the new text, word by word.
    pub diff: Vec<DiffPart>,
    pub target_lang: String,
    /// The stored translation.
    pub target: String,
    /// The translation's inline markup (TMX), when it has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_markup: Option<String>,
    /// The translation with the new numbers in place (when they differ).
    pub adapted: Option<Adapted>,
    /// Why the score is not 100.
    pub penalties: Vec<Penalty>,
    pub from: Provenance,
}

impl Suggestion {
    /// What a translator should know before taking this match, worded for people: each
    /// penalty (`−1 numbers 12 → 10`) and the numbers that could not be put in place.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self
            .penalties
            .iter()
            .map(|p| format!("−{} {}", p.points, p.detail))
            .collect();
        if let Some(a) = &self.adapted
            && !a.missing.is_empty()
        {
            notes.push(format!(
                "numbers not found in the translation, check by hand: {}",
                a.missing.join(", ")
            ));
        }
        notes
    }
}

/// The matches of one query and what the search did.
#[derive(Debug, Clone, Serialize)]
pub struct Matches {
    pub suggestions: Vec<Suggestion>,
    /// Stored segments scored (for `--exhaustive`: all of them).
    pub verified: usize,
    /// Candidates the index proposed.
    pub candidates: usize,
}

/// The kind of match a score stands for (TMX prop `x-match-type`, analysis bands).
pub fn match_type(score: Option<u32>) -> &'static str {
    match score {
        Some(101..) => "in-context",
        Some(100) => "exact",
        Some(_) => "fuzzy",
        None => "none",
    }
}

/// Matches new segments against a store's memory. Cheap to clone and shareable between
/// threads: each query runs on its own consistent view of the memory.
#[derive(Clone)]
pub struct Matcher {
    store: Store,
}

/// A stored text matched against: a variant, or a sentence sub-segment (by their ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stored {
    Variant(i64),
    Sentence(i64),
}

/// Where candidates come from: whole variants or the sentences of multi-sentence units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Space {
    Units,
    Sentences,
}

/// A scored stored segment, before the translation is fetched.
#[derive(Debug, Clone)]
struct Scored {
    item: Stored,
    similarity: f64,
}

/// Points a sub-segment match loses when its sentence was not aligned 1-1 inside its unit,
/// or only with low confidence: its translation may hold more or less than the sentence.
pub const SENTENCE_ALIGNMENT_PENALTY: u32 = 2;

/// A 1-1 sentence pair inside a unit below this confidence is doubtful (as a bead of
/// `tmm align` is, [`crate::align::LOW_CONFIDENCE`]). On the damaged-catalogue benchmark,
/// 2,905 of 29,898 rows fell below it, holding 1,109 of the 1,258 wrong ones.
pub const SENTENCE_LOW_CONFIDENCE: f64 = crate::align::LOW_CONFIDENCE;

/// Points an assembled suggestion loses for being put together (the joins need a look).
pub const ASSEMBLY_PENALTY: u32 = 1;

impl Matcher {
    /// A matcher on a store.
    pub fn new(store: &Store) -> Self {
        Matcher {
            store: store.clone(),
        }
    }

    /// The store it matches against.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// True when the memory holds segments in `lang`.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn holds_language(&self, lang: &LanguageTag) -> Result<bool> {
        self.store.holds_language(lang)
    }

    /// Checks a query before matching: not empty, not too long, languages held.
    ///
    /// # Errors
    /// [`Error::Query`] for a text that cannot be matched, [`Error::NoSegments`] for a
    /// language the memory does not hold.
    pub fn check(&self, text: &str, options: &SuggestOptions) -> Result<()> {
        self.store.snapshot(|s| check(s, text, options))
    }

    /// The best stored translations for a new segment.
    ///
    /// # Errors
    /// [`Error::Query`] for an empty or too long segment, [`Error::NoSegments`] for a
    /// language the memory does not hold; [`Error::Database`].
    pub fn suggest(&self, query: &Query, options: &SuggestOptions) -> Result<Matches> {
        self.store
            .snapshot(|s| Search { s }.suggest(query, options))
    }

    /// The stored translations from `options.from` to `options.to` that match any of
    /// `texts` (whole units, sentences of units and the parts of assembled matches),
    /// each pair once: what the memory already knows of a document's language pair.
    /// Texts that cannot be matched (empty, too long) are passed over.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub fn stored_translations(
        &self,
        texts: &[&str],
        options: &SuggestOptions,
    ) -> Result<Vec<(String, String)>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for text in texts {
            let matches = match self.suggest(
                &Query {
                    text,
                    ..Query::default()
                },
                options,
            ) {
                Ok(m) => m,
                Err(Error::Query(_) | Error::NoSegments { .. }) => continue,
                Err(e) => return Err(e),
            };
            for s in matches.suggestions {
                let pairs: Vec<(String, String)> = match s.kind {
                    MatchKind::Assembled => s
                        .parts
                        .into_iter()
                        .filter_map(|p| Some((p.source?, p.target)))
                        .collect(),
                    MatchKind::Unit | MatchKind::SubSegment => vec![(s.source, s.target)],
                };
                for pair in pairs {
                    if seen.insert(pair.clone()) {
                        out.push(pair);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Every stored segment in `lang` containing `phrase` (its words in order, compared as
    /// the matcher compares them: case, Arabic diacritics and alef forms ignored), newest
    /// first, with the aligned translation in `to` when given.
    ///
    /// # Errors
    /// [`Error::Query`] for an empty phrase, [`Error::NoSegments`] for a language the memory
    /// does not hold; [`Error::Database`].
    pub fn concordance(
        &self,
        phrase: &str,
        lang: &LanguageTag,
        to: Option<&LanguageTag>,
        limit: usize,
    ) -> Result<Vec<ConcordanceHit>> {
        self.concordance_filtered(phrase, lang, to, limit, &UnitFilter::default())
    }

    /// As [`concordance`](Self::concordance), keeping only units the filter admits.
    ///
    /// # Errors
    /// As [`concordance`](Self::concordance).
    pub fn concordance_filtered(
        &self,
        phrase: &str,
        lang: &LanguageTag,
        to: Option<&LanguageTag>,
        limit: usize,
        filter: &UnitFilter,
    ) -> Result<Vec<ConcordanceHit>> {
        self.store
            .snapshot(|s| Search { s }.concordance(phrase, lang, to, limit, filter))
    }
}

/// Checks a query: not empty, not too long, languages held.
fn check(s: &Snapshot, text: &str, options: &SuggestOptions) -> Result<()> {
    let n = token::content_ids(text).len();
    if text.trim().is_empty() {
        return Err(Error::Query("the text to match is empty".into()));
    }
    if n == 0 {
        return Err(Error::Query(format!(
            "the text to match has no words, only punctuation: {:?}",
            text.chars().take(40).collect::<String>()
        )));
    }
    if n > MAX_TOKENS {
        return Err(Error::Query(format!(
            "segment too long to match: {n} words (at most {MAX_TOKENS}); split it into paragraphs or sentences"
        )));
    }
    for lang in [&options.from, &options.to] {
        if !s.holds_language(lang)? {
            return Err(Error::NoSegments {
                lang: lang.to_string(),
            });
        }
    }
    Ok(())
}

/// One query's work on one snapshot.
struct Search<'a, 'c> {
    s: &'a Snapshot<'c>,
}

impl Search<'_, '_> {
    /// Matches the query whole, then, for a text of several sentences with no exact match,
    /// each sentence alone for an assembled suggestion.
    fn suggest(&self, query: &Query, options: &SuggestOptions) -> Result<Matches> {
        let mut matches = self.suggest_segment(query, options)?;
        if let Some(a) = self.assemble(query, options, &matches.suggestions)?
            && a.score >= options.min
        {
            let at = matches.suggestions.partition_point(|s| {
                s.score > a.score || (s.score == a.score && s.similarity >= a.similarity)
            });
            matches.suggestions.insert(at, a);
            matches.suggestions.truncate(options.limit);
        }
        Ok(matches)
    }

    fn suggest_segment(&self, query: &Query, options: &SuggestOptions) -> Result<Matches> {
        check(self.s, query.text, options)?;
        let qtokens = token::tokenize(query.text);
        let qids: Vec<u64> = qtokens
            .iter()
            .filter(|t| t.is_content())
            .map(token::Token::id)
            .collect();
        let pattern = Pattern::new(&qids);
        // Ask for more than `limit` so that segments without a translation do not leave gaps.
        let mut want = options.limit.saturating_mul(3).max(options.limit + 5);
        if !options.filter.is_empty() {
            want = want.saturating_mul(FILTERED_WANT_FACTOR);
        }
        let mut spaces = vec![Space::Units];
        if self.s.holds_subsegments(&options.from)? {
            spaces.push(Space::Sentences);
        }
        let mut best = TopK::new(want);
        let (mut candidates, mut verified) = (0, 0);
        for space in spaces {
            let (scored, c, v) = if options.exhaustive {
                self.scan(&pattern, options, want, None, space)?
            } else {
                self.search(&qids, &pattern, options, want, space)?
            };
            candidates += c;
            verified += v;
            for s in scored {
                best.push(s);
            }
        }
        let scored = best.into_sorted();
        let mut suggestions = Vec::new();
        // What the suggestions show is read for as many matches as are still wanted at a
        // time: one round trip on a server when every one of them makes a suggestion.
        let mut matched = index::IdMap::default();
        let mut read_to = 0;
        for (i, s) in scored.iter().enumerate() {
            if suggestions.len() >= options.limit {
                break;
            }
            if i >= read_to {
                read_to = (i + options.limit - suggestions.len()).min(scored.len());
                let ids: Vec<i64> = scored[i..read_to]
                    .iter()
                    .filter_map(|s| match s.item {
                        Stored::Variant(id) => Some(id),
                        Stored::Sentence(_) => None,
                    })
                    .collect();
                if !ids.is_empty() {
                    matched.extend(self.s.matched_variants(&ids, &options.to)?);
                }
            }
            let sug = match s.item {
                Stored::Variant(id) => match matched.remove(&id) {
                    Some(m) => self.suggestion(query, s, m, options)?,
                    None => None,
                },
                Stored::Sentence(id) => self.sentence_suggestion(query, id, s, options)?,
            };
            // Penalties may take a match below the threshold the fuzzy part passed.
            if let Some(sug) = sug
                && sug.score >= options.min
            {
                suggestions.push(sug);
            }
        }
        suggestions.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(b.similarity.total_cmp(&a.similarity))
                .then(b.unit_id.cmp(&a.unit_id))
        });
        Ok(Matches {
            suggestions,
            verified,
            candidates,
        })
    }

    /// Scores one stored variant's text against the pattern; None if below the threshold.
    fn score_text(pattern: &Pattern, text: &str, min_sim: f64) -> Option<f64> {
        let ids = token::content_ids(text);
        let max = pattern.len().max(ids.len());
        if max == 0 {
            return None;
        }
        let d = pattern.distance(&ids);
        let sim = score::similarity(d, pattern.len(), ids.len());
        (sim + 1e-9 >= min_sim).then_some(sim)
    }

    /// Scans every stored segment (or sentence) in the source language, or only ids from
    /// `from_id`.
    fn scan(
        &self,
        pattern: &Pattern,
        options: &SuggestOptions,
        want: usize,
        from_id: Option<i64>,
        space: Space,
    ) -> Result<(Vec<Scored>, usize, usize)> {
        let min_sim = f64::from(options.min) / 100.0;
        let mut best = TopK::new(want);
        let mut score = |item: Stored, text: &str| {
            if let Some(sim) = Self::score_text(pattern, text, min_sim) {
                best.push(Scored {
                    item,
                    similarity: sim,
                });
            }
        };
        let n = match space {
            Space::Units => self
                .s
                .scan(&options.from, from_id.map(VariantId), |id, text| {
                    score(Stored::Variant(id.0), text)
                })?,
            Space::Sentences => self.s.scan_subsegments(
                &options.from,
                from_id.unwrap_or(i64::MIN),
                |id, text| score(Stored::Sentence(id), text),
            )?,
        } as usize;
        Ok((best.into_sorted(), n, n))
    }

    /// Index search: count and length filters, bound-ordered verification.
    fn search(
        &self,
        qids: &[u64],
        pattern: &Pattern,
        options: &SuggestOptions,
        want: usize,
        space: Space,
    ) -> Result<(Vec<Scored>, usize, usize)> {
        let lang = match space {
            Space::Units => index::lang_key(options.from.as_str()),
            Space::Sentences => crate::store::subsegment_key(options.from.as_str()),
        };
        let n = qids.len();
        let t = (f64::from(options.min) / 100.0).clamp(0.01, 1.0);
        // Minimal shared tokens and the length window.
        let need = ((t * n as f64) - 1e-9).ceil().max(1.0) as usize;
        let min_len = need;
        let max_len = ((n as f64 / t) + 1e-9).floor() as usize;
        let mut qcount: index::IdMap<u64, u32> = index::IdMap::default();
        for &id in qids {
            *qcount.entry(id).or_default() += 1;
        }
        let keys: Vec<u64> = qcount.keys().copied().collect();
        let dfs = self.s.document_frequencies(&lang, &keys)?;
        let mut terms: Vec<(u64, u32, u64)> = keys
            .iter()
            .zip(dfs)
            .map(|(term, df)| (*term, qcount[term], df))
            .collect();
        terms.sort_by_key(|&(term, _, df)| (df, term));
        // Candidates, ascending by id: (id, sum of the query counts of the probed terms they
        // hold, length). A term's postings come in id order (its chunks, then the rows added
        // since), so after the prefix each list is merged against them rather than hashed.
        let prefix_occurrences = n - need + 1;
        let mut covered = 0usize;
        let mut probed = 0usize;
        let in_window = |len: u8| {
            let len = len as usize;
            len == 255 || (len >= min_len && len <= max_len)
        };
        // Can a candidate holding `shared` query tokens at most, of length `len`, reach t?
        let may_pass = |shared: u32, len: u8| {
            let max = n.max(len as usize).max(1);
            (shared as usize).min(max) as f64 / max as f64 + 1e-9 >= t
        };
        // The prefix: every segment within the threshold holds one of these tokens.
        let mut hits: Vec<(i64, u32, u8)> = Vec::new();
        while probed < terms.len() && covered < prefix_occurrences {
            let (term, c, _) = terms[probed];
            self.s.postings(&lang, term, |id, len| {
                if in_window(len) {
                    hits.push((id, c, len));
                }
            })?;
            covered += c as usize;
            probed += 1;
        }
        let mut unprobed: u32 = terms[probed..].iter().map(|t| t.1).sum();
        let mut cands = merge_hits(hits);
        cands.retain(|&(_, hits, len)| may_pass(hits + unprobed, len));
        // The other tokens, rarest first: each one probed lowers the bound of the candidates
        // that lack it, and most fall out after a few. Stop when reading the next list costs
        // more than verifying the survivors.
        while probed < terms.len() && !cands.is_empty() {
            let (term, c, df) = terms[probed];
            if df > VERIFY_COST_IN_POSTINGS * cands.len() as u64 {
                break;
            }
            let mut at = 0usize;
            self.s
                .postings(&lang, term, |id, _| credit(&mut cands, &mut at, id, c))?;
            unprobed -= c;
            probed += 1;
            cands.retain(|&(_, hits, len)| may_pass(hits + unprobed, len));
        }
        let candidates = cands.len();
        // Upper bound on similarity: shared tokens / max(len).
        let mut order: Vec<(f64, i64)> = cands
            .into_iter()
            .filter_map(|(id, hits, len)| {
                let shared = (hits + unprobed) as usize;
                let max = n.max(len as usize).max(1);
                let bound = shared.min(max) as f64 / max as f64;
                (bound + 1e-9 >= t).then_some((bound, id))
            })
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        order.truncate(MAX_VERIFY);
        let mut best = TopK::new(want);
        let mut verified = 0;
        // The texts are read `want` at a time, in one round trip on a server: the first
        // batch fills the top list, and a later one is read only while its best bound can
        // still enter it.
        'verify: for batch in order.chunks(want.max(1)) {
            let stop = |bound: f64, best: &TopK| best.full() && bound + 1e-9 < best.worst();
            if stop(batch[0].0, &best) {
                break;
            }
            let ids: Vec<i64> = batch.iter().map(|&(_, id)| id).collect();
            let mut texts = match space {
                Space::Units => self.s.texts_in(&ids, &options.from)?,
                Space::Sentences => index::IdMap::default(),
            };
            for &(bound, id) in batch {
                if stop(bound, &best) {
                    break 'verify;
                }
                let (item, text) = match space {
                    Space::Units => {
                        let Some((text, dead)) = texts.remove(&id) else {
                            continue;
                        };
                        verified += 1;
                        if dead {
                            continue;
                        }
                        (Stored::Variant(id), text)
                    }
                    // A deleted unit's sentences have no row any more (their ids are not
                    // reused).
                    Space::Sentences => {
                        let Some(s) = self.s.subsegment_in(id, &options.from)? else {
                            continue;
                        };
                        verified += 1;
                        (Stored::Sentence(id), s.text)
                    }
                };
                if let Some(sim) = Self::score_text(pattern, &text, t) {
                    best.push(Scored {
                        item,
                        similarity: sim,
                    });
                }
            }
        }
        // What a bulk import left for `tmm index` (or the catch-up after it): scanned until
        // it runs.
        let uncovered = match space {
            Space::Units => self.s.uncovered_from()?.map(|v| v.0),
            Space::Sentences => self.s.subsegments_uncovered_from()?,
        };
        if let Some(from) = uncovered {
            let (more, _, scanned) = self.scan(pattern, options, want, Some(from), space)?;
            verified += scanned;
            for s in more {
                best.push(s);
            }
        }
        Ok((best.into_sorted(), candidates, verified))
    }

    /// Builds the full suggestion for a matched variant, or None when its unit has no
    /// translation in the target language or the query's filter does not admit it.
    fn suggestion(
        &self,
        query: &Query,
        s: &Scored,
        matched: MatchedVariant,
        options: &SuggestOptions,
    ) -> Result<Option<Suggestion>> {
        let Stored::Variant(variant_id) = s.item else {
            return Err(Error::Internal("a sentence match is not a variant"));
        };
        let variant_id = VariantId(variant_id);
        let MatchedVariant {
            variant: stored,
            translation,
            provenance,
        } = matched;
        let (unit_id, source_lang, source, markup) =
            (stored.unit_id, stored.lang, stored.text, stored.markup);
        let Some(origin_penalty) = self.admitted(unit_id, options)? else {
            return Ok(None);
        };
        let (Some((target_lang, target, target_markup)), Some(from)) = (translation, provenance)
        else {
            return Ok(None);
        };
        let cmp = score::compare_in(
            query.text,
            &source,
            options.from.as_str(),
            0,
            score::tag_count(markup.as_deref()),
        );
        let mut in_context = false;
        if cmp.score == 100 {
            in_context = if query.previous.is_none() && query.next.is_none() {
                query.position.is_some_and(|p| p as i64 == from.position)
            } else {
                let same = |given: Option<&str>, stored: Option<String>| {
                    given.is_none_or(|g| stored.as_deref() == Some(g))
                };
                same(query.previous, self.s.previous_text(unit_id, &source_lang)?)
                    && same(query.next, self.s.next_text(unit_id, &source_lang)?)
            };
        }
        let adapted = (!cmp.numbers.is_empty()).then(|| adapt_target(&target, &cmp.numbers));
        let mut score = if in_context { 101 } else { cmp.score };
        let mut penalties = cmp.penalties;
        if let Some(p) = origin_penalty {
            score = score.saturating_sub(p.points);
            in_context = in_context && p.points == 0;
            penalties.push(p);
        }
        Ok(Some(Suggestion {
            score,
            kind: MatchKind::Unit,
            sentence: None,
            parts: Vec::new(),
            in_context,
            similarity: s.similarity,
            unit_id,
            variant_id,
            source_lang,
            diff: diff(query.text, &source),
            source,
            source_markup: markup,
            target_lang,
            target,
            target_markup,
            adapted,
            penalties,
            from,
        }))
    }

    /// Whether unit `unit_id` passes the query's metadata filter (`None`: it does not), and
    /// the penalty of its origin when the query gives one.
    fn admitted(
        &self,
        unit_id: UnitId,
        options: &SuggestOptions,
    ) -> Result<Option<Option<Penalty>>> {
        if options.filter.is_empty() && options.origin_penalties.is_empty() {
            return Ok(Some(None));
        }
        let Some(meta) = self.s.unit_metadata(unit_id)? else {
            return Ok(None);
        };
        if !options.filter.admits(&meta) {
            return Ok(None);
        }
        Ok(Some(
            options
                .origin_penalties
                .iter()
                .find(|(o, _)| *o == meta.origin_id)
                .map(|&(_, points)| Penalty {
                    kind: PenaltyKind::Other,
                    points,
                    detail: format!("from {}, a less trusted memory", meta.origin),
                }),
        ))
    }

    /// The suggestion for a matched sentence sub-segment: the same sentence row of its unit
    /// in the target language, or None when the row has nothing there.
    fn sentence_suggestion(
        &self,
        query: &Query,
        id: i64,
        s: &Scored,
        options: &SuggestOptions,
    ) -> Result<Option<Suggestion>> {
        let Some(stored) = self.s.subsegment_in(id, &options.from)? else {
            return Ok(None);
        };
        let Some(origin_penalty) = self.admitted(stored.unit_id, options)? else {
            return Ok(None);
        };
        let Some((target_lang, target_text, _)) =
            self.s.translation(stored.unit_id, &options.to)?
        else {
            return Ok(None);
        };
        let target_tag = LanguageTag::parse(&target_lang).unwrap_or_else(|_| options.to.clone());
        let Some(row) = subsegment::align_sentence(&stored, &target_text, &target_tag) else {
            return Ok(None);
        };
        // What the translation translates: the row's source sentences (more than the one
        // matched when the translation joins them).
        let source = stored.whole[row.source.clone()].to_string();
        let target = target_text[row.target.clone()].to_string();
        let cmp = compare(query.text, &source, 0, 0);
        let from = self.s.provenance(stored.unit_id)?;
        let bead = row.bead();
        let mut penalties = cmp.penalties;
        let mut score = cmp.score;
        let confidence = row.confidence;
        let doubt = if bead != "1-1" {
            Some(format!(
                "sentence {} of {} of unit {} aligned {bead} inside it (confidence {confidence:.2}): the translation may hold more or less",
                stored.n, stored.m, stored.unit_id.0
            ))
        } else if confidence < SENTENCE_LOW_CONFIDENCE {
            Some(format!(
                "sentence {} of {} of unit {} aligned with low confidence ({confidence:.2}) inside it",
                stored.n, stored.m, stored.unit_id.0
            ))
        } else {
            None
        };
        if let Some(detail) = doubt {
            score = score.saturating_sub(SENTENCE_ALIGNMENT_PENALTY);
            penalties.push(Penalty {
                kind: PenaltyKind::Other,
                points: SENTENCE_ALIGNMENT_PENALTY,
                detail,
            });
        }
        if let Some(p) = origin_penalty {
            score = score.saturating_sub(p.points);
            penalties.push(p);
        }
        // In context: the same text after (and before, when the next is given) the same
        // sentences of the same unit.
        let mut in_context = false;
        if score == 100
            && row.first > 1
            && let Some(prev) = query.previous
        {
            in_context = self
                .s
                .subsegment_of(stored.unit_id, row.first - 1, &options.from)?
                .is_some_and(|p| p.text == prev);
            if in_context && let Some(next) = query.next {
                in_context = self
                    .s
                    .subsegment_of(stored.unit_id, row.last + 1, &options.from)?
                    .is_some_and(|p| p.text == next);
            }
        }
        let adapted = (!cmp.numbers.is_empty()).then(|| adapt_target(&target, &cmp.numbers));
        Ok(Some(Suggestion {
            score: if in_context { 101 } else { score },
            kind: MatchKind::SubSegment,
            sentence: Some(SentenceRef {
                n: stored.n,
                m: stored.m,
                bead,
                confidence,
            }),
            parts: Vec::new(),
            in_context,
            similarity: s.similarity,
            unit_id: stored.unit_id,
            variant_id: stored.variant_id,
            source_lang: stored.lang,
            diff: diff(query.text, &source),
            source,
            source_markup: None,
            target_lang,
            target,
            target_markup: None,
            adapted,
            penalties,
            from,
        }))
    }

    /// An assembled suggestion for a text of several sentences: each sentence's best match
    /// (whole unit or sub-segment) in the new order, unmatched sentences left as source.
    /// None when the text is one sentence, when it has an exact match whole, when no
    /// sentence matches, or when every sentence matched inside the one unit already offered.
    fn assemble(
        &self,
        query: &Query,
        options: &SuggestOptions,
        whole: &[Suggestion],
    ) -> Result<Option<Suggestion>> {
        if whole.first().is_some_and(|s| s.score >= 100) {
            return Ok(None);
        }
        let splitter = crate::text::SentenceSplitter::new(&options.from);
        let sentences = splitter.split(query.text);
        if sentences.len() < 2 {
            return Ok(None);
        }
        let one = SuggestOptions {
            limit: 1,
            ..options.clone()
        };
        let mut parts: Vec<(AssembledPart, usize, Option<Suggestion>)> = Vec::new();
        for (i, sentence) in sentences.iter().enumerate() {
            let weight = token::content_ids(sentence).len();
            let q = Query {
                text: sentence,
                previous: i.checked_sub(1).map(|p| sentences[p]),
                next: None,
                position: None,
            };
            let best = if weight == 0 {
                None
            } else {
                match self.suggest_segment(&q, &one) {
                    Ok(m) => m.suggestions.into_iter().next(),
                    Err(Error::Query(_)) => None,
                    Err(e) => return Err(e),
                }
            };
            let part = match &best {
                Some(b) => AssembledPart {
                    text: sentence.to_string(),
                    score: Some(b.score),
                    kind: Some(b.kind),
                    unit_id: Some(b.unit_id),
                    sentence: b.sentence.clone(),
                    source: Some(b.source.clone()),
                    target: b
                        .adapted
                        .as_ref()
                        .map_or_else(|| b.target.clone(), |a| a.text.clone()),
                },
                None => AssembledPart {
                    text: sentence.to_string(),
                    score: None,
                    kind: None,
                    unit_id: None,
                    sentence: None,
                    source: None,
                    target: sentence.to_string(),
                },
            };
            parts.push((part, weight, best));
        }
        let matched: Vec<&Suggestion> = parts.iter().filter_map(|p| p.2.as_ref()).collect();
        let Some(first) = matched.first().copied() else {
            return Ok(None);
        };
        let all_matched = matched.len() == parts.len();
        if all_matched
            && matched.iter().all(|m| m.unit_id == first.unit_id)
            && whole.iter().any(|w| w.unit_id == first.unit_id)
        {
            return Ok(None);
        }
        let total: usize = parts.iter().map(|p| p.1).sum::<usize>().max(1);
        let mut penalties = Vec::new();
        let mut lost = 0u32;
        let mut similarity = 0.0;
        for (k, (part, weight, best)) in parts.iter().enumerate() {
            let score = part.score.unwrap_or(0).min(100);
            similarity += best.as_ref().map_or(0.0, |b| b.similarity) * *weight as f64;
            let points = ((100 - score) as f64 * *weight as f64 / total as f64).round() as u32;
            if points == 0 {
                continue;
            }
            lost += points;
            penalties.push(Penalty {
                kind: PenaltyKind::Other,
                points,
                detail: match part.score {
                    None => format!(
                        "sentence {} of {}: no match, left as source",
                        k + 1,
                        parts.len()
                    ),
                    Some(s) => format!("sentence {} of {}: a {s} match", k + 1, parts.len()),
                },
            });
        }
        let units: std::collections::BTreeSet<i64> = matched.iter().map(|m| m.unit_id.0).collect();
        penalties.push(Penalty {
            kind: PenaltyKind::Other,
            points: ASSEMBLY_PENALTY,
            detail: format!(
                "assembled from {} matched sentences of {} stored units",
                matched.len(),
                units.len()
            ),
        });
        let score = 100u32.saturating_sub(lost + ASSEMBLY_PENALTY);
        let source_join = join_sentences(
            parts
                .iter()
                .map(|p| p.0.source.as_deref().unwrap_or(&p.0.text)),
        );
        let target = join_sentences(parts.iter().map(|p| p.0.target.as_str()));
        Ok(Some(Suggestion {
            score,
            kind: MatchKind::Assembled,
            sentence: None,
            in_context: false,
            similarity: similarity / total as f64,
            unit_id: first.unit_id,
            variant_id: first.variant_id,
            source_lang: first.source_lang.clone(),
            diff: diff(query.text, &source_join),
            source: source_join,
            source_markup: None,
            target_lang: first.target_lang.clone(),
            target,
            target_markup: None,
            adapted: None,
            penalties,
            from: first.from.clone(),
            parts: parts.into_iter().map(|p| p.0).collect(),
        }))
    }

    fn concordance(
        &self,
        phrase: &str,
        lang: &LanguageTag,
        to: Option<&LanguageTag>,
        limit: usize,
        filter: &UnitFilter,
    ) -> Result<Vec<ConcordanceHit>> {
        // A phrase is looked up word by word: a month name is found inside a date.
        let ptoks: Vec<token::Token> = token::tokenize_words(phrase)
            .into_iter()
            .filter(|t| t.is_content())
            .collect();
        if ptoks.is_empty() {
            return Err(Error::Query("the phrase to look up has no words".into()));
        }
        if ptoks.len() > MAX_TOKENS {
            return Err(Error::Query(format!(
                "phrase too long: {} words (at most {MAX_TOKENS})",
                ptoks.len()
            )));
        }
        for l in std::iter::once(lang).chain(to) {
            if !self.s.holds_language(l)? {
                return Err(Error::NoSegments {
                    lang: l.to_string(),
                });
            }
        }
        let key = index::lang_key(lang.as_str());
        // Candidates hold every word of the phrase: intersect the lists, rarest first.
        let mut ids: Vec<u64> = Vec::new();
        for t in &ptoks {
            if !ids.contains(&t.id()) {
                ids.push(t.id());
            }
        }
        let dfs = self.s.document_frequencies(&key, &ids)?;
        let mut terms: Vec<(u64, u64)> = ids.into_iter().zip(dfs).collect();
        terms.sort_by_key(|&(id, df)| (df, id));
        let mut ids: Vec<i64> = Vec::new();
        for (k, &(term, _)) in terms.iter().enumerate() {
            let mut list = Vec::new();
            self.s.postings(&key, term, |id, _| list.push(id))?;
            list.sort_unstable();
            if k == 0 {
                ids = list;
            } else {
                ids.retain(|id| list.binary_search(id).is_ok());
            }
            if ids.is_empty() {
                break;
            }
        }
        if let Some(from) = self.s.uncovered_from()? {
            ids.extend(self.s.variant_ids_from(from, lang)?);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        let mut hits = Vec::new();
        for id in ids {
            if hits.len() >= limit {
                break;
            }
            let id = VariantId(id);
            let Some((unit_id, vlang, text)) = self.s.variant_in(id, lang)? else {
                continue;
            };
            if self.s.is_dead(id)? {
                continue;
            }
            if !filter.is_empty()
                && !self
                    .s
                    .unit_metadata(unit_id)?
                    .is_some_and(|m| filter.admits(&m))
            {
                continue;
            }
            let spans = find_phrase(&ptoks, &text);
            if spans.is_empty() {
                continue;
            }
            let target = match to {
                None => None,
                Some(to) => self
                    .s
                    .translation(unit_id, to)?
                    .map(|(lang, text, _)| (lang, text)),
            };
            hits.push(ConcordanceHit {
                unit_id,
                lang: vlang,
                text,
                spans,
                target,
                from: self.s.provenance(unit_id)?,
            });
        }
        Ok(hits)
    }
}

/// A stored segment holding the phrase looked up.
#[derive(Debug, Clone, Serialize)]
pub struct ConcordanceHit {
    pub unit_id: UnitId,
    pub lang: String,
    pub text: String,
    /// Byte ranges of the phrase in `text`.
    pub spans: Vec<(usize, usize)>,
    /// The aligned translation: language and text.
    pub target: Option<(String, String)>,
    pub from: Provenance,
}

/// Joins sentences with a space, except between CJK characters (as the aligner joins them).
fn join_sentences<'s>(sentences: impl Iterator<Item = &'s str>) -> String {
    let mut out = String::new();
    for s in sentences {
        let cjk = out.chars().next_back().is_some_and(crate::text::is_cjk)
            && s.chars().next().is_some_and(crate::text::is_cjk);
        if !out.is_empty() && !cjk {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// Where the phrase's content tokens occur in order in `text` (numbers by value).
fn find_phrase(phrase: &[token::Token], text: &str) -> Vec<(usize, usize)> {
    let toks: Vec<token::Token> = token::tokenize_words(text)
        .into_iter()
        .filter(|t| t.is_content())
        .collect();
    let same = |a: &token::Token, b: &token::Token| a.key == b.key && a.value == b.value;
    let mut spans = Vec::new();
    if toks.len() < phrase.len() {
        return spans;
    }
    let mut i = 0;
    while i + phrase.len() <= toks.len() {
        if phrase.iter().zip(&toks[i..]).all(|(p, t)| same(p, t)) {
            spans.push((toks[i].start, toks[i + phrase.len() - 1].end));
            i += phrase.len();
        } else {
            i += 1;
        }
    }
    spans
}

/// The `k` best scored segments.
struct TopK {
    k: usize,
    items: Vec<Scored>,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK {
            k: k.max(1),
            items: Vec::new(),
        }
    }
    fn full(&self) -> bool {
        self.items.len() >= self.k
    }
    fn worst(&self) -> f64 {
        self.items.last().map_or(0.0, |s| s.similarity)
    }
    fn push(&mut self, s: Scored) {
        if self.full() && s.similarity <= self.worst() {
            return;
        }
        if self.items.iter().any(|x| x.item == s.item) {
            return;
        }
        let at = self.items.partition_point(|x| {
            x.similarity > s.similarity || (x.similarity == s.similarity && x.item > s.item)
        });
        self.items.insert(at, s);
        self.items.truncate(self.k);
    }
    fn into_sorted(self) -> Vec<Scored> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TranslationUnit, Variant};
    use crate::store::{DuplicatePolicy, ImportOptions, Store};

    fn tag(s: &str) -> LanguageTag {
        LanguageTag::parse(s).unwrap()
    }

    #[test]
    fn candidates_are_counted_once_per_posting_whatever_order_a_list_comes_in() {
        let mut cands = merge_hits(vec![(9, 1, 4), (3, 1, 4), (9, 2, 4), (5, 1, 6), (12, 1, 5)]);
        assert_eq!(cands, vec![(3, 1, 4), (5, 1, 6), (9, 3, 4), (12, 1, 5)]);
        // A list whose ids go back partway (chunks of a later bulk import, then the rows
        // added before it), with ids that are not candidates on both sides.
        let mut at = 0;
        for id in [4, 9, 12, 13, 1, 3, 5, 7] {
            credit(&mut cands, &mut at, id, 10);
        }
        assert_eq!(cands, vec![(3, 11, 4), (5, 11, 6), (9, 13, 4), (12, 11, 5)]);
    }

    fn store_with(pairs: &[(&str, &str)]) -> Result<(tempfile::TempDir, Store)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tmx");
        let mut body = String::new();
        for (en, fr) in pairs {
            let unit = TranslationUnit {
                variants: vec![Variant::new(tag("en"), *en), Variant::new(tag("fr"), *fr)],
                ..Default::default()
            };
            let mut out = Vec::new();
            let mut w = crate::formats::tmx::TmxWriter::new(&mut out, &Default::default()).unwrap();
            w.write_unit(&unit).unwrap();
            w.finish().unwrap();
            let s = String::from_utf8(out).unwrap();
            let start = s.find("<tu>").or_else(|| s.find("<tu ")).unwrap();
            let end = s.rfind("</tu>").unwrap() + 5;
            body.push_str(&s[start..end]);
        }
        std::fs::write(
            &path,
            format!(
                r#"<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body>{body}</body></tmx>"#
            ),
        )
        .unwrap();
        let store = Store::open_temporary()?;
        store.import_tmx(&path, &ImportOptions::default(), &mut ())?;
        Ok((dir, store))
    }

    #[test]
    fn index_and_exhaustive_agree_and_numbers_are_carried() -> Result<()> {
        let (_d, store) = store_with(&[
            (
                "The meeting is on 12 September 2012 in Vienna.",
                "La réunion a lieu le 12 septembre 2012 à Vienne.",
            ),
            (
                "The meeting is on Monday in Geneva.",
                "La réunion a lieu lundi à Genève.",
            ),
            ("Something else entirely different here.", "Autre chose."),
        ])?;
        let m = Matcher::new(&store);
        let mut o = SuggestOptions::new(tag("en"), tag("fr"));
        let q = Query {
            text: "The meeting is on 10 September 2013 in Vienna.",
            ..Default::default()
        };
        let indexed = m.suggest(&q, &o)?;
        o.exhaustive = true;
        let scanned = m.suggest(&q, &o)?;
        let ids = |m: &Matches| {
            m.suggestions
                .iter()
                .map(|s| (s.unit_id, s.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&indexed), ids(&scanned));
        let best = &indexed.suggestions[0];
        assert_eq!(best.score, 99);
        assert_eq!(
            best.adapted.as_ref().unwrap().text,
            "La réunion a lieu le 10 septembre 2013 à Vienne."
        );
        Ok(())
    }

    #[test]
    fn bad_queries_get_messages() -> Result<()> {
        let (_d, store) = store_with(&[("Hello world.", "Bonjour le monde.")])?;
        let m = Matcher::new(&store);
        let o = SuggestOptions::new(tag("en"), tag("fr"));
        for text in ["", "   ", "..."] {
            let q = Query {
                text,
                ..Default::default()
            };
            assert!(
                matches!(m.suggest(&q, &o), Err(Error::Query(_))),
                "{text:?}"
            );
        }
        let huge = "word ".repeat(20_000);
        let err = m
            .suggest(
                &Query {
                    text: &huge,
                    ..Default::default()
                },
                &o,
            )
            .unwrap_err();
        assert!(err.to_string().contains("too long"), "{err}");
        let de = SuggestOptions::new(tag("en"), tag("de"));
        let err = m
            .suggest(
                &Query {
                    text: "Hello",
                    ..Default::default()
                },
                &de,
            )
            .unwrap_err();
        assert!(err.to_string().contains("\"de\""), "{err}");
        Ok(())
    }

    #[test]
    fn updated_units_leave_the_index() -> Result<()> {
        let (dir, store) = store_with(&[("Hello big world.", "Bonjour le monde.")])?;
        // The same source with a new translation, imported under `update`.
        let path = dir.path().join("b.tmx");
        std::fs::write(&path, r#"<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" datatype="plaintext"/><body><tu><tuv xml:lang="en"><seg>Hello big world.</seg></tuv><tuv xml:lang="fr"><seg>Salut le monde.</seg></tuv></tu></body></tmx>"#).unwrap();
        let opts = ImportOptions {
            on_duplicate: DuplicatePolicy::Update,
            ..Default::default()
        };
        store.import_tmx(&path, &opts, &mut ())?;
        let m = Matcher::new(&store);
        let q = Query {
            text: "Hello big world.",
            ..Default::default()
        };
        let found = m.suggest(&q, &SuggestOptions::new(tag("en"), tag("fr")))?;
        let targets: Vec<_> = found
            .suggestions
            .iter()
            .map(|s| s.target.as_str())
            .collect();
        assert_eq!(targets, ["Salut le monde."]);
        Ok(())
    }

    #[test]
    fn concordance_finds_phrases_case_blind() -> Result<()> {
        let (_d, store) = store_with(&[
            (
                "South-South cooperation matters.",
                "La coopération Sud-Sud compte.",
            ),
            ("North cooperation.", "Coopération Nord."),
        ])?;
        let m = Matcher::new(&store);
        let hits = m.concordance("south-south Cooperation", &tag("en"), Some(&tag("fr")), 10)?;
        assert_eq!(hits.len(), 1);
        assert_eq!(
            &hits[0].text[hits[0].spans[0].0..hits[0].spans[0].1],
            "South-South cooperation"
        );
        assert_eq!(
            hits[0].target.as_ref().unwrap().1,
            "La coopération Sud-Sud compte."
        );
        Ok(())
    }
}
