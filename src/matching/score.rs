//! The match score: a CAT-style percentage with explained penalties.
//!
//! ```text
//! d     = word-level edit distance between the content tokens (words, numbers and dates,
//!         normalised; one token per character in Chinese, Japanese, Thai), where a run of
//!         two or more tokens that both texts hold in different places moves for one edit:
//!         d = min(lev(new, stored), moves + lev(new, stored with the runs moved))
//! fuzzy = 100 × (1 − d / max(len_new, len_stored)), rounded down
//! score = fuzzy − penalties, at least 0
//! ```
//! Without a move, d is the Levenshtein distance, as before moves were counted. Penalties,
//! one point each: numbers or dates differ (the placeables; the new ones are carried into the
//! translation), letter case differs, punctuation differs, only whitespace differs, inline
//! tags differ, other characters differ (Arabic diacritics, tatweel, alef forms). The score
//! is 100 only for the same text; an in-context exact match scores 101 (see
//! [`super::Suggestion`]).

use serde::Serialize;

use super::date::{self, Date, Parsed, Reading};
use super::distance::{Step, align, levenshtein, moves_for};
use crate::text::token::{Token, TokenKind, tokenize, tokenize_words};

/// Why a match is not 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PenaltyKind {
    /// Words were inserted, deleted, replaced or moved.
    Edits,
    /// Numbers or dates differ (placeables).
    Numbers,
    Case,
    Punctuation,
    Whitespace,
    Tags,
    /// Characters the keys fold away: Arabic diacritics, tatweel, alef forms.
    Other,
}

/// One reason for a score below 100, with the points it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Penalty {
    pub kind: PenaltyKind,
    pub points: u32,
    pub detail: String,
}

/// A number (or date) of the stored segment and the one that replaces it in the new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberChange {
    /// The stored value: ASCII digits and separators; for a date its ISO form
    /// (`2012-09-12`, `--09-12`, `2012-09`) or, with two readings, its fields (`3/4/2012`).
    pub old: String,
    /// The new value.
    pub new: String,
    /// For a date: how the two texts write it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<DateChange>,
}

/// How a stored date and the new one are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateChange {
    /// `12 September 2012`
    pub old_text: String,
    /// `3 October 2013`
    pub new_text: String,
}

/// How a new segment compares with a stored one.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// 0–100.
    pub score: u32,
    /// 1 − d / max(len), before penalties: what ranks matches of equal score.
    pub similarity: f64,
    /// Edits, block moves included.
    pub distance: usize,
    /// The length of each block of tokens moved, in the new text's order (each counted as
    /// one edit in `distance`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<usize>,
    pub penalties: Vec<Penalty>,
    pub numbers: Vec<NumberChange>,
}

/// The fuzzy part of the score, from a distance and the two lengths in content tokens.
pub fn similarity(distance: usize, len_a: usize, len_b: usize) -> f64 {
    let max = len_a.max(len_b);
    if max == 0 {
        1.0
    } else {
        1.0 - distance as f64 / max as f64
    }
}

/// The whole-percent fuzzy score.
pub fn fuzzy_percent(distance: usize, len_a: usize, len_b: usize) -> u32 {
    let max = len_a.max(len_b);
    if max == 0 || distance == 0 {
        return 100;
    }
    // Integer arithmetic so that 2/3 is 66, never 67 from rounding.
    (100 * (max - distance.min(max)) / max) as u32
}

/// The number of inline elements in a stored segment's markup.
pub fn tag_count(markup: Option<&str>) -> usize {
    let Some(m) = markup else { return 0 };
    ["<bpt", "<ept", "<ph", "<it", "<hi", "<ut"]
        .iter()
        .map(|t| m.matches(t).count())
        .sum()
}

/// Compares a new segment with a stored one. `new_tags` and `stored_tags` are their inline
/// element counts (0 for plain text). Numeric dates with two readings (`03/04/2012`) are
/// compared as written; [`compare_in`] reads them by the language's convention.
pub fn compare(new: &str, stored: &str, new_tags: usize, stored_tags: usize) -> Comparison {
    let nt = tokenize(new);
    let st = tokenize(stored);
    compare_tokens(new, &nt, stored, &st, new_tags, stored_tags, None)
}

/// [`compare`] for texts in `lang`: a numeric date with two readings takes the one of the
/// language's CLDR convention when all its locales agree (fr, ru, ar: day first), and stays
/// as written otherwise (en, where the US and Britain differ).
pub fn compare_in(
    new: &str,
    stored: &str,
    lang: &str,
    new_tags: usize,
    stored_tags: usize,
) -> Comparison {
    let nt = tokenize(new);
    let st = tokenize(stored);
    compare_tokens(
        new,
        &nt,
        stored,
        &st,
        new_tags,
        stored_tags,
        date::numeric_order(lang),
    )
}

/// The date a date token's text holds, and its value under `order`.
fn date_of(text: &str, order: Option<char>) -> Option<(Parsed, String)> {
    let p = date::parse(text)?;
    let v = p.value(order);
    Some((p, v))
}

pub(crate) fn compare_tokens(
    new: &str,
    nt: &[Token],
    stored: &str,
    st: &[Token],
    new_tags: usize,
    stored_tags: usize,
    order: Option<char>,
) -> Comparison {
    let nc: Vec<&Token> = nt.iter().filter(|t| t.is_content()).collect();
    let sc: Vec<&Token> = st.iter().filter(|t| t.is_content()).collect();
    let nk: Vec<&str> = nc.iter().map(|t| t.key.as_str()).collect();
    let sk: Vec<&str> = sc.iter().map(|t| t.key.as_str()).collect();
    let ni: Vec<u64> = nc.iter().map(|t| t.id()).collect();
    let si: Vec<u64> = sc.iter().map(|t| t.id()).collect();
    let lev = levenshtein(&ni, &si);
    let moves = moves_for(&ni, &si, lev, |b| levenshtein(&ni, b));
    let (steps, distance, moved) = match moves {
        None => (align(&nk, &sk), lev, Vec::new()),
        Some(m) => {
            // Align against the stored tokens in their moved order, then name them by
            // their stored positions again.
            let moved_keys: Vec<&str> = m.order.iter().map(|&j| sk[j]).collect();
            let steps = align(&nk, &moved_keys)
                .into_iter()
                .map(|s| match s {
                    Step::Same(i, j) => Step::Same(i, m.order[j]),
                    Step::Replace(i, j) => Step::Replace(i, m.order[j]),
                    Step::Delete(j) => Step::Delete(m.order[j]),
                    Step::Insert(i) => Step::Insert(i),
                })
                .collect();
            (steps, m.distance, m.blocks)
        }
    };
    let fuzzy = fuzzy_percent(distance, nc.len(), sc.len());
    let mut penalties = Vec::new();
    if fuzzy < 100 {
        let edits = distance - moved.len();
        let mut parts = Vec::new();
        if edits > 0 || moved.is_empty() {
            parts.push(format!(
                "{edits} word edit{}",
                if edits == 1 { "" } else { "s" }
            ));
        }
        if !moved.is_empty() {
            let lens: Vec<String> = moved.iter().map(usize::to_string).collect();
            parts.push(format!(
                "{} block{} of {} words moved",
                moved.len(),
                if moved.len() == 1 { "" } else { "s" },
                lens.join(", ")
            ));
        }
        let detail = format!(
            "{} in {} words",
            parts.join(" and "),
            nc.len().max(sc.len())
        );
        penalties.push(Penalty {
            kind: PenaltyKind::Edits,
            points: 100 - fuzzy,
            detail,
        });
    }
    let mut numbers = Vec::new();
    let mut case = false;
    let mut other = false;
    for s in &steps {
        if let Step::Same(i, j) = *s {
            let (a, b) = (nc[i], sc[j]);
            match a.kind {
                TokenKind::Number => {
                    if a.value != b.value {
                        numbers.push(NumberChange {
                            old: b.value.clone(),
                            new: a.value.clone(),
                            date: None,
                        });
                    } else if a.text(new) != b.text(stored) {
                        other = true;
                    }
                }
                TokenKind::Date => {
                    let (at, bt) = (a.text(new), b.text(stored));
                    if at != bt {
                        let value =
                            |t: &str, v: &str| date_of(t, order).map_or(v.to_string(), |d| d.1);
                        numbers.push(NumberChange {
                            old: value(bt, &b.value),
                            new: value(at, &a.value),
                            date: Some(DateChange {
                                old_text: bt.to_string(),
                                new_text: at.to_string(),
                            }),
                        });
                    }
                }
                _ => {
                    if a.text(new) != b.text(stored) {
                        if a.text(new).to_lowercase() == b.text(stored).to_lowercase() {
                            case = true;
                        } else {
                            other = true;
                        }
                    }
                }
            }
        }
    }
    let mut small: Vec<(PenaltyKind, String)> = Vec::new();
    if !numbers.is_empty() {
        let list = |dates: bool| -> Vec<String> {
            numbers
                .iter()
                .filter(|n| n.date.is_some() == dates)
                .map(|n| match &n.date {
                    Some(d) => format!("{} → {}", d.old_text, d.new_text),
                    None => format!("{} → {}", n.old, n.new),
                })
                .collect()
        };
        let mut parts = Vec::new();
        let (plain, dates) = (list(false), list(true));
        if !plain.is_empty() {
            parts.push(format!("numbers {}", plain.join(", ")));
        }
        if !dates.is_empty() {
            parts.push(format!(
                "date{} {}",
                if dates.len() == 1 { "" } else { "s" },
                dates.join(", ")
            ));
        }
        small.push((PenaltyKind::Numbers, parts.join("; ")));
    }
    if case {
        small.push((PenaltyKind::Case, "letter case differs".into()));
    }
    let punct = |text: &str, t: &[Token]| -> Vec<String> {
        t.iter()
            .filter(|t| t.kind == TokenKind::Punct)
            .map(|t| t.text(text).to_string())
            .collect()
    };
    if punct(new, nt) != punct(stored, st) {
        small.push((PenaltyKind::Punctuation, "punctuation differs".into()));
    }
    if new_tags != stored_tags {
        small.push((
            PenaltyKind::Tags,
            format!("inline tags differ ({new_tags} here, {stored_tags} stored)"),
        ));
    }
    let same_tokens = nt.len() == st.len()
        && nt
            .iter()
            .zip(st)
            .all(|(a, b)| a.text(new) == b.text(stored));
    if same_tokens && new != stored {
        small.push((PenaltyKind::Whitespace, "whitespace differs".into()));
    }
    // Whatever else differs (folded Arabic forms, diacritics) costs a point, so that 100
    // means the same text.
    if other || (new != stored && distance == 0 && small.is_empty()) {
        small.push((
            PenaltyKind::Other,
            "other characters differ (diacritics, letter forms)".into(),
        ));
    }
    penalties.extend(small.into_iter().map(|(kind, detail)| Penalty {
        kind,
        points: 1,
        detail,
    }));
    let total: u32 = penalties
        .iter()
        .filter(|p| p.kind != PenaltyKind::Edits)
        .map(|p| p.points)
        .sum();
    Comparison {
        score: fuzzy.saturating_sub(total),
        similarity: similarity(distance, nc.len(), sc.len()),
        distance,
        moved,
        penalties,
        numbers,
    }
}

/// A translation with the new numbers and dates put in place of the stored ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adapted {
    pub text: String,
    /// Byte ranges in `text` of what was replaced (digits, month names).
    pub replaced: Vec<(usize, usize)>,
    /// Stored numbers and dates that the translation does not contain, or whose date could
    /// not be rewritten without a guess (check by hand).
    pub missing: Vec<String>,
}

/// Writes `digits` (ASCII) in the digit script of `like` (Arabic-Indic stays Arabic-Indic).
fn in_script_of(digits: &str, like: &str) -> String {
    let zero = like
        .chars()
        .find(|c| c.is_numeric() && !c.is_ascii_digit())
        .and_then(|c| {
            let cp = c as u32;
            [0x0660u32, 0x06F0, 0x0966, 0xFF10]
                .into_iter()
                .find(|z| (*z..z + 10).contains(&cp))
        });
    match zero {
        None => digits.to_string(),
        Some(z) => digits
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(z + d).unwrap_or(c),
                None => c,
            })
            .collect(),
    }
}

/// A stored or new date value: one date, or the fields of a numeric date read two ways.
enum Value {
    One(Date),
    Fields(u32, u32, u32),
}

impl Value {
    fn parse(v: &str) -> Option<Value> {
        Date::from_iso(v)
            .map(Value::One)
            .or_else(|| date::either_fields(v).map(|(a, b, y)| Value::Fields(a, b, y)))
    }

    /// The date under a reading: `'D'` day first, `'M'` month first (ignored for One).
    fn read(&self, reading: char) -> Option<Date> {
        match *self {
            Value::One(d) => Some(d),
            Value::Fields(a, b, y) => {
                let (day, month) = if reading == 'D' { (a, b) } else { (b, a) };
                let d = Date {
                    year: Some(y),
                    month,
                    day: Some(day),
                };
                Date::from_iso(&d.iso())
            }
        }
    }
}

/// The edits that rewrite the target date `td` from `old` to `new`, when the evidence leaves
/// one way to do it.
fn date_edits(
    target: &str,
    td: &Parsed,
    old: &Value,
    new: &Value,
) -> Option<Vec<(usize, usize, String)>> {
    // The same fields in the same layout: put the new ones in place, nothing to interpret.
    if let (Reading::Either { first, second }, Value::Fields(a, b, y), Value::Fields(na, nb, ny)) =
        (&td.reading, old, new)
        && td.year.map(|f| f.value) == Some(*y)
    {
        if (first.value, second.value) == (*a, *b) {
            return td.rewrite_fields(target, *na, *nb, *ny);
        }
        if (first.value, second.value) == (*b, *a) {
            return td.rewrite_fields(target, *nb, *na, *ny);
        }
    }
    // Otherwise by meaning: the readings of the stored date that the translation's date
    // confirms, each giving the new date under the same reading.
    let mut outcomes: Vec<Vec<(usize, usize, String)>> = Vec::new();
    for reading in ['D', 'M'] {
        let (Some(o), Some(n)) = (old.read(reading), new.read(reading)) else {
            continue;
        };
        match &td.reading {
            Reading::Known { .. } => {
                if td.dates() == [o]
                    && let Some(e) = td.rewrite(target, &n)
                {
                    outcomes.push(e);
                }
            }
            Reading::Either { first, second } => {
                // The translation's own numeric date: which of its fields is the day.
                for (tday, tmonth, first_is_day) in [(first, second, true), (second, first, false)]
                {
                    if o.day == Some(tday.value)
                        && o.month == tmonth.value
                        && o.year == td.year.map(|f| f.value)
                    {
                        let (nd, nm) = (n.day?, n.month);
                        let (a, b) = if first_is_day { (nd, nm) } else { (nm, nd) };
                        if let Some(e) = td.rewrite_fields(target, a, b, n.year?) {
                            outcomes.push(e);
                        }
                    }
                }
            }
        }
    }
    outcomes.dedup();
    match outcomes.len() {
        1 => outcomes.pop(),
        _ => None,
    }
}

/// Replaces the stored numbers and dates of `changes` by the new ones in a stored
/// translation. A date is rewritten in the translation's own form (its month names in their
/// language and grammatical case, its digits); one the translation does not hold, or that
/// could only be rewritten by guessing which of two readings is meant, is left and listed in
/// `missing`.
pub fn adapt_target(target: &str, changes: &[NumberChange]) -> Adapted {
    let tokens = tokenize(target);
    let numbers: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Number)
        .collect();
    let dates: Vec<(usize, Parsed)> = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Date)
        .filter_map(|t| date::parse(t.text(target)).map(|p| (t.start, p)))
        .collect();
    let mut used = vec![false; numbers.len()];
    let mut used_dates = vec![false; dates.len()];
    // (start, end, replacement)
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut missing = Vec::new();
    for change in changes {
        if let Some(dc) = &change.date {
            let (Some(old), Some(new)) = (Value::parse(&change.old), Value::parse(&change.new))
            else {
                missing.push(dc.old_text.clone());
                continue;
            };
            let found = dates.iter().enumerate().find_map(|(k, (at, p))| {
                if used_dates[k] {
                    return None;
                }
                let e = date_edits(&target[*at..], p, &old, &new)?;
                Some((k, *at, e))
            });
            match found {
                Some((k, at, e)) => {
                    used_dates[k] = true;
                    edits.extend(e.into_iter().map(|(s, t, r)| (at + s, at + t, r)));
                }
                None => missing.push(dc.old_text.clone()),
            }
            continue;
        }
        let found = numbers
            .iter()
            .enumerate()
            .find(|(k, t)| !used[*k] && t.value == change.old);
        match found {
            Some((k, t)) => {
                used[k] = true;
                let text = t.text(target);
                let digits_len: usize = text
                    .char_indices()
                    .take_while(|(_, c)| c.is_numeric() || matches!(c, ',' | '.' | '٫' | '٬'))
                    .map(|(_, c)| c.len_utf8())
                    .sum();
                let digits = &text[..digits_len];
                edits.push((
                    t.start,
                    t.start + digits_len,
                    in_script_of(&change.new, digits),
                ));
            }
            None => missing.push(change.old.clone()),
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut text = String::with_capacity(target.len());
    let mut replaced = Vec::new();
    let mut last = 0;
    for (s, e, r) in edits {
        text.push_str(&target[last..s]);
        let at = text.len();
        text.push_str(&r);
        replaced.push((at, text.len()));
        last = e;
    }
    text.push_str(&target[last..]);
    Adapted {
        text,
        replaced,
        missing,
    }
}

/// A piece of a word-level diff of a stored segment against a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    pub op: DiffOp,
    pub text: String,
}

/// What a diff piece is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    /// In both.
    Equal,
    /// Only in the new text.
    Insert,
    /// Only in the stored text.
    Delete,
}

/// The word-level diff that turns `stored` into `new` (tokens compared by their exact text,
/// so numbers, case and punctuation changes show).
pub fn diff(new: &str, stored: &str) -> Vec<DiffPart> {
    // Dates split into their words, so that a changed day shows alone.
    let nt = tokenize_words(new);
    let st = tokenize_words(stored);
    let nk: Vec<&str> = nt.iter().map(|t| t.text(new)).collect();
    let sk: Vec<&str> = st.iter().map(|t| t.text(stored)).collect();
    // The text of a token with the whitespace before it.
    let piece = |text: &str, toks: &[Token], i: usize| -> String {
        let from = if i == 0 { 0 } else { toks[i - 1].end };
        text[from..toks[i].end].to_string()
    };
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut push = |op: DiffOp, text: String| match parts.last_mut() {
        Some(last) if last.op == op => last.text.push_str(&text),
        _ => parts.push(DiffPart { op, text }),
    };
    for step in align(&nk, &sk) {
        match step {
            Step::Same(_, j) => push(DiffOp::Equal, piece(stored, &st, j)),
            Step::Replace(i, j) => {
                push(DiffOp::Delete, piece(stored, &st, j));
                push(DiffOp::Insert, piece(new, &nt, i));
            }
            Step::Insert(i) => push(DiffOp::Insert, piece(new, &nt, i)),
            Step::Delete(j) => push(DiffOp::Delete, piece(stored, &st, j)),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(c: &Comparison) -> Vec<PenaltyKind> {
        c.penalties.iter().map(|p| p.kind).collect()
    }

    #[test]
    fn the_same_text_scores_100_and_nothing_else_does() {
        let s = "South-South cooperation has the potential to balance growth.";
        assert_eq!(compare(s, s, 0, 0).score, 100);
        for other in [
            "south-South cooperation has the potential to balance growth.",
            "South-South cooperation has the potential to balance growth",
            "South-South cooperation has the potential to  balance growth.",
            "South-South cooperation has the potential to balance growth!",
        ] {
            let c = compare(other, s, 0, 0);
            assert_eq!(c.score, 99, "{other}: {:?}", c.penalties);
        }
        assert_eq!(compare(s, s, 0, 1).score, 99);
    }

    #[test]
    fn one_word_in_ten_changed_scores_90() {
        let a = "one two three four five six seven eight nine ten";
        let b = "one two three four five six seven eight nine eleven";
        let c = compare(a, b, 0, 0);
        assert_eq!((c.score, c.distance), (90, 1));
        assert_eq!(kinds(&c), [PenaltyKind::Edits]);
    }

    fn number(old: &str, new: &str) -> NumberChange {
        NumberChange {
            old: old.into(),
            new: new.into(),
            date: None,
        }
    }

    fn date_change(old: &str, new: &str, old_text: &str, new_text: &str) -> NumberChange {
        NumberChange {
            old: old.into(),
            new: new.into(),
            date: Some(DateChange {
                old_text: old_text.into(),
                new_text: new_text.into(),
            }),
        }
    }

    #[test]
    fn dates_and_numbers_are_placeables_scoring_99() {
        let stored = "As we mark the Day on 12 September 2012, I pledge support.";
        let new = "As we mark the Day on 10 September 2013, I pledge support.";
        let c = compare(new, stored, 0, 0);
        assert_eq!(c.score, 99);
        assert_eq!(
            c.numbers,
            [date_change(
                "2012-09-12",
                "2013-09-10",
                "12 September 2012",
                "10 September 2013"
            )]
        );
        let c = compare("the post-2030 agenda", "the post-2015 agenda", 0, 0);
        assert_eq!(c.score, 99);
        assert_eq!(c.numbers, [number("2015", "2030")]);
    }

    // Regression: "12 September" → "3 October" was two word edits and kept "septembre".
    #[test]
    fn a_changed_month_is_no_word_edit_and_is_rewritten() {
        let c = compare(
            "The Day is on 3 October 2013 in Vienna.",
            "The Day is on 12 September 2012 in Vienna.",
            0,
            0,
        );
        assert_eq!((c.score, c.distance), (99, 0));
        assert_eq!(
            c.penalties[0].detail,
            "date 12 September 2012 → 3 October 2013"
        );
        for (target, want) in [
            (
                "La Journée a lieu le 12 septembre 2012 à Vienne.",
                "La Journée a lieu le 3 octobre 2013 à Vienne.",
            ),
            (
                "会议于2012年9月12日在维也纳举行。",
                "会议于2013年10月3日在维也纳举行。",
            ),
            (
                "يعقد اليوم في ١٢ أيلول/سبتمبر ٢٠١٢ في فيينا.",
                "يعقد اليوم في ٣ تشرين الأول/أكتوبر ٢٠١٣ في فيينا.",
            ),
            (
                "День проводится 12 сентября 2012 года в Вене.",
                "День проводится 3 октября 2013 года в Вене.",
            ),
            (
                "El Día se celebra el 12 de septiembre de 2012 en Viena.",
                "El Día se celebra el 3 de octubre de 2013 en Viena.",
            ),
        ] {
            let a = adapt_target(target, &c.numbers);
            assert_eq!(a.text, want);
            assert!(a.missing.is_empty(), "{target}");
        }
        // Only what changed is marked: the day, the month name, the year.
        let a = adapt_target("le 12 septembre 2012", &c.numbers);
        let marked: Vec<&str> = a.replaced.iter().map(|&(s, e)| &a.text[s..e]).collect();
        assert_eq!(marked, ["3", "octobre", "2013"]);
    }

    #[test]
    fn ambiguous_numeric_dates_are_never_guessed() {
        // 03/04 → 05/04: April or March? The translation's own date decides, or nothing does.
        let c = compare("on 05/04/2013", "on 03/04/2012", 0, 0);
        assert_eq!(c.score, 99);
        assert_eq!(c.numbers[0].old, "3/4/2012");
        // Written the same way in the translation: fields put in place.
        assert_eq!(
            adapt_target("le 03/04/2012", &c.numbers).text,
            "le 05/04/2013"
        );
        // The translation says 3 April: day first, so 5 April.
        assert_eq!(
            adapt_target("le 3 avril 2012", &c.numbers).text,
            "le 5 avril 2013"
        );
        // The translation says 4 March: month first, so 4 May.
        assert_eq!(
            adapt_target("le 4 mars 2012", &c.numbers).text,
            "le 4 mai 2013"
        );
        // Nothing to tell: left alone and listed.
        let a = adapt_target("the day", &c.numbers);
        assert_eq!(
            (a.text.as_str(), a.missing.as_slice()),
            ("the day", &["03/04/2012".to_string()][..])
        );
        // With the language: French reads day first.
        let c = compare_in("le 05/04/2013", "le 03/04/2012", "fr", 0, 0);
        assert_eq!(
            (c.numbers[0].old.as_str(), c.numbers[0].new.as_str()),
            ("2012-04-03", "2013-04-05")
        );
    }

    #[test]
    fn numbers_are_carried_into_the_translation() {
        let changes = [number("12", "10"), number("2012", "2013")];
        let a = adapt_target("12 pays et 2012 personnes", &changes);
        assert_eq!(a.text, "10 pays et 2013 personnes");
        assert_eq!(&a.text[a.replaced[1].0..a.replaced[1].1], "2013");
        let zh = adapt_target("第12次", &changes);
        assert_eq!(zh.text, "第10次");
        assert_eq!(zh.missing, ["2012"]);
        let ar = adapt_target("في ١٢ دولة و ٢٠١٢ شخص", &changes);
        assert_eq!(ar.text, "في ١٠ دولة و ٢٠١٣ شخص");
    }

    #[test]
    fn chinese_edits_score_like_english_edits() {
        // One word of about ten replaced in each language.
        let en = compare(
            "South-South cooperation has continued to drive trade and financial flows.",
            "South-South cooperation has continued to drive trade and capital flows.",
            0,
            0,
        );
        let zh = compare(
            "南南合作继续推动贸易和金融流动。",
            "南南合作继续推动贸易和资本流动。",
            0,
            0,
        );
        assert!(
            en.score.abs_diff(zh.score) <= 6,
            "en {} zh {}",
            en.score,
            zh.score
        );
        assert!(zh.score >= 80, "{}", zh.score);
    }

    #[test]
    fn arabic_diacritics_cost_one_point() {
        let c = compare("أَظْهَرَ العقد الماضي قوة", "أظهر العقد الماضي قوة", 0, 0);
        assert_eq!(c.score, 99);
        assert_eq!(kinds(&c), [PenaltyKind::Other]);
    }

    #[test]
    fn fuzzy_percent_rounds_down() {
        assert_eq!(fuzzy_percent(1, 3, 2), 66);
        assert_eq!(fuzzy_percent(0, 0, 0), 100);
        assert_eq!(fuzzy_percent(5, 5, 1), 0);
    }

    #[test]
    fn diff_marks_inserted_and_deleted_words() {
        let d = diff("held in June 2012, affirmed", "held in June, affirmed");
        let ins: Vec<_> = d
            .iter()
            .filter(|p| p.op == DiffOp::Insert)
            .map(|p| p.text.trim())
            .collect();
        assert_eq!(ins, ["2012"]);
        let equal: String = d
            .iter()
            .filter(|p| p.op != DiffOp::Insert)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(equal, "held in June, affirmed");
    }

    const PIECES: [&str; 22] = [
        "12",
        "3",
        "09",
        "2012",
        "2013",
        "١٢",
        "/",
        ".",
        ",",
        " ",
        " de ",
        " September ",
        " October ",
        " septembre ",
        "сентября",
        " أيلول",
        "/سبتمبر ",
        "年",
        "月",
        "日",
        " the ",
        " day ",
    ];

    proptest::proptest! {
        #[test]
        fn score_100_iff_same_text(a in "[a-c ,.1]{0,12}", b in "[a-c ,.1]{0,12}") {
            let c = compare(&a, &b, 0, 0);
            proptest::prop_assert_eq!(c.score == 100, a == b, "{:?}", c.penalties);
        }

        // Dates and numbers in any arrangement: scoring and adapting never panic, and what
        // is replaced lies inside the adapted text.
        #[test]
        fn dates_never_break_scoring_or_adapting(
            a in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..12),
            b in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..12),
            t in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..12),
        ) {
            let (a, b, t) = (a.concat(), b.concat(), t.concat());
            let c = compare(&a, &b, 0, 0);
            proptest::prop_assert_eq!(c.score == 100, a == b);
            let adapted = adapt_target(&t, &c.numbers);
            for &(s, e) in &adapted.replaced {
                proptest::prop_assert!(s <= e && e <= adapted.text.len());
                proptest::prop_assert!(adapted.text.is_char_boundary(s) && adapted.text.is_char_boundary(e));
            }
        }

        // The index verifies with the same distance the score shows, moves included.
        #[test]
        fn the_score_and_the_index_agree(a in "[a-e ,.1]{0,40}", b in "[a-e ,.1]{0,40}") {
            use crate::matching::{distance::Pattern, token::content_ids};
            let (ai, bi) = (content_ids(&a), content_ids(&b));
            let d = Pattern::new(&ai).distance(&bi);
            let c = compare(&a, &b, 0, 0);
            proptest::prop_assert_eq!(c.distance, d);
            proptest::prop_assert!(d <= levenshtein(&ai, &bi));
        }
    }
}
