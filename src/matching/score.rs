//! The match score: a CAT-style percentage with explained penalties.
//!
//! ```text
//! d     = word-level Levenshtein distance between the content tokens (words and numbers,
//!         normalised; one token per character in Chinese, Japanese, Thai)
//! fuzzy = 100 × (1 − d / max(len_new, len_stored)), rounded down
//! score = fuzzy − penalties, at least 0
//! ```
//! Penalties, one point each: numbers differ (the placeables; the new numbers are carried
//! into the translation), letter case differs, punctuation differs, only whitespace differs,
//! inline tags differ, other characters differ (Arabic diacritics, tatweel, alef forms). The
//! score is 100 only for the same text; an in-context exact match scores 101 (see
//! [`super::Suggestion`]).

use serde::Serialize;

use super::distance::{Step, align};
use super::token::{Token, TokenKind, tokenize};

/// Why a match is not 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PenaltyKind {
    /// Words were inserted, deleted or replaced.
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

/// A number of the stored segment and the one that replaces it in the new text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberChange {
    /// The stored value (ASCII digits and separators).
    pub old: String,
    /// The new value.
    pub new: String,
}

/// How a new segment compares with a stored one.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// 0–100.
    pub score: u32,
    /// 1 − d / max(len), before penalties: what ranks matches of equal score.
    pub similarity: f64,
    pub distance: usize,
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
/// element counts (0 for plain text).
pub fn compare(new: &str, stored: &str, new_tags: usize, stored_tags: usize) -> Comparison {
    let nt = tokenize(new);
    let st = tokenize(stored);
    compare_tokens(new, &nt, stored, &st, new_tags, stored_tags)
}

pub(crate) fn compare_tokens(
    new: &str,
    nt: &[Token],
    stored: &str,
    st: &[Token],
    new_tags: usize,
    stored_tags: usize,
) -> Comparison {
    let nc: Vec<&Token> = nt.iter().filter(|t| t.is_content()).collect();
    let sc: Vec<&Token> = st.iter().filter(|t| t.is_content()).collect();
    let nk: Vec<&str> = nc.iter().map(|t| t.key.as_str()).collect();
    let sk: Vec<&str> = sc.iter().map(|t| t.key.as_str()).collect();
    let steps = align(&nk, &sk);
    let distance = steps
        .iter()
        .filter(|s| !matches!(s, Step::Same(..)))
        .count();
    let fuzzy = fuzzy_percent(distance, nc.len(), sc.len());
    let mut penalties = Vec::new();
    if fuzzy < 100 {
        penalties.push(Penalty {
            kind: PenaltyKind::Edits,
            points: 100 - fuzzy,
            detail: format!(
                "{distance} word edit{} in {} words",
                if distance == 1 { "" } else { "s" },
                nc.len().max(sc.len())
            ),
        });
    }
    let mut numbers = Vec::new();
    let mut case = false;
    let mut other = false;
    for s in &steps {
        if let Step::Same(i, j) = *s {
            let (a, b) = (nc[i], sc[j]);
            if a.kind == TokenKind::Number {
                if a.value != b.value {
                    numbers.push(NumberChange {
                        old: b.value.clone(),
                        new: a.value.clone(),
                    });
                } else if a.text(new) != b.text(stored) {
                    other = true;
                }
            } else if a.text(new) != b.text(stored) {
                if a.text(new).to_lowercase() == b.text(stored).to_lowercase() {
                    case = true;
                } else {
                    other = true;
                }
            }
        }
    }
    let mut small: Vec<(PenaltyKind, String)> = Vec::new();
    if !numbers.is_empty() {
        let list: Vec<String> = numbers
            .iter()
            .map(|n| format!("{} → {}", n.old, n.new))
            .collect();
        small.push((PenaltyKind::Numbers, format!("numbers {}", list.join(", "))));
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
        penalties,
        numbers,
    }
}

/// A translation with the new numbers put in place of the stored ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adapted {
    pub text: String,
    /// Byte ranges in `text` of the numbers that were replaced.
    pub replaced: Vec<(usize, usize)>,
    /// Stored numbers that the translation does not contain (check by hand).
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

/// Replaces the stored numbers of `changes` by the new ones in a stored translation.
pub fn adapt_target(target: &str, changes: &[NumberChange]) -> Adapted {
    let tokens = tokenize(target);
    let numbers: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Number)
        .collect();
    let mut used = vec![false; numbers.len()];
    // (start, end of the digits, replacement)
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut missing = Vec::new();
    for change in changes {
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
    let nt = tokenize(new);
    let st = tokenize(stored);
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

    #[test]
    fn dates_and_numbers_are_placeables_scoring_99() {
        let stored = "As we mark the Day on 12 September 2012, I pledge support.";
        let new = "As we mark the Day on 10 September 2013, I pledge support.";
        let c = compare(new, stored, 0, 0);
        assert_eq!(c.score, 99);
        assert_eq!(
            c.numbers,
            [
                NumberChange {
                    old: "12".into(),
                    new: "10".into()
                },
                NumberChange {
                    old: "2012".into(),
                    new: "2013".into()
                }
            ]
        );
        let c = compare("the post-2030 agenda", "the post-2015 agenda", 0, 0);
        assert_eq!(c.score, 99);
    }

    #[test]
    fn numbers_are_carried_into_the_translation() {
        let changes = [
            NumberChange {
                old: "12".into(),
                new: "10".into(),
            },
            NumberChange {
                old: "2012".into(),
                new: "2013".into(),
            },
        ];
        let a = adapt_target("le 12 septembre 2012, je", &changes);
        assert_eq!(a.text, "le 10 septembre 2013, je");
        assert_eq!(&a.text[a.replaced[1].0..a.replaced[1].1], "2013");
        let zh = adapt_target("9月12日", &changes);
        assert_eq!(zh.text, "9月10日");
        assert_eq!(zh.missing, ["2012"]);
        let ar = adapt_target("في ١٢ أيلول/سبتمبر ٢٠١٢", &changes);
        assert_eq!(ar.text, "في ١٠ أيلول/سبتمبر ٢٠١٣");
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

    proptest::proptest! {
        #[test]
        fn score_100_iff_same_text(a in "[a-c ,.1]{0,12}", b in "[a-c ,.1]{0,12}") {
            let c = compare(&a, &b, 0, 0);
            proptest::prop_assert_eq!(c.score == 100, a == b, "{:?}", c.penalties);
        }
    }
}
