//! Benchmark of `brink fit` on the Iwo Jima record (see docs/performance-fit.md).
//!
//! `cargo run --release -p brink-fit --example bench_fit -- [CSV] [--json]`
//!
//! Measures, each as the minimum and median of several repetitions (wall clock):
//! * every law, least squares, 1,000 bootstrap resamples (the target: under 1 s), with
//!   all cores and with one thread; the same for the mle and engel methods;
//! * one point fit per law (least squares, no bootstrap), for the side-by-side comparison with
//!   `scipy.optimize.least_squares` in bench/fit/compare.py.

use std::time::Instant;

use brink_fit::{FitOptions, LawKind, Method, fit, parse_csv};

fn stats(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2])
}

fn main() {
    let mut path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/iwo_jima.csv").to_string();
    let mut json = false;
    for a in std::env::args().skip(1) {
        if a == "--json" {
            json = true;
        } else {
            path = a;
        }
    }
    let text = std::fs::read_to_string(&path).expect("read the CSV");
    let (data, _) = parse_csv(&text).expect("valid CSV");
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    let mut rows = Vec::new();
    let mut all_laws = |label: &str, method: Method, threads: usize, reps: usize| {
        let opts = FitOptions {
            bootstrap: 1000,
            seed: brink_fit::DEFAULT_SEED,
            threads,
        };
        let mut times = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            for kind in LawKind::ALL {
                // Engel has no Helmbold form: it is skipped, as `--law all` does.
                let _ = std::hint::black_box(fit(&data, kind, method, &opts));
            }
            times.push(t.elapsed().as_secs_f64());
        }
        let (min, median) = stats(times);
        rows.push((label.to_string(), threads, min, median));
    };
    all_laws(
        "all laws, least-squares, bootstrap 1000",
        Method::LeastSquares,
        cores,
        5,
    );
    all_laws(
        "all laws, least-squares, bootstrap 1000",
        Method::LeastSquares,
        1,
        3,
    );
    all_laws("all laws, mle, bootstrap 1000", Method::Mle, cores, 3);
    all_laws("all laws, engel, bootstrap 1000", Method::Engel, cores, 5);

    // Point fits, per law (no bootstrap), for the scipy comparison.
    let mut points = Vec::new();
    for kind in LawKind::ALL {
        let opts = FitOptions::default();
        let f = fit(&data, kind, Method::LeastSquares, &opts).expect("fit");
        let reps = if kind == LawKind::Helmbold { 20 } else { 200 };
        let mut times = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let _ = std::hint::black_box(fit(&data, kind, Method::LeastSquares, &opts));
            times.push(t.elapsed().as_secs_f64());
        }
        let (min, median) = stats(times);
        // The starting point the least-squares fit uses (Engel's estimate; for Helmbold the
        // square law's), handed to the scipy script so both start from the same place.
        let start = fit(
            &data,
            kind.fixed().map_or(LawKind::Square, |_| kind),
            Method::Engel,
            &opts,
        )
        .expect("engel start");
        points.push((kind, f, min, median, start));
    }

    if json {
        let v = serde_json::json!({
            "cores": cores,
            "all_laws": rows.iter().map(|(l, t, min, med)| serde_json::json!({
                "what": l, "threads": t, "min_s": min, "median_s": med})).collect::<Vec<_>>(),
            "point_fits": points.iter().map(|(k, f, min, med, st)| serde_json::json!({
                "start": [st.coef.attrition_of_a, st.coef.attrition_of_b, st.law.exponent_opponent, st.law.exponent_own],
                "law": k.name(), "attrition_of_a": f.coef.attrition_of_a,
                "attrition_of_b": f.coef.attrition_of_b, "p": f.law.exponent_opponent,
                "q": f.law.exponent_own, "sse": f.sse, "min_s": min, "median_s": med})).collect::<Vec<_>>(),
        });
        println!("{v}");
        return;
    }
    println!("brink fit benchmark on {path} ({cores} cores available)\n");
    println!("| what | threads | min (s) | median (s) |");
    println!("|---|---|---|---|");
    for (l, t, min, med) in &rows {
        println!("| {l} | {t} | {min:.3} | {med:.3} |");
    }
    println!(
        "\n| point fit, least-squares | attrition_of_a | attrition_of_b | p | q | SSE | min (ms) | median (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (k, f, min, med, _) in &points {
        println!(
            "| {} | {:.6e} | {:.6e} | {:.4} | {:.4} | {:.6e} | {:.3} | {:.3} |",
            k.name(),
            f.coef.attrition_of_a,
            f.coef.attrition_of_b,
            f.law.exponent_opponent,
            f.law.exponent_own,
            f.sse,
            min * 1e3,
            med * 1e3
        );
    }
}
