//! Benchmark of the default study: `cargo run --release -p brink-core --example bench_study --
//! [RUNS] [THREADS] [REPEATS] [full|engine]`. Times the whole study (sampling, simulation, decisions,
//! aggregation into histograms; no file output) for the embedded September 2022 scenario, with
//! and without its decision layer ([politics] and the ladder), and prints one JSON line per
//! variant with the median wall time. Not a test: timings depend on the machine and its load.

use brink_core::load::{self, DEFAULT_SCENARIO_TOML};
use brink_core::study::{self, Discard, StudyConfig};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn main() {
    let mut only = None;
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| {
            let variant = a == "full" || a == "engine";
            if variant {
                only = Some(a.clone());
            }
            !variant
        })
        .map(|a| {
            a.parse()
                .expect("arguments: [RUNS] [THREADS] [REPEATS] [full|engine]")
        })
        .collect();
    let runs = args.first().copied().unwrap_or(100_000);
    let threads = args.get(1).copied().unwrap_or(2) as usize;
    let repeats = args.get(2).copied().unwrap_or(3).max(1);

    // The engine alone: the default scenario up to its decision layer.
    let cut = DEFAULT_SCENARIO_TOML
        .find("\n[politics]")
        .expect("the default scenario has a [politics] section");
    let variants = [
        (
            "full",
            "full (engine + decision layer)",
            DEFAULT_SCENARIO_TOML,
        ),
        (
            "engine",
            "engine only (no [politics], no ladder)",
            &DEFAULT_SCENARIO_TOML[..cut],
        ),
    ];
    for (key, name, text) in variants {
        if only.as_deref().is_some_and(|o| o != key) {
            continue;
        }
        let r = load::load("september_2022.toml", text).expect("the default scenario loads");
        let cfg = StudyConfig {
            runs,
            seed: r.scenario.scenario.seed,
            weeks: 52,
            threads,
            shard: None,
        };
        let mut times = Vec::new();
        let mut check = 0u64;
        for _ in 0..repeats {
            let started = Instant::now();
            let result =
                study::run_study(&r, &cfg, &AtomicBool::new(false), &mut Discard).expect("no I/O");
            times.push(started.elapsed().as_secs_f64());
            check = result.acc.runs;
        }
        assert_eq!(check, runs);
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{{\"variant\":\"{name}\",\"runs\":{runs},\"weeks\":52,\"threads\":{threads},\"median_s\":{median:.3},\"min_s\":{:.3},\"runs_per_s\":{:.0}}}",
            times[0],
            runs as f64 / median
        );
    }
}
