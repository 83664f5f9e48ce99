//! Benchmark of the default study: `cargo run --release -p brink-core --example bench_study --
//! [RUNS] [THREADS] [REPEATS] [full|engine] [--model-only]`. Times the whole study (sampling,
//! simulation, decisions, aggregation into histograms; no file output) for the embedded September
//! 2022 scenario, with and without its decision layer ([politics] and the ladder), and prints one
//! JSON line per variant with the median wall time. Not a test: timings depend on the machine and
//! its load.
//!
//! `--model-only` times the same runs without the study around them: each run is simulated and
//! observed every week into one reused row, as the study does, but nothing is aggregated and no
//! run record is built. The difference from the whole study is the price of recording (round 8
//! of docs/performance.md).

use brink_core::load::{self, DEFAULT_SCENARIO_TOML, Resolved};
use brink_core::model::{self, NVARS};
use brink_core::study::{self, Discard, StudyConfig};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Simulates and observes every run of `cfg` on `cfg.threads` threads, claiming a study's chunk
/// of runs at a time, without aggregating anything. Returns the number of runs.
fn model_only(r: &Resolved, cfg: &StudyConfig) -> u64 {
    const CLAIM: u64 = study::CHUNK_RUNS;
    let next = AtomicU64::new(0);
    let leader = study::leader_side(r);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cfg.threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut row = vec![0.0; (cfg.weeks as usize + 1) * 2 * NVARS];
                    let mut done = 0u64;
                    loop {
                        let lo = next.fetch_add(CLAIM, Ordering::Relaxed);
                        if lo >= cfg.runs {
                            return done;
                        }
                        for run in lo..(lo + CLAIM).min(cfg.runs) {
                            let seed = study::run_seed(cfg.seed, run);
                            let (sample, state) = study::simulate(r, cfg.weeks, seed, |st| {
                                model::observe_into_row(st, leader, &mut row);
                            });
                            black_box((&sample, &state, &row));
                            done += 1;
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"))
            .sum()
    })
}

fn main() {
    let mut only = None;
    let mut model_only_mode = false;
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| {
            if a == "--model-only" {
                model_only_mode = true;
                return false;
            }
            let variant = a == "full" || a == "engine";
            if variant {
                only = Some(a.clone());
            }
            !variant
        })
        .map(|a| {
            a.parse()
                .expect("arguments: [RUNS] [THREADS] [REPEATS] [full|engine] [--model-only]")
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
            check = if model_only_mode {
                model_only(&r, &cfg)
            } else {
                study::run_study(&r, &cfg, &AtomicBool::new(false), &mut Discard)
                    .expect("no I/O")
                    .acc
                    .runs
            };
            times.push(started.elapsed().as_secs_f64());
        }
        assert_eq!(check, runs);
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let name = if model_only_mode {
            format!("{name}, model only (no aggregation)")
        } else {
            name.to_string()
        };
        println!(
            "{{\"variant\":\"{name}\",\"runs\":{runs},\"weeks\":52,\"threads\":{threads},\"median_s\":{median:.3},\"min_s\":{:.3},\"runs_per_s\":{:.0}}}",
            times[0],
            runs as f64 / median
        );
    }
}
