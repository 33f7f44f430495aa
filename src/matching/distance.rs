//! Edit distance over token ids: Myers' bit-parallel algorithm (one 64-bit word per block of
//! the pattern, Hyyrö's multi-block form for longer ones), block moves on top of it, and a
//! plain dynamic-programming alignment for the few matches that are shown with a diff.
//!
//! The match distance allows block moves: a run of at least [`MIN_BLOCK`] tokens that both
//! texts hold, in another place, moves for one edit. It is the smaller of the Levenshtein
//! distance and `moves + lev(new, stored with the blocks moved)`, where the blocks are found
//! greedily ([`with_moves`]). Moves only rearrange the stored tokens, so every unmatched
//! token still costs an edit: the distance is never below `max(len) − shared tokens`, the
//! bound the index's count filter uses.

use super::index::IdMap;

/// The shortest run of tokens that moves as one edit: a single shared word costs a deletion
/// and an insertion, as in the Levenshtein distance.
pub const MIN_BLOCK: usize = 2;

/// Texts longer than this (content tokens) are compared without block moves: finding the
/// blocks is quadratic in the length per block.
pub const MAX_MOVE_TOKENS: usize = 200;

/// A query prepared for many distance computations: the bit masks of where each token occurs.
#[derive(Debug, Clone)]
pub struct Pattern {
    len: usize,
    blocks: usize,
    peq: IdMap<u64, Vec<u64>>,
    ids: Vec<u64>,
    /// The query's adjacent pairs, to rule block moves out quickly.
    pairs: IdMap<(u64, u64), ()>,
}

impl Pattern {
    /// Prepares `ids` (the query's content token ids).
    pub fn new(ids: &[u64]) -> Self {
        let blocks = ids.len().div_ceil(64).max(1);
        let mut peq: IdMap<u64, Vec<u64>> = IdMap::default();
        for (i, &id) in ids.iter().enumerate() {
            peq.entry(id).or_insert_with(|| vec![0; blocks])[i / 64] |= 1u64 << (i % 64);
        }
        let pairs = if ids.len() <= MAX_MOVE_TOKENS {
            ids.windows(2).map(|w| ((w[0], w[1]), ())).collect()
        } else {
            IdMap::default()
        };
        Pattern {
            len: ids.len(),
            blocks,
            peq,
            ids: ids.to_vec(),
            pairs,
        }
    }

    /// The number of tokens in the pattern.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty pattern.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The match distance between the pattern and `text`: the Levenshtein distance, lowered
    /// by block moves where they help (see the module docs).
    pub fn distance(&self, text: &[u64]) -> usize {
        let lev = self.levenshtein(text);
        // A move costs an edit and saves at most the edits above the count bound.
        if lev < 2 || self.len.max(text.len()) > MAX_MOVE_TOKENS {
            return lev;
        }
        if !text
            .windows(2)
            .any(|w| self.pairs.contains_key(&(w[0], w[1])))
        {
            return lev;
        }
        moves_for(&self.ids, text, lev, |b| self.levenshtein(b)).map_or(lev, |m| m.distance)
    }

    /// The Levenshtein distance between the pattern and `text`.
    pub fn levenshtein(&self, text: &[u64]) -> usize {
        let m = self.len;
        if m == 0 {
            return text.len();
        }
        if text.is_empty() {
            return m;
        }
        if self.blocks == 1 {
            self.distance_one_block(text)
        } else {
            self.distance_blocks(text)
        }
    }

    fn distance_one_block(&self, text: &[u64]) -> usize {
        let m = self.len;
        let mut pv: u64 = if m == 64 { !0 } else { (1u64 << m) - 1 };
        let mut mv: u64 = 0;
        let mut score = m;
        let high = 1u64 << (m - 1);
        for id in text {
            let eq = self.peq.get(id).map_or(0, |v| v[0]);
            let xv = eq | mv;
            let xh = (((eq & pv).wrapping_add(pv)) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & high != 0 {
                score += 1;
            } else if mh & high != 0 {
                score -= 1;
            }
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
        }
        score
    }

    /// Hyyrö's block-based extension, all blocks computed for every text token.
    fn distance_blocks(&self, text: &[u64]) -> usize {
        let m = self.len;
        let b = self.blocks;
        let mut pv = vec![!0u64; b];
        let mut mv = vec![0u64; b];
        let last_bits = m - (b - 1) * 64;
        let high = 1u64 << (last_bits - 1);
        let mut score = m;
        let zero = vec![0u64; b];
        for id in text {
            let eqs = self.peq.get(id).unwrap_or(&zero);
            // Horizontal carries into block 0: the top row grows by one per text token.
            let mut hp_in: u64 = 1;
            let mut hm_in: u64 = 0;
            for k in 0..b {
                let eq = eqs[k];
                let (p, mm) = (pv[k], mv[k]);
                let xv = eq | mm;
                let eq2 = eq | hm_in;
                let xh = (((eq2 & p).wrapping_add(p)) ^ p) | eq2;
                let mut ph = mm | !(xh | p);
                let mut mh = p & xh;
                let top = if k == b - 1 { high } else { 1u64 << 63 };
                let hp_out = u64::from(ph & top != 0);
                let hm_out = u64::from(mh & top != 0);
                if k == b - 1 {
                    if hp_out == 1 {
                        score += 1;
                    } else if hm_out == 1 {
                        score -= 1;
                    }
                }
                ph = (ph << 1) | hp_in;
                mh = (mh << 1) | hm_in;
                pv[k] = mh | !(xv | ph);
                mv[k] = ph & xv;
                hp_in = hp_out;
                hm_in = hm_out;
            }
        }
        score
    }
}

/// Block moves that bring `b` (the stored text) closer to `a` (the new one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moves {
    /// Moves plus the Levenshtein distance after them.
    pub distance: usize,
    /// `b`'s positions in their new order.
    pub order: Vec<usize>,
    /// The length of each moved block, in `a`'s order.
    pub blocks: Vec<usize>,
}

/// How many tokens `a` and `b` share, counted with repeats.
pub fn shared(a: &[u64], b: &[u64]) -> usize {
    let mut left: IdMap<u64, u32> = IdMap::default();
    for id in a {
        *left.entry(*id).or_default() += 1;
    }
    let mut n = 0;
    for id in b {
        if let Some(c) = left.get_mut(id)
            && *c > 0
        {
            *c -= 1;
            n += 1;
        }
    }
    n
}

/// [`with_moves`] where moves can help: texts of [`MAX_MOVE_TOKENS`] at most whose
/// Levenshtein distance `lev` is two edits above the count bound `max(len) − shared` (a
/// move costs one edit and cannot go below that bound).
pub fn moves_for(
    a: &[u64],
    b: &[u64],
    lev: usize,
    lev_to_a: impl Fn(&[u64]) -> usize,
) -> Option<Moves> {
    let max = a.len().max(b.len());
    if lev < 2 || max > MAX_MOVE_TOKENS || lev < max - shared(a, b) + 2 {
        return None;
    }
    with_moves(a, b, lev, lev_to_a)
}

/// A run of tokens both texts hold: start in `a`, start in `b`, length.
type Tile = (usize, usize, usize);

/// Block moves that lower the distance between `a` and `b` below `lev` (their Levenshtein
/// distance, which `lev_to_a` computes for any rearrangement of `b`), or None.
///
/// Greedy: the runs both texts share are taken longest first (greedy string tiling, runs of
/// at least [`MIN_BLOCK`]); the longest chain of runs in the same order in both stays put,
/// and every other run moves next to the run it follows in `a`. Then each run that stays is
/// moved when that lowers the distance, and each move undone when that does not raise it. The result is an upper bound of the best
/// distance with moves, and never below `max(len) − shared`.
pub fn with_moves(
    a: &[u64],
    b: &[u64],
    lev: usize,
    lev_to_a: impl Fn(&[u64]) -> usize,
) -> Option<Moves> {
    let tiles = tiling(a, b);
    if tiles.len() < 2 {
        return None;
    }
    // The longest chain (in tokens) of tiles increasing in both texts stays.
    let k = tiles.len();
    let mut best = vec![0usize; k];
    let mut prev = vec![usize::MAX; k];
    for i in 0..k {
        best[i] = tiles[i].2;
        for j in 0..i {
            if tiles[j].1 < tiles[i].1 && best[j] + tiles[i].2 > best[i] {
                best[i] = best[j] + tiles[i].2;
                prev[i] = j;
            }
        }
    }
    let mut moved = vec![true; k];
    let mut at = (0..k).max_by_key(|&i| (best[i], usize::MAX - i))?;
    loop {
        moved[at] = false;
        if prev[at] == usize::MAX {
            break;
        }
        at = prev[at];
    }
    // Each moved run goes after the run before it in `a`, or before the one after it:
    // whichever is closer.
    let cost = |moved: &[bool]| -> (usize, Vec<usize>) {
        let n = moved.iter().filter(|&&m| m).count();
        [false, true]
            .into_iter()
            .map(|before_next| {
                let order = arrange(b.len(), &tiles, moved, before_next);
                let ids: Vec<u64> = order.iter().map(|&j| b[j]).collect();
                (n + lev_to_a(&ids), order)
            })
            .min_by_key(|c| c.0)
            .unwrap_or((usize::MAX, Vec::new()))
    };
    let (mut distance, mut order) = cost(&moved);
    // Moving a run that the chain kept can still help (the chain left single tokens out of
    // place); undoing a move can too. Keep each change that lowers the distance (undoing:
    // that does not raise it).
    for undo in [false, true] {
        for i in 0..k {
            if moved[i] != undo {
                continue;
            }
            moved[i] = !undo;
            let (d, o) = cost(&moved);
            if d < distance || (undo && d == distance) {
                distance = d;
                order = o;
            } else {
                moved[i] = undo;
            }
        }
    }
    (distance < lev).then(|| Moves {
        distance,
        order,
        blocks: tiles
            .iter()
            .zip(&moved)
            .filter(|(_, m)| **m)
            .map(|(t, _)| t.2)
            .collect(),
    })
}

/// Greedy string tiling: the longest run of unmarked tokens common to `a` and `b`, marked,
/// again until none of [`MIN_BLOCK`] is left. Sorted by position in `a`.
fn tiling(a: &[u64], b: &[u64]) -> Vec<Tile> {
    let (n, m) = (a.len(), b.len());
    let mut used_a = vec![false; n];
    let mut used_b = vec![false; m];
    let mut tiles: Vec<Tile> = Vec::new();
    let mut prev = vec![0usize; m + 1];
    let mut cur = vec![0usize; m + 1];
    loop {
        let mut found: Tile = (0, 0, 0);
        prev.iter_mut().for_each(|x| *x = 0);
        for i in 0..n {
            cur[0] = 0;
            for j in 0..m {
                cur[j + 1] = if !used_a[i] && !used_b[j] && a[i] == b[j] {
                    prev[j] + 1
                } else {
                    0
                };
                if cur[j + 1] > found.2 {
                    found = (i + 1 - cur[j + 1], j + 1 - cur[j + 1], cur[j + 1]);
                }
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        if found.2 < MIN_BLOCK {
            break;
        }
        let (i, j, len) = found;
        used_a[i..i + len].iter_mut().for_each(|u| *u = true);
        used_b[j..j + len].iter_mut().for_each(|u| *u = true);
        tiles.push(found);
    }
    tiles.sort_unstable();
    tiles
}

/// `b`'s positions with each moved tile put right after the tile before it in `a`, or with
/// `before_next` right before the tile after it (the first and last tiles take the side
/// they have).
fn arrange(m: usize, tiles: &[Tile], moved: &[bool], before_next: bool) -> Vec<usize> {
    let mut in_moved = vec![false; m];
    for (t, _) in tiles.iter().zip(moved).filter(|(_, mv)| **mv) {
        in_moved[t.1..t.1 + t.2].iter_mut().for_each(|x| *x = true);
    }
    let mut order: Vec<usize> = (0..m).filter(|&j| !in_moved[j]).collect();
    let find = |order: &[usize], j: usize| order.iter().position(|&x| x == j);
    let mut ks: Vec<usize> = (0..tiles.len()).filter(|&k| moved[k]).collect();
    if before_next {
        ks.reverse();
    }
    for k in ks {
        let t = tiles[k];
        let after_prev = |order: &[usize]| {
            k.checked_sub(1)
                .and_then(|p| find(order, tiles[p].1 + tiles[p].2 - 1))
                .map(|p| p + 1)
        };
        let before_succ = |order: &[usize]| tiles.get(k + 1).and_then(|n| find(order, n.1));
        let at = if before_next {
            before_succ(&order).or_else(|| after_prev(&order))
        } else {
            after_prev(&order).or_else(|| before_succ(&order))
        }
        .unwrap_or(0);
        order.splice(at..at, t.1..t.1 + t.2);
    }
    order
}

/// The Levenshtein distance of two sequences (quadratic, for the few matches scored in full).
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (diag + usize::from(x != y))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// One step of an alignment of `a` (the new text) against `b` (the stored text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `a[i]` and `b[j]` have the same key.
    Same(usize, usize),
    /// `a[i]` replaces `b[j]`.
    Replace(usize, usize),
    /// `a[i]` is new.
    Insert(usize),
    /// `b[j]` is gone.
    Delete(usize),
}

/// An optimal alignment of two key sequences (unit costs), for diffs and placeables.
/// Quadratic; meant for the handful of matches shown, capped by the caller's length limit.
pub fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Step> {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j as u32;
    }
    for i in 1..=n {
        d[i * w] = i as u32;
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + u32::from(a[i - 1] != b[j - 1]);
            let del = d[i * w + j - 1] + 1;
            let ins = d[(i - 1) * w + j] + 1;
            d[i * w + j] = sub.min(del).min(ins);
        }
    }
    let mut steps = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let here = d[i * w + j];
        if i > 0 && j > 0 && a[i - 1] == b[j - 1] && here == d[(i - 1) * w + j - 1] {
            steps.push(Step::Same(i - 1, j - 1));
            i -= 1;
            j -= 1;
        } else if i > 0 && j > 0 && here == d[(i - 1) * w + j - 1] + 1 {
            steps.push(Step::Replace(i - 1, j - 1));
            i -= 1;
            j -= 1;
        } else if i > 0 && here == d[(i - 1) * w + j] + 1 {
            steps.push(Step::Insert(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Delete(j - 1));
            j -= 1;
        }
    }
    steps.reverse();
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[u64], b: &[u64]) -> usize {
        strsim::generic_levenshtein(&a.to_vec(), &b.to_vec())
    }

    #[test]
    fn known_distances() {
        let p = Pattern::new(&[1, 2, 3, 4]);
        assert_eq!(p.distance(&[1, 2, 3, 4]), 0);
        assert_eq!(p.distance(&[1, 3, 4]), 1);
        assert_eq!(p.distance(&[9, 9]), 4);
        assert_eq!(p.distance(&[]), 4);
        assert_eq!(Pattern::new(&[]).distance(&[1, 2]), 2);
    }

    #[test]
    fn swapped_clauses_are_one_move() {
        // "A, B" → "B, A" with ten tokens each: one move instead of twenty edits.
        let a: Vec<u64> = (0..20).collect();
        let b: Vec<u64> = (10..20).chain(0..10).collect();
        assert_eq!(Pattern::new(&a).levenshtein(&b), 20);
        assert_eq!(Pattern::new(&a).distance(&b), 1);
        let m = with_moves(&a, &b, 20, |x| levenshtein(&a, x)).unwrap();
        assert_eq!((m.distance, m.blocks.len()), (1, 1));
    }

    #[test]
    fn alignment_cost_equals_distance() {
        let a = [1, 2, 3, 4, 5];
        let b = [1, 3, 4, 6, 5, 7];
        let cost = align(&a, &b)
            .iter()
            .filter(|s| !matches!(s, Step::Same(..)))
            .count();
        assert_eq!(cost, naive(&a, &b));
    }

    proptest::proptest! {
        #[test]
        fn myers_equals_the_textbook_distance(
            a in proptest::collection::vec(0u64..6, 0..150),
            b in proptest::collection::vec(0u64..6, 0..150),
        ) {
            proptest::prop_assert_eq!(Pattern::new(&a).levenshtein(&b), naive(&a, &b));
            proptest::prop_assert_eq!(levenshtein(&a, &b), naive(&a, &b));
        }

        // The index's count filter stays an upper bound of the similarity, moves are never
        // worse than edits, and 0 means the same tokens.
        #[test]
        fn moves_stay_between_the_count_bound_and_levenshtein(
            a in proptest::collection::vec(0u64..8, 0..40),
            b in proptest::collection::vec(0u64..8, 0..40),
        ) {
            let d = Pattern::new(&a).distance(&b);
            let lev = naive(&a, &b);
            proptest::prop_assert!(d <= lev);
            proptest::prop_assert!(d >= a.len().max(b.len()) - shared(&a, &b));
            proptest::prop_assert_eq!(d == 0, a == b);
        }

        // Without anything out of order (only replacements by new tokens), moves change
        // nothing: the distance is the Levenshtein distance.
        #[test]
        fn replacements_alone_score_as_levenshtein(
            a in proptest::collection::vec(0u64..20, 0..40),
            edits in proptest::collection::vec((0usize..40, 100u64..200), 0..8),
        ) {
            let mut b = a.clone();
            for (at, id) in edits {
                if at < b.len() {
                    b[at] = id;
                }
            }
            proptest::prop_assert_eq!(Pattern::new(&a).distance(&b), naive(&a, &b));
        }

        // Two runs of two tokens or more swapped, anywhere: one edit. Any run moved
        // anywhere: two at most (a single token jumped over is a deletion and an insertion).
        #[test]
        fn swapped_runs_cost_one_edit(
            p in 0usize..6,
            x in 2usize..12,
            y in 2usize..12,
            q in 0usize..6,
            from in 0usize..40,
            size in 2usize..10,
            to in 0usize..40,
        ) {
            let ids = |r: std::ops::Range<usize>| r.map(|i| i as u64).collect::<Vec<u64>>();
            let (pp, xx, yy, qq) = (ids(0..p), ids(p..p + x), ids(p + x..p + x + y), ids(p + x + y..p + x + y + q));
            let a = [pp.clone(), xx.clone(), yy.clone(), qq.clone()].concat();
            let b = [pp, yy, xx, qq].concat();
            proptest::prop_assert_eq!(Pattern::new(&a).distance(&b), 1);
            proptest::prop_assert_eq!(Pattern::new(&b).distance(&a), 1);
            let len = a.len();
            let from = from % (len - 1);
            let size = size.min(len - from);
            let mut c = a.clone();
            let block: Vec<u64> = c.drain(from..from + size).collect();
            let to = to % (c.len() + 1);
            c.splice(to..to, block);
            proptest::prop_assert!(Pattern::new(&a).distance(&c) <= 2, "{:?}", c);
        }
    }
}
