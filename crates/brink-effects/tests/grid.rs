//! The optimized grid (symmetry reuse, hoisting, separable fallout, threads) gives the
//! same numbers as the straightforward per-cell evaluation, to 1e-9 relative.
use brink_effects::blast::{BlastModel, BrodeAtHeight, OverpressureAtHeight, brode_psi_scaled};
use brink_effects::effects::{
    Burst, GridFields, Strike, grid_fields, grid_fields_per_point, grid_fields_reference,
};
use brink_effects::fallout::{FalloutParams, Wseg10};

/// Largest relative difference; values whose reference is below 1e-290 (far below any
/// physical meaning, where a different order of multiplications may round into the
/// subnormal range) are compared absolutely.
fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            assert!(x.is_finite() && y.is_finite(), "{x} vs {y}");
            if y.abs() < 1e-290 {
                (x - y).abs() / 1e-290
            } else {
                (x - y).abs() / y.abs()
            }
        })
        .fold(0.0, f64::max)
}

fn compare(label: &str, fast: &GridFields, reference: &GridFields) -> [f64; 3] {
    let d = [
        max_rel(&fast.overpressure_psi, &reference.overpressure_psi),
        max_rel(&fast.thermal_cal_per_cm2, &reference.thermal_cal_per_cm2),
        max_rel(&fast.dose_7day_rem, &reference.dose_7day_rem),
    ];
    assert!(
        d.iter().all(|&x| x <= 1e-9),
        "{label}: max relative differences (op, thermal, dose) = {d:?}"
    );
    d
}

fn wseg(yield_kt: f64, from_deg: f64) -> Wseg10 {
    Wseg10::new(&FalloutParams {
        yield_kt,
        fission_fraction: 1.0,
        wind_kmh: 24.0,
        wind_from_deg: from_deg,
        shear_mph_per_kft: 0.23,
    })
}

#[test]
fn optimized_grid_equals_per_point_evaluation() {
    let cases: Vec<(Strike, Option<f64>, f64)> = vec![
        // (strike, wind from (deg) for fallout, half width km)
        (Strike::new(100.0, Burst::Surface), Some(270.0), 20.0),
        (Strike::new(100.0, Burst::Surface), Some(90.0), 20.0),
        (Strike::new(100.0, Burst::Surface), Some(0.0), 20.0),
        (Strike::new(100.0, Burst::Surface), Some(180.0), 20.0),
        (Strike::new(100.0, Burst::Surface), Some(250.0), 20.0),
        (Strike::new(1000.0, Burst::Surface), Some(-90.0), 80.0),
        (Strike::new(10.0, Burst::Optimum), None, 5.0),
        (Strike::new(300.0, Burst::Height(1500.0)), None, 30.0),
        (Strike::new(0.5, Burst::Height(60.0)), None, 2.0),
        (
            Strike {
                yield_kt: 50.0,
                burst: Burst::Height(400.0),
                model: BlastModel::Dna,
            },
            None,
            10.0,
        ),
        (
            Strike {
                yield_kt: 50.0,
                burst: Burst::Surface,
                model: BlastModel::Dna,
            },
            Some(270.0),
            10.0,
        ),
    ];
    for (strike, wind, half) in cases {
        let f = wind.map(|deg| wseg(strike.yield_kt, deg));
        for n in [1usize, 2, 3, 8, 65, 200] {
            let label = format!("{strike:?} wind {wind:?} half {half} n {n}");
            let reference = grid_fields_reference(&strike, f.as_ref(), half, n, 1).unwrap();
            let fast1 = grid_fields(&strike, f.as_ref(), half, n, 1).unwrap();
            compare(&label, &fast1, &reference);
            let pp = grid_fields_per_point(&strike, f.as_ref(), half, n, 2).unwrap();
            compare(&format!("{label} per point"), &pp, &reference);
            // Thread count does not change a single bit.
            for threads in [2, 3, 7] {
                let fast = grid_fields(&strike, f.as_ref(), half, n, threads).unwrap();
                assert_eq!(fast.overpressure_psi, fast1.overpressure_psi, "{label}");
                assert_eq!(
                    fast.thermal_cal_per_cm2, fast1.thermal_cal_per_cm2,
                    "{label}"
                );
                assert_eq!(fast.dose_7day_rem, fast1.dose_7day_rem, "{label}");
            }
        }
    }
}

#[test]
fn benchmark_grid_equals_per_point_evaluation() {
    // The benchmark case itself: 1000 x 1000, 100 kt surface burst, wind from the west.
    let strike = Strike::new(100.0, Burst::Surface);
    let f = wseg(100.0, 270.0);
    let reference = grid_fields_reference(&strike, Some(&f), 20.0, 1000, 2).unwrap();
    let fast = grid_fields(&strike, Some(&f), 20.0, 1000, 2).unwrap();
    let d = compare("bench grid", &fast, &reference);
    eprintln!("bench grid max relative differences (op, thermal, dose): {d:?}");
    assert!(d.iter().all(|&x| x < 1e-12), "{d:?}");
    assert!(fast.dose_7day_rem.iter().any(|&x| x > 1000.0));
}

#[test]
fn hoisted_brode_equals_the_printed_formula() {
    // Scaled heights 0 .. 3 kft/kt^(1/3) and ranges 1e-4 .. 300 kft/kt^(1/3). Relative
    // where |psi| >= 0.01; beyond that the fit's terms (order 1) cancel towards its zero
    // crossing far out (|psi| ~ 1e-4, physically nothing), so there the test is absolute.
    let (mut worst_rel, mut worst_abs): (f64, f64) = (0.0, 0.0);
    for iy in 0..=60 {
        let y = if iy == 0 {
            0.0
        } else {
            3.0 * (iy as f64 / 60.0).powi(2)
        };
        let b = BrodeAtHeight::new(y);
        for ix in 0..=400 {
            let x = 1e-4 * 10f64.powf(6.5 * ix as f64 / 400.0);
            let want = brode_psi_scaled(x, y);
            let got = b.psi(x);
            if want.abs() >= 0.01 {
                worst_rel = worst_rel.max((got - want).abs() / want.abs());
            } else {
                worst_abs = worst_abs.max((got - want).abs());
            }
        }
    }
    assert!(worst_rel < 1e-13, "worst relative difference {worst_rel}");
    assert!(
        worst_abs < 1e-15,
        "worst absolute difference {worst_abs} psi"
    );
    for model in [BlastModel::Brode, BlastModel::Dna] {
        for shob in [0.0, 50.0, 200.0, 600.0] {
            let at = OverpressureAtHeight::new(model, shob);
            for sgr in [1.0, 30.0, 150.0, 400.0, 2000.0, 1e4] {
                let want = model.overpressure_psi_scaled(sgr, shob);
                let got = at.psi(sgr);
                assert!((got - want).abs() / want < 1e-12, "{model:?} {shob} {sgr}");
            }
        }
    }
}

#[test]
fn empty_grid_and_bad_width() {
    let strike = Strike::new(10.0, Burst::Surface);
    let g = grid_fields(&strike, None, 5.0, 0, 2).unwrap();
    assert!(g.overpressure_psi.is_empty());
    assert!(grid_fields(&strike, None, -1.0, 10, 2).is_err());
    assert!(grid_fields(&strike, None, f64::NAN, 10, 2).is_err());
}
