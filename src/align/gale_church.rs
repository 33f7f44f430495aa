//! Length-based alignment of two sequences of segments (Gale & Church 1993) with lexical
//! evidence beside length (as hunalign adds a dictionary), as a dynamic programme banded
//! around the diagonal so that memory and time grow with the length times the band, not
//! with the square of the length.
//!
//! # The cost function
//!
//! Beads are 1-1, 1-0, 0-1, 2-1, 1-2 and 2-2. A bead of shape `k` joining pivot segments
//! `S` with segments `T` of the other language costs, in nats,
//!
//! ```text
//! cost = −ln P(k) + L(S, T) + X(S, T)
//! ```
//!
//! - `P(k)`: the paper's priors ([`PRIORS`]: 1-1 0.89, 2-1 and 1-2 0.089, 2-2 0.011), but a
//!   1-0 or 0-1 bead at [`INDEL_WITH_WORDS`] (0.06, against the paper's 0.0099) when the
//!   words carry evidence, so that a stray note or a dropped paragraph stands alone instead
//!   of being glued to a neighbour.
//! - `L = −ln 2(1 − Φ(|δ|))` with `δ = (l_T/c − l_S) / √(s²·(l_S + l_T/c)/2)`: lengths in
//!   characters without whitespace; the target length is put into source characters by
//!   the documents' ratio `c` before it is compared (the paper, and nltk, compare `c·l_S`
//!   with `l_T` and so are lenient for `c` far from 1, as for Chinese against English);
//!   `s²` is 6.8 or what the first pass's 1-1 beads show ([`estimate_variance`]). A bead
//!   with an empty side has no length cost.
//! - `X`, with a lexicon ([`super::lexicon`]): `−K · (mean over S of g + mean over T of g)
//!   / 2` with `K` = [`super::lexicon::LEXICAL_WEIGHT`] (8), where a segment's `g` places
//!   its share of words explained by the other side of the bead, shrunk towards `e₀` by
//!   four pseudo-words, between unrelated text (`e₀`, 0) and paired text (`e₁`, 1),
//!   clamped to −0.5…1.5 (both shares measured on the documents). A note glued to a
//!   paragraph scores about 0 and pulls its bead's mean down; a true half of a split does
//!   not. Aligning paragraphs, each side's mean is capped by its weakest paragraph of 12
//!   words or more ([`super::lexicon::Weights::by_paragraph`]), so a glued note long
//!   enough to be judged alone takes the bead's reward away. Without a lexicon, numbers
//!   and shared names are anchors instead: +1 nat for each on one side only and −1.5 for
//!   each shared, at most 5 of each.
//!
//! [`align_scored`] gives each bead its posterior probability under `exp(−cost /`
//! [`TEMPERATURE`]`)` over all paths within the band (forward–backward), which `tmm align`
//! calibrates into the confidence it reports ([`super::calibrated`]). [`align`] keeps the
//! paper's scale ([`confidence`]).

use std::ops::Range;

use super::lexicon::{self, Bag, Weights};

/// Bead shapes (source count, target count) with their prior probabilities (Gale & Church
/// 1993, table 5).
pub const PRIORS: [((usize, usize), f64); 6] = [
    ((1, 1), 0.89),
    ((1, 0), 0.0099),
    ((0, 1), 0.0099),
    ((2, 1), 0.089),
    ((1, 2), 0.089),
    ((2, 2), 0.011),
];

/// The first band width, in cells either side of the diagonal.
pub const BAND: usize = 50;

/// The band stops widening before its back-pointer table passes this many cells (64 MB):
/// texts that wander that far from the diagonal have no credible alignment anyway, and
/// memory must not grow with the square of the length.
const MAX_CELLS: usize = 64 << 20;

/// Cost of an anchor present on one side of a bead only, in nats.
const ANCHOR_MISMATCH: f64 = 1.0;
/// Reward for an anchor present on both sides of a bead, in nats.
const ANCHOR_MATCH: f64 = 1.5;
/// At most this many anchors of a bead count, so a list of numbers cannot swamp lengths.
const ANCHOR_CAP: usize = 5;

/// The model's parameters for one language pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Target characters per source character (`c`), estimated from the documents.
    pub ratio: f64,
    /// Variance of the length difference per source character (`s²`); 6.8 in the paper.
    pub variance: f64,
    /// Whether identical tokens pull segments together.
    pub anchors: bool,
    /// What words explained by the other side of a bead are worth ([`super::lexicon`]);
    /// `None` for lengths and anchors alone.
    pub lexical: Option<Weights>,
    /// Prior of a 1-0 or 0-1 bead; the paper's 0.0099 unless words can tell a stray note
    /// from a split ([`INDEL_WITH_WORDS`]).
    pub indel: f64,
}

/// The prior of a 1-0 or 0-1 bead when the lexicon is informative: six times the paper's.
/// With lengths alone a short note beside a long paragraph is always cheaper as a 1-2
/// split (the paper makes a split nine times likelier than an insertion); the words show
/// which of the two it is, so an insertion can be priced near a split.
pub const INDEL_WITH_WORDS: f64 = 0.06;

impl Params {
    /// The bead priors in the order of [`PRIORS`], with this model's 1-0 and 0-1 prior.
    pub fn priors(&self) -> [((usize, usize), f64); 6] {
        let mut priors = PRIORS;
        priors[1].1 = self.indel;
        priors[2].1 = self.indel;
        priors
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ratio: 1.0,
            variance: 6.8,
            anchors: true,
            lexical: None,
            indel: PRIORS[1].1,
        }
    }
}

impl Params {
    /// Parameters with the length ratio of the two texts (`target / source` in characters).
    pub fn with_ratio(source_chars: usize, target_chars: usize) -> Self {
        let ratio = if source_chars == 0 || target_chars == 0 {
            1.0
        } else {
            target_chars as f64 / source_chars as f64
        };
        Params {
            ratio,
            ..Params::default()
        }
    }
}

/// What the aligner knows of a segment: its length, its anchors (sorted) and its words'
/// concepts ([`super::lexicon::Bag`], empty unless measured with a lexicon).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measure {
    pub length: f64,
    pub anchors: Vec<u64>,
    pub bag: Bag,
}

impl Measure {
    /// The measure of a text: characters without whitespace, and its numbers as anchors.
    pub fn of(text: &str) -> Self {
        Self::with_tokens(text, &std::collections::HashSet::new())
    }

    /// As [`of`](Self::of), with the words of `shared` ([`crate::text::shared_tokens`] of the
    /// two documents) in the text as anchors too.
    pub fn with_tokens(text: &str, shared: &std::collections::HashSet<String>) -> Self {
        // One-shot hashing of the prefixed token (a streaming hasher's state costs more to
        // set up than these few bytes to hash).
        let mut key: Vec<u8> = Vec::new();
        let mut hash = |prefix: &[u8], s: &str| {
            key.clear();
            key.extend_from_slice(prefix);
            key.extend_from_slice(s.as_bytes());
            xxhash_rust::xxh3::xxh3_64(&key)
        };
        let mut anchors: Vec<u64> = Vec::new();
        let length = crate::text::length_and_numbers(text, |n| anchors.push(hash(b"n", n)));
        if !shared.is_empty() {
            anchors.extend(
                crate::text::tokens(text)
                    .filter(|t| shared.contains(*t))
                    .map(|t| hash(b"w", t)),
            );
        }
        anchors.sort_unstable();
        Measure {
            length: length as f64,
            anchors,
            bag: Bag::default(),
        }
    }
}

/// One step of an alignment: `source` segments matched with `target` segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Bead {
    pub source: Range<usize>,
    pub target: Range<usize>,
    /// The bead's cost in nats (lower is better).
    pub cost: f64,
    /// 1 for an ideal 1-1 bead, falling towards 0 as the bead becomes less likely.
    pub confidence: f64,
}

impl Bead {
    /// The bead's shape, `1-1`, `2-1`, `0-1`, ...
    pub fn kind(&self) -> String {
        format!("{}-{}", self.source.len(), self.target.len())
    }
}

/// `-ln(2(1 − Φ(|δ|)))`: the cost of a length difference of `delta` standard deviations.
pub fn length_cost(delta: f64) -> f64 {
    // 2(1 − Φ(x)) = erfc(x/√2); erfc after Numerical Recipes (erfcc), in log form so that
    // it stays finite for any δ.
    let z = delta.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398
                                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    // The approximation is off by 1e-7 near 0; a cost is never negative.
    (-(t.ln() + poly)).max(0.0)
}

/// The standardised length difference of `source` and `target` lengths.
pub fn delta(source: f64, target: f64, params: &Params) -> f64 {
    let target = target / params.ratio;
    let mean = (source + target) / 2.0;
    if mean <= 0.0 {
        return 0.0;
    }
    (target - source) / (mean * params.variance).sqrt()
}

/// The cost of a bead of `prior` with these lengths and anchor counts.
pub fn bead_cost(
    prior: f64,
    source: f64,
    target: f64,
    anchors: (usize, usize),
    params: &Params,
) -> f64 {
    let (matched, unmatched) = anchors;
    // A segment without counterpart has no length difference to judge: the paper's formula
    // would make dropping a long paragraph cost more than wrongly merging it with its
    // neighbour, so an insertion or deletion costs its prior alone.
    let length = if source == 0.0 || target == 0.0 {
        0.0
    } else {
        length_cost(delta(source, target, params))
    };
    length - prior.ln() + ANCHOR_MISMATCH * unmatched.min(ANCHOR_CAP) as f64
        - ANCHOR_MATCH * matched.min(ANCHOR_CAP) as f64
}

/// The confidence of a bead of this cost: `exp(−(cost − cost of an ideal 1-1 bead))`, at
/// most 1 (see [`confidence_cost`]).
pub fn confidence(cost: f64) -> f64 {
    let ideal = -PRIORS[0].1.ln();
    (-(cost - ideal)).exp().clamp(0.0, 1.0)
}

/// The cost a bead's confidence is judged by: its cost with the anchors' net effect
/// counted only when it is a penalty (more numbers unmatched than shared), so that numbers
/// can lower a bead's confidence but cannot raise a merge or a deletion above its prior.
pub fn confidence_cost(cost: f64, (matched, unmatched): (usize, usize)) -> f64 {
    let net = ANCHOR_MISMATCH * unmatched.min(ANCHOR_CAP) as f64
        - ANCHOR_MATCH * matched.min(ANCHOR_CAP) as f64;
    cost - net + net.max(0.0)
}

/// The variance of the length difference per character (`s²`) that the 1-1 beads of an
/// alignment show, never below the paper's 6.8: for a language pair whose lengths vary more
/// than French and English do (Chinese, lists of names), the paper's value would call every
/// other bead doubtful. The median of `δ²·s²` over the beads, divided by the median of a
/// χ² variable with one degree of freedom (0.455).
pub fn estimate_variance(
    source: &[Measure],
    target: &[Measure],
    beads: &[Bead],
    params: &Params,
) -> f64 {
    variance_from(deviations(source, target, beads, params), params)
}

/// `δ²·s²` of each 1-1 bead of at least 10 source characters: what [`estimate_variance`]
/// takes the median of (gathered over many paragraphs, say).
pub fn deviations(
    source: &[Measure],
    target: &[Measure],
    beads: &[Bead],
    params: &Params,
) -> Vec<f64> {
    beads
        .iter()
        .filter(|b| b.source.len() == 1 && b.target.len() == 1)
        .map(|b| (source[b.source.start].length, target[b.target.start].length))
        .filter(|&(s, t)| s >= 10.0 && t >= 1.0)
        .map(|(s, t)| delta(s, t, params).powi(2) * params.variance)
        .collect()
}

/// The variance that [`deviations`] show: their median over the median of χ²₁ (0.455),
/// never below the paper's 6.8; `params.variance` when there are fewer than three.
pub fn variance_from(mut squares: Vec<f64>, params: &Params) -> f64 {
    if squares.len() < 3 {
        return params.variance;
    }
    squares.sort_by(f64::total_cmp);
    (squares[squares.len() / 2] / 0.455).max(Params::default().variance)
}

/// Aligns twice: with `params`, then with the variance re-estimated from the first
/// alignment's 1-1 beads ([`estimate_variance`]) when it is more than 10% larger. Returns
/// the beads and the parameters used.
pub fn align_refined(
    source: &[Measure],
    target: &[Measure],
    params: &Params,
) -> (Vec<Bead>, Params) {
    let beads = align(source, target, params);
    let variance = estimate_variance(source, target, &beads, params);
    if variance > params.variance * 1.1 {
        let refined = Params {
            variance,
            ..*params
        };
        (align(source, target, &refined), refined)
    } else {
        (beads, *params)
    }
}

/// Aligns `source` with `target`; the beads cover both in order. The diagonal runs from
/// `(0, 0)` to `(n, m)`, so a difference in counts spread over the text costs no width; the
/// band starts at [`BAND`] cells either side and doubles while the best path comes near its
/// edge (a long insertion at one end), so time and memory grow with `n · band`, up to a
/// table of 64 MB.
pub fn align(source: &[Measure], target: &[Measure], params: &Params) -> Vec<Bead> {
    let (n, m) = (source.len(), target.len());
    let mut band = BAND;
    loop {
        let (beads, touched_edge) = align_banded(source, target, params, band);
        let wider = (n + 1).saturating_mul(4 * band + 1);
        if !touched_edge || band > n.max(m) || wider > MAX_CELLS {
            return beads;
        }
        band *= 2;
    }
}

/// The sorted union of up to two sorted anchor lists, without allocating.
struct Merged<'a> {
    a: &'a [u64],
    b: &'a [u64],
}

impl Iterator for Merged<'_> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let side = if take_a { &mut self.a } else { &mut self.b };
        let (first, rest) = side.split_first()?;
        *side = rest;
        Some(*first)
    }
}

fn merged<'a>(group: &'a [Measure]) -> Merged<'a> {
    Merged {
        a: group.first().map_or(&[], |m| &m.anchors),
        b: group.get(1).map_or(&[], |m| &m.anchors),
    }
}

/// The matched and unmatched anchor counts of two groups of (at most two) segments.
fn anchor_counts(a: &[Measure], b: &[Measure]) -> (usize, usize) {
    let total_a: usize = a.iter().map(|x| x.anchors.len()).sum();
    let total_b: usize = b.iter().map(|x| x.anchors.len()).sum();
    if total_a == 0 || total_b == 0 {
        return (0, total_a + total_b);
    }
    let (mut left, mut right) = (merged(a).peekable(), merged(b).peekable());
    let mut matched = 0;
    while let (Some(x), Some(y)) = (left.peek(), right.peek()) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => {
                left.next();
            }
            std::cmp::Ordering::Greater => {
                right.next();
            }
            std::cmp::Ordering::Equal => {
                matched += 1;
                left.next();
                right.next();
            }
        }
    }
    (matched, total_a + total_b - 2 * matched)
}

/// Pairs as many target segments as source ones one to one, in order, with no search: each
/// bead's confidence is that of a 1-1 bead of those lengths and anchors under the model
/// (what [`align_scored`] would give were it sure of the shape).
pub fn pair_in_order(source: &[Measure], target: &[Measure], params: &Params) -> Vec<Bead> {
    source
        .iter()
        .zip(target)
        .enumerate()
        .map(|(i, (s, t))| {
            let anchors = anchor_counts(std::slice::from_ref(s), std::slice::from_ref(t));
            let cost = bead_cost(PRIORS[0].1, s.length, t.length, anchors, params);
            Bead {
                source: i..i + 1,
                target: i..i + 1,
                cost,
                confidence: confidence(confidence_cost(cost, anchors)),
            }
        })
        .collect()
}

/// What a bead costs: the segments, the model, and the words they explain by each other
/// (counted for pairs of segments within a band of the diagonal, when the model has
/// lexical weights).
struct Costs<'a> {
    source: &'a [Measure],
    target: &'a [Measure],
    params: &'a Params,
    words: Option<Explained<'a>>,
}

impl<'a> Costs<'a> {
    fn new(source: &'a [Measure], target: &'a [Measure], params: &'a Params, band: usize) -> Self {
        Costs {
            source,
            target,
            params,
            words: params.lexical.map(|_| Explained::new(source, target, band)),
        }
    }

    /// The cost of the bead ending at `(i, j)` with shape `(di, dj)`, and its confidence.
    fn at(&self, i: usize, j: usize, (di, dj): (usize, usize), prior: f64) -> (f64, f64) {
        let s = &self.source[i - di..i];
        let t = &self.target[j - dj..j];
        let ls: f64 = s.iter().map(|x| x.length).sum();
        let lt: f64 = t.iter().map(|x| x.length).sum();
        let anchors = if self.params.anchors {
            anchor_counts(s, t)
        } else {
            (0, 0)
        };
        let mut cost = bead_cost(prior, ls, lt, anchors, self.params);
        if let (Some(weights), Some(words)) = (&self.params.lexical, &self.words) {
            cost += words.cost(weights, i - di..i, j - dj..j);
        }
        (cost, confidence(confidence_cost(cost, anchors)))
    }
}

/// The words of source and target segments near the diagonal explained by each other
/// ([`lexicon::explained`]), counted once per pair of segments rather than once per bead
/// and shape that holds them: the lexical part of the cost takes most of the time of a
/// pass otherwise. A segment is compared with one segment of the other side and with it
/// and the next taken as one, which is all that beads of up to two segments a side ask.
struct Explained<'a> {
    source: &'a [Measure],
    target: &'a [Measure],
    /// Each segment joined with the next (one fewer than the segments).
    source_pairs: Vec<Bag>,
    target_pairs: Vec<Bag>,
    /// Per source segment, the first target segment counted and where its row starts.
    rows: Vec<(usize, usize)>,
    /// Per counted `(a, b)`: source `a` and target `b`; source `a` and targets `b, b + 1`;
    /// sources `a, a + 1` and target `b`.
    counts: Vec<[u32; 3]>,
}

impl<'a> Explained<'a> {
    /// Counts the pairs of segments whose boundary cells lie within `band` of the diagonal
    /// (and the two beyond it that a bead reaches back).
    fn new(source: &'a [Measure], target: &'a [Measure], band: usize) -> Self {
        let (n, m) = (source.len(), target.len());
        let joined = |m: &[Measure]| -> Vec<Bag> {
            m.windows(2).map(|w| w[0].bag.joined(&w[1].bag)).collect()
        };
        let mut table = Explained {
            source,
            target,
            source_pairs: joined(source),
            target_pairs: joined(target),
            rows: Vec::with_capacity(n),
            counts: Vec::new(),
        };
        for (a, s) in source.iter().enumerate() {
            let centre = diagonal(a, n, m);
            let lo = (centre - band as isize - 2).max(0) as usize;
            let hi = ((centre + band as isize + 2).max(0) as usize).min(m);
            table.rows.push((lo, table.counts.len()));
            for t in &target[lo.min(hi)..hi] {
                let one = lexicon::explained(&[&s.bag], &[&t.bag]);
                table.counts.push([one, 0, 0]);
            }
        }
        for a in 0..n {
            let (lo, start) = table.rows[a];
            let end = table.rows.get(a + 1).map_or(table.counts.len(), |r| r.1);
            for k in start..end {
                let joined = table.joined(a, lo + k - start);
                table.counts[k][1] = joined[1];
                table.counts[k][2] = joined[2];
            }
        }
        table
    }

    /// Words of source `a` explained by target `b`, from the table when counted.
    fn one(&self, a: usize, b: usize) -> u32 {
        match self.index(a, b) {
            Some(k) => self.counts[k][0],
            None => lexicon::explained(&[&self.source[a].bag], &[&self.target[b].bag]),
        }
    }

    /// `[one, source a against targets b and b + 1, sources a and a + 1 against target b]`.
    /// When one of two segments explains none of the other side's words, the union's
    /// count is the other's alone (no concept of that side is in the first), which spares
    /// most comparisons with a joined pair.
    fn joined(&self, a: usize, b: usize) -> [u32; 3] {
        let one = self.one(a, b);
        let with = |pairs: &[Bag], k: usize, own: &Bag, next: &dyn Fn() -> u32| {
            let Some(joined) = pairs.get(k) else {
                return 0;
            };
            let second = next();
            if one == 0 || second == 0 {
                one + second
            } else {
                lexicon::explained(&[own], &[joined])
            }
        };
        let (s, t) = (&self.source[a].bag, &self.target[b].bag);
        [
            one,
            with(&self.target_pairs, b, s, &|| self.one(a, b + 1)),
            with(&self.source_pairs, a, t, &|| self.one(a + 1, b)),
        ]
    }

    fn index(&self, a: usize, b: usize) -> Option<usize> {
        let (lo, start) = self.rows[a];
        let end = self.rows.get(a + 1).map_or(self.counts.len(), |r| r.1);
        b.checked_sub(lo).map(|k| start + k).filter(|&k| k < end)
    }

    fn counts(&self, a: usize, b: usize) -> [u32; 3] {
        match self.index(a, b) {
            Some(k) => self.counts[k],
            None => self.joined(a, b),
        }
    }

    /// The lexical part of a bead's cost ([`Weights::cost`]): segments `s` and `t`, each
    /// one or two long (an empty side costs nothing). Each segment's `(words, explained)`
    /// is against the whole other side.
    fn cost(&self, weights: &Weights, s: Range<usize>, t: Range<usize>) -> f64 {
        if s.is_empty() || t.is_empty() {
            return 0.0;
        }
        let (a, b) = (s.start, t.start);
        let words = |m: &[Measure], k: usize| m[k].bag.words;
        let mut source = [(0u32, 0u32); 2];
        let mut target = [(0u32, 0u32); 2];
        match (s.len(), t.len()) {
            (1, 1) => {
                let e = self.counts(a, b)[0];
                source[0] = (words(self.source, a), e);
                target[0] = (words(self.target, b), e);
            }
            (2, 1) => {
                source[0] = (words(self.source, a), self.counts(a, b)[0]);
                source[1] = (words(self.source, a + 1), self.counts(a + 1, b)[0]);
                target[0] = (words(self.target, b), self.counts(a, b)[2]);
            }
            (1, 2) => {
                source[0] = (words(self.source, a), self.counts(a, b)[1]);
                target[0] = (words(self.target, b), self.counts(a, b)[0]);
                target[1] = (words(self.target, b + 1), self.counts(a, b + 1)[0]);
            }
            _ => {
                source[0] = (words(self.source, a), self.counts(a, b)[1]);
                source[1] = (words(self.source, a + 1), self.counts(a + 1, b)[1]);
                target[0] = (words(self.target, b), self.counts(a, b)[2]);
                target[1] = (words(self.target, b + 1), self.counts(a, b + 1)[2]);
            }
        }
        weights.cost(&source[..s.len()], &target[..t.len()])
    }
}

/// The target position of the diagonal at source position `i`, from `(0, 0)` to `(n, m)`.
fn diagonal(i: usize, n: usize, m: usize) -> isize {
    if n == 0 {
        0
    } else {
        (i as f64 * m as f64 / n as f64).round() as isize
    }
}

/// The DP within `band` cells of the diagonal; also says whether the best path came near
/// the band's edge (then a wider band may find a better one).
fn align_banded(
    source: &[Measure],
    target: &[Measure],
    params: &Params,
    band: usize,
) -> (Vec<Bead>, bool) {
    let (n, m) = (source.len(), target.len());
    let width = 2 * band + 1;
    let centre = |i: usize| diagonal(i, n, m);
    let model = Costs::new(source, target, params, band);
    let low = |i: usize| (centre(i) - band as isize).max(0) as usize;
    let high = |i: usize| ((centre(i) + band as isize) as usize).min(m);
    // Costs of the last three rows (beads reach back two rows), moves of every row.
    let mut costs = vec![f64::INFINITY; 3 * width];
    let mut moves = vec![u8::MAX; (n + 1) * width];
    let offset = |i: usize, j: usize| -> Option<usize> {
        let lo = low(i);
        (j >= lo && j <= high(i)).then(|| j - lo)
    };
    for i in 0..=n {
        let row = (i % 3) * width;
        costs[row..row + width].fill(f64::INFINITY);
        for j in low(i)..=high(i) {
            let k = j - low(i);
            if i == 0 && j == 0 {
                costs[row + k] = 0.0;
                continue;
            }
            let mut best = f64::INFINITY;
            let mut best_move = u8::MAX;
            for (shape, &((di, dj), prior)) in PRIORS.iter().enumerate() {
                if di > i || dj > j {
                    continue;
                }
                let Some(prev) = offset(i - di, j - dj) else {
                    continue;
                };
                let before = costs[((i - di) % 3) * width + prev];
                if !before.is_finite() {
                    continue;
                }
                let c = before + model.at(i, j, (di, dj), prior).0;
                if c < best {
                    best = c;
                    best_move = shape as u8;
                }
            }
            costs[row + k] = best;
            moves[i * width + k] = best_move;
        }
    }
    // Trace back from (n, m).
    let mut beads = Vec::new();
    let mut touched_edge = false;
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let step = offset(i, j).and_then(|k| PRIORS.get(moves[i * width + k] as usize));
        let Some(&((di, dj), prior)) = step else {
            // Cannot happen: every row's band holds its point of the diagonal, which ends
            // at (n, m), with a recorded move; should it, the rest becomes one bead of zero
            // confidence.
            touched_edge = true;
            beads.push(Bead {
                source: 0..i,
                target: 0..j,
                cost: f64::INFINITY,
                confidence: 0.0,
            });
            break;
        };
        let lo = low(i);
        if (j > lo && j - lo < 2 && lo > 0) || (high(i) < m && high(i) - j < 2) {
            touched_edge = true;
        }
        let (cost, confidence) = model.at(i, j, (di, dj), prior);
        beads.push(Bead {
            source: i - di..i,
            target: j - dj..j,
            cost,
            confidence,
        });
        i -= di;
        j -= dj;
    }
    beads.reverse();
    (beads, touched_edge)
}

/// Temperature of the posterior: bead costs are sums of evidence that is not independent
/// (lengths and words of one sentence go together), so they are divided by this before
/// posteriors are taken. Measured on the damaged-catalogue benchmark (benches/ALIGNMENT.md).
pub const TEMPERATURE: f64 = 1.0;

/// As [`align`], with each bead's confidence its posterior probability: the share of the
/// probability of all alignments in the band (costs as likelihoods, divided by
/// [`TEMPERATURE`]) held by alignments that contain the bead. A bead whose cost is much
/// lower than any alternative's is near 1; where two explanations are close (a merge or a
/// 1-1 and a deletion) it is near 0.5 or below. Costs are computed once per cell and shape,
/// so memory is `6 · n · band` numbers.
pub fn align_scored(source: &[Measure], target: &[Measure], params: &Params) -> Vec<Bead> {
    let (n, m) = (source.len(), target.len());
    let mut band = BAND;
    loop {
        let table = CostTable::new(source, target, params, band);
        let (beads, touched_edge) = table.viterbi();
        let wider = (n + 1)
            .saturating_mul(4 * band + 1)
            .saturating_mul(PRIORS.len());
        if !touched_edge || band > n.max(m) || wider > MAX_CELLS {
            return table.with_posteriors(beads);
        }
        band *= 2;
    }
}

/// Bead costs within a band around the diagonal, by end cell and shape.
struct CostTable {
    n: usize,
    m: usize,
    band: usize,
    width: usize,
    costs: Vec<f32>,
}

impl CostTable {
    fn new(source: &[Measure], target: &[Measure], params: &Params, band: usize) -> Self {
        let (n, m) = (source.len(), target.len());
        let width = 2 * band + 1;
        let mut table = CostTable {
            n,
            m,
            band,
            width,
            costs: vec![f32::INFINITY; (n + 1) * width * PRIORS.len()],
        };
        let priors = params.priors();
        let costs = Costs::new(source, target, params, band);
        for i in 0..=n {
            for j in table.low(i)..=table.high(i) {
                for (shape, &((di, dj), prior)) in priors.iter().enumerate() {
                    if di > i || dj > j || table.offset(i - di, j - dj).is_none() {
                        continue;
                    }
                    let cost = costs.at(i, j, (di, dj), prior).0;
                    let k = table.index(i, j, shape).expect("in band");
                    table.costs[k] = cost as f32;
                }
            }
        }
        table
    }

    fn centre(&self, i: usize) -> isize {
        diagonal(i, self.n, self.m)
    }
    fn low(&self, i: usize) -> usize {
        (self.centre(i) - self.band as isize).max(0) as usize
    }
    fn high(&self, i: usize) -> usize {
        ((self.centre(i) + self.band as isize).max(0) as usize).min(self.m)
    }
    fn offset(&self, i: usize, j: usize) -> Option<usize> {
        let lo = self.low(i);
        (j >= lo && j <= self.high(i)).then(|| j - lo)
    }
    fn index(&self, i: usize, j: usize, shape: usize) -> Option<usize> {
        self.offset(i, j)
            .map(|k| (i * self.width + k) * PRIORS.len() + shape)
    }
    fn cost(&self, i: usize, j: usize, shape: usize) -> f64 {
        self.index(i, j, shape)
            .map_or(f64::INFINITY, |k| f64::from(self.costs[k]))
    }

    /// Combines the values of the cells a bead can start from: the minimum (Viterbi) or the
    /// log of the sum of exponentials (forward–backward), over a table of `(n + 1) · width`.
    fn forward(&self, sum: bool) -> (Vec<f64>, Vec<u8>) {
        let mut best = vec![f64::INFINITY; (self.n + 1) * self.width];
        let mut moves = vec![u8::MAX; (self.n + 1) * self.width];
        for i in 0..=self.n {
            for j in self.low(i)..=self.high(i) {
                let here = i * self.width + (j - self.low(i));
                if i == 0 && j == 0 {
                    best[here] = 0.0;
                    continue;
                }
                let mut terms = [f64::INFINITY; PRIORS.len()];
                for (shape, &((di, dj), _)) in PRIORS.iter().enumerate() {
                    if di > i || dj > j {
                        continue;
                    }
                    let Some(k) = self.offset(i - di, j - dj) else {
                        continue;
                    };
                    let before = best[(i - di) * self.width + k];
                    let scale = if sum { TEMPERATURE } else { 1.0 };
                    terms[shape] = before + self.cost(i, j, shape) / scale;
                }
                let (shape, min) = terms
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(s, &c)| (s, c))
                    .unwrap_or((0, f64::INFINITY));
                if !min.is_finite() {
                    continue;
                }
                moves[here] = shape as u8;
                best[here] = if sum {
                    neg_log_sum_exp(&terms, min)
                } else {
                    min
                };
            }
        }
        (best, moves)
    }

    /// The cheapest path, and whether it came near the band's edge.
    fn viterbi(&self) -> (Vec<Bead>, bool) {
        let (best, moves) = self.forward(false);
        let mut beads = Vec::new();
        let mut touched_edge = false;
        let (mut i, mut j) = (self.n, self.m);
        while i > 0 || j > 0 {
            let step = self
                .offset(i, j)
                .map(|k| moves[i * self.width + k] as usize)
                .filter(|&s| s < PRIORS.len());
            let Some(shape) = step else {
                // Unreachable (the band holds the diagonal to (n, m)); the rest as one bead.
                touched_edge = true;
                beads.push(Bead {
                    source: 0..i,
                    target: 0..j,
                    cost: f64::INFINITY,
                    confidence: 0.0,
                });
                break;
            };
            let ((di, dj), _) = PRIORS[shape];
            let lo = self.low(i);
            if (j > lo && j - lo < 2 && lo > 0) || (self.high(i) < self.m && self.high(i) - j < 2) {
                touched_edge = true;
            }
            let _ = &best;
            beads.push(Bead {
                source: i - di..i,
                target: j - dj..j,
                cost: self.cost(i, j, shape),
                confidence: 0.0,
            });
            i -= di;
            j -= dj;
        }
        beads.reverse();
        (beads, touched_edge)
    }

    /// The beads with their posterior probabilities as confidence.
    fn with_posteriors(&self, mut beads: Vec<Bead>) -> Vec<Bead> {
        let (forward, _) = self.forward(true);
        // Backward: -log of the summed probability of all paths from (i, j) to (n, m).
        let mut backward = vec![f64::INFINITY; (self.n + 1) * self.width];
        for i in (0..=self.n).rev() {
            for j in (self.low(i)..=self.high(i)).rev() {
                let here = i * self.width + (j - self.low(i));
                if i == self.n && j == self.m {
                    backward[here] = 0.0;
                    continue;
                }
                let mut terms = [f64::INFINITY; PRIORS.len()];
                for (shape, &((di, dj), _)) in PRIORS.iter().enumerate() {
                    let (ni, nj) = (i + di, j + dj);
                    if ni > self.n || nj > self.m {
                        continue;
                    }
                    let Some(k) = self.offset(ni, nj) else {
                        continue;
                    };
                    terms[shape] =
                        backward[ni * self.width + k] + self.cost(ni, nj, shape) / TEMPERATURE;
                }
                let min = terms.iter().copied().fold(f64::INFINITY, f64::min);
                if min.is_finite() {
                    backward[here] = neg_log_sum_exp(&terms, min);
                }
            }
        }
        let total = forward[self.n * self.width + (self.m - self.low(self.n).min(self.m))];
        for b in &mut beads {
            let shape = PRIORS
                .iter()
                .position(|&((di, dj), _)| di == b.source.len() && dj == b.target.len());
            let (Some(shape), Some(start), Some(end)) = (
                shape,
                self.offset(b.source.start, b.target.start),
                self.offset(b.source.end, b.target.end),
            ) else {
                continue;
            };
            let f = forward[b.source.start * self.width + start];
            let g = backward[b.source.end * self.width + end];
            let c = self.cost(b.source.end, b.target.end, shape) / TEMPERATURE;
            let p = (-(f + c + g - total)).exp();
            b.confidence = if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        beads
    }
}

/// `-ln Σ exp(-x)` over `terms`, given their minimum.
fn neg_log_sum_exp(terms: &[f64], min: f64) -> f64 {
    let sum: f64 = terms
        .iter()
        .filter(|t| t.is_finite())
        .map(|t| (-(t - min)).exp())
        .sum();
    min - sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(lengths: &[f64]) -> Vec<Measure> {
        lengths
            .iter()
            .map(|&length| Measure {
                length,
                ..Measure::default()
            })
            .collect()
    }

    fn shapes(beads: &[Bead]) -> Vec<String> {
        beads.iter().map(Bead::kind).collect()
    }

    #[test]
    fn length_cost_is_minus_log_of_the_two_sided_tail() {
        assert!(length_cost(0.0).abs() < 1e-6);
        // 2(1 − Φ(1)) = 0.3173, 2(1 − Φ(2)) = 0.0455
        assert!((length_cost(1.0) - -(0.3173f64).ln()).abs() < 1e-3);
        assert!((length_cost(-2.0) - -(0.0455f64).ln()).abs() < 1e-3);
        assert!(length_cost(40.0).is_finite() && length_cost(40.0) > 700.0);
    }

    #[test]
    fn delta_uses_the_ratio_and_is_symmetric_around_it() {
        let p = Params {
            ratio: 0.33,
            ..Params::default()
        };
        assert!(delta(300.0, 99.0, &p).abs() < 1e-9);
        assert!((delta(300.0, 120.0, &p) + delta(300.0, 78.0, &p)).abs() < 0.2);
        assert_eq!(delta(0.0, 0.0, &p), 0.0);
    }

    #[test]
    fn bead_costs_follow_the_priors_and_anchors() {
        let p = Params::default();
        let ideal = bead_cost(0.89, 100.0, 100.0, (0, 0), &p);
        assert!((ideal - -(0.89f64).ln()).abs() < 1e-6);
        assert!((confidence(ideal) - 1.0).abs() < 1e-9);
        let merge = bead_cost(0.089, 100.0, 100.0, (0, 0), &p);
        assert!((confidence(merge) - 0.1).abs() < 1e-6);
        assert!(bead_cost(0.89, 100.0, 100.0, (0, 2), &p) > ideal);
        assert!(bead_cost(0.89, 100.0, 100.0, (2, 0), &p) < ideal);
    }

    #[test]
    fn equal_texts_align_one_to_one() {
        let a = measures(&[10.0, 50.0, 30.0, 80.0]);
        let beads = align(&a, &a, &Params::default());
        assert_eq!(shapes(&beads), ["1-1"; 4]);
        assert!(beads.iter().all(|b| b.confidence > 0.99));
    }

    #[test]
    fn merges_splits_deletions_and_insertions_are_found() {
        let src = measures(&[40.0, 100.0, 60.0, 120.0, 300.0, 50.0, 90.0]);
        // target: 40 | 100+60 merged | 120 | (300 dropped) | 25+25 split | 90 | 200 inserted
        let tgt = measures(&[41.0, 158.0, 118.0, 26.0, 24.0, 91.0, 200.0]);
        let beads = align(&src, &tgt, &Params::default());
        assert_eq!(
            shapes(&beads),
            ["1-1", "2-1", "1-1", "1-0", "1-2", "1-1", "0-1"]
        );
        let low: Vec<bool> = beads.iter().map(|b| b.confidence <= 0.1 + 1e-9).collect();
        assert_eq!(low, [false, true, false, true, true, false, true]);
    }

    #[test]
    fn anchors_decide_between_equally_long_candidates() {
        // Three equal source segments, two equal target ones: which pair merges? Lengths
        // cannot say (both answers cost the same); the numbers can.
        let p = Params::default();
        let mut src = measures(&[50.0, 50.0, 50.0]);
        let mut tgt = measures(&[75.0, 75.0]);
        src[2].anchors = vec![9];
        tgt[1].anchors = vec![9];
        src[0].anchors = vec![7];
        tgt[0].anchors = vec![7];
        src[1].anchors = vec![8];
        tgt[0].anchors = vec![7, 8];
        assert_eq!(shapes(&align(&src, &tgt, &p)), ["2-1", "1-1"]);
        tgt[0].anchors = vec![7];
        tgt[1].anchors = vec![8, 9];
        assert_eq!(shapes(&align(&src, &tgt, &p)), ["1-1", "2-1"]);
    }

    #[test]
    fn the_band_widens_when_the_path_leaves_the_diagonal() {
        // 60 extra target segments at the start: far off the diagonal of a 16-wide band.
        let body: Vec<f64> = (0..200).map(|i| 20.0 + (i * 37 % 100) as f64).collect();
        let mut tgt: Vec<f64> = (0..60).map(|i| 5.0 + (i % 3) as f64).collect();
        tgt.extend(&body);
        let beads = align(&measures(&body), &measures(&tgt), &Params::default());
        let one_to_one = beads.iter().filter(|b| b.kind() == "1-1").count();
        assert!(one_to_one >= 195, "{one_to_one}");
        assert_eq!(beads.last().unwrap().source, 199..200);
        assert_eq!(beads.last().unwrap().target, 259..260);
    }

    #[test]
    fn empty_sides_give_insertions_or_deletions() {
        let a = measures(&[10.0, 20.0]);
        assert_eq!(shapes(&align(&a, &[], &Params::default())), ["1-0", "1-0"]);
        assert_eq!(shapes(&align(&[], &a, &Params::default())), ["0-1", "0-1"]);
        assert!(align(&[], &[], &Params::default()).is_empty());
    }
}

#[cfg(test)]
mod lexical_tests {
    use super::*;

    proptest::proptest! {
        /// The counts kept per pair of segments give every bead the cost that comparing
        /// its segments' words directly gives, in the band and beyond it.
        #[test]
        fn counted_pairs_give_the_cost_of_comparing_words_directly(
            source in proptest::collection::vec(proptest::collection::vec(0u64..12, 0..6), 1..9),
            target in proptest::collection::vec(proptest::collection::vec(0u64..12, 0..6), 1..9),
            band in 0usize..3,
        ) {
            let measure = |c: &Vec<u64>| Measure { length: 10.0, bag: Bag::of(c.len() as u32 + 2, c.clone()), ..Measure::default() };
            let s: Vec<Measure> = source.iter().map(measure).collect();
            let t: Vec<Measure> = target.iter().map(measure).collect();
            let weights = Weights {
                paired: (0.4, 0.35),
                unrelated: (0.05, 0.04),
                evidence: 1000,
                wins: (9, 10),
                explained: 300,
                reliable: Some(3),
            };
            let table = Explained::new(&s, &t, band);
            for (di, dj) in [(1, 1), (2, 1), (1, 2), (2, 2)] {
                for i in di..=s.len() {
                    for j in dj..=t.len() {
                        let (sg, tg) = (&s[i - di..i], &t[j - dj..j]);
                        let sb: Vec<&Bag> = sg.iter().map(|m| &m.bag).collect();
                        let tb: Vec<&Bag> = tg.iter().map(|m| &m.bag).collect();
                        let side = |own: &[&Bag], other: &[&Bag]| -> Vec<(u32, u32)> {
                            own.iter().map(|b| (b.words, lexicon::explained(&[b], other))).collect()
                        };
                        let direct = weights.cost(&side(&sb, &tb), &side(&tb, &sb));
                        let counted = table.cost(&weights, i - di..i, j - dj..j);
                        proptest::prop_assert_eq!(direct, counted, "{}-{} at ({}, {})", di, dj, i, j);
                    }
                }
            }
        }
    }
}
