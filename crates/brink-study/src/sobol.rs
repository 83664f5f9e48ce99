//! Variance-based sensitivity: Sobol' first-order and total indices from a Saltelli design.
//!
//! Design (Saltelli 2002; Saltelli et al. 2010): two independent `N x k` matrices `A` and `B`
//! of points in the unit hypercube and, for each input `i`, the matrix `AB_i`: `A` with its
//! column `i` taken from `B`. The model is run on the `N (k + 2)` rows.
//!
//! Estimators, with `V` the variance of the `2N` outputs `f(A), f(B)`:
//! - first order (Saltelli et al. 2010, table 2 (b)):
//!   `S_i = (1/N) sum_j f(B)_j (f(AB_i)_j - f(A)_j) / V`;
//! - total (Jansen 1999; Saltelli et al. 2010, table 2 (f)):
//!   `ST_i = (1/2N) sum_j (f(A)_j - f(AB_i)_j)^2 / V`.
//!
//! Confidence intervals: percentile bootstrap over the `N` rows (each resample draws `N` row
//! indices with replacement and recomputes `V`, `S_i` and `ST_i`), from seeded streams.

use crate::sobol_seq::{MAX_DIM, SobolSeq};
use crate::{Progress, no_progress, par_map, quantile_sorted};
use brink_core::study::run_seed;
use rand::{Rng, RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// How the `A` and `B` matrices were filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sequence {
    /// The Sobol' low-discrepancy sequence in `2k` dimensions (first `k` coordinates for `A`,
    /// the next `k` for `B`), skipping the origin. Deterministic: the seed plays no part.
    Sobol,
    /// Pseudo-random points from a xoshiro256++ stream seeded with the study seed (used when
    /// `2k` exceeds the dimensions of the Sobol' generator).
    Random,
}

/// A Saltelli design in the unit hypercube.
#[derive(Clone, Debug)]
pub struct SaltelliDesign {
    pub k: usize,
    pub n: usize,
    pub sequence: Sequence,
    /// `n (k + 2)` rows of `k` values: for each `j`, the rows `A_j`, `B_j`, `AB_1j ... AB_kj`.
    pub unit: Vec<f64>,
}

impl SaltelliDesign {
    pub fn rows(&self) -> usize {
        self.n * (self.k + 2)
    }
}

/// Builds the design for `k` inputs and base sample size `n`.
pub fn saltelli_design(k: usize, n: usize, seed: u64) -> SaltelliDesign {
    let mut base = vec![0.0; 2 * k];
    let rows = n * (k + 2);
    let mut unit = Vec::with_capacity(rows * k);
    let sequence = if 2 * k <= MAX_DIM {
        Sequence::Sobol
    } else {
        Sequence::Random
    };
    let mut seq = SobolSeq::new((2 * k).clamp(1, MAX_DIM)).expect("dimension checked");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    if sequence == Sequence::Sobol {
        // Point 0 is the origin, a corner of the cube: skip it.
        seq.next_into(&mut base);
    }
    for _ in 0..n {
        match sequence {
            Sequence::Sobol => seq.next_into(&mut base),
            Sequence::Random => base.iter_mut().for_each(|u| *u = rng.random::<f64>()),
        }
        let (a, b) = base.split_at(k);
        unit.extend_from_slice(a);
        unit.extend_from_slice(b);
        for i in 0..k {
            unit.extend_from_slice(a);
            let last = unit.len() - k;
            unit[last + i] = b[i];
        }
    }
    SaltelliDesign {
        k,
        n,
        sequence,
        unit,
    }
}

/// Sobol' indices with their bootstrap intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndices {
    pub s1: Vec<f64>,
    pub st: Vec<f64>,
    /// 95% percentile-bootstrap intervals (equal to the estimate when no resamples were asked).
    pub s1_ci95: Vec<[f64; 2]>,
    pub st_ci95: Vec<[f64; 2]>,
    /// The output variance `V`; the indices are 0 when it is 0 (an output that never varied).
    pub variance: f64,
    pub bootstrap_resamples: usize,
}

/// `V`, first-order and total indices with row `j` counted `weight(j)` times (1 for the
/// estimate itself; the multiplicity of `j` in a bootstrap resample otherwise).
fn estimate(
    y: &[f64],
    k: usize,
    n: usize,
    shift: f64,
    weight: impl Fn(usize) -> f64,
    s1: &mut [f64],
    st: &mut [f64],
) -> f64 {
    let w = k + 2;
    s1.iter_mut().for_each(|v| *v = 0.0);
    st.iter_mut().for_each(|v| *v = 0.0);
    // Shifted sums keep the one-pass variance accurate when the mean is large.
    let (mut sum, mut sumsq) = (0.0, 0.0);
    // Rows are visited in order (a bootstrap resample weights them by their multiplicity
    // instead of gathering them at random), so the pass streams through memory.
    for (j, row) in y.chunks_exact(w).take(n).enumerate() {
        // No branch on a zero weight: a third of the rows of a resample have one, at random,
        // and a mispredicted branch costs more than the multiplications.
        let c = weight(j);
        let (fa, fb) = (row[0], row[1]);
        let (da, db) = (fa - shift, fb - shift);
        sum += c * (da + db);
        sumsq += c * (da * da + db * db);
        for ((s, t), fab) in s1.iter_mut().zip(st.iter_mut()).zip(&row[2..]) {
            *s += c * fb * (fab - fa);
            *t += c * (fa - fab) * (fa - fab);
        }
    }
    let m = 2.0 * n as f64;
    let var = (sumsq / m - (sum / m).powi(2)).max(0.0);
    for i in 0..k {
        if var > 0.0 {
            s1[i] /= n as f64 * var;
            st[i] /= 2.0 * n as f64 * var;
        } else {
            s1[i] = 0.0;
            st[i] = 0.0;
        }
    }
    var
}

/// Sobol' indices from the outputs `y` of a Saltelli design (`y[r]` is the output at row `r`
/// of [`SaltelliDesign::unit`]), with `resamples` bootstrap resamples drawn from streams
/// seeded by `seed` (one stream per resample, so threads do not change the result).
pub fn sobol_indices(
    y: &[f64],
    k: usize,
    n: usize,
    resamples: usize,
    seed: u64,
    threads: usize,
) -> Result<SobolIndices, String> {
    if k == 0 || n < 2 {
        return Err(format!(
            "a Sobol' analysis needs at least 1 input and N >= 2 (got {k} inputs, N = {n})"
        ));
    }
    if y.len() != n * (k + 2) {
        return Err(format!(
            "expected {} outputs (N (k + 2) with N = {n}, k = {k}), got {}",
            n * (k + 2),
            y.len()
        ));
    }
    if let Some(bad) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("output {bad} is not a finite number ({})", y[bad]));
    }
    let w = k + 2;
    let shift = (0..n).map(|j| y[j * w] + y[j * w + 1]).sum::<f64>() / (2.0 * n as f64);
    let mut s1 = vec![0.0; k];
    let mut st = vec![0.0; k];
    let variance = estimate(y, k, n, shift, |_| 1.0, &mut s1, &mut st);
    let (mut s1_ci95, mut st_ci95): (Vec<[f64; 2]>, Vec<[f64; 2]>) = (
        s1.iter().map(|&v| [v, v]).collect(),
        st.iter().map(|&v| [v, v]).collect(),
    );
    if resamples > 0 {
        let boot: Vec<(Vec<f64>, Vec<f64>)> = par_map(resamples, threads, &no_progress, |b| {
            // A resample: n rows drawn with replacement, kept as multiplicities.
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(run_seed(seed, b as u64));
            let mut count = vec![0u32; n];
            for _ in 0..n {
                // Multiply-shift (Lemire 2019) without rejection: the bias is below
                // n / 2^64, far under the bootstrap's own noise, and it halves the cost.
                let j = ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize;
                count[j] += 1;
            }
            let (mut bs1, mut bst) = (vec![0.0; k], vec![0.0; k]);
            estimate(y, k, n, shift, |j| f64::from(count[j]), &mut bs1, &mut bst);
            (bs1, bst)
        });
        for i in 0..k {
            let mut a: Vec<f64> = boot.iter().map(|(s, _)| s[i]).collect();
            let mut b: Vec<f64> = boot.iter().map(|(_, t)| t[i]).collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            s1_ci95[i] = [quantile_sorted(&a, 0.025), quantile_sorted(&a, 0.975)];
            st_ci95[i] = [quantile_sorted(&b, 0.025), quantile_sorted(&b, 0.975)];
        }
    }
    Ok(SobolIndices {
        s1,
        st,
        s1_ci95,
        st_ci95,
        variance,
        bootstrap_resamples: resamples,
    })
}

/// Design, evaluation and analysis in one call: the model gets real-unit points in
/// `[low_i, high_i]`.
#[allow(clippy::too_many_arguments)]
pub fn sobol_study(
    model: &dyn crate::Model,
    low: &[f64],
    high: &[f64],
    n: usize,
    resamples: usize,
    seed: u64,
    threads: usize,
    progress: Progress,
) -> Result<(SaltelliDesign, Vec<f64>, SobolIndices), String> {
    let k = model.dim();
    let design = saltelli_design(k, n, seed);
    let points = crate::scale_rows(&design.unit, low, high);
    let y = crate::evaluate_rows(model, &points, seed, threads, progress);
    let idx = sobol_indices(&y, k, n, resamples, seed, threads)?;
    Ok((design, y, idx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testfn::{Ishigami, SobolG};

    fn run(model: &dyn crate::Model, low: &[f64], high: &[f64], n: usize) -> SobolIndices {
        sobol_study(model, low, high, n, 200, 7, 2, &no_progress)
            .unwrap()
            .2
    }

    #[test]
    fn design_rows_are_a_b_and_a_with_one_column_of_b() {
        let d = saltelli_design(3, 4, 1);
        assert_eq!(d.sequence, Sequence::Sobol);
        assert_eq!(d.unit.len(), 4 * 5 * 3);
        for j in 0..4 {
            let rows: Vec<&[f64]> = (0..5).map(|r| &d.unit[(j * 5 + r) * 3..][..3]).collect();
            let (a, b) = (rows[0], rows[1]);
            for i in 0..3 {
                for c in 0..3 {
                    assert_eq!(rows[2 + i][c], if c == i { b[c] } else { a[c] });
                }
            }
        }
        // Too many inputs for the Sobol' generator: pseudo-random, still seeded.
        let big = saltelli_design(20, 3, 5);
        assert_eq!(big.sequence, Sequence::Random);
        assert_eq!(big.unit, saltelli_design(20, 3, 5).unit);
        assert_ne!(big.unit, saltelli_design(20, 3, 6).unit);
    }

    #[test]
    fn sobol_ishigami_matches_analytic_indices_at_n_2_pow_14() {
        // Ishigami & Homma (1990) with a = 7, b = 0.1: the published values.
        let f = Ishigami::default();
        let pi = std::f64::consts::PI;
        let r = run(&f, &[-pi; 3], &[pi; 3], 1 << 14);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!((r.s1[i] - s1[i]).abs() < 0.02, "S1[{i}] = {}", r.s1[i]);
            assert!((r.st[i] - st[i]).abs() < 0.02, "ST[{i}] = {}", r.st[i]);
        }
        // The closed forms agree with the published four-digit values.
        let (a1, at) = f.analytic();
        for i in 0..3 {
            assert!((a1[i] - s1[i]).abs() < 1e-4 && (at[i] - st[i]).abs() < 1e-4);
        }
    }

    #[test]
    fn sobol_g_matches_analytic_indices() {
        let f = SobolG::default();
        let (s1, st) = f.analytic();
        let r = run(&f, &[0.0; 8], &[1.0; 8], 1 << 14);
        for i in 0..8 {
            assert!(
                (r.s1[i] - s1[i]).abs() < 0.02,
                "S1[{i}] = {} vs {}",
                r.s1[i],
                s1[i]
            );
            assert!(
                (r.st[i] - st[i]).abs() < 0.02,
                "ST[{i}] = {} vs {}",
                r.st[i],
                st[i]
            );
        }
        // The ranking is right: x1 dominates, the a = 99 inputs hardly matter.
        assert!(r.st[0] > r.st[1] && r.st[1] > r.st[2] && r.st[2] > r.st[3]);
        assert!(r.st[4..].iter().all(|&v| v < 0.01));
    }

    #[test]
    fn bootstrap_ci_covers_the_analytic_value() {
        let f = Ishigami::default();
        let pi = std::f64::consts::PI;
        let r = sobol_study(&f, &[-pi; 3], &[pi; 3], 1 << 12, 500, 11, 2, &no_progress)
            .unwrap()
            .2;
        let (s1, st) = f.analytic();
        for i in 0..3 {
            let [lo, hi] = r.s1_ci95[i];
            assert!(
                lo <= s1[i] && s1[i] <= hi,
                "S1[{i}] CI [{lo}, {hi}] vs {}",
                s1[i]
            );
            let [lo, hi] = r.st_ci95[i];
            assert!(
                lo <= st[i] && st[i] <= hi,
                "ST[{i}] CI [{lo}, {hi}] vs {}",
                st[i]
            );
            // An interval, not a point: the resampling did something.
            assert!(hi - lo > 1e-4 && hi - lo < 0.2);
        }
    }

    #[test]
    fn sobol_results_are_identical_for_1_and_2_threads() {
        let f = Ishigami::default();
        let pi = std::f64::consts::PI;
        let one = sobol_study(&f, &[-pi; 3], &[pi; 3], 1000, 300, 3, 1, &no_progress).unwrap();
        let two = sobol_study(&f, &[-pi; 3], &[pi; 3], 1000, 300, 3, 2, &no_progress).unwrap();
        assert_eq!(one.1, two.1);
        assert_eq!(one.2, two.2);
    }

    #[test]
    fn constant_output_gives_zero_indices_and_bad_input_is_refused() {
        let y = vec![5.0; 10 * 4];
        let r = sobol_indices(&y, 2, 10, 10, 1, 1).unwrap();
        assert_eq!(r.variance, 0.0);
        assert_eq!(r.s1, vec![0.0, 0.0]);
        assert!(sobol_indices(&y, 3, 10, 0, 1, 1).is_err());
        let mut nan = y.clone();
        nan[7] = f64::NAN;
        assert!(
            sobol_indices(&nan, 2, 10, 0, 1, 1)
                .unwrap_err()
                .contains("output 7")
        );
    }
}
