//! Lexical evidence for one language pair, learnt from the documents being aligned.
//!
//! Every word of a segment is mapped to a *concept*: a number (digits in any script, leading
//! zeros dropped), a word written the same in both documents (names, symbols, `UNESCO`), for
//! two documents in the same alphabet a cognate class (the first four letters without
//! diacritics: `development`/`développement`, `programme`/`programa`), or, through a
//! dictionary bootstrapped from a first length-based pass, the concept of the pivot word it
//! translates (co-occurrence in confidently aligned pairs, Dice ≥ [`MIN_DICE`]). Only concepts
//! found in both documents and in few segments of each count. A word is *explained* in a
//! bead when its concept occurs on the other side of the bead.
//!
//! How much an explained or unexplained word says is measured on the documents themselves
//! ([`Weights::estimate`]): the share of words explained in the first pass's confident pairs
//! (`e₁`) against the share explained when each segment is paired with one a few positions
//! away (`e₀`, what unrelated text shows). A bead's lexical cost is minus the mean of its
//! segments' scores between the two, scaled by [`LEXICAL_WEIGHT`] ([`Weights::cost`]); see
//! [`super::gale_church`] for the whole cost function.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

/// Dice coefficient a word pair needs to enter the bootstrapped dictionary.
pub const MIN_DICE: f64 = 0.5;

/// Segments paired in the first pass a word pair must co-occur in to enter the dictionary.
const MIN_COOCCURRENCE: u32 = 2;

/// Words words are compared by: lower case, digit runs as `#digits`, and runs of CJK
/// characters (written without spaces) as their overlapping pairs of characters (`文件`,
/// `件的`), the shortest unit that usually carries a meaning of its own.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut previous: Option<char> = None;
    for w in units(text) {
        let mut chars = w.chars();
        let c = chars.next();
        let single_cjk = c.is_some_and(crate::text::is_cjk) && chars.next().is_none();
        match (single_cjk, previous) {
            (true, Some(p)) => {
                out.push(format!("{p}{w}"));
                previous = c;
            }
            (true, None) => {
                out.push(w);
                previous = c;
            }
            (false, _) => {
                out.push(w);
                previous = None;
            }
        }
    }
    out
}

/// Words and single CJK characters, in order.
fn units(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut digits = String::new();
    let flush_word = |w: &mut String, out: &mut Vec<String>| {
        if !w.is_empty() {
            out.push(std::mem::take(w));
        }
    };
    let flush_digits = |d: &mut String, out: &mut Vec<String>| {
        if !d.is_empty() {
            let trimmed = d.trim_start_matches('0');
            out.push(format!(
                "#{}",
                if trimmed.is_empty() { "0" } else { trimmed }
            ));
            d.clear();
        }
    };
    for c in text.chars() {
        if let Some(d) = digit(c) {
            flush_word(&mut word, &mut out);
            digits.push(d);
        } else if crate::text::is_cjk(c) && c.is_alphabetic() {
            flush_digits(&mut digits, &mut out);
            flush_word(&mut word, &mut out);
            out.push(c.to_string());
        } else if c.is_alphabetic() || (c.is_alphanumeric() && !c.is_numeric()) {
            flush_digits(&mut digits, &mut out);
            word.extend(c.to_lowercase());
        } else if is_word_joiner(c) && !word.is_empty() {
            // Combining marks, Arabic harakat: part of the word, not a break.
        } else {
            flush_digits(&mut digits, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_digits(&mut digits, &mut out);
    flush_word(&mut word, &mut out);
    out
}

fn is_word_joiner(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x064B..=0x065F | 0x0670 | 0x0640)
}

fn digit(c: char) -> Option<char> {
    let zero = match c {
        '0'..='9' => '0',
        '０'..='９' => '０',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        _ => return None,
    };
    char::from_digit(c as u32 - zero as u32, 10)
}

/// A Latin or Cyrillic letter without its diacritics (enough for cognates).
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ş' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ť' => 't',
        'ď' => 'd',
        'ё' => 'е',
        'й' => 'и',
        _ => c,
    }
}

/// The script family of a text, for deciding whether cognates can be compared.
fn script(texts: &[&str]) -> Option<u8> {
    let mut counts = [0usize; 3];
    for t in texts.iter().take(200) {
        for c in t.chars().filter(|c| c.is_alphabetic()) {
            match c as u32 {
                0x41..=0x24F => counts[0] += 1,
                0x400..=0x4FF => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
    }
    let total: usize = counts.iter().sum();
    (0..2)
        .find(|&i| total > 0 && counts[i] * 10 >= total * 9)
        .map(|i| i as u8)
}

fn hash(prefix: u8, s: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&[prefix]);
    h.update(s.as_bytes());
    h.digest()
}

/// A segment as the lexical model sees it: how many words it has and the concepts among
/// them (sorted, with how many words carry each).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bag {
    pub words: u32,
    pub concepts: Vec<(u64, u32)>,
}

/// What one language pair's documents share: the concepts their words map to.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    cognates: bool,
    /// Target word → the concept of the pivot word it translates.
    dictionary: HashMap<String, u64>,
    /// Concepts that count: in both documents, in few segments of each.
    keep: HashSet<u64>,
}

impl Lexicon {
    /// The concept of a pivot word.
    fn source_concept(&self, word: &str) -> u64 {
        if let Some(d) = word.strip_prefix('#') {
            return hash(b'n', d);
        }
        if self.cognates && word.chars().count() >= 4 {
            let prefix: String = word.chars().take(4).map(fold).collect();
            return hash(b'c', &prefix);
        }
        hash(b'w', word)
    }

    /// The concept of a word of the other language.
    fn target_concept(&self, word: &str) -> u64 {
        match self.dictionary.get(word) {
            Some(&c) => c,
            None => self.source_concept(word),
        }
    }

    /// Learns what the documents share: `source` and `target` are each language's segments,
    /// `pairs` the indices of segments a first pass paired confidently.
    pub fn learn(source: &[&str], target: &[&str], pairs: &[(usize, usize)]) -> Self {
        let bare = Lexicon::bare(source, target);
        let mut vocabulary = Vocabulary::default();
        let source = vocabulary.segments(source.iter().copied());
        let target = vocabulary.segments(target.iter().copied());
        let dictionary = bootstrap(&bare, &vocabulary, &source, &target, pairs);
        bare.with_dictionary(dictionary, &vocabulary, &source, &target)
    }

    /// A lexicon for the documents `source` and `target` whose dictionary is learnt from
    /// translations already in memory (`memory`: pivot text, other text), not from the
    /// documents' pairing: evidence that can judge that pairing.
    pub fn from_memory(source: &[&str], target: &[&str], memory: &[(&str, &str)]) -> Self {
        let bare = Lexicon::bare(source, target);
        let mut vocabulary = Vocabulary::default();
        let memory_source = vocabulary.segments(memory.iter().map(|(s, _)| *s));
        let memory_target = vocabulary.segments(memory.iter().map(|(_, t)| *t));
        let pairs: Vec<(usize, usize)> = (0..memory.len()).map(|i| (i, i)).collect();
        let dictionary = bootstrap(&bare, &vocabulary, &memory_source, &memory_target, &pairs);
        let source = vocabulary.segments(source.iter().copied());
        let target = vocabulary.segments(target.iter().copied());
        bare.with_dictionary(dictionary, &vocabulary, &source, &target)
    }

    /// Numbers, shared words and (within one alphabet) cognates, no dictionary yet.
    fn bare(source: &[&str], target: &[&str]) -> Self {
        Lexicon {
            cognates: matches!((script(source), script(target)), (Some(a), Some(b)) if a == b),
            dictionary: HashMap::new(),
            keep: HashSet::new(),
        }
    }

    /// This lexicon with `dictionary`, counting the concepts found in both documents (their
    /// words `source` and `target`) and in few segments of each.
    fn with_dictionary(
        mut self,
        dictionary: HashMap<String, u64>,
        vocabulary: &Vocabulary,
        source: &[Vec<u32>],
        target: &[Vec<u32>],
    ) -> Self {
        self.dictionary = dictionary;
        let frequent = |n: usize| (n / 4).max(3);
        let df = |segments: &[Vec<u32>], concepts: &[u64]| {
            let mut out: FxHashMap<u64, usize> = FxHashMap::default();
            let mut distinct: Vec<u64> = Vec::new();
            for s in segments {
                distinct.clear();
                distinct.extend(s.iter().map(|&w| concepts[w as usize]));
                distinct.sort_unstable();
                distinct.dedup();
                for &c in &distinct {
                    *out.entry(c).or_default() += 1;
                }
            }
            out
        };
        let ds = df(source, &vocabulary.concepts(|w| self.source_concept(w)));
        let dt = df(target, &vocabulary.concepts(|w| self.target_concept(w)));
        let (ls, lt) = (frequent(source.len()), frequent(target.len()));
        self.keep = ds
            .iter()
            .filter(|&(c, &n)| n <= ls && dt.get(c).is_some_and(|&m| m <= lt))
            .map(|(c, _)| *c)
            .collect();
        self
    }

    /// The same lexicon without its bootstrapped dictionary: numbers, shared words and
    /// cognates only, evidence that does not come from the pairing it is used to judge.
    pub fn without_dictionary(&self) -> Self {
        Lexicon {
            dictionary: HashMap::new(),
            ..self.clone()
        }
    }

    /// Whether both documents are written in one alphabet, so that cognates count.
    pub fn cognates(&self) -> bool {
        self.cognates
    }

    /// How many dictionary entries were bootstrapped.
    pub fn dictionary_len(&self) -> usize {
        self.dictionary.len()
    }

    /// How many words of the pivot segments `source` the dictionary has a translation for:
    /// what a translation of them could show explained through it.
    pub fn reach(&self, source: &[&str]) -> u32 {
        let known: HashSet<u64> = self.dictionary.values().copied().collect();
        let n = source
            .iter()
            .flat_map(|s| words(s))
            .filter(|w| known.contains(&self.source_concept(w)))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The bag of a pivot segment.
    pub fn source_bag(&self, text: &str) -> Bag {
        self.bag(text, |w| self.source_concept(w))
    }

    /// The bag of a segment of the other language.
    pub fn target_bag(&self, text: &str) -> Bag {
        self.bag(text, |w| self.target_concept(w))
    }

    fn bag(&self, text: &str, concept: impl Fn(&str) -> u64) -> Bag {
        let words = words(text);
        let concepts: Vec<u64> = words
            .iter()
            .map(|w| concept(w))
            .filter(|c| self.keep.contains(c))
            .collect();
        Bag::of(words.len() as u32, concepts)
    }
}

/// The distinct words of the segments a lexicon is learnt from, each stored once: segments
/// are kept as word numbers, and a word's concept is found once, not once per occurrence.
#[derive(Default)]
struct Vocabulary {
    ids: FxHashMap<String, u32>,
    words: Vec<String>,
}

impl Vocabulary {
    /// The words of each of `texts`, as numbers.
    fn segments<'t>(&mut self, texts: impl Iterator<Item = &'t str>) -> Vec<Vec<u32>> {
        texts
            .map(|text| {
                words(text)
                    .into_iter()
                    .map(|w| match self.ids.get(&w) {
                        Some(&id) => id,
                        None => {
                            let id = self.words.len() as u32;
                            self.words.push(w.clone());
                            self.ids.insert(w, id);
                            id
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// Each word's concept, by number.
    fn concepts(&self, concept: impl Fn(&str) -> u64) -> Vec<u64> {
        self.words.iter().map(|w| concept(w)).collect()
    }
}

/// Target word → source concept, from co-occurrence in the paired segments.
fn bootstrap(
    lexicon: &Lexicon,
    vocabulary: &Vocabulary,
    source: &[Vec<u32>],
    target: &[Vec<u32>],
    pairs: &[(usize, usize)],
) -> HashMap<String, u64> {
    if pairs.len() < 2 {
        return HashMap::new();
    }
    // At most this many pairs: enough for the dictionary, and the count stays linear.
    let pairs = &pairs[..pairs.len().min(4000)];
    let most = (pairs.len() / 2).max(2) as u32;
    let concept = vocabulary.concepts(|w| lexicon.source_concept(w));
    let mut ids: FxHashMap<u32, u32> = FxHashMap::default();
    let per_pair: Vec<(Vec<u64>, Vec<u32>)> = pairs
        .iter()
        .map(|&(i, j)| {
            let mut s: Vec<u64> = source[i].iter().map(|&w| concept[w as usize]).collect();
            s.sort_unstable();
            s.dedup();
            // Numbered in order of first appearance here, which decides the first words
            // of a long segment.
            let mut t: Vec<u32> = target[j]
                .iter()
                .filter(|&&w| !vocabulary.words[w as usize].starts_with('#'))
                .map(|&w| {
                    let next = ids.len() as u32;
                    *ids.entry(w).or_insert(next)
                })
                .collect();
            t.sort_unstable();
            t.dedup();
            (s, t)
        })
        .collect();
    let mut cs: FxHashMap<u64, u32> = FxHashMap::default();
    let mut ct: FxHashMap<u32, u32> = FxHashMap::default();
    for (s, t) in &per_pair {
        for x in s {
            *cs.entry(*x).or_default() += 1;
        }
        for y in t {
            *ct.entry(*y).or_default() += 1;
        }
    }
    let useful_s = |x: &u64| {
        cs.get(x)
            .is_some_and(|&n| (MIN_COOCCURRENCE..=most).contains(&n))
    };
    let useful_t = |y: &u32| {
        ct.get(y)
            .is_some_and(|&n| (MIN_COOCCURRENCE..=most).contains(&n))
    };
    // Long segments (lists of names) would make the count quadratic: their first words
    // are enough. Source concepts get dense numbers, so that a target word's partners are
    // counted in an array: tens of millions of increments on long documents, with memory
    // for one word's partners at a time rather than for every pair of words.
    let mut dense: FxHashMap<u64, u32> = FxHashMap::default();
    let mut concepts: Vec<u64> = Vec::new();
    let mut postings: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let heads: Vec<Vec<u32>> = per_pair
        .iter()
        .enumerate()
        .map(|(p, (s, t))| {
            for y in t.iter().filter(|y| useful_t(y)).take(80) {
                postings.entry(*y).or_default().push(p as u32);
            }
            s.iter()
                .filter(|x| useful_s(x))
                .take(80)
                .map(|&x| {
                    *dense.entry(x).or_insert_with(|| {
                        concepts.push(x);
                        concepts.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    // Best partner per target word; a tie leaves the word out (the data cannot say which).
    let mut best: FxHashMap<u32, (f64, u64, bool)> = FxHashMap::default();
    let mut joint = vec![0u32; concepts.len()];
    let mut touched: Vec<u32> = Vec::new();
    for (&y, pairs) in &postings {
        for &p in pairs {
            for &x in &heads[p as usize] {
                if joint[x as usize] == 0 {
                    touched.push(x);
                }
                joint[x as usize] += 1;
            }
        }
        for x in touched.drain(..) {
            let n = std::mem::take(&mut joint[x as usize]);
            let x = concepts[x as usize];
            if n < MIN_COOCCURRENCE {
                continue;
            }
            let dice = 2.0 * n as f64 / (cs[&x] + ct[&y]) as f64;
            if dice < MIN_DICE {
                continue;
            }
            let entry = best.entry(y).or_insert((0.0, x, false));
            if dice > entry.0 + 1e-9 {
                *entry = (dice, x, false);
            } else if (dice - entry.0).abs() <= 1e-9 && x != entry.1 {
                entry.2 = true;
            }
        }
    }
    let mut words = vec![""; ids.len()];
    for (w, i) in ids {
        words[i as usize] = vocabulary.words[w as usize].as_str();
    }
    best.into_iter()
        .filter(|(_, (_, _, tie))| !tie)
        .map(|(y, (_, x, _))| (words[y as usize], x))
        // A word that is its own counterpart (a name, a cognate) needs no entry.
        .filter(|(w, _)| !cs.contains_key(&lexicon.source_concept(w)))
        .map(|(w, x)| (w.to_string(), x))
        .collect()
}

/// The concepts of up to two bags, in order, with their counts summed.
struct Union<'a> {
    a: &'a [(u64, u32)],
    b: &'a [(u64, u32)],
}

impl Iterator for Union<'_> {
    type Item = (u64, u32);
    fn next(&mut self) -> Option<(u64, u32)> {
        match (self.a.first(), self.b.first()) {
            (None, None) => None,
            (Some(&x), None) => {
                self.a = &self.a[1..];
                Some(x)
            }
            (None, Some(&y)) => {
                self.b = &self.b[1..];
                Some(y)
            }
            (Some(&x), Some(&y)) => {
                if x.0 < y.0 {
                    self.a = &self.a[1..];
                    Some(x)
                } else if y.0 < x.0 {
                    self.b = &self.b[1..];
                    Some(y)
                } else {
                    self.a = &self.a[1..];
                    self.b = &self.b[1..];
                    Some((x.0, x.1 + y.1))
                }
            }
        }
    }
}

fn union<'a>(bags: &[&'a Bag]) -> Union<'a> {
    Union {
        a: bags.first().map_or(&[], |b| &b.concepts),
        b: bags.get(1).map_or(&[], |b| &b.concepts),
    }
}

impl Bag {
    /// The bag of a segment of `words` words whose concepts are `concepts`, in any order.
    pub fn of(words: u32, mut concepts: Vec<u64>) -> Bag {
        concepts.sort_unstable();
        let mut out: Vec<(u64, u32)> = Vec::new();
        for c in concepts {
            match out.last_mut() {
                Some((last, n)) if *last == c => *n += 1,
                _ => out.push((c, 1)),
            }
        }
        Bag {
            words,
            concepts: out,
        }
    }

    /// The bag of two segments taken as one.
    pub fn joined(&self, next: &Bag) -> Bag {
        Bag {
            words: self.words + next.words,
            concepts: union(&[self, next]).collect(),
        }
    }
}

/// Words of one side of a bead explained by the other (each side up to two bags): per
/// concept, as many words as the side with fewer of them has, so that a name repeated in
/// neighbouring segments is not counted twice when they are merged.
pub fn explained(bag: &[&Bag], other: &[&Bag]) -> u32 {
    if let ([a], [b]) = (bag, other) {
        return shared(&a.concepts, &b.concepts);
    }
    let (mut a, mut b) = (union(bag).peekable(), union(other).peekable());
    let mut n = 0;
    while let (Some(&x), Some(&y)) = (a.peek(), b.peek()) {
        match x.0.cmp(&y.0) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => {
                n += x.1.min(y.1);
                a.next();
                b.next();
            }
        }
    }
    n
}

/// [`explained`] for one bag on each side, the case of nearly every call: a merge without
/// branches on the comparisons, which on hashed concepts go either way at random.
fn shared(a: &[(u64, u32)], b: &[(u64, u32)]) -> u32 {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += if x.0 == y.0 { x.1.min(y.1) } else { 0 };
        i += usize::from(x.0 <= y.0);
        j += usize::from(y.0 <= x.0);
    }
    n
}

/// The most a bead's words can lower (or raise, at half that) its cost, in nats: about what
/// a merge costs more than a 1-1 bead, so that words decide between explanations that
/// lengths find equally likely but do not override lengths that disagree wildly.
pub const LEXICAL_WEIGHT: f64 = 8.0;

/// Pivot words a dictionary from the memory must have translations for before its evidence
/// counts ([`Weights::related_by_memory`]).
pub const MIN_REACH: u32 = 15;

/// Pseudo-count of words at the unrelated share that every segment's share is shrunk
/// towards, so that a segment of three words says little either way.
const SHRINK: f64 = 4.0;

/// Words a paragraph needs for its score alone to cap its side of a bead
/// ([`Weights::by_paragraph`]). With 12 the 20-character Chinese note of the
/// damaged-catalogue benchmark stands alone; with 20 it is glued again
/// (benches/ALIGNMENT.md).
const RELIABLE_WORDS: u32 = 12;

/// What explained and unexplained words say, for each side of a language pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Share of words explained in paired segments (`e₁`) and in unrelated ones (`e₀`):
    /// pivot side, other side.
    pub paired: (f64, f64),
    pub unrelated: (f64, f64),
    /// Words the estimate rests on (pivot and other side, in paired segments).
    pub evidence: u32,
    /// Of the paired segments with at least one unrelated comparison, how many explain
    /// more of each other's words than the segment does with any of those: `(wins, pairs)`.
    /// A translation wins nearly everywhere; a text that only shares a frame (the same
    /// series' message of another year) wins at its frame.
    pub wins: (u32, u32),
    /// Words explained in paired segments, both sides.
    pub explained: u32,
    /// Segments of at least this many words cap their side's score ([`Self::cost`]);
    /// `None` (sentences): the mean alone.
    pub reliable: Option<u32>,
}

impl Weights {
    /// `e₁` from `pairs` (indices of segments a first pass paired), `e₀` from each paired
    /// source segment against the target segments 2 and 3 positions before and after.
    pub fn estimate(source: &[Bag], target: &[Bag], pairs: &[(usize, usize)]) -> Self {
        let mut paired = [(0u64, 0u64); 2];
        let mut unrelated = [(0u64, 0u64); 2];
        let add = |acc: &mut [(u64, u64); 2], i: usize, j: usize| {
            let (s, t) = (&source[i], &target[j]);
            acc[0].0 += u64::from(explained(&[s], &[t]));
            acc[0].1 += u64::from(s.words);
            acc[1].0 += u64::from(explained(&[t], &[s]));
            acc[1].1 += u64::from(t.words);
        };
        let mut wins = (0u32, 0u32);
        let overlap = |i: usize, j: usize| {
            let (s, t) = (&source[i], &target[j]);
            f64::from(explained(&[s], &[t])) / f64::from((s.words + t.words).max(1))
        };
        for &(i, j) in pairs {
            add(&mut paired, i, j);
            let own = overlap(i, j);
            let mut best_other: Option<f64> = None;
            for k in [-3isize, -2, 2, 3] {
                let jj = j as isize + k;
                if jj >= 0 && (jj as usize) < target.len() {
                    add(&mut unrelated, i, jj as usize);
                    let o = overlap(i, jj as usize);
                    best_other = Some(best_other.map_or(o, |b: f64| b.max(o)));
                }
            }
            if let Some(b) = best_other {
                wins.1 += 1;
                wins.0 += u32::from(own > b);
            }
        }
        let share = |(hit, all): (u64, u64)| hit as f64 / all.max(1) as f64;
        Weights {
            paired: (share(paired[0]), share(paired[1])),
            unrelated: (share(unrelated[0]), share(unrelated[1])),
            evidence: (paired[0].1 + paired[1].1).min(u64::from(u32::MAX)) as u32,
            wins,
            explained: (paired[0].0 + paired[1].0).min(u64::from(u32::MAX)) as u32,
            reliable: None,
        }
    }

    /// These weights for aligning paragraphs, where a segment is long enough to be judged
    /// alone: an inserted paragraph glued to its neighbour is damage, and its low score
    /// caps its bead's. Sentences are not: a translator joins a short clause to the next
    /// sentence, and one short sentence's score is noise (end to end on the OmegaT gold the
    /// cap lowered sentence F1 by 0.003, benches/ALIGNMENT.md).
    pub fn by_paragraph(self) -> Self {
        Weights {
            reliable: Some(RELIABLE_WORDS),
            ..self
        }
    }

    /// Whether paired segments explain clearly more of each other's words than unrelated
    /// ones, as translations do and unrelated texts (or the same series' message of another
    /// year, which shares only its frame) do not. Between documents in one alphabet
    /// (`cognates`), a translation explains at least 8% of its words by numbers, shared
    /// names and cognates alone, four times what unrelated paragraphs show, and wins over
    /// its neighbours in two pairs out of three. Across alphabets only numbers and names
    /// are independent evidence: with fewer than 15 of them explained the answer is `None`
    /// (too little to say), otherwise four times the unrelated share and a third of the
    /// pairs won.
    pub fn related(&self, cognates: bool) -> Option<bool> {
        let hit = (self.paired.0 + self.paired.1) / 2.0;
        let chance = (self.unrelated.0 + self.unrelated.1) / 2.0;
        let (won, pairs) = self.wins;
        if self.evidence < 80 || pairs < 3 {
            return None;
        }
        let ratio = hit >= 4.0 * chance + 0.005;
        if cognates {
            return Some(hit >= 0.08 && ratio && 3 * won >= 2 * pairs);
        }
        if self.explained < 15 {
            return None;
        }
        Some(ratio && 3 * won >= pairs)
    }

    /// [`Self::related`] for weights measured through a dictionary learnt from the memory
    /// ([`Lexicon::from_memory`]) that has a translation for `reach` of the pivot's words.
    /// Such a dictionary is independent of the pairing, so across alphabets too a
    /// translation explains at least 3% of its words, three times what unrelated paragraphs
    /// show, and wins over its neighbours in two pairs out of three (with the 2012 memory,
    /// translations of the 2012 and 2013 messages: 5.4–21%, 4.1–23 times, 6 of 7 or better;
    /// the same series' message of another year in Russian, Chinese or Arabic: 0.4–1.8%, 3
    /// of 7 at most). `None` when the memory knows fewer than [`MIN_REACH`] of the pivot's
    /// words.
    pub fn related_by_memory(&self, reach: u32) -> Option<bool> {
        let hit = (self.paired.0 + self.paired.1) / 2.0;
        let chance = (self.unrelated.0 + self.unrelated.1) / 2.0;
        let (won, pairs) = self.wins;
        if reach < MIN_REACH || self.evidence < 80 || pairs < 3 {
            return None;
        }
        Some(hit >= 0.03 && hit >= 3.0 * chance + 0.005 && 3 * won >= 2 * pairs)
    }

    /// Whether either side's words carry evidence (explained clearly more often in paired
    /// segments than in unrelated ones).
    pub fn informative(&self) -> bool {
        self.paired.0 > 1.5 * self.unrelated.0 + 0.01
            || self.paired.1 > 1.5 * self.unrelated.1 + 0.01
    }

    /// Where a segment's share of explained words lies between unrelated (0) and paired (1)
    /// text, shrunk towards 0 for short segments and kept within −0.5 and 1.5.
    fn score(e1: f64, e0: f64, (words, explained): (u32, u32)) -> f64 {
        if e1 <= e0 + 0.01 {
            return 0.0;
        }
        let share = (f64::from(explained) + SHRINK * e0) / (f64::from(words) + SHRINK);
        ((share - e0) / (e1 - e0)).clamp(-0.5, 1.5)
    }

    /// The lexical cost of a bead from each segment's `(words, explained)`, pivot side and
    /// other side: `−K · (side score of the pivot + side score of the other) / 2`, where a
    /// segment's score says how far its share of words explained by the other side lies
    /// from unrelated text's (0) towards paired text's (1). A side's score is the mean of
    /// its segments', capped, when [`Self::reliable`] says so, by the weakest segment of at
    /// least that many words: a segment with no counterpart in a merge (an inserted note
    /// glued to a paragraph) scores about 0 and pulls the mean down, or, when it is long
    /// enough to judge alone, takes its bead's reward away. Beads with an empty side have
    /// no lexical cost.
    pub fn cost(&self, source: &[(u32, u32)], target: &[(u32, u32)]) -> f64 {
        if source.is_empty() || target.is_empty() {
            return 0.0;
        }
        let side = |segments: &[(u32, u32)], e1: f64, e0: f64| {
            let scores = segments.iter().map(|&s| (s.0, Self::score(e1, e0, s)));
            let mean = scores.clone().map(|(_, g)| g).sum::<f64>() / segments.len() as f64;
            scores
                .filter(|&(words, _)| self.reliable.is_some_and(|r| words >= r))
                .fold(mean, |side, (_, g)| side.min(g))
        };
        let s = side(source, self.paired.0, self.unrelated.0);
        let t = side(target, self.paired.1, self.unrelated.1);
        -LEXICAL_WEIGHT * (s + t) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_numbers_cjk_and_fold_case() {
        assert_eq!(
            words("Résolution 55/100, ２０１２年 UNESCO 文件名"),
            [
                "résolution",
                "#55",
                "#100",
                "#2012",
                "年",
                "unesco",
                "文",
                "文件",
                "件名"
            ]
        );
        assert_eq!(words("٥٥/١٠٠"), ["#55", "#100"]);
    }

    #[test]
    fn cognates_and_the_bootstrapped_dictionary_explain_words() {
        let en = [
            "The development of partnerships.",
            "Cooperation between the States.",
            "The General Assembly calls upon the States.",
            "Recalling partnerships and development.",
            "Nothing else here at all.",
        ];
        let fr = [
            "Le développement des partenariats.",
            "La coopération entre les États.",
            "L'Assemblée générale engage les États.",
            "Rappelant les partenariats et le développement.",
            "Rien d'autre ici du tout.",
        ];
        let pairs: Vec<(usize, usize)> = (0..5).map(|i| (i, i)).collect();
        let lexicon = Lexicon::learn(&en, &fr, &pairs);
        assert!(lexicon.cognates);
        // `états` is no cognate of `states`: the dictionary learnt it from pairs 2 and 3.
        assert!(
            lexicon.dictionary.contains_key("états"),
            "{:?}",
            lexicon.dictionary
        );
        let (s, t) = (lexicon.source_bag(en[0]), lexicon.target_bag(fr[0]));
        assert_eq!(explained(&[&s], &[&t]), 2);
        let other = lexicon.target_bag(fr[1]);
        assert_eq!(explained(&[&s], &[&other]), 0);
    }

    #[test]
    fn a_dictionary_from_the_memory_judges_documents_it_was_not_learnt_from() {
        let memory = [
            (
                "Peace and security in Africa.",
                "Мир и безопасность в Африке.",
            ),
            (
                "Security of the water supply.",
                "Безопасность водоснабжения.",
            ),
            ("Peace for the children.", "Мир для детей."),
            ("The harvest was good.", "Урожай был хорошим."),
            ("Schools reopened.", "Школы вновь открылись."),
        ];
        let en = ["Peace returns to the region.", "Security is a concern."];
        let ru = [
            "Мир возвращается в регион.",
            "Безопасность вызывает тревогу.",
        ];
        let lexicon = Lexicon::from_memory(&en, &ru, &memory);
        // `мир` and `безопасность` were learnt from the memory's pairs, not the documents'.
        assert!(
            lexicon.dictionary.contains_key("мир"),
            "{:?}",
            lexicon.dictionary
        );
        assert!(lexicon.dictionary.contains_key("безопасность"));
        assert_eq!(lexicon.reach(&en), 2);
        let (s, t) = (lexicon.source_bag(en[0]), lexicon.target_bag(ru[0]));
        assert_eq!(explained(&[&s], &[&t]), 1);
        assert_eq!(explained(&[&s], &[&lexicon.target_bag(ru[1])]), 0);
        let translation = Weights {
            paired: (0.06, 0.06),
            unrelated: (0.01, 0.01),
            evidence: 500,
            wins: (7, 7),
            explained: 40,
            reliable: None,
        };
        assert_eq!(translation.related_by_memory(MIN_REACH), Some(true));
        assert_eq!(translation.related_by_memory(MIN_REACH - 1), None);
        // Another year's message: the frame explained here and there, the pairs no better
        // than their neighbours.
        let another_year = Weights {
            paired: (0.018, 0.018),
            unrelated: (0.006, 0.006),
            wins: (3, 7),
            explained: 10,
            ..translation
        };
        assert_eq!(another_year.related_by_memory(24), Some(false));
    }

    #[test]
    fn weights_reward_explained_words_and_charge_for_the_rest() {
        let w = Weights {
            paired: (0.3, 0.3),
            unrelated: (0.03, 0.03),
            evidence: 1000,
            wins: (10, 10),
            explained: 300,
            reliable: None,
        };
        assert_eq!(w.related(true), Some(true));
        assert_eq!(w.related(false), Some(true));
        let good = w.cost(&[(20, 6)], &[(20, 6)]);
        assert!(
            good < -0.7 * LEXICAL_WEIGHT && good > -LEXICAL_WEIGHT,
            "{good}"
        );
        assert!(w.cost(&[(20, 0)], &[(20, 0)]) > 0.0);
        assert_eq!(w.cost(&[], &[(10, 0)]), 0.0);
        // A note without counterpart glued to a paragraph halves the paragraph's score.
        let glued = w.cost(&[(20, 6)], &[(20, 6), (12, 0)]);
        assert!(glued > good + 1.0, "{glued} {good}");
        // Judged by paragraph, a note long enough to judge alone takes the reward away.
        let paragraphs = w.by_paragraph();
        assert_eq!(paragraphs.cost(&[(20, 6)], &[(20, 6)]), good);
        let capped = paragraphs.cost(&[(20, 6)], &[(20, 6), (12, 0)]);
        assert!(capped > glued + 1.0, "{capped} {glued}");
        assert_eq!(
            paragraphs.cost(&[(20, 6)], &[(20, 6), (5, 0)]),
            w.cost(&[(20, 6)], &[(20, 6), (5, 0)])
        );
        let flat = Weights {
            paired: (0.05, 0.05),
            unrelated: (0.05, 0.05),
            evidence: 1000,
            wins: (2, 10),
            explained: 50,
            reliable: None,
        };
        assert_eq!(flat.related(true), Some(false));
        assert!(!flat.informative());
        assert_eq!(flat.cost(&[(10, 0)], &[(10, 0)]), 0.0);
    }
}
