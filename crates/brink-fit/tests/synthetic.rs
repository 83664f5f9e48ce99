//! Synthetic round trips: battles generated with known laws and coefficients (using only the
//! engine's integrator, `brink_lanchester::integrate`), observed with noise, fitted back.

use brink_fit::{FitOptions, Interval, LawKind, Method, fit, parse_csv};
use brink_lanchester::{Coefficients, Law, Strengths, integrate};

/// Test-local normal noise (SplitMix64 + Box-Muller), independent of the crate's generator.
struct Noise(u64);
impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

struct Truth {
    kind: LawKind,
    law: Law,
    coef: Coefficients,
}

fn truths() -> Vec<Truth> {
    vec![
        Truth {
            kind: LawKind::Square,
            law: Law::SQUARE,
            coef: Coefficients {
                attrition_of_a: 0.02,
                attrition_of_b: 0.03,
            },
        },
        Truth {
            kind: LawKind::Linear,
            law: Law::LINEAR,
            coef: Coefficients {
                attrition_of_a: 2.0e-6,
                attrition_of_b: 3.5e-6,
            },
        },
        Truth {
            kind: LawKind::Logarithmic,
            law: Law::LOGARITHMIC,
            coef: Coefficients {
                attrition_of_a: 0.015,
                attrition_of_b: 0.03,
            },
        },
        Truth {
            kind: LawKind::Helmbold,
            law: Law::helmbold(0.8, 0.3),
            coef: Coefficients {
                attrition_of_a: 0.0076,
                attrition_of_b: 0.0142,
            },
        },
    ]
}

/// A battle record in brink's CSV format: both sides observed each day with relative noise
/// `rel_noise`; `reinf_every` > 0 adds 1,500 reinforcements to A every that many days (spread
/// over the day, as 400 pulses).
fn battle(
    law: Law,
    coef: Coefficients,
    days: usize,
    rel_noise: f64,
    seed: u64,
    reinf_every: usize,
) -> String {
    let mut rng = Noise(seed);
    let mut s = Strengths {
        a: 10_000.0,
        b: 8_000.0,
    };
    let mut csv = String::from("time,a,b,reinf_a,reinf_b\n0,10000,8000,0,0\n");
    for day in 1..=days {
        let r = if reinf_every > 0 && day % reinf_every == 0 {
            1_500.0
        } else {
            0.0
        };
        if r > 0.0 {
            for _ in 0..400 {
                s.a += r / 400.0;
                s = integrate(law, coef, s, 1.0 / 400.0, 1);
            }
        } else {
            s = integrate(law, coef, s, 1.0, 50);
        }
        let a = s.a * (1.0 + rel_noise * rng.normal());
        let b = s.b * (1.0 + rel_noise * rng.normal());
        csv.push_str(&format!("{day},{a:.1},{b:.1},{r},0\n"));
    }
    csv
}

fn truth_values(t: &Truth) -> [f64; 4] {
    [
        t.coef.attrition_of_a,
        t.coef.attrition_of_b,
        t.law.exponent_opponent,
        t.law.exponent_own,
    ]
}

/// Fits one record; returns (free parameters whose 95% interval holds the truth, free
/// parameters, relative errors of the two coefficients).
fn coverage(t: &Truth, method: Method, csv: &str, opts: &FitOptions) -> (usize, usize, [f64; 2]) {
    let (data, _) = parse_csv(csv).unwrap();
    let f = fit(&data, t.kind, method, opts).unwrap();
    let truth = truth_values(t);
    let free = t.kind.n_params();
    let mut covered = 0;
    for (ci, truth) in f.ci95.iter().zip(truth).take(free) {
        if let Some((lo, hi)) = ci
            && *lo <= truth
            && truth <= *hi
        {
            covered += 1;
        }
    }
    let rel = [0, 1].map(|i| (f.estimate[i] - truth[i]).abs() / truth[i]);
    (covered, free, rel)
}

/// Over `seeds` noisy records of each law: at least 80% of the (parameter, record) pairs must
/// have the truth inside the 95% interval (a correct interval covers 95%; one that is much too
/// narrow fails), and the coefficients' median relative error must stay below `rel_tol`.
fn round_trip(method: Method, laws: &[Truth], seeds: u64, reinf_every: usize, rel_tol: f64) {
    for (k, t) in laws.iter().enumerate() {
        let (mut covered, mut total) = (0, 0);
        let mut errors = Vec::new();
        for seed in 0..seeds {
            let csv = battle(
                t.law,
                t.coef,
                30,
                0.005,
                1000 * k as u64 + seed,
                reinf_every,
            );
            let (c, n, rel) = coverage(t, method, &csv, &FitOptions::default());
            covered += c;
            total += n;
            errors.extend(rel);
        }
        errors.sort_by(f64::total_cmp);
        let median = errors[errors.len() / 2];
        assert!(
            covered as f64 >= 0.8 * total as f64,
            "{:?} {method:?}: truth inside the 95% interval for only {covered} of {total}",
            t.kind
        );
        assert!(
            median < rel_tol,
            "{:?} {method:?}: median relative error {median}",
            t.kind
        );
    }
}

#[test]
fn least_squares_round_trip_for_every_law() {
    round_trip(Method::LeastSquares, &truths()[..3], 8, 0, 0.05);
    // With free exponents the coefficients trade off against them: loose point check.
    round_trip(Method::LeastSquares, &truths()[3..], 8, 0, 0.5);
}

#[test]
fn mle_round_trip_for_every_law() {
    round_trip(Method::Mle, &truths()[..3], 8, 0, 0.05);
    // Free exponents from differenced noisy strengths: intervals are wide, estimates loose.
    round_trip(Method::Mle, &truths()[3..], 8, 0, 0.5);
}

#[test]
fn engel_round_trip_for_every_fixed_law() {
    round_trip(Method::Engel, &truths()[..3], 8, 0, 0.05);
}

#[test]
fn reinforcements_are_accounted_for() {
    // Engel's discrete ratio counts a step's arrivals as present for the whole step, so on the
    // continuous model it is biased here (docs/fit.md); it is tested on its own recursion below.
    for method in [Method::LeastSquares, Method::Mle] {
        round_trip(method, &truths()[..1], 8, 5, 0.05);
    }
}

#[test]
fn bootstrap_intervals_cover_the_truth_and_are_reproducible() {
    for t in truths().iter().take(2) {
        let opts = FitOptions {
            bootstrap: 200,
            seed: 7,
            threads: 2,
        };
        let (mut covered, mut total) = (0, 0);
        for seed in 0..4 {
            let csv = battle(t.law, t.coef, 30, 0.01, 51 + seed, 0);
            let (c, n, _) = coverage(t, Method::LeastSquares, &csv, &opts);
            covered += c;
            total += n;
        }
        assert!(covered + 1 >= total, "{:?}: {covered} of {total}", t.kind);
        let csv = battle(t.law, t.coef, 30, 0.01, 51, 0);
        let (data, _) = parse_csv(&csv).unwrap();
        let a = fit(&data, t.kind, Method::LeastSquares, &opts).unwrap();
        let b = fit(
            &data,
            t.kind,
            Method::LeastSquares,
            &FitOptions { threads: 1, ..opts },
        )
        .unwrap();
        assert_eq!(
            a.ci95, b.ci95,
            "same seed, different thread count, same intervals"
        );
        assert!(matches!(a.interval, Interval::Bootstrap { resamples: 200, used } if used >= 190));
        let c = fit(
            &data,
            t.kind,
            Method::LeastSquares,
            &FitOptions { seed: 8, ..opts },
        )
        .unwrap();
        assert_ne!(a.ci95, c.ci95, "another seed gives other resamples");
    }
}

#[test]
fn noiseless_data_are_fitted_exactly_by_least_squares() {
    for t in truths() {
        let csv = battle(t.law, t.coef, 30, 0.0, 1, 0);
        let (data, _) = parse_csv(&csv).unwrap();
        let f = fit(&data, t.kind, Method::LeastSquares, &FitOptions::default()).unwrap();
        let truth = truth_values(&t);
        for (i, truth) in truth.iter().enumerate().take(t.kind.n_params()) {
            // The CSV rounds strengths to 0.1, so not to machine precision.
            let tol = if i < 2 { 2e-3 * truth } else { 5e-3 };
            assert!(
                (f.estimate[i] - truth).abs() < tol,
                "{:?} {i}: {} vs {truth}",
                t.kind,
                f.estimate[i]
            );
        }
    }
}

#[test]
fn free_exponents_on_nearly_constant_forces_are_flagged() {
    // Forces that lose about 1% in 20 days: the exponents cannot be identified.
    let law = Law::helmbold(0.8, 0.3);
    let coef = Coefficients {
        attrition_of_a: 0.0076 / 30.0,
        attrition_of_b: 0.0142 / 30.0,
    };
    let csv = battle(law, coef, 20, 0.002, 61, 0);
    let (data, _) = parse_csv(&csv).unwrap();
    for method in [Method::LeastSquares, Method::Mle] {
        let f = fit(&data, LawKind::Helmbold, method, &FitOptions::default()).unwrap();
        let all = f.warnings.join("\n");
        assert!(all.contains("not identified"), "{method:?}: {all}");
        assert!(all.contains("change by less than 10%"), "{method:?}: {all}");
        for i in [2, 3] {
            if let Some((lo, hi)) = f.ci95[i] {
                assert!(
                    hi - lo > 0.5,
                    "{method:?}: exponent {i} interval [{lo}, {hi}] looks confident"
                );
            }
        }
    }
}

#[test]
fn noiseless_reinforced_battle_is_fitted_exactly() {
    let t = &truths()[0];
    let csv = battle(t.law, t.coef, 30, 0.0, 1, 5);
    let (data, _) = parse_csv(&csv).unwrap();
    let f = fit(&data, t.kind, Method::LeastSquares, &FitOptions::default()).unwrap();
    assert!(
        (f.estimate[0] / 0.02 - 1.0).abs() < 1e-3,
        "{:?}",
        f.estimate
    );
    assert!(
        (f.estimate[1] / 0.03 - 1.0).abs() < 1e-3,
        "{:?}",
        f.estimate
    );
}

/// Engel's recursion (Engel 1954): `A_i = A_{i-1} + R_i - attrition_of_a * term`, with the term
/// taken at the start of the step including that step's arrivals. Data generated by it, with B
/// observed only at the start and the end, must be fitted exactly by Engel's estimator
/// (which has to reconstruct B in between).
#[test]
fn engel_is_exact_on_its_own_discrete_recursion() {
    for t in truths().iter().take(2) {
        let (p, q) = (t.law.exponent_opponent, t.law.exponent_own);
        let (mut a, mut b) = (10_000.0f64, 8_000.0f64);
        let mut csv = String::from("time,a,b,reinf_a,reinf_b\n0,10000,8000,0,0\n");
        for day in 1..=15 {
            let r = if day % 5 == 0 { 1_500.0 } else { 0.0 };
            let (sa, sb) = (a + r, b);
            a = sa - t.coef.attrition_of_a * sb.powf(p) * sa.powf(q);
            b = sb - t.coef.attrition_of_b * sa.powf(p) * sb.powf(q);
            let b_cell = if day == 15 {
                format!("{b}")
            } else {
                String::new()
            };
            csv.push_str(&format!("{day},{a},{b_cell},{r},0\n"));
        }
        let (data, _) = parse_csv(&csv).unwrap();
        let f = fit(&data, t.kind, Method::Engel, &FitOptions::default()).unwrap();
        for i in 0..2 {
            let truth = truth_values(t)[i];
            assert!(
                (f.estimate[i] / truth - 1.0).abs() < 1e-9,
                "{:?} {i}: {} vs {truth}",
                t.kind,
                f.estimate[i]
            );
        }
    }
}
