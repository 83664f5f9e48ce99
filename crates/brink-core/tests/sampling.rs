//! Every distribution family, given in a scenario, is sampled once per run with the right mean
//! and variance, and the model uses the sampled value.
//!
//! `src/param.rs` tests the samplers directly; this goes through the whole path: TOML text ->
//! `--set` override -> load -> slot -> per-run sampling in `simulate` -> the state of week 0.
//! Expected moments are computed here from textbook formulas (and, for the truncated normal, by
//! numerical integration of the density), not from the library's own `mean_variance`.

mod common;

use brink_core::Resolved;
use brink_core::study::simulate;
use common::{default_without, engine_default, load_with, seed};

const RUNS: u64 = 3_000;

/// Sampled values of parameter `path` over `RUNS` runs, plus what the state of week 0 holds.
fn draws(
    r: &Resolved,
    path: &str,
    state_value: impl Fn(&brink_core::model::RunState) -> f64,
) -> Vec<f64> {
    let slot = r
        .params
        .iter()
        .position(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    assert!(r.params[slot].1, "{path} should be random");
    (0..RUNS)
        .map(|i| {
            let (sample, state) = simulate(r, 0, seed(42, i), |_| {});
            let x = sample[slot];
            let used = state_value(&state);
            assert!(
                (used - x).abs() <= 1e-9 * x.abs().max(1.0),
                "{path}: run {i} sampled {x} but the model starts from {used}"
            );
            x
        })
        .collect()
}

/// Checks sample mean and variance against the expected ones within 5 standard errors.
fn check_moments(name: &str, xs: &[f64], mean: f64, var: f64, support: (f64, f64)) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    let se_mean = (var / n).sqrt();
    let se_var = ((m4 - v * v).max(0.0) / n).sqrt();
    assert!(
        (m - mean).abs() <= 5.0 * se_mean,
        "{name}: sample mean {m}, expected {mean} (standard error {se_mean})"
    );
    assert!(
        (v - var).abs() <= 5.0 * se_var,
        "{name}: sample variance {v}, expected {var} (standard error {se_var})"
    );
    for x in xs {
        assert!(
            *x >= support.0 && *x <= support.1,
            "{name}: {x} outside [{}, {}]",
            support.0,
            support.1
        );
    }
    // Draws differ from run to run (sampled per run, not once per study).
    let distinct = {
        let mut s: Vec<u64> = xs.iter().map(|x| x.to_bits()).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    assert!(
        distinct as f64 > 0.99 * n,
        "{name}: only {distinct} distinct values"
    );
}

fn normal_pdf(x: f64, mean: f64, sd: f64) -> f64 {
    (-(x - mean).powi(2) / (2.0 * sd * sd)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
}

/// Mean and variance of a normal truncated to [lo, hi], by Simpson's rule.
fn truncated_normal_moments(mean: f64, sd: f64, lo: f64, hi: f64) -> (f64, f64) {
    let n = 20_000;
    let h = (hi - lo) / n as f64;
    let mut s = [0.0; 3];
    for i in 0..=n {
        let x = lo + h * i as f64;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let p = normal_pdf(x, mean, sd) * w;
        s[0] += p;
        s[1] += p * x;
        s[2] += p * x * x;
    }
    let m = s[1] / s[0];
    (m, s[2] / s[0] - m * m)
}

#[test]
fn every_family_is_sampled_per_run_with_its_mean_and_variance() {
    let engine = engine_default();
    let at_front = |st: &brink_core::model::RunState| st.sides[0].at_front;
    // (name, TOML value for forces.RU.at_front, mean, variance, support)
    let (lo, mode, hi) = (100_000.0f64, 150_000.0f64, 300_000.0f64);
    let tri_var = (lo * lo + mode * mode + hi * hi - lo * mode - lo * hi - mode * hi) / 18.0;
    let (pa, pb) = (
        1.0 + 4.0 * (mode - lo) / (hi - lo),
        1.0 + 4.0 * (hi - mode) / (hi - lo),
    );
    let pert_var = pa * pb / ((pa + pb).powi(2) * (pa + pb + 1.0)) * (hi - lo).powi(2);
    let (median, sigma) = (180_000.0f64, 0.3f64);
    let ln_mean = median * (sigma * sigma / 2.0).exp();
    let ln_var = ((sigma * sigma).exp() - 1.0) * ln_mean * ln_mean;
    let (a, b) = (2.0f64, 3.0f64);
    let beta_mean = lo + (hi - lo) * a / (a + b);
    let beta_var = a * b / ((a + b).powi(2) * (a + b + 1.0)) * (hi - lo).powi(2);
    let (wide_m, wide_v) = truncated_normal_moments(200_000.0, 50_000.0, 190_000.0, 300_000.0);
    let (narrow_m, narrow_v) = truncated_normal_moments(200_000.0, 30_000.0, 250_000.0, 260_000.0);
    let cases = [
        (
            "uniform",
            format!("{{dist=\"uniform\", min={lo}, max={hi}}}"),
            (lo + hi) / 2.0,
            (hi - lo).powi(2) / 12.0,
            (lo, hi),
        ),
        (
            "triangular",
            format!("{{dist=\"triangular\", min={lo}, mode={mode}, max={hi}}}"),
            (lo + mode + hi) / 3.0,
            tri_var,
            (lo, hi),
        ),
        (
            "pert",
            format!("{{dist=\"pert\", min={lo}, mode={mode}, max={hi}}}"),
            (lo + 4.0 * mode + hi) / 6.0,
            pert_var,
            (lo, hi),
        ),
        (
            // Mass inside the interval is large: the rejection branch.
            "normal, wide truncation",
            "{dist=\"normal\", mean=200000, sd=50000, min=190000, max=300000}".to_string(),
            wide_m,
            wide_v,
            (190_000.0, 300_000.0),
        ),
        (
            // Mass inside is small (2.5%): the inverse-CDF branch.
            "normal, narrow truncation",
            "{dist=\"normal\", mean=200000, sd=30000, min=250000, max=260000}".to_string(),
            narrow_m,
            narrow_v,
            (250_000.0, 260_000.0),
        ),
        (
            "lognormal",
            format!("{{dist=\"lognormal\", median={median}, sigma={sigma}}}"),
            ln_mean,
            ln_var,
            (0.0, f64::INFINITY),
        ),
        (
            "beta on [min, max]",
            format!("{{dist=\"beta\", alpha={a}, beta={b}, min={lo}, max={hi}}}"),
            beta_mean,
            beta_var,
            (lo, hi),
        ),
    ];
    for (name, value, mean, var, support) in cases {
        let r = load_with(&engine, &[&format!("forces.RU.at_front={value}")]);
        let xs = draws(&r, "forces.RU.at_front", at_front);
        check_moments(name, &xs, mean, var, support);
    }

    // Beta on [0, 1] (no min/max) for a probability: the front's mean quality at week 0.
    let r = load_with(
        &engine,
        &["forces.RU.quality={dist=\"beta\", alpha=2, beta=5}"],
    );
    let xs = draws(&r, "forces.RU.quality", |st| st.sides[0].mean_quality());
    check_moments(
        "beta on [0, 1]",
        &xs,
        2.0 / 7.0,
        10.0 / (49.0 * 8.0),
        (0.0, 1.0),
    );
}

#[test]
fn untruncated_normal_where_any_number_is_allowed() {
    // The removal-hazard intercept takes any number; the decision layer starts from it.
    let full = default_without(&[]);
    let r = load_with(
        &full,
        &["politics.elite.removal_intercept={dist=\"normal\", mean=-7, sd=0.5}"],
    );
    let slot = r
        .params
        .iter()
        .position(|(p, _)| p == "politics.elite.removal_intercept")
        .expect("parameter exists");
    let xs: Vec<f64> = (0..RUNS)
        .map(|i| simulate(&r, 0, seed(7, i), |_| {}).0[slot])
        .collect();
    check_moments(
        "normal",
        &xs,
        -7.0,
        0.25,
        (f64::NEG_INFINITY, f64::INFINITY),
    );
}

#[test]
fn fixed_values_are_not_sampled() {
    let r = load_with(&engine_default(), &["forces.RU.at_front=123456"]);
    for i in 0..20 {
        let (_, st) = simulate(&r, 0, seed(3, i), |_| {});
        assert_eq!(st.sides[0].at_front, 123_456.0);
    }
    assert!(
        r.params
            .iter()
            .any(|(p, random)| p == "forces.RU.at_front" && !random)
    );
}
