//! Benchmark: peak overpressure, thermal fluence and 7-day fallout dose on a 1000 x 1000
//! ground grid for one 100 kt surface burst (Brode), and 5 psi range inversion for 10,000
//! (yield, height) pairs. Writes results to $BRINK_BENCH_OUT (default /tmp/brink-effects-bench)
//! for `bench/effects/numpy_effects.py` to compare, and prints timings as JSON.
//! Grid variants timed: `grid_fields` (optimized: symmetry, hoisting, separable fallout),
//! `grid_fields_per_point` (same kernels, every cell evaluated: like-for-like with numpy),
//! `grid_fields_reference` (the straightforward per-cell code, i.e. "before"), and the
//! optimized grid with an oblique wind (from 250 deg), where the fallout is per cell.
//! Run with `bash bench/effects/run.sh`.
use brink_effects::blast::BlastModel;
use brink_effects::effects::{
    Burst, GridFields, Strike, grid_fields, grid_fields_per_point, grid_fields_reference,
    invert_ranges_km,
};
use brink_effects::fallout::{FalloutParams, Wseg10};
use brink_effects::{Target, strike_casualties};
use std::io::Write;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn write_f64(path: &std::path::Path, data: &[f64]) {
    let mut f = std::fs::File::create(path).unwrap();
    let mut buf = Vec::with_capacity(data.len() * 8);
    for x in data {
        buf.extend_from_slice(&x.to_le_bytes());
    }
    f.write_all(&buf).unwrap();
}

/// The (yield, height) pairs: a deterministic low-discrepancy sequence (same formula in
/// the Python script): yield 10^(3 frac(i phi)) kt (1 kt - 1 Mt), scaled height
/// 500 frac(i sqrt2) m/kt^(1/3).
pub fn pairs() -> Vec<(f64, f64)> {
    let phi = 0.6180339887498949;
    let s2 = 0.41421356237309515;
    (0..10_000)
        .map(|i| {
            let i = i as f64;
            let w = 10f64.powf(3.0 * (i * phi).fract());
            let shob = 500.0 * (i * s2).fract();
            (w, shob * w.cbrt())
        })
        .collect()
}

fn main() {
    let out =
        std::env::var("BRINK_BENCH_OUT").unwrap_or_else(|_| "/tmp/brink-effects-bench".into());
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap();
    let reps: usize = std::env::var("BRINK_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let threads_env: Option<usize> = std::env::var("BRINK_BENCH_THREADS")
        .ok()
        .and_then(|s| s.parse().ok());
    let threads = threads_env.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let strike = Strike {
        yield_kt: 100.0,
        burst: Burst::Surface,
        model: BlastModel::Brode,
    };
    let wseg_at = |from_deg: f64| {
        Wseg10::new(&FalloutParams {
            yield_kt: 100.0,
            fission_fraction: 1.0,
            wind_kmh: 24.0,
            wind_from_deg: from_deg,
            shear_mph_per_kft: 0.23,
        })
    };
    let wseg = wseg_at(270.0);
    let oblique = wseg_at(250.0);
    let (n, half) = (1000usize, 20.0);
    type GridFn = fn(
        &Strike,
        Option<&Wseg10>,
        f64,
        usize,
        usize,
    ) -> Result<GridFields, brink_effects::EffectsError>;
    // Median over `reps` runs of one grid variant with `th` threads; returns the last grid.
    // The optimized grid takes ~10-30 ms: more repetitions so that the median is not at
    // the mercy of other processes on a shared machine.
    let reps_fast: usize = std::env::var("BRINK_BENCH_REPS_FAST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let time_grid = |f: GridFn, w: &Wseg10, th: usize, reps: usize| {
        let mut ts = Vec::new();
        let mut g = None;
        for _ in 0..reps {
            let t0 = Instant::now();
            let r = f(&strike, Some(w), half, n, th).unwrap();
            ts.push(t0.elapsed().as_secs_f64());
            g = Some(r);
        }
        (median(ts), g.unwrap())
    };
    let (t_grid, g) = time_grid(grid_fields, &wseg, threads, reps_fast);
    let (t_grid1, g1) = time_grid(grid_fields, &wseg, 1, reps_fast);
    assert_eq!(g.overpressure_psi, g1.overpressure_psi);
    assert_eq!(g.dose_7day_rem, g1.dose_7day_rem);
    drop(g1);
    let (t_pp, _) = time_grid(grid_fields_per_point, &wseg, threads, reps);
    let (t_pp1, _) = time_grid(grid_fields_per_point, &wseg, 1, reps);
    let (t_ref, _) = time_grid(grid_fields_reference, &wseg, threads, reps);
    let (t_ref1, _) = time_grid(grid_fields_reference, &wseg, 1, reps);
    let (t_obl, g_obl) = time_grid(grid_fields, &oblique, threads, reps);
    let (t_obl1, _) = time_grid(grid_fields, &oblique, 1, reps);
    write_f64(&out.join("rust_op.bin"), &g.overpressure_psi);
    write_f64(&out.join("rust_th.bin"), &g.thermal_cal_per_cm2);
    write_f64(&out.join("rust_dose.bin"), &g.dose_7day_rem);
    write_f64(&out.join("rust_dose_oblique.bin"), &g_obl.dose_7day_rem);
    let p = pairs();
    let mut t_inv = Vec::new();
    let mut inv = Vec::new();
    for _ in 0..reps {
        let t0 = Instant::now();
        inv = invert_ranges_km(BlastModel::Brode, &p, 5.0);
        t_inv.push(t0.elapsed().as_secs_f64());
    }
    let inv: Vec<f64> = inv.into_iter().map(|r| r.unwrap_or(f64::NAN)).collect();
    write_f64(&out.join("rust_inv.bin"), &inv);
    // strike_casualties per call (the ladder API), three burst types on Kyiv.
    let kyiv = Target::City {
        name: "Kyiv".into(),
    };
    for burst in [Burst::Optimum, Burst::Height(500.0), Burst::Surface] {
        let calls = 2000;
        let t0 = Instant::now();
        let mut acc = 0.0;
        for i in 0..calls {
            let s = Strike {
                yield_kt: 100.0 + i as f64 * 1e-3,
                burst,
                model: BlastModel::Brode,
            };
            acc += strike_casualties(&s, &kyiv).unwrap().total_killed;
        }
        let us = t0.elapsed().as_secs_f64() / calls as f64 * 1e6;
        eprintln!("strike_casualties Kyiv 100 kt {burst:?}: {us:.1} us/call (checksum {acc:.0})");
    }
    println!(
        "{{\"grid_n\": {n}, \"threads\": {threads}, \"grid_median_s\": {:.6}, \"grid_1thread_median_s\": {:.6}, \"grid_per_point_median_s\": {:.6}, \"grid_per_point_1thread_median_s\": {:.6}, \"grid_reference_median_s\": {:.6}, \"grid_reference_1thread_median_s\": {:.6}, \"grid_oblique_median_s\": {:.6}, \"grid_oblique_1thread_median_s\": {:.6}, \"inversion_pairs\": {}, \"inversion_median_s\": {:.6}, \"reps\": {reps}, \"reps_fast\": {reps_fast}}}",
        t_grid,
        t_grid1,
        t_pp,
        t_pp1,
        t_ref,
        t_ref1,
        t_obl,
        t_obl1,
        p.len(),
        median(t_inv)
    );
}
