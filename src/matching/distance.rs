//! Edit distance over token ids: Myers' bit-parallel algorithm (one 64-bit word per block of
//! the pattern, Hyyrö's multi-block form for longer ones), and a plain dynamic-programming
//! alignment for the few matches that are shown with a diff.

use super::index::IdMap;

/// A query prepared for many distance computations: the bit masks of where each token occurs.
#[derive(Debug, Clone)]
pub struct Pattern {
    len: usize,
    blocks: usize,
    peq: IdMap<u64, Vec<u64>>,
}

impl Pattern {
    /// Prepares `ids` (the query's content token ids).
    pub fn new(ids: &[u64]) -> Self {
        let blocks = ids.len().div_ceil(64).max(1);
        let mut peq: IdMap<u64, Vec<u64>> = IdMap::default();
        for (i, &id) in ids.iter().enumerate() {
            peq.entry(id).or_insert_with(|| vec![0; blocks])[i / 64] |= 1u64 << (i % 64);
        }
        Pattern {
            len: ids.len(),
            blocks,
            peq,
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

    /// The Levenshtein distance between the pattern and `text`.
    pub fn distance(&self, text: &[u64]) -> usize {
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
            proptest::prop_assert_eq!(Pattern::new(&a).distance(&b), naive(&a, &b));
        }
    }
}
