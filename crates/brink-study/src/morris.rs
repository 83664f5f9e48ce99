//! Morris elementary effects (Morris 1991) with the mu* measure of Campolongo et al. (2007).
//!
//! Inputs live on a grid of `p` levels `{0, 1/(p-1), ..., 1}` of the unit hypercube. A
//! trajectory starts at a random grid point and moves one input at a time, in random order,
//! by `delta = p / (2 (p - 1))` up or down, so `k + 1` runs give one elementary effect per
//! input: `EE_i = (f(x after) - f(x before)) / (+-delta)`. Effects are per unit of the scaled
//! input, i.e. per whole range `[low_i, high_i]`. Over `r` trajectories:
//! `mu_i = mean EE_i`, `mu*_i = mean |EE_i|`, `sigma_i = standard deviation of EE_i`
//! (denominator `r - 1`).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// `r` trajectories of `k + 1` points in the unit hypercube.
#[derive(Clone, Debug)]
pub struct MorrisDesign {
    pub k: usize,
    pub trajectories: usize,
    pub levels: usize,
    /// `r (k + 1)` rows of `k` values.
    pub unit: Vec<f64>,
    /// For each trajectory and step: the input moved and the signed step (`+-delta`).
    pub steps: Vec<(usize, f64)>,
}

/// Builds `r` random trajectories on a `levels`-level grid (`levels` even, >= 2).
pub fn morris_design(k: usize, r: usize, levels: usize, seed: u64) -> Result<MorrisDesign, String> {
    morris_design_spread(k, r, levels, seed, 0)
}

/// Most candidate trajectories [`morris_design_spread`] compares (its distance matrix grows
/// with the square of the number).
pub const MAX_CANDIDATES: usize = 2_000;

/// Builds `r` trajectories chosen from `candidates` random ones so that they spread over the
/// input space (Campolongo, Cariboni & Saltelli 2007): the distance between two trajectories is
/// the sum of the Euclidean distances between all pairs of their points, and the chosen set
/// should maximise the sum of its squared pairwise distances. Choosing the best set exactly is
/// combinatorial, so the set is built greedily, in the spirit of Ruano et al.'s (2012) local
/// approach: the farthest pair first, then repeatedly the candidate adding the most squared
/// distance. `candidates <= r`
/// gives the first `r` random trajectories, i.e. [`morris_design`].
pub fn morris_design_spread(
    k: usize,
    r: usize,
    levels: usize,
    seed: u64,
    candidates: usize,
) -> Result<MorrisDesign, String> {
    if r < 2 {
        // Checked here too: the candidates must not hide a design of fewer than 2 trajectories.
        return random_trajectories(k, r, levels, seed);
    }
    if candidates > MAX_CANDIDATES {
        return Err(format!(
            "--candidates {candidates} is above the limit of {MAX_CANDIDATES}; 10 to 50 times the trajectories is usual"
        ));
    }
    let all = random_trajectories(k, r.max(candidates), levels, seed)?;
    if candidates <= r {
        return Ok(all);
    }
    let chosen = spread_selection(&all, r);
    let rows = k + 1;
    let mut unit = Vec::with_capacity(r * rows * k);
    let mut steps = Vec::with_capacity(r * k);
    for &t in &chosen {
        unit.extend_from_slice(&all.unit[t * rows * k..(t + 1) * rows * k]);
        steps.extend_from_slice(&all.steps[t * k..(t + 1) * k]);
    }
    Ok(MorrisDesign {
        k,
        trajectories: r,
        levels,
        unit,
        steps,
    })
}

/// Campolongo's distance between trajectories `a` and `b` of a design.
fn trajectory_distance(d: &MorrisDesign, a: usize, b: usize) -> f64 {
    let (k, rows) = (d.k, d.k + 1);
    let point = |t: usize, i: usize| &d.unit[(t * rows + i) * k..][..k];
    let mut total = 0.0;
    for i in 0..rows {
        for j in 0..rows {
            let (x, y) = (point(a, i), point(b, j));
            total += x
                .iter()
                .zip(y)
                .map(|(u, v)| (u - v) * (u - v))
                .sum::<f64>()
                .sqrt();
        }
    }
    total
}

/// Sum of the squared pairwise distances of a set of trajectories: the spread criterion.
pub fn spread(d: &MorrisDesign, set: &[usize]) -> f64 {
    let mut total = 0.0;
    for (n, &a) in set.iter().enumerate() {
        for &b in &set[n + 1..] {
            total += trajectory_distance(d, a, b).powi(2);
        }
    }
    total
}

/// Greedy choice of `r` of the design's trajectories, returned in ascending order (ties go to
/// the lower index, so the choice is a pure function of the design).
fn spread_selection(d: &MorrisDesign, r: usize) -> Vec<usize> {
    let m = d.trajectories;
    let mut dist2 = vec![0.0; m * m];
    for a in 0..m {
        for b in a + 1..m {
            let x = trajectory_distance(d, a, b).powi(2);
            dist2[a * m + b] = x;
            dist2[b * m + a] = x;
        }
    }
    let mut first = (0, 1);
    for a in 0..m {
        for b in a + 1..m {
            if dist2[a * m + b] > dist2[first.0 * m + first.1] {
                first = (a, b);
            }
        }
    }
    let mut chosen = vec![first.0, first.1];
    let mut taken = vec![false; m];
    taken[first.0] = true;
    taken[first.1] = true;
    // Added squared distance of each candidate to the chosen set, kept up to date.
    let mut gain: Vec<f64> = (0..m)
        .map(|c| dist2[c * m + first.0] + dist2[c * m + first.1])
        .collect();
    while chosen.len() < r {
        let best = (0..m)
            .filter(|&c| !taken[c])
            .fold(None, |best: Option<usize>, c| match best {
                Some(b) if gain[b] >= gain[c] => Some(b),
                _ => Some(c),
            })
            .expect("more candidates than trajectories");
        taken[best] = true;
        chosen.push(best);
        for (c, g) in gain.iter_mut().enumerate() {
            *g += dist2[c * m + best];
        }
    }
    chosen.sort_unstable();
    chosen
}

/// `r` random trajectories (the plain Morris design).
fn random_trajectories(
    k: usize,
    r: usize,
    levels: usize,
    seed: u64,
) -> Result<MorrisDesign, String> {
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(format!(
            "--levels must be an even number >= 2 (got {levels}); 4 is usual"
        ));
    }
    if k == 0 || r < 2 {
        return Err(format!(
            "a Morris analysis needs at least 1 input and 2 trajectories (got {k} inputs, {r} trajectories)"
        ));
    }
    let step = 1.0 / (levels - 1) as f64;
    let delta = levels as f64 * step / 2.0;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut unit = Vec::with_capacity(r * (k + 1) * k);
    let mut steps = Vec::with_capacity(r * k);
    let mut order: Vec<usize> = (0..k).collect();
    for _ in 0..r {
        // The lower end of each input's move is a level from which +delta stays in [0, 1];
        // the direction decides whether the trajectory starts there or delta above.
        let mut x: Vec<f64> = Vec::with_capacity(k);
        let mut dir: Vec<f64> = Vec::with_capacity(k);
        for _ in 0..k {
            let low = rng.random_range(0..levels / 2) as f64 * step;
            let up = rng.random::<bool>();
            x.push(if up { low } else { low + delta });
            dir.push(if up { delta } else { -delta });
        }
        order.shuffle(&mut rng);
        unit.extend_from_slice(&x);
        for &i in &order {
            x[i] += dir[i];
            // Grid values are exact multiples of `step`; avoid 1.0000000000000002.
            x[i] = x[i].clamp(0.0, 1.0);
            unit.extend_from_slice(&x);
            steps.push((i, dir[i]));
        }
    }
    Ok(MorrisDesign {
        k,
        trajectories: r,
        levels,
        unit,
        steps,
    })
}

/// mu, mu* and sigma of the elementary effects of each input.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisIndices {
    pub mu: Vec<f64>,
    pub mu_star: Vec<f64>,
    pub sigma: Vec<f64>,
}

/// Elementary-effect statistics from the outputs at the design's rows.
pub fn morris_indices(d: &MorrisDesign, y: &[f64]) -> Result<MorrisIndices, String> {
    let (k, r) = (d.k, d.trajectories);
    if y.len() != r * (k + 1) {
        return Err(format!(
            "expected {} outputs (r (k + 1)), got {}",
            r * (k + 1),
            y.len()
        ));
    }
    let mut ee = vec![Vec::with_capacity(r); k];
    for t in 0..r {
        for s in 0..k {
            let (i, delta) = d.steps[t * k + s];
            let before = y[t * (k + 1) + s];
            let after = y[t * (k + 1) + s + 1];
            ee[i].push((after - before) / delta);
        }
    }
    let n = r as f64;
    let mu: Vec<f64> = ee.iter().map(|e| e.iter().sum::<f64>() / n).collect();
    let mu_star = ee
        .iter()
        .map(|e| e.iter().map(|v| v.abs()).sum::<f64>() / n)
        .collect();
    let sigma = ee
        .iter()
        .zip(&mu)
        .map(|(e, m)| (e.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt())
        .collect();
    Ok(MorrisIndices { mu, mu_star, sigma })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testfn::Linear;
    use crate::{Model, evaluate_rows, no_progress, scale_rows};

    #[test]
    fn trajectories_move_one_input_by_delta_on_the_grid() {
        let d = morris_design(5, 20, 4, 9).unwrap();
        let k = 5;
        for t in 0..20 {
            let mut moved = vec![false; k];
            for s in 0..k {
                let a = &d.unit[(t * (k + 1) + s) * k..][..k];
                let b = &d.unit[(t * (k + 1) + s + 1) * k..][..k];
                let changed: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(changed.len(), 1);
                let i = changed[0];
                assert_eq!(d.steps[t * k + s].0, i);
                assert!(((b[i] - a[i]).abs() - 2.0 / 3.0).abs() < 1e-12);
                assert!(!moved[i]);
                moved[i] = true;
                for v in a {
                    assert!((0.0..=1.0).contains(v) && ((v * 3.0).round() - v * 3.0).abs() < 1e-12);
                }
            }
        }
        assert!(morris_design(3, 10, 3, 1).is_err());
    }

    #[test]
    fn morris_on_a_linear_function_ranks_parameters_by_their_coefficients() {
        // f = sum c_i x_i on ranges of width w_i: every effect is c_i w_i exactly, sigma 0.
        let f = Linear {
            c: vec![0.5, -4.0, 2.0, 0.0, 1.0],
        };
        let low = [0.0, 10.0, -1.0, 0.0, 5.0];
        let high = [1.0, 11.0, 1.0, 3.0, 6.0];
        let d = morris_design(f.dim(), 30, 4, 5).unwrap();
        let y = evaluate_rows(&f, &scale_rows(&d.unit, &low, &high), 0, 2, &no_progress);
        let m = morris_indices(&d, &y).unwrap();
        let want = [0.5, -4.0, 4.0, 0.0, 1.0];
        for (i, w) in want.iter().enumerate() {
            assert!((m.mu[i] - w).abs() < 1e-9, "mu[{i}] = {}", m.mu[i]);
            assert!((m.mu_star[i] - w.abs()).abs() < 1e-9);
            assert!(m.sigma[i] < 1e-9);
        }
        let mut rank: Vec<usize> = (0..5).collect();
        rank.sort_by(|&a, &b| m.mu_star[b].total_cmp(&m.mu_star[a]));
        // |-4| and 4 tie; then 1, 0.5, 0.
        assert_eq!(&rank[2..], &[4, 0, 3]);
    }

    #[test]
    fn optimised_trajectories_spread_wider_and_keep_the_design_rules() {
        let (k, r) = (4, 6);
        let plain = morris_design(k, r, 4, 3).unwrap();
        let optimised = morris_design_spread(k, r, 4, 3, 60).unwrap();
        let all: Vec<usize> = (0..r).collect();
        // The first r of the 60 candidates are the plain design; the greedy choice spreads more.
        assert!(spread(&optimised, &all) > 1.2 * spread(&plain, &all));
        // Chosen trajectories are whole candidate trajectories: one move per input, by delta.
        for t in 0..r {
            let mut moved = vec![false; k];
            for s in 0..k {
                let a = &optimised.unit[(t * (k + 1) + s) * k..][..k];
                let b = &optimised.unit[(t * (k + 1) + s + 1) * k..][..k];
                let changed: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(changed, vec![optimised.steps[t * k + s].0]);
                assert!(((b[changed[0]] - a[changed[0]]).abs() - 2.0 / 3.0).abs() < 1e-12);
                assert!(!moved[changed[0]]);
                moved[changed[0]] = true;
            }
        }
        // Same settings, same design; no more candidates than trajectories: the plain design.
        assert_eq!(
            morris_design_spread(k, r, 4, 3, 60).unwrap().unit,
            optimised.unit
        );
        assert_eq!(
            morris_design_spread(k, r, 4, 3, r).unwrap().unit,
            plain.unit
        );
        assert!(morris_design_spread(k, r, 4, 3, MAX_CANDIDATES + 1).is_err());
        assert!(morris_design_spread(k, 1, 4, 3, 60).is_err());
    }

    #[test]
    fn greedy_selection_finds_the_best_set_on_a_small_case() {
        // 8 candidates, choose 3: compare with the exhaustive best (56 sets).
        let d = random_trajectories(3, 8, 4, 11).unwrap();
        let chosen = spread_selection(&d, 3);
        let mut best = 0.0f64;
        for a in 0..8 {
            for b in a + 1..8 {
                for c in b + 1..8 {
                    best = best.max(spread(&d, &[a, b, c]));
                }
            }
        }
        // Greedy is not guaranteed optimal; on this case it is within 10% of the best.
        assert!(
            spread(&d, &chosen) >= 0.9 * best,
            "{} vs {best}",
            spread(&d, &chosen)
        );
    }

    #[test]
    fn morris_sigma_detects_interaction() {
        // f = x1 x2 on [0, 1]^2: effects of x1 depend on x2, so sigma > 0; x3 is inert.
        struct Product;
        impl Model for Product {
            fn dim(&self) -> usize {
                3
            }
            fn evaluate(&self, x: &[f64], _: u64) -> f64 {
                x[0] * x[1]
            }
        }
        let d = morris_design(3, 40, 4, 2).unwrap();
        let y = evaluate_rows(&Product, &d.unit, 0, 1, &no_progress);
        let m = morris_indices(&d, &y).unwrap();
        assert!(m.sigma[0] > 0.1 && m.sigma[1] > 0.1);
        assert_eq!(m.mu_star[2], 0.0);
    }
}
