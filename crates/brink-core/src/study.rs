//! The Monte Carlo loop: runs in parallel, deterministic whatever the number of threads.
//!
//! Run `i` of a study with master seed `s` draws all its randomness from streams derived from
//! `(s, i)` alone ([`run_seed`]): one stream samples the parameters, a second (the first jumped
//! ahead by 2^192 steps) drives the weekly dynamics, so adding a dynamic draw never changes the
//! sampled parameters (common random numbers across scenario variants). Workers claim chunks of
//! runs from a counter; rows reach the observer in run order; aggregates merge exactly, so the
//! result is bit-identical for 1 or N threads and for any sharding.

use crate::aggregate::Accumulator;
use crate::decision::stats::{EventStats, EventTally, RunEvents};
use crate::load::Resolved;
use crate::model::{self, NVARS, RunState};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

/// Runs per work unit. A chunk's rows of observations (18.6 KB a run for 52 weeks) then take
/// 1.2 MB, about one core's second-level cache on the current development machine, instead of
/// the 4.8 MB of 256 runs, whose transposition waited on memory; the histograms' bins are swept
/// four times as often, which costs less (round 9 of docs/performance.md).
pub const CHUNK_RUNS: u64 = 64;

/// The most runs one study (all its shards together) may have: histogram bins count in `u32`,
/// and a bin can hold every run. Checked at load (`scenario.runs`), by `brink run` and `brink
/// merge`, and by [`run_study`], so a count can never wrap silently.
pub const MAX_RUNS: u64 = u32::MAX as u64;

/// Which part of a study this process computes: shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The run indices of this shard: contiguous, and together the shards cover `0..runs`.
    pub fn range(&self, runs: u64) -> Range<u64> {
        let lo = (runs as u128 * (self.index - 1) as u128 / self.count as u128) as u64;
        let hi = (runs as u128 * self.index as u128 / self.count as u128) as u64;
        lo..hi
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct StudyConfig {
    /// Runs in the whole study (all shards).
    pub runs: u64,
    pub seed: u64,
    pub weeks: u32,
    pub threads: usize,
    pub shard: Option<Shard>,
}

/// One run's row in `runs.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    pub run: u64,
    pub seed: u64,
    /// Values of the random parameters, in sampling order.
    pub sampled: Vec<f64>,
    /// Final values of every variable, side by side (side 0's variables, then side 1's).
    pub final_values: Vec<Option<f64>>,
    /// Outcome and events (empty without a decision layer).
    pub events: RunEvents,
}

/// Receives results on the calling thread.
pub trait StudyObserver {
    /// Finished runs, in run order, each exactly once.
    fn on_runs(&mut self, records: &[RunRecord]) -> std::io::Result<()>;
    /// Progress: runs finished so far out of the runs this process computes.
    fn on_progress(&mut self, _done: u64, _total: u64) {}
}

/// An observer that keeps nothing (benchmarks, aggregate-only studies).
pub struct Discard;
impl StudyObserver for Discard {
    fn on_runs(&mut self, _: &[RunRecord]) -> std::io::Result<()> {
        Ok(())
    }
}

/// The outcome of a study (or of a shard).
#[derive(Clone, Debug)]
pub struct StudyResult {
    pub acc: Accumulator,
    pub events: EventStats,
    /// Run indices this process was asked for.
    pub requested: Range<u64>,
    /// Run indices actually finished (a prefix of `requested`).
    pub completed: Range<u64>,
    pub interrupted: bool,
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective mix of 64 bits.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of run `run` in a study with master seed `master`.
pub fn run_seed(master: u64, run: u64) -> u64 {
    splitmix64(splitmix64(master) ^ run)
}

/// The two random streams of a run: parameters (`Xoshiro256PlusPlus::seed_from_u64(seed)`),
/// then dynamics (the same after its long jump; see [`crate::streams`]).
pub fn run_streams(seed: u64) -> (Xoshiro256PlusPlus, Xoshiro256PlusPlus) {
    crate::streams::parameters_and_dynamics(seed)
}

/// Samples every parameter of a run, in slot order.
pub fn sample_params(r: &Resolved, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    r.samplers.iter().map(|p| p.sample(rng)).collect()
}

/// Runs one simulation, calling `observe_week` with the state at weeks 0..=weeks.
pub fn simulate(
    r: &Resolved,
    weeks: u32,
    seed: u64,
    observe_week: impl FnMut(&RunState),
) -> (Vec<f64>, RunState) {
    simulate_fixed(r, weeks, seed, &[], observe_week)
}

/// [`simulate`] with some parameters held at given values: `fixed` lists `(slot, value)` pairs
/// written over the sample after every parameter has been drawn. Every draw is still made, so
/// the other parameters and the dynamics stream are those of the same run without `fixed`
/// (common random numbers for sensitivity studies and sweeps). The caller checks the values
/// against the parameters' domains.
pub fn simulate_fixed(
    r: &Resolved,
    weeks: u32,
    seed: u64,
    fixed: &[(usize, f64)],
    observe_week: impl FnMut(&RunState),
) -> (Vec<f64>, RunState) {
    simulate_with(r, weeks, seed, fixed, false, observe_week)
}

fn simulate_with(
    r: &Resolved,
    weeks: u32,
    seed: u64,
    fixed: &[(usize, f64)],
    traced: bool,
    mut observe_week: impl FnMut(&RunState),
) -> (Vec<f64>, RunState) {
    let (mut prng, mut drng) = run_streams(seed);
    let mut sample = sample_params(r, &mut prng);
    for &(slot, value) in fixed {
        sample[slot] = value;
    }
    let mut state = RunState::initial(r, &sample);
    if traced && let Some(p) = state.politics.as_mut() {
        p.traces = Some(Vec::new());
    }
    observe_week(&state);
    let constants = model::RunConstants::of(r, &sample);
    for _ in 0..weeks {
        model::step(r, &constants, &sample, &mut state, &mut drng);
        observe_week(&state);
    }
    crate::decision::finish(r, &sample, &mut state);
    (sample, state)
}

/// Replays one run with decision tracing on (for `brink explain`): the same draws as in the
/// study, since tracing draws nothing.
pub fn simulate_traced(
    r: &Resolved,
    weeks: u32,
    seed: u64,
    observe_week: impl FnMut(&RunState),
) -> (Vec<f64>, RunState) {
    simulate_with(r, weeks, seed, &[], true, observe_week)
}

/// The leader's side index, if the scenario has a decision layer.
pub fn leader_side(r: &Resolved) -> Option<usize> {
    r.scenario
        .politics
        .as_ref()
        .and_then(|p| r.side_index(&p.leader))
}

/// Runs one simulation, writing its observations into its row of the chunk buffer (laid out
/// as [`model::observe_into_row`] says) and its record into `record`, whose vectors are reused
/// (see [`SparePool`]). `leader` is [`leader_side`]`(r)`, found once per study.
fn run_one(
    r: &Resolved,
    cfg: &StudyConfig,
    leader: Option<usize>,
    run: u64,
    row: &mut [f64],
    stats: &mut EventTally,
    record: &mut RunRecord,
) {
    let seed = run_seed(cfg.seed, run);
    let (sample, mut state) = simulate(r, cfg.weeks, seed, move |st| {
        model::observe_into_row(st, leader, row);
    });
    let events = match state.politics.take() {
        Some(p) => RunEvents {
            outcome: p.outcome,
            events: p.events,
            highest_kahn: p.highest_kahn,
            nuclear_killed: p.nuclear_killed,
            nuclear_injured: p.nuclear_injured,
        },
        None => RunEvents::default(),
    };
    if r.scenario.politics.is_some() {
        stats.record(&events);
    }
    record.run = run;
    record.seed = seed;
    record.sampled.clear();
    record.sampled.extend(
        r.specs
            .iter()
            .zip(&sample)
            .filter(|(p, _)| p.is_random())
            .map(|(_, v)| *v),
    );
    record.final_values.clear();
    for i in 0..2 {
        record.final_values.extend(model::observe(&state, i, None));
    }
    record.events = events;
}

/// Chunks of run records the calling thread has shown to the observer, handed back for the
/// workers to refill. Each run's record holds two vectors; allocating them on a worker and
/// freeing them on the calling thread cost a malloc and a cross-thread free (a lock on the
/// worker's arena) per vector, several percent of a study (round 9 of docs/performance.md).
struct SparePool(Mutex<Vec<Vec<RunRecord>>>);

impl SparePool {
    fn take(&self) -> Vec<RunRecord> {
        // A poisoned lock means a worker panicked; that panic is reported when it is joined.
        self.0
            .lock()
            .map(|mut spare| spare.pop())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    fn give(&self, records: Vec<RunRecord>) {
        if let Ok(mut spare) = self.0.lock() {
            spare.push(records);
        }
    }
}

/// Runs the study (or its shard). Stops early, cleanly, when `stop` becomes true: the runs
/// finished by then form a prefix of the requested range and are all reported.
pub fn run_study(
    r: &Resolved,
    cfg: &StudyConfig,
    stop: &AtomicBool,
    observer: &mut dyn StudyObserver,
) -> std::io::Result<StudyResult> {
    if cfg.runs > MAX_RUNS {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("a study has at most {MAX_RUNS} runs, not {}", cfg.runs),
        ));
    }
    let requested = match cfg.shard {
        Some(s) => s.range(cfg.runs),
        None => 0..cfg.runs,
    };
    let total = requested.end - requested.start;
    let chunks = total.div_ceil(CHUNK_RUNS);
    let next = AtomicU64::new(0);
    let threads = cfg.threads.max(1).min(chunks.max(1) as usize);
    let nvars = NVARS;
    let leader = leader_side(r);
    let (tx, rx) = mpsc::channel::<(u64, Vec<RunRecord>)>();
    let spare = SparePool(Mutex::new(Vec::new()));

    let mut merged = Accumulator::new(cfg.weeks, 2, nvars);
    let mut merged_events = EventStats::new(cfg.weeks);
    let mut emitted_chunks = 0u64;
    let mut io_error = None;
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            let requested = requested.clone();
            let spare = &spare;
            handles.push(scope.spawn(move || {
                let mut acc = Accumulator::new(cfg.weeks, 2, nvars);
                let mut stats = EventTally::new(r, cfg.weeks);
                // One row of observations per run of a chunk (see `Accumulator::record_rows`).
                let cells = acc.cells();
                let mut buf = vec![0.0; cells * CHUNK_RUNS as usize];
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let lo = requested.start + c * CHUNK_RUNS;
                    let hi = (lo + CHUNK_RUNS).min(requested.end);
                    let rows = &mut buf[..(hi - lo) as usize * cells];
                    let mut records = spare.take();
                    records.resize_with((hi - lo) as usize, RunRecord::default);
                    for ((run, row), record) in
                        (lo..hi).zip(rows.chunks_exact_mut(cells)).zip(&mut records)
                    {
                        run_one(r, cfg, leader, run, row, &mut stats, record);
                    }
                    acc.record_rows(rows, (hi - lo) as usize);
                    if tx.send((c, records)).is_err() {
                        break;
                    }
                }
                (acc, stats)
            }));
        }
        drop(tx);
        let mut pending: BTreeMap<u64, Vec<RunRecord>> = BTreeMap::new();
        let mut done = 0u64;
        for (c, records) in rx {
            done += records.len() as u64;
            pending.insert(c, records);
            while let Some(records) = pending.remove(&emitted_chunks) {
                if io_error.is_none()
                    && let Err(e) = observer.on_runs(&records)
                {
                    io_error = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
                spare.give(records);
                emitted_chunks += 1;
            }
            observer.on_progress(done, total);
        }
        for h in handles {
            let (acc, stats) = h.join().expect("a worker thread panicked");
            merged.merge(&acc);
            merged_events.merge(&stats.into_stats());
        }
    });
    if let Some(e) = io_error {
        return Err(e);
    }
    let completed_runs = merged.runs;
    debug_assert_eq!(completed_runs, (emitted_chunks * CHUNK_RUNS).min(total));
    Ok(StudyResult {
        acc: merged,
        events: merged_events,
        requested: requested.clone(),
        completed: requested.start..requested.start + completed_runs,
        interrupted: completed_runs < total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        for runs in [0u64, 1, 7, 1000, 12_345] {
            for count in 1..6 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(runs);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, runs);
            }
        }
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
    }

    #[test]
    fn simulate_fixed_holds_the_given_slots_and_draws_the_rest_as_before() {
        let r = crate::load::load_default(&[]).unwrap();
        let slot = r
            .params
            .iter()
            .position(|(p, _)| p == "mobilization.RU.p_evade")
            .unwrap();
        let (free, _) = simulate(&r, 4, 99, |_| {});
        let (held, _) = simulate_fixed(&r, 4, 99, &[(slot, 0.33)], |_| {});
        for (i, (a, b)) in free.iter().zip(&held).enumerate() {
            if i == slot {
                assert_eq!(*b, 0.33);
            } else {
                assert_eq!(a, b, "slot {i} changed");
            }
        }
    }

    #[test]
    fn a_study_beyond_the_countable_runs_is_refused_before_running() {
        let r = crate::load::load_default(&[]).unwrap();
        let cfg = StudyConfig {
            runs: MAX_RUNS + 1,
            seed: 1,
            weeks: 1,
            threads: 1,
            shard: Some(Shard {
                index: 1,
                count: 1 << 30,
            }),
        };
        let e = run_study(&r, &cfg, &AtomicBool::new(false), &mut Discard).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("at most 4294967295 runs"), "{e}");
    }

    #[test]
    fn a_refilled_record_equals_a_new_one() {
        // Records are reused from chunk to chunk (SparePool): whatever a record held before,
        // refilling it for a run must give exactly the record of that run made afresh.
        let r = crate::load::load_default(&[]).unwrap();
        let cfg = StudyConfig {
            runs: 10,
            seed: 7,
            weeks: 30,
            threads: 1,
            shard: None,
        };
        let leader = leader_side(&r);
        let cells = (cfg.weeks as usize + 1) * 2 * NVARS;
        let mut stats = EventTally::new(&r, cfg.weeks);
        let mut row = vec![0.0; cells];
        let fresh = |run: u64, stats: &mut EventTally, row: &mut [f64]| {
            let mut record = RunRecord::default();
            run_one(&r, &cfg, leader, run, row, stats, &mut record);
            record
        };
        let runs: Vec<RunRecord> = (0..10)
            .map(|run| fresh(run, &mut stats, &mut row))
            .collect();
        assert!(
            runs.iter()
                .any(|a| a.events.events.len() != runs[0].events.events.len()),
            "the runs should differ in their number of events"
        );
        // Refill one record, starting from vectors of the wrong lengths and garbage values, run
        // after run out of order, so each refill follows a run with other events.
        let mut reused = RunRecord {
            sampled: vec![f64::NAN; 500],
            final_values: vec![Some(-1.0); 3],
            ..RunRecord::default()
        };
        for run in [9, 0, 5, 1, 8, 2, 7, 3, 6, 4] {
            run_one(&r, &cfg, leader, run, &mut row, &mut stats, &mut reused);
            assert_eq!(reused, runs[run as usize], "run {run}");
        }
    }

    #[test]
    fn run_seeds_differ_and_depend_only_on_master_and_index() {
        let a: Vec<u64> = (0..1000).map(|i| run_seed(42, i)).collect();
        let mut b = a.clone();
        b.sort_unstable();
        b.dedup();
        assert_eq!(b.len(), 1000);
        assert_eq!(run_seed(42, 17), a[17]);
        assert_ne!(run_seed(43, 17), a[17]);
    }
}
