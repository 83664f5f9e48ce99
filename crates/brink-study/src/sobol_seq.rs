//! The Sobol' low-discrepancy sequence (Sobol' 1967) in base 2 with the Gray-code ordering of
//! Antonov & Saleev (1979), using the direction numbers of S. Joe and F. Y. Kuo, "Constructing
//! Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
//! 2635-2654 (file `new-joe-kuo-6.21201`, first 32 dimensions).
//!
//! Point 0 is the origin; callers that map points through quantile functions skip it.

/// `(s, a, m_1..m_s)` for dimensions 2..=32 (dimension 1 is the van der Corput sequence).
const JOE_KUO: [(u32, u32, &[u32]); 31] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
];

/// Highest supported dimension.
pub const MAX_DIM: usize = JOE_KUO.len() + 1;

const BITS: usize = 32;

/// A generator of the first `dim` coordinates of the sequence, point after point.
#[derive(Clone, Debug)]
pub struct SobolSeq {
    /// Direction numbers `V[j][k] = m_k * 2^(32-k)` (k from 1).
    v: Vec<[u32; BITS]>,
    x: Vec<u32>,
    /// Index of the next point.
    index: u64,
}

impl SobolSeq {
    /// `None` when `dim` is 0 or above [`MAX_DIM`].
    pub fn new(dim: usize) -> Option<SobolSeq> {
        if dim == 0 || dim > MAX_DIM {
            return None;
        }
        let mut v = Vec::with_capacity(dim);
        let mut first = [0u32; BITS];
        for (k, slot) in first.iter_mut().enumerate() {
            *slot = 1u32 << (BITS - 1 - k);
        }
        v.push(first);
        for &(s, a, m) in JOE_KUO.iter().take(dim - 1) {
            let s = s as usize;
            let mut d = [0u32; BITS];
            for k in 0..BITS {
                if k < s {
                    d[k] = m[k] << (BITS - 1 - k);
                } else {
                    let mut x = d[k - s] ^ (d[k - s] >> s);
                    for i in 1..s {
                        if (a >> (s - 1 - i)) & 1 == 1 {
                            x ^= d[k - i];
                        }
                    }
                    d[k] = x;
                }
            }
            v.push(d);
        }
        Some(SobolSeq {
            v,
            x: vec![0; dim],
            index: 0,
        })
    }

    /// Writes the next point into `out` (length `dim`). The first call gives point 0 (the
    /// origin). Panics after 2^32 points.
    pub fn next_into(&mut self, out: &mut [f64]) {
        const SCALE: f64 = 1.0 / 4_294_967_296.0;
        if self.index > 0 {
            // Gray code: point n differs from point n-1 by the direction number of the
            // lowest zero bit of n-1.
            let c = (!(self.index - 1)).trailing_zeros() as usize;
            assert!(c < BITS, "the Sobol' sequence has 2^32 points");
            for (x, v) in self.x.iter_mut().zip(&self.v) {
                *x ^= v[c];
            }
        }
        for (o, x) in out.iter_mut().zip(&self.x) {
            *o = *x as f64 * SCALE;
        }
        self.index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_match_the_published_sequence() {
        // Joe & Kuo's sobol.cc with new-joe-kuo-6.21201 prints, for D = 3, the points
        // 0 0 0 / 0.5 0.5 0.5 / 0.75 0.25 0.25 / 0.25 0.75 0.75 / 0.375 0.375 0.625 /
        // 0.875 0.875 0.125 / 0.625 0.125 0.875 / 0.125 0.625 0.375.
        let want = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
        ];
        let mut s = SobolSeq::new(3).unwrap();
        let mut p = [0.0; 3];
        for w in want {
            s.next_into(&mut p);
            assert_eq!(p, w);
        }
    }

    #[test]
    fn every_dimension_is_stratified() {
        // Any 2^m consecutive points from the start put exactly one point in each interval
        // [i/2^m, (i+1)/2^m) of every coordinate (a (0, m, 1)-net per coordinate).
        let mut s = SobolSeq::new(MAX_DIM).unwrap();
        let n = 1 << 10;
        let mut counts = vec![vec![0u32; n]; MAX_DIM];
        let mut p = vec![0.0; MAX_DIM];
        for _ in 0..n {
            s.next_into(&mut p);
            for (d, x) in p.iter().enumerate() {
                counts[d][(x * n as f64) as usize] += 1;
            }
        }
        assert!(counts.iter().all(|c| c.iter().all(|&k| k == 1)));
        assert!(SobolSeq::new(MAX_DIM + 1).is_none());
    }
}
