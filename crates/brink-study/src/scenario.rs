//! The seam between the estimators and the engine: a brink scenario seen as a [`Model`], plus
//! scenario comparison and parameter sweeps.
//!
//! A design point fixes some parameters (by scenario path); every other parameter is sampled
//! as in `brink run`. The value at a point is the mean of an outcome over `R` runs whose seeds
//! are `run_seed(seed, 0..R)`, the same at every point (common random numbers): with the
//! engine's separate parameter and dynamics streams, two points differ only through the
//! parameters they fix.

use crate::{Model, Progress, par_map_until};
use brink_core::decision::config::Outcome;
use brink_core::decision::stats::EventStats;
use brink_core::load::{self, Override, Resolved};
use brink_core::model::{self, VARIABLES};
use brink_core::param::{Dist, ParamSpec, normal_quantile};
use brink_core::study::{leader_side, run_seed, simulate_fixed};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::sync::atomic::AtomicBool;

/// Half-width of the range given to a parameter that has a plain value in the scenario.
pub const PLAIN_VALUE_SPREAD: f64 = 0.2;

/// Quantiles bounding the range of an unbounded distribution (normal, log-normal).
pub const TAIL_QUANTILES: (f64, f64) = (0.01, 0.99);

/// One varied parameter: where it lives and the range it is varied over.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRange {
    pub path: String,
    pub slot: usize,
    pub low: f64,
    pub high: f64,
    /// The value used for the others in one-at-a-time (mode, median or plain value).
    pub base: f64,
    /// Where the range came from, e.g. `pert min..max`, `assumption: value +-20%`, `--range`.
    pub source: String,
}

/// The slot of a parameter path, or an error naming it with a "did you mean" hint.
pub fn find_slot(r: &Resolved, path: &str) -> Result<usize, String> {
    if let Some(i) = r.params.iter().position(|(p, _)| p == path) {
        return Ok(i);
    }
    let hint = match load::closest(path, r.params.iter().map(|(p, _)| p.as_str())) {
        Some(c) => format!("did you mean `{c}`?"),
        None => "parameter paths are the column names of runs.csv and the keys of `brink scenario show`, e.g. mobilization.RU.call_up".into(),
    };
    Err(format!(
        "`{path}` is not a numeric parameter of scenario {}; {hint}",
        r.source_name
    ))
}

/// Range, base value and its description for a parameter specification.
pub fn default_range(spec: &ParamSpec) -> (f64, f64, f64, String) {
    let (q_lo, q_hi) = TAIL_QUANTILES;
    match spec {
        ParamSpec::Fixed(v) => {
            let d = (v * PLAIN_VALUE_SPREAD).abs();
            (
                v - d,
                v + d,
                *v,
                "assumption: plain value +-20%".to_string(),
            )
        }
        ParamSpec::Dist(d) => match *d {
            Dist::Uniform { min, max } => (min, max, 0.5 * (min + max), "uniform min..max".into()),
            Dist::Triangular { min, mode, max } => (min, max, mode, "triangular min..max".into()),
            Dist::Pert { min, mode, max } => (min, max, mode, "pert min..max".into()),
            Dist::Normal { mean, sd, min, max } => {
                let lo = min.unwrap_or(mean + sd * normal_quantile(q_lo));
                let hi = max.unwrap_or(mean + sd * normal_quantile(q_hi));
                let what = match (min, max) {
                    (Some(_), Some(_)) => "normal truncation bounds",
                    (None, None) => "normal 1%..99% quantiles",
                    _ => "normal truncation bound and 1%/99% quantile",
                };
                (lo, hi, mean.clamp(lo, hi), what.into())
            }
            Dist::Lognormal { median, sigma } => (
                median * (sigma * normal_quantile(q_lo)).exp(),
                median * (sigma * normal_quantile(q_hi)).exp(),
                median,
                "lognormal 1%..99% quantiles".into(),
            ),
            Dist::Beta { .. } => {
                let (lo, hi) = d.support();
                let base = d.mean_variance().map_or(0.5 * (lo + hi), |(m, _)| m);
                (lo, hi, base, "beta min..max".into())
            }
        },
    }
}

/// Parses `lo..hi` (the part after `path=` of `--range` and `--grid`).
pub fn parse_interval(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once("..")?;
    let lo: f64 = a.trim().parse().ok()?;
    let hi: f64 = b.trim().parse().ok()?;
    (lo.is_finite() && hi.is_finite() && lo < hi).then_some((lo, hi))
}

/// The ranges of `paths`: from `given` (path, low, high) when listed there, else from the
/// scenario's distributions. Every low and high value is checked against the parameter's
/// domain by loading the scenario with it set, so a range never feeds the engine a value the
/// scenario file could not hold.
pub fn resolve_ranges(
    r: &Resolved,
    paths: &[String],
    given: &[(String, f64, f64)],
) -> Result<Vec<ParamRange>, String> {
    if paths.is_empty() {
        return Err("no parameters to vary: give --params p1,p2,...".into());
    }
    for (g, _, _) in given {
        find_slot(r, g)?;
        if !paths.contains(g) {
            return Err(format!(
                "--range names `{g}`, which is not in --params; add it to --params or drop the range"
            ));
        }
    }
    let mut out = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        if paths[..i].contains(path) {
            return Err(format!("`{path}` is listed twice in --params"));
        }
        let slot = find_slot(r, path)?;
        let (mut low, mut high, mut base, mut source) = default_range(&r.specs[slot].spec);
        if let Some((_, lo, hi)) = given.iter().find(|(g, _, _)| g == path) {
            (low, high, source) = (*lo, *hi, "--range".to_string());
            if !(low..=high).contains(&base) {
                base = 0.5 * (low + high);
            }
        }
        if low >= high {
            return Err(format!(
                "`{path}` has the single value {low}: there is no range to vary it over; give one with --range {path}=LO..HI"
            ));
        }
        for v in [low, high] {
            check_value(r, path, v).map_err(|e| {
                format!("`{path}` cannot take the value {v} ({source}): {e}; give a valid range with --range {path}=LO..HI")
            })?;
        }
        out.push(ParamRange {
            path: path.clone(),
            slot,
            low,
            high,
            base,
            source,
        });
    }
    if out.len() > 1 {
        let corners: Vec<(&str, f64, f64)> = out
            .iter()
            .map(|p| (p.path.as_str(), p.low, p.high))
            .collect();
        check_corners(r, &corners)?;
    }
    Ok(out)
}

/// Whether the scenario still loads with `path` set to `value` (domain and cross-field checks).
pub fn check_value(r: &Resolved, path: &str, value: f64) -> Result<(), String> {
    check_values(r, &[(path, value)])
}

/// Whether the scenario still loads with every `(path, value)` set at once.
pub fn check_values(r: &Resolved, values: &[(&str, f64)]) -> Result<(), String> {
    let o: Vec<Override> = values
        .iter()
        .map(|(path, value)| Override {
            path: path.to_string(),
            value: format!("{value:?}"),
        })
        .collect();
    let text = load::apply_overrides(&r.source_name, &r.text, &o).map_err(|e| first(&e))?;
    load::load(&r.source_name, &text)
        .map(|_| ())
        .map_err(|e| first(&e))
}

/// Checks the corners where every parameter is at its low, and at its high, value together:
/// constraints across fields (e.g. killed_share + captured_share <= 1) show up there.
pub fn check_corners(r: &Resolved, ranges: &[(&str, f64, f64)]) -> Result<(), String> {
    for (which, at_high) in [("low", false), ("high", true)] {
        let values: Vec<(&str, f64)> = ranges
            .iter()
            .map(|(p, lo, hi)| (*p, if at_high { *hi } else { *lo }))
            .collect();
        check_values(r, &values).map_err(|e| {
            format!(
                "the scenario is invalid with every varied parameter at its {which} value together: {e}; narrow the ranges with --range"
            )
        })?;
    }
    Ok(())
}

fn first(e: &load::LoadError) -> String {
    e.diagnostics
        .first()
        .map(|d| {
            let mut m = d.message.clone();
            if let Some(h) = &d.hint {
                m.push_str(&format!(" ({h})"));
            }
            m
        })
        .unwrap_or_default()
}

/// What one named outcome reads from a finished run.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// 1 if the run ended in this terminal outcome, else 0.
    Outcome(Outcome),
    /// 1 if the event happened at least once in the run, else 0.
    Event(String),
    /// A variable's final value for one side (`final.<SIDE>.<variable>`).
    Final { side: usize, var: usize },
    /// People killed by nuclear detonations in the run.
    NuclearKilled,
}

impl Measure {
    /// Probabilities are means of 0/1 values; the others are means of quantities.
    pub fn is_probability(&self) -> bool {
        matches!(self, Measure::Outcome(_) | Measure::Event(_))
    }
}

/// Named outcomes of a scenario, in a fixed order.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcomes {
    pub names: Vec<String>,
    pub measures: Vec<Measure>,
}

/// Variables whose final value is a metric: all but `arrival_quality` (undefined in runs with
/// no arrivals) and the political variables (defined for the leader's side only, added
/// separately).
const POLITICAL_FROM: usize = 17;

impl Outcomes {
    /// Every outcome of `r`: terminal outcomes and events (decision layer), then final-state
    /// metrics `final.<SIDE>.<variable>` and `nuclear_killed`. Names match summary.json's
    /// `outcomes`/`events` keys and runs.csv's `final.` columns.
    pub fn all(r: &Resolved) -> Outcomes {
        let mut names = Vec::new();
        let mut measures = Vec::new();
        if r.scenario.politics.is_some() {
            for o in Outcome::ALL {
                names.push(o.id().to_string());
                measures.push(Measure::Outcome(o));
            }
            let empty = EventStats::new(r.scenario.scenario.weeks);
            for id in brink_core::output::reported_events(r, &empty) {
                if !names.contains(&id) {
                    names.push(id.clone());
                    measures.push(Measure::Event(id));
                }
            }
        }
        let leader = leader_side(r);
        for (side, id) in r.sides.iter().enumerate() {
            for (var, v) in VARIABLES.iter().enumerate() {
                let political = var >= POLITICAL_FROM;
                if *v == "arrival_quality" || (political && leader != Some(side)) {
                    continue;
                }
                names.push(format!("final.{id}.{v}"));
                measures.push(Measure::Final { side, var });
            }
        }
        if r.scenario.politics.is_some() {
            names.push("nuclear_killed".into());
            measures.push(Measure::NuclearKilled);
        }
        Outcomes { names, measures }
    }

    /// The one outcome called `name`, or an error listing what exists.
    pub fn select(r: &Resolved, name: &str) -> Result<Outcomes, String> {
        let all = Outcomes::all(r);
        match all.names.iter().position(|n| n == name) {
            Some(i) => Ok(Outcomes {
                names: vec![all.names[i].clone()],
                measures: vec![all.measures[i].clone()],
            }),
            None => {
                let hint = load::closest(name, all.names.iter().map(String::as_str))
                    .map(|c| format!("did you mean `{c}`? "))
                    .unwrap_or_default();
                Err(format!(
                    "--outcome `{name}` is not an outcome of this scenario; {hint}outcomes: {}",
                    all.names.join(", ")
                ))
            }
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Runs one simulation with `fixed` (slot, value) pairs and reads every outcome of `o`.
pub fn run_values(
    r: &Resolved,
    weeks: u32,
    seed: u64,
    fixed: &[(usize, f64)],
    o: &Outcomes,
) -> Vec<f64> {
    let (_, state) = simulate_fixed(r, weeks, seed, fixed, |_| {});
    let leader = leader_side(r);
    let finals = [
        model::observe(&state, 0, leader),
        model::observe(&state, 1, leader),
    ];
    let pol = state.politics.as_ref();
    o.measures
        .iter()
        .map(|m| match m {
            Measure::Outcome(x) => f64::from(u8::from(
                pol.and_then(|p| p.outcome).is_some_and(|(y, _)| y == *x),
            )),
            Measure::Event(id) => f64::from(u8::from(
                pol.is_some_and(|p| p.events.iter().any(|e| &e.event == id)),
            )),
            Measure::Final { side, var } => finals[*side][*var].unwrap_or(0.0),
            Measure::NuclearKilled => pol.map_or(0.0, |p| p.nuclear_killed),
        })
        .collect()
}

/// A scenario and one outcome as a [`Model`]: the inputs are the parameters of `ranges`.
pub struct ScenarioModel<'a> {
    pub r: &'a Resolved,
    pub ranges: Vec<ParamRange>,
    pub outcome: Outcomes,
    pub runs_per_point: u64,
    pub weeks: u32,
}

impl Model for ScenarioModel<'_> {
    fn dim(&self) -> usize {
        self.ranges.len()
    }

    /// The mean of the outcome over runs `0..R` of a study with master seed `seed`.
    fn evaluate(&self, x: &[f64], seed: u64) -> f64 {
        let fixed: Vec<(usize, f64)> = self
            .ranges
            .iter()
            .map(|p| p.slot)
            .zip(x.iter().copied())
            .collect();
        let mut sum = 0.0;
        for i in 0..self.runs_per_point {
            sum += run_values(self.r, self.weeks, run_seed(seed, i), &fixed, &self.outcome)[0];
        }
        sum / self.runs_per_point as f64
    }
}

/// One row of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub name: String,
    pub probability: bool,
    pub a: f64,
    pub b: f64,
    /// Mean of the paired differences `B - A` over runs with the same seed.
    pub diff: f64,
    pub ci95: [f64; 2],
    /// The 95% interval excludes 0.
    pub significant: bool,
}

/// Runs `a` and `b` with the same run seeds and compares every outcome they share. Returns the
/// differences and the number of run pairs they rest on: `runs`, or fewer when `stop` was set
/// (Ctrl-C), in which case the comparison covers the finished prefix of runs `0..m`.
pub fn compare(
    a: &Resolved,
    b: &Resolved,
    runs: u64,
    seed: u64,
    threads: usize,
    progress: Progress,
    stop: &AtomicBool,
) -> Result<(Vec<Difference>, u64), String> {
    if runs < 2 {
        return Err("--runs must be at least 2 to estimate a confidence interval".into());
    }
    let oa = Outcomes::all(a);
    let ob = Outcomes::all(b);
    // Outcomes present in both, in A's order.
    let pairs: Vec<(usize, usize)> = oa
        .names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| ob.names.iter().position(|m| m == n).map(|j| (i, j)))
        .collect();
    if pairs.is_empty() {
        return Err("the two scenarios share no outcome or metric (different sides?)".into());
    }
    let (wa, wb) = (a.scenario.scenario.weeks, b.scenario.scenario.weeks);
    // Runs go in blocks (bounded memory); within a block in parallel, then folded into the
    // sums in run order, so the result does not depend on the thread count.
    let mut sa = vec![0.0; pairs.len()];
    let mut sb = vec![0.0; pairs.len()];
    // Welford's running mean and sum of squared deviations of the paired differences.
    let mut mean_d = vec![0.0; pairs.len()];
    let mut m2_d = vec![0.0; pairs.len()];
    let mut seen = 0u64;
    let mut start = 0u64;
    while start < runs {
        let len = (runs - start).min(COMPARE_BLOCK_RUNS);
        let block: Vec<(Vec<f64>, Vec<f64>)> =
            par_map_until(len as usize, threads, progress, stop, |i| {
                let s = run_seed(seed, start + i as u64);
                (
                    run_values(a, wa, s, &[], &oa),
                    run_values(b, wb, s, &[], &ob),
                )
            });
        for (va, vb) in &block {
            seen += 1;
            for (q, &(i, j)) in pairs.iter().enumerate() {
                sa[q] += va[i];
                sb[q] += vb[j];
                let d = vb[j] - va[i];
                let delta = d - mean_d[q];
                mean_d[q] += delta / seen as f64;
                m2_d[q] += delta * (d - mean_d[q]);
            }
        }
        start += len;
        if (block.len() as u64) < len {
            break;
        }
    }
    if seen < 2 {
        return Err(format!(
            "interrupted after {seen} run pairs; at least 2 are needed for an interval"
        ));
    }
    let n = seen as f64;
    let rows = pairs
        .iter()
        .enumerate()
        .map(|(q, &(i, _))| {
            let diff = mean_d[q];
            let var = m2_d[q] / (n - 1.0);
            let half = 1.959_964 * (var / n).sqrt();
            let ci95 = [diff - half, diff + half];
            Difference {
                name: oa.names[i].clone(),
                probability: oa.measures[i].is_probability(),
                a: sa[q] / n,
                b: sb[q] / n,
                diff,
                ci95,
                significant: ci95[0] > 0.0 || ci95[1] < 0.0,
            }
        })
        .collect();
    Ok((rows, seen))
}

/// Runs per block of a comparison (memory: a block holds every outcome of both variants).
pub const COMPARE_BLOCK_RUNS: u64 = 16_384;

/// One parameter of a sweep: `path=lo..hi[:points]`.
#[derive(Clone, Debug, PartialEq)]
pub struct GridSpec {
    pub path: String,
    pub low: f64,
    pub high: f64,
    /// Grid points (ignored with Latin hypercube sampling).
    pub points: usize,
}

impl std::str::FromStr for GridSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<GridSpec, String> {
        let bad = || {
            format!(
                "`{s}` is not PATH=LO..HI[:POINTS] with LO < HI and POINTS >= 2, e.g. mobilization.RU.call_up=100000..1000000:10"
            )
        };
        let (path, rest) = s.split_once('=').ok_or_else(bad)?;
        let (interval, points) = match rest.rsplit_once(':') {
            Some((i, p)) => (i, p.trim().parse::<usize>().map_err(|_| bad())?),
            None => (rest, 5),
        };
        let (low, high) = parse_interval(interval).ok_or_else(bad)?;
        if points < 2 || path.trim().is_empty() {
            return Err(bad());
        }
        Ok(GridSpec {
            path: path.trim().to_string(),
            low,
            high,
            points,
        })
    }
}

/// Points of a full grid (the first parameter varies slowest), one `Vec` per point.
pub fn grid_points(specs: &[GridSpec]) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new()];
    for g in specs {
        let values: Vec<f64> = (0..g.points)
            .map(|t| {
                if t + 1 == g.points {
                    g.high
                } else {
                    g.low + (g.high - g.low) * t as f64 / (g.points - 1) as f64
                }
            })
            .collect();
        out = out
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(*v);
                    q
                })
            })
            .collect();
    }
    out
}

/// `n` Latin-hypercube points over the specs' ranges (McKay, Beckman & Conover 1979): each
/// range is cut into `n` equal strata and every stratum is used once per parameter.
pub fn lhs_points(specs: &[GridSpec], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = vec![Vec::with_capacity(specs.len()); n];
    for g in specs {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut rng);
        for (p, s) in out.iter_mut().zip(strata) {
            let u = (s as f64 + rng.random::<f64>()) / n as f64;
            p.push(g.low + (g.high - g.low) * u);
        }
    }
    out
}

/// The mean of every outcome of `o` at each point, each over runs `0..runs` (common random
/// numbers across points). Stopped early (`stop`), it returns the points of a finished prefix.
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    r: &Resolved,
    slots: &[usize],
    points: &[Vec<f64>],
    o: &Outcomes,
    runs: u64,
    seed: u64,
    threads: usize,
    progress: Progress,
    stop: &AtomicBool,
) -> Vec<Vec<f64>> {
    let weeks = r.scenario.scenario.weeks;
    par_map_until(points.len(), threads, progress, stop, |p| {
        let fixed: Vec<(usize, f64)> = slots
            .iter()
            .copied()
            .zip(points[p].iter().copied())
            .collect();
        let mut sum = vec![0.0; o.len()];
        for i in 0..runs {
            for (s, v) in sum
                .iter_mut()
                .zip(run_values(r, weeks, run_seed(seed, i), &fixed, o))
            {
                *s += v;
            }
        }
        sum.iter().map(|s| s / runs as f64).collect()
    })
}
