//! `brink sensitivity`, `brink compare` and `brink sweep`: flags, files and terminal output.
//! The only place where brink-study touches files or the terminal.

use crate::morris::{morris_design_spread, morris_indices};
use crate::oat::{oat_design, oat_result};
use crate::scenario::{
    GridSpec, Outcomes, ParamRange, ScenarioModel, check_corners, check_value, compare, find_slot,
    grid_points, lhs_points, parse_interval, resolve_ranges, sweep,
};
use crate::sobol::{saltelli_design, sobol_indices, sobol_study};
use crate::testfn::{Ishigami, SobolG};
use crate::{Model, par_map_until, scale_rows};
use brink_core::load::{self, LoadError, MAX_SCENARIO_BYTES, Override, Resolved};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use std::fs::{self, File};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Why a study command failed; [`StudyError::exit_code`] gives its exit code.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A file could not be read or written (exit 1).
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// Bad flags or values (exit 2).
    #[error("{0}")]
    Input(String),
    /// The scenario has problems (exit 2).
    #[error("{0}")]
    Scenario(LoadError),
    /// Stopped by Ctrl-C; the message says what was kept (exit 130).
    #[error("{0}")]
    Interrupted(String),
}

impl StudyError {
    pub fn exit_code(&self) -> u8 {
        match self {
            StudyError::Io { .. } => 1,
            StudyError::Input(_) | StudyError::Scenario(_) => 2,
            StudyError::Interrupted(_) => 130,
        }
    }
}

/// Installs the Ctrl-C handler of a long command (`brink run` and the study commands): the
/// first Ctrl-C prints `message` and asks the work to stop after what is under way (the
/// returned flag), the second quits at once with exit code 130.
pub fn install_interrupt_handler(message: &'static str) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Fails only if a handler is already installed (a second study in one process, as in
    // tests); the study then simply cannot be interrupted, which is harmless.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: {message} (Ctrl-C again to quit now)");
    });
    stop
}

fn interrupt_flag() -> Arc<AtomicBool> {
    install_interrupt_handler("finishing the work under way")
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StudyError + '_ {
    move |source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Sensitivity method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// One at a time: each parameter to its low and high, the others at their base values.
    Oat,
    /// Morris elementary effects: mu, mu* and sigma over N trajectories.
    Morris,
    /// Sobol' first-order and total indices (Saltelli design, N (k + 2) points).
    Sobol,
}

impl Method {
    fn id(self) -> &'static str {
        match self {
            Method::Oat => "oat",
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// Standard test functions with known indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFunction {
    /// Ishigami & Homma (1990), a = 7, b = 0.1, x on [-pi, pi]^3.
    Ishigami,
    /// Sobol' G with a = [0, 1, 4.5, 9, 99, 99, 99, 99], x on [0, 1]^8.
    SobolG,
}

/// Rank scenario parameters by their influence on an outcome (or check the estimators on a
/// test function).
#[derive(Clone, Debug, clap::Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML). Omit it for the embedded September 2022 scenario.
    pub scenario: Option<PathBuf>,
    /// Parameters to vary, by scenario path, comma separated (e.g.
    /// mobilization.RU.call_up,combat.exponent_own). Default for morris and oat: every random
    /// parameter of the scenario; sobol needs the list.
    #[arg(long, value_delimiter = ',', value_name = "P1,P2,...")]
    pub params: Vec<String>,
    /// The outcome: an outcome or event id of summary.json (e.g. nuclear_use,
    /// ua_military_victory) or a final-state metric (e.g. final.UA.territory_km2).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Method.
    #[arg(long, value_enum, default_value_t = Method::Sobol)]
    pub method: Method,
    /// Base sample size (Sobol: N, giving N (k + 2) points) or trajectories (Morris: N,
    /// giving N (k + 1) points); ignored by oat. Default: 1024 for Sobol, 20 for Morris.
    #[arg(long)]
    pub n: Option<usize>,
    /// Runs averaged at each design point (the same run seeds at every point).
    #[arg(long, default_value_t = 200)]
    pub runs_per_point: u64,
    /// Master seed (default: the scenario's seed; 1 for test functions).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Horizon in weeks (default: the scenario's `weeks`).
    #[arg(long)]
    pub weeks: Option<u32>,
    /// Override one value before the study, e.g. --set combat.exponent_own=1 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// The range of one parameter, e.g. --range mobilization.RU.call_up=200000..1000000
    /// (default: from its distribution; see docs/study.md).
    #[arg(long = "range", value_name = "PATH=LO..HI")]
    pub range: Vec<String>,
    /// Grid levels of the Morris design (even).
    #[arg(long, default_value_t = 4)]
    pub levels: usize,
    /// Morris: choose the N trajectories from this many random candidates so that they spread
    /// over the input space (Campolongo et al. 2007); 0 (default): N random trajectories.
    #[arg(long, default_value_t = 0, value_name = "M")]
    pub candidates: usize,
    /// Bootstrap resamples for the Sobol' 95% intervals (0: none).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Run the estimator on a standard test function instead of a scenario.
    #[arg(long, value_enum, conflicts_with_all = ["scenario", "params", "outcome", "set", "range"])]
    pub test_function: Option<TestFunction>,
    /// Print JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write sensitivity.json to this directory.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run two variants with common random numbers and report every difference with its 95%
/// interval.
#[derive(Clone, Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario A (default: the embedded scenario).
    pub a: Option<PathBuf>,
    /// Scenario B (default: A with the --set-b overrides).
    pub b: Option<PathBuf>,
    /// Override a value in both scenarios (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Override a value in B only (repeatable), e.g. --set-b mobilization.RU.call_up=1000000.
    #[arg(long = "set-b", value_name = "PATH=VALUE")]
    pub set_b: Vec<Override>,
    /// Runs of each variant (default: A's `runs`).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (default: A's seed); both variants use the same run seeds.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write compare.json to this directory.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Print every row, not only those that differ.
    #[arg(long)]
    pub all: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Outcomes over a grid (or Latin hypercube) of one or more parameters.
#[derive(Clone, Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML). Omit it for the embedded September 2022 scenario.
    pub scenario: Option<PathBuf>,
    /// A parameter and its values: PATH=LO..HI[:POINTS] (POINTS default 5; repeatable, the
    /// full grid is swept).
    #[arg(long, required = true, value_name = "PATH=LO..HI[:POINTS]")]
    pub grid: Vec<GridSpec>,
    /// Instead of the full grid, N Latin-hypercube points over the --grid ranges.
    #[arg(long, value_name = "N")]
    pub lhs: Option<usize>,
    /// Runs at each point (the same run seeds at every point).
    #[arg(long, default_value_t = 200)]
    pub runs: u64,
    /// Master seed (default: the scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override one value before the sweep (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Write sweep.csv and sweep.json to this directory.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Print JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Loads a scenario file (or the embedded default) with overrides.
pub fn load_scenario(file: Option<&Path>, set: &[Override]) -> Result<Resolved, StudyError> {
    let Some(path) = file else {
        return load::load_default(set).map_err(StudyError::Scenario);
    };
    if fs::metadata(path).map_err(io_err(path))?.is_dir() {
        return Err(StudyError::Input(format!(
            "{} is a directory; pass a scenario file (TOML)",
            path.display()
        )));
    }
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| {
            f.take(MAX_SCENARIO_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(io_err(path))?;
    load::load_bytes(&path.display().to_string(), &bytes, set).map_err(StudyError::Scenario)
}

/// Writes a file atomically: a temporary file in the same directory, then a rename.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), StudyError> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_err(dest))
}

fn write_json(dir: &Path, file: &str, v: &Value) -> Result<PathBuf, StudyError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let p = dir.join(file);
    let mut text = serde_json::to_string_pretty(v).expect("json");
    text.push('\n');
    write_atomic(&p, text.as_bytes())?;
    Ok(p)
}

fn threads(t: Option<usize>) -> Result<usize, StudyError> {
    let t = t.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if t == 0 || t > 1024 {
        return Err(StudyError::Input(
            "--threads must be between 1 and 1024".into(),
        ));
    }
    Ok(t)
}

fn progress_bar(total: u64, quiet: bool, unit: &str) -> ProgressBar {
    let bar = if quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
        ))
        .expect("valid template"),
    );
    bar
}

fn out_err(e: io::Error) -> StudyError {
    StudyError::Io {
        path: PathBuf::from("<stdout>"),
        source: e,
    }
}

/// `brink sensitivity`.
pub fn sensitivity(args: &SensitivityArgs, out: &mut dyn Write) -> Result<(), StudyError> {
    let threads = threads(args.threads)?;
    let n = args.n.unwrap_or(match args.method {
        Method::Sobol => 1024,
        Method::Morris => 20,
        Method::Oat => 1,
    });
    if n == 0 || n > 1 << 24 {
        return Err(StudyError::Input(format!(
            "--n must be between 1 and 2^24 (got {n})"
        )));
    }
    if let Some(tf) = args.test_function {
        return test_function(args, tf, n, threads, out);
    }
    if args.runs_per_point == 0 || args.runs_per_point > 10_000_000 {
        return Err(StudyError::Input(
            "--runs-per-point must be between 1 and 10,000,000".into(),
        ));
    }
    let r = load_scenario(args.scenario.as_deref(), &args.set)?;
    let Some(outcome) = &args.outcome else {
        return Err(StudyError::Input(
            "give the outcome to explain with --outcome, e.g. --outcome nuclear_use or --outcome final.UA.territory_km2".into(),
        ));
    };
    let outcome_set = Outcomes::select(&r, outcome).map_err(StudyError::Input)?;
    let mut given = Vec::new();
    for g in &args.range {
        let parsed = g
            .split_once('=')
            .and_then(|(p, iv)| parse_interval(iv).map(|(lo, hi)| (p.trim().to_string(), lo, hi)));
        given.push(parsed.ok_or_else(|| {
            StudyError::Input(format!(
                "--range `{g}` is not PATH=LO..HI with LO < HI, e.g. mobilization.RU.call_up=200000..1000000"
            ))
        })?);
    }
    let mut paths: Vec<String> = args.params.iter().map(|p| p.trim().to_string()).collect();
    if paths.is_empty() {
        // Screening methods vary every random parameter by default: which of them matter is
        // the question they answer. Sobol' costs N (k + 2) design points, too many for all.
        let random: Vec<String> = r.random_params().map(str::to_string).collect();
        if args.method == Method::Sobol {
            let k = random.len() as u64;
            return Err(StudyError::Input(format!(
                "give the parameters to vary with --params: Sobol' over all {k} random parameters \
                 would take N (k + 2) = {} design points at N = 1024; screen them first with \
                 --method morris (or oat), which varies all of them when --params is omitted",
                1024 * (k + 2)
            )));
        }
        eprintln!(
            "varying all {} random parameters of the scenario (choose with --params)",
            random.len()
        );
        paths = random;
    }
    let ranges = resolve_ranges(&r, &paths, &given).map_err(StudyError::Input)?;
    let seed = args.seed.unwrap_or(r.scenario.scenario.seed);
    let weeks = args.weeks.unwrap_or(r.scenario.scenario.weeks);
    if weeks == 0 || weeks > 1040 {
        return Err(StudyError::Input(
            "--weeks must be between 1 and 1040".into(),
        ));
    }
    let model = ScenarioModel {
        r: &r,
        ranges: ranges.clone(),
        outcome: outcome_set.clone(),
        runs_per_point: args.runs_per_point,
        weeks,
    };
    let k = ranges.len();
    let low: Vec<f64> = ranges.iter().map(|p| p.low).collect();
    let high: Vec<f64> = ranges.iter().map(|p| p.high).collect();
    let points = match args.method {
        Method::Oat => 2 * k + 1,
        Method::Morris => n * (k + 1),
        Method::Sobol => n * (k + 2),
    };
    check_design_size(points, k)?;
    if args.candidates > 0 && args.method != Method::Morris {
        return Err(StudyError::Input(
            "--candidates chooses Morris trajectories; use it with --method morris".into(),
        ));
    }
    // The design (rows of real-unit points) is a pure function of the method, ranges, n, levels
    // and seed, so an interrupted study can be resumed from the outputs it had evaluated.
    let morris = match args.method {
        Method::Morris => Some(
            morris_design_spread(k, n, args.levels, seed, args.candidates)
                .map_err(StudyError::Input)?,
        ),
        _ => None,
    };
    let saltelli = (args.method == Method::Sobol).then(|| saltelli_design(k, n, seed));
    let base: Vec<f64> = ranges.iter().map(|p| p.base).collect();
    let design: Vec<f64> = match args.method {
        Method::Oat => oat_design(&base, &low, &high),
        Method::Morris => scale_rows(&morris.as_ref().expect("morris design").unit, &low, &high),
        Method::Sobol => scale_rows(
            &saltelli.as_ref().expect("saltelli design").unit,
            &low,
            &high,
        ),
    };
    debug_assert_eq!(design.len(), points * k);
    let identity = checkpoint_identity(&r.hash, args, outcome, &ranges, n, seed, weeks);
    let checkpoint = args.out.as_ref().map(|d| d.join(CHECKPOINT_FILE));
    let mut y = match &checkpoint {
        Some(p) => read_checkpoint(p, &identity, points)?,
        None => Vec::new(),
    };
    if !y.is_empty() {
        eprintln!(
            "resuming: {} of {points} design points from {}",
            y.len(),
            checkpoint.as_ref().expect("checkpoint").display()
        );
    }
    let bar = progress_bar(points as u64, args.quiet, "points");
    bar.set_position(y.len() as u64);
    let tick = |d: u64| bar.inc(d);
    let stop = interrupt_flag();
    let started = Instant::now();
    let done_before = y.len();
    y.extend(par_map_until(
        points - done_before,
        threads,
        &tick,
        &stop,
        |i| {
            let row = done_before + i;
            model.evaluate(&design[row * k..(row + 1) * k], seed)
        },
    ));
    bar.finish_and_clear();
    if y.len() < points {
        let kept = match &checkpoint {
            Some(p) => {
                write_checkpoint(p, &identity, &y)?;
                format!(
                    "saved in {}; run the same command again to resume",
                    p.display()
                )
            }
            None => "not saved (give --out DIR to be able to resume)".to_string(),
        };
        return Err(StudyError::Interrupted(format!(
            "interrupted: {} of {points} design points evaluated, {kept}",
            y.len()
        )));
    }
    let mut doc = json!({
        "brink_version": env!("CARGO_PKG_VERSION"),
        "scenario": r.scenario.scenario.name,
        "scenario_hash": r.hash,
        "seed": seed,
        "method": args.method.id(),
        "outcome": outcome,
        "outcome_is_probability": outcome_set.measures[0].is_probability(),
        "n": if args.method == Method::Oat { 1 } else { n },
        "runs_per_point": args.runs_per_point,
        "n_evaluations": points,
        "n_runs": points as u64 * args.runs_per_point,
        "weeks": weeks,
    });
    let mut params: Vec<(f64, Value)> = Vec::with_capacity(k);
    let base_entry = |p: &ParamRange| json!({"path": p.path, "low": p.low, "high": p.high, "range_source": p.source});
    match args.method {
        Method::Oat => {
            let res = oat_result(k, &y).map_err(StudyError::Input)?;
            doc["base_value"] = json!(res.base_value);
            for (i, p) in ranges.iter().enumerate() {
                let mut e = base_entry(p);
                e["base"] = json!(p.base);
                e["base_value"] = json!(res.base_value);
                e["value_at_low"] = json!(res.value_at_low[i]);
                e["value_at_high"] = json!(res.value_at_high[i]);
                params.push((res.swing()[i], e));
            }
        }
        Method::Morris => {
            let d = morris.as_ref().expect("morris design");
            let m = morris_indices(d, &y).map_err(StudyError::Input)?;
            doc["levels"] = json!(args.levels);
            doc["candidates"] = json!(args.candidates);
            for (i, p) in ranges.iter().enumerate() {
                let mut e = base_entry(p);
                e["mu"] = json!(m.mu[i]);
                e["mu_star"] = json!(m.mu_star[i]);
                e["sigma"] = json!(m.sigma[i]);
                params.push((m.mu_star[i], e));
            }
        }
        Method::Sobol => {
            let design = saltelli.as_ref().expect("saltelli design");
            let s = sobol_indices(&y, k, n, args.bootstrap, seed, threads)
                .map_err(StudyError::Input)?;
            doc["bootstrap_resamples"] = json!(args.bootstrap);
            doc["sequence"] = json!(format!("{:?}", design.sequence).to_lowercase());
            doc["output_variance"] = json!(s.variance);
            if s.variance == 0.0 {
                eprintln!(
                    "warning: `{outcome}` took the same value at every design point; all indices are 0 (try more --runs-per-point or wider ranges)"
                );
            }
            for (i, p) in ranges.iter().enumerate() {
                let mut e = base_entry(p);
                e["S1"] = json!(s.s1[i]);
                e["S1_ci95"] = json!(s.s1_ci95[i]);
                e["ST"] = json!(s.st[i]);
                e["ST_ci95"] = json!(s.st_ci95[i]);
                params.push((s.st[i], e));
            }
        }
    }
    // Most influential first; ties keep the --params order (stable sort).
    params.sort_by(|a, b| b.0.total_cmp(&a.0));
    doc["parameters"] = Value::Array(params.into_iter().map(|(_, e)| e).collect());
    if let Some(dir) = &args.out {
        write_json(dir, "sensitivity.json", &doc)?;
        if let Some(p) = &checkpoint
            && p.exists()
        {
            fs::remove_file(p).map_err(io_err(p))?;
        }
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("json")).map_err(out_err)?;
    } else {
        write_sensitivity_table(out, &doc).map_err(out_err)?;
    }
    eprintln!(
        "{points} points x {} runs in {:.1} s ({threads} threads){}",
        args.runs_per_point,
        started.elapsed().as_secs_f64(),
        args.out
            .as_ref()
            .map(|d| format!("; wrote {}", d.join("sensitivity.json").display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Where an interrupted `brink sensitivity --out DIR` keeps the outputs it had evaluated.
pub const CHECKPOINT_FILE: &str = "sensitivity.checkpoint.json";

/// Everything the design and its outputs depend on: a checkpoint is resumed only by the same
/// study (same resolved scenario, outcome, parameters and ranges, method, sizes, seed).
fn checkpoint_identity(
    scenario_hash: &str,
    args: &SensitivityArgs,
    outcome: &str,
    ranges: &[ParamRange],
    n: usize,
    seed: u64,
    weeks: u32,
) -> Value {
    json!({
        "scenario_hash": scenario_hash,
        "outcome": outcome,
        "method": args.method.id(),
        "parameters": ranges.iter().map(|p| json!([p.path, p.low, p.high, p.base])).collect::<Vec<_>>(),
        "n": n,
        "levels": args.levels,
        "candidates": args.candidates,
        "runs_per_point": args.runs_per_point,
        "seed": seed,
        "weeks": weeks,
    })
}

/// The outputs saved by an interrupted run of the same study, or none. A checkpoint of another
/// study is ignored (and replaced if this one is interrupted too).
fn read_checkpoint(path: &Path, identity: &Value, points: usize) -> Result<Vec<f64>, StudyError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(path)(e)),
    };
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        StudyError::Input(format!(
            "{}: not a checkpoint of brink sensitivity ({e}); delete it to start afresh",
            path.display()
        ))
    })?;
    if doc["identity"] != *identity {
        eprintln!(
            "note: {} belongs to another study (different scenario, parameters or settings); starting afresh",
            path.display()
        );
        return Ok(Vec::new());
    }
    let outputs: Option<Vec<f64>> = doc["outputs"]
        .as_array()
        .and_then(|a| a.iter().map(Value::as_f64).collect());
    match outputs {
        Some(y) if y.len() <= points => Ok(y),
        _ => Err(StudyError::Input(format!(
            "{}: its outputs are not a list of at most {points} numbers; delete it to start afresh",
            path.display()
        ))),
    }
}

fn write_checkpoint(path: &Path, identity: &Value, outputs: &[f64]) -> Result<(), StudyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    // serde_json writes the shortest decimal that reads back to the same f64, so a resumed
    // study analyses exactly the numbers an uninterrupted one would.
    let doc = json!({"identity": identity, "outputs": outputs});
    write_atomic(path, serde_json::to_string(&doc).expect("json").as_bytes())
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn ci(v: &Value) -> String {
    format!("[{:.3}, {:.3}]", f(&v[0]), f(&v[1]))
}

fn write_sensitivity_table(w: &mut dyn Write, doc: &Value) -> io::Result<()> {
    writeln!(
        w,
        "{}: {} of `{}`, n = {}, {} runs per point, seed {}",
        doc["scenario"].as_str().unwrap_or(""),
        doc["method"].as_str().unwrap_or(""),
        doc["outcome"].as_str().unwrap_or(""),
        doc["n"],
        doc["runs_per_point"],
        doc["seed"]
    )?;
    let params = doc["parameters"].as_array().cloned().unwrap_or_default();
    let width = params
        .iter()
        .map(|p| p["path"].as_str().unwrap_or("").len())
        .max()
        .unwrap_or(9)
        .max(9);
    match doc["method"].as_str() {
        Some("oat") => {
            writeln!(w, "outcome at base: {}", num(f(&doc["base_value"])))?;
            writeln!(
                w,
                "rank  {:width$}  {:>12} {:>12}  {:>12} {:>12}  {:>10}",
                "parameter", "low", "high", "at low", "at high", "swing"
            )?;
            for (i, p) in params.iter().enumerate() {
                let (l, h) = (f(&p["value_at_low"]), f(&p["value_at_high"]));
                writeln!(
                    w,
                    "{:>4}  {:width$}  {:>12} {:>12}  {:>12} {:>12}  {:>10}",
                    i + 1,
                    p["path"].as_str().unwrap_or(""),
                    num(f(&p["low"])),
                    num(f(&p["high"])),
                    num(l),
                    num(h),
                    num((h - l).abs())
                )?;
            }
        }
        Some("morris") => {
            writeln!(
                w,
                "rank  {:width$}  {:>12} {:>12}  {:>10} {:>10} {:>10}",
                "parameter", "low", "high", "mu*", "mu", "sigma"
            )?;
            for (i, p) in params.iter().enumerate() {
                writeln!(
                    w,
                    "{:>4}  {:width$}  {:>12} {:>12}  {:>10} {:>10} {:>10}",
                    i + 1,
                    p["path"].as_str().unwrap_or(""),
                    num(f(&p["low"])),
                    num(f(&p["high"])),
                    num(f(&p["mu_star"])),
                    num(f(&p["mu"])),
                    num(f(&p["sigma"]))
                )?;
            }
        }
        _ => {
            writeln!(
                w,
                "rank  {:width$}  {:>12} {:>12}  {:>6} {:>16}  {:>6} {:>16}",
                "parameter", "low", "high", "ST", "ST 95% CI", "S1", "S1 95% CI"
            )?;
            for (i, p) in params.iter().enumerate() {
                writeln!(
                    w,
                    "{:>4}  {:width$}  {:>12} {:>12}  {:>6.3} {:>16}  {:>6.3} {:>16}",
                    i + 1,
                    p["path"].as_str().unwrap_or(""),
                    num(f(&p["low"])),
                    num(f(&p["high"])),
                    f(&p["ST"]),
                    ci(&p["ST_ci95"]),
                    f(&p["S1"]),
                    ci(&p["S1_ci95"])
                )?;
            }
        }
    }
    Ok(())
}

/// Compact numbers for tables: brink's usual 1.23M / 45.6k / 0.62.
fn num(x: f64) -> String {
    if x.is_nan() {
        return "-".into();
    }
    brink_core::output::human(x)
}

fn test_function(
    args: &SensitivityArgs,
    tf: TestFunction,
    n: usize,
    threads: usize,
    out: &mut dyn Write,
) -> Result<(), StudyError> {
    if args.method != Method::Sobol {
        return Err(StudyError::Input(
            "--test-function runs the Sobol' estimators: use --method sobol".into(),
        ));
    }
    let seed = args.seed.unwrap_or(1);
    let pi = std::f64::consts::PI;
    let (model, low, high, name): (Box<dyn Model>, Vec<f64>, Vec<f64>, &str) = match tf {
        TestFunction::Ishigami => (
            Box::new(Ishigami::default()),
            vec![-pi; 3],
            vec![pi; 3],
            "ishigami",
        ),
        TestFunction::SobolG => (
            Box::new(SobolG::default()),
            vec![0.0; 8],
            vec![1.0; 8],
            "sobol-g",
        ),
    };
    let (analytic_s1, analytic_st) = match tf {
        TestFunction::Ishigami => {
            let (a, b) = Ishigami::default().analytic();
            (a.to_vec(), b.to_vec())
        }
        TestFunction::SobolG => SobolG::default().analytic(),
    };
    check_design_size(n * (low.len() + 2), low.len())?;
    let (design, _, s) = sobol_study(
        model.as_ref(),
        &low,
        &high,
        n,
        args.bootstrap,
        seed,
        threads,
        &crate::no_progress,
    )
    .map_err(StudyError::Input)?;
    let doc = json!({
        "test_function": name,
        "method": "sobol",
        "n": n,
        "seed": seed,
        "sequence": format!("{:?}", design.sequence).to_lowercase(),
        "bootstrap_resamples": args.bootstrap,
        "n_evaluations": design.rows(),
        "S1": s.s1,
        "ST": s.st,
        "S1_ci95": s.s1_ci95,
        "ST_ci95": s.st_ci95,
        "analytic_S1": analytic_s1,
        "analytic_ST": analytic_st,
    });
    if let Some(dir) = &args.out {
        write_json(dir, "sensitivity.json", &doc)?;
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("json")).map_err(out_err)?;
        return Ok(());
    }
    writeln!(
        out,
        "{name}: Sobol' indices, N = {n} ({} evaluations), {} bootstrap resamples",
        design.rows(),
        args.bootstrap
    )
    .map_err(out_err)?;
    writeln!(
        out,
        "input  {:>6} {:>16} {:>8}  {:>6} {:>16} {:>8}",
        "S1", "95% CI", "exact", "ST", "95% CI", "exact"
    )
    .map_err(out_err)?;
    for i in 0..s.s1.len() {
        writeln!(
            out,
            "x{:<4}  {:>6.4} {:>16} {:>8.4}  {:>6.4} {:>16} {:>8.4}",
            i + 1,
            s.s1[i],
            format!("[{:.4}, {:.4}]", s.s1_ci95[i][0], s.s1_ci95[i][1]),
            analytic_s1[i],
            s.st[i],
            format!("[{:.4}, {:.4}]", s.st_ci95[i][0], s.st_ci95[i][1]),
            analytic_st[i]
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// `brink compare`.
pub fn compare_cmd(args: &CompareArgs, out: &mut dyn Write) -> Result<(), StudyError> {
    let threads = threads(args.threads)?;
    if args.b.is_none() && args.set_b.is_empty() {
        return Err(StudyError::Input(
            "nothing to compare: give a second scenario (brink compare A.toml B.toml) or B's changes with --set-b PATH=VALUE".into(),
        ));
    }
    let a = load_scenario(args.a.as_deref(), &args.set)?;
    let b = match &args.b {
        Some(path) => {
            let mut set = args.set.clone();
            set.extend(args.set_b.iter().cloned());
            load_scenario(Some(path), &set)?
        }
        None => {
            let mut set = args.set.clone();
            set.extend(args.set_b.iter().cloned());
            load_scenario(args.a.as_deref(), &set)?
        }
    };
    let runs = args.runs.unwrap_or(a.scenario.scenario.runs);
    if !(2..=100_000_000).contains(&runs) {
        return Err(StudyError::Input(
            "--runs must be between 2 and 100,000,000".into(),
        ));
    }
    let seed = args.seed.unwrap_or(a.scenario.scenario.seed);
    let bar = progress_bar(runs, args.quiet, "run pairs");
    let started = Instant::now();
    let stop = interrupt_flag();
    let (rows, done) =
        compare(&a, &b, runs, seed, threads, &|d| bar.inc(d), &stop).map_err(|e| {
            if stop.load(Ordering::SeqCst) {
                StudyError::Interrupted(format!("{e}; nothing was written"))
            } else {
                StudyError::Input(e)
            }
        })?;
    bar.finish_and_clear();
    let requested = runs;
    let runs = done;
    let name = |r: &Resolved, p: &Option<PathBuf>| {
        p.as_ref().map_or_else(
            || "<embedded default>".to_string(),
            |p| p.display().to_string(),
        ) + &format!(" ({})", r.scenario.scenario.name)
    };
    let doc = json!({
        "brink_version": env!("CARGO_PKG_VERSION"),
        "a": {"scenario": name(&a, &args.a), "scenario_hash": a.hash, "weeks": a.scenario.scenario.weeks},
        "b": {"scenario": name(&b, if args.b.is_some() { &args.b } else { &args.a }),
              "scenario_hash": b.hash, "weeks": b.scenario.scenario.weeks,
              "set_b": args.set_b.iter().map(|o| format!("{}={}", o.path, o.value)).collect::<Vec<_>>()},
        "seed": seed,
        "runs": runs,
        "runs_requested": requested,
        "rows": rows.iter().map(|d| json!({
            "name": d.name,
            "kind": if d.probability { "probability" } else { "mean" },
            "a": d.a, "b": d.b, "diff": d.diff, "ci95": d.ci95, "significant": d.significant,
        })).collect::<Vec<_>>(),
    });
    if let Some(dir) = &args.out {
        write_json(dir, "compare.json", &doc)?;
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("json")).map_err(out_err)?;
    } else {
        let w = out;
        writeln!(
            w,
            "A: {}\nB: {}{}\n{runs} runs each with the same run seeds (master seed {seed}); B - A with 95% interval of the paired differences; * = significant",
            doc["a"]["scenario"].as_str().unwrap_or(""),
            doc["b"]["scenario"].as_str().unwrap_or(""),
            if args.set_b.is_empty() {
                String::new()
            } else {
                format!(" with {}", doc["b"]["set_b"].as_array().map(|v| v.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default())
            }
        )
        .map_err(out_err)?;
        let width = rows.iter().map(|d| d.name.len()).max().unwrap_or(4).max(4);
        writeln!(
            w,
            "{:width$}  {:>10} {:>10} {:>10}  {:>24}",
            "name", "A", "B", "B - A", "95% CI"
        )
        .map_err(out_err)?;
        let mut shown = 0;
        for d in &rows {
            if !args.all && d.diff == 0.0 && d.ci95 == [0.0, 0.0] {
                continue;
            }
            shown += 1;
            let fmt = |x: f64| {
                if d.probability {
                    format!("{x:.4}")
                } else {
                    num(x)
                }
            };
            writeln!(
                w,
                "{:width$}  {:>10} {:>10} {:>10}  {:>24} {}",
                d.name,
                fmt(d.a),
                fmt(d.b),
                fmt(d.diff),
                format!("[{}, {}]", fmt(d.ci95[0]), fmt(d.ci95[1])),
                if d.significant { "*" } else { "" }
            )
            .map_err(out_err)?;
        }
        if shown < rows.len() {
            writeln!(
                w,
                "({} rows identical in every run not shown; --all shows them)",
                rows.len() - shown
            )
            .map_err(out_err)?;
        }
    }
    let sig = rows.iter().filter(|d| d.significant).count();
    eprintln!(
        "{runs} x 2 runs in {:.1} s ({threads} threads); {sig} of {} differences significant at 95%",
        started.elapsed().as_secs_f64(),
        rows.len()
    );
    if runs < requested {
        return Err(StudyError::Interrupted(format!(
            "interrupted: the comparison above rests on the {runs} of {requested} run pairs that finished (runs 0..{runs}){}",
            if args.out.is_some() {
                ", as does compare.json"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Largest number of points of a sweep.
pub const MAX_SWEEP_POINTS: usize = 1_000_000;

/// Largest number of design values (points x parameters) held in memory by a sensitivity study
/// (2^26 values = 512 MiB).
pub const MAX_DESIGN_VALUES: usize = 1 << 26;

fn check_design_size(points: usize, k: usize) -> Result<(), StudyError> {
    if points.saturating_mul(k) > MAX_DESIGN_VALUES {
        return Err(StudyError::Input(format!(
            "the design would hold {points} points x {k} parameters, more than {MAX_DESIGN_VALUES} values; use a smaller --n"
        )));
    }
    Ok(())
}

/// `brink sweep`.
pub fn sweep_cmd(args: &SweepArgs, out: &mut dyn Write) -> Result<(), StudyError> {
    let threads = threads(args.threads)?;
    if args.runs == 0 || args.runs > 10_000_000 {
        return Err(StudyError::Input(
            "--runs must be between 1 and 10,000,000".into(),
        ));
    }
    let r = load_scenario(args.scenario.as_deref(), &args.set)?;
    let mut slots = Vec::new();
    for (i, g) in args.grid.iter().enumerate() {
        if args.grid[..i].iter().any(|h| h.path == g.path) {
            return Err(StudyError::Input(format!(
                "`{}` has two --grid options; give each parameter once",
                g.path
            )));
        }
        slots.push(find_slot(&r, &g.path).map_err(StudyError::Input)?);
        for v in [g.low, g.high] {
            check_value(&r, &g.path, v).map_err(|e| {
                StudyError::Input(format!(
                    "--grid `{}` cannot take the value {v}: {e}",
                    g.path
                ))
            })?;
        }
    }
    if args.grid.len() > 1 {
        let corners: Vec<(&str, f64, f64)> = args
            .grid
            .iter()
            .map(|g| (g.path.as_str(), g.low, g.high))
            .collect();
        check_corners(&r, &corners).map_err(StudyError::Input)?;
    }
    let seed = args.seed.unwrap_or(r.scenario.scenario.seed);
    // Counted before any point is built, so a typo like :1000000000 fails fast.
    let count = match args.lhs {
        Some(n) => Some(n),
        None => args
            .grid
            .iter()
            .try_fold(1usize, |acc, g| acc.checked_mul(g.points)),
    };
    match count {
        Some(0) => return Err(StudyError::Input("--lhs must be at least 1".into())),
        Some(c) if c <= MAX_SWEEP_POINTS => {}
        _ => {
            return Err(StudyError::Input(format!(
                "the sweep would have more than {MAX_SWEEP_POINTS} points; use fewer POINTS per --grid or --lhs N"
            )));
        }
    }
    let points = match args.lhs {
        Some(n) => lhs_points(&args.grid, n, seed),
        None => grid_points(&args.grid),
    };
    let outcomes = Outcomes::all(&r);
    let bar = progress_bar(points.len() as u64, args.quiet, "points");
    let started = Instant::now();
    let stop = interrupt_flag();
    let means = sweep(
        &r,
        &slots,
        &points,
        &outcomes,
        args.runs,
        seed,
        threads,
        &|d| bar.inc(d),
        &stop,
    );
    bar.finish_and_clear();
    // After Ctrl-C, the finished points (a prefix in design order) are written and shown.
    let planned = points.len();
    let mut points = points;
    points.truncate(means.len());
    let param_names: Vec<&str> = args.grid.iter().map(|g| g.path.as_str()).collect();
    let mut csv = String::new();
    csv.push_str(&param_names.join(","));
    for n in &outcomes.names {
        csv.push(',');
        csv.push_str(n);
    }
    csv.push('\n');
    for (p, m) in points.iter().zip(&means) {
        let cells: Vec<String> = p.iter().chain(m).map(|v| v.to_string()).collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let doc = json!({
        "brink_version": env!("CARGO_PKG_VERSION"),
        "scenario": r.scenario.scenario.name,
        "scenario_hash": r.hash,
        "seed": seed,
        "runs": args.runs,
        "design": if args.lhs.is_some() { "lhs" } else { "grid" },
        "complete": points.len() == planned,
        "parameters": args.grid.iter().map(|g| json!({"path": g.path, "low": g.low, "high": g.high, "points": if args.lhs.is_some() { points.len() } else { g.points }})).collect::<Vec<_>>(),
        "outcomes": outcomes.names.iter().zip(&outcomes.measures).map(|(n, m)| json!({"name": n, "kind": if m.is_probability() { "probability" } else { "mean" }})).collect::<Vec<_>>(),
        "rows": points.iter().zip(&means).map(|(p, m)| json!({"values": p, "outcomes": m})).collect::<Vec<_>>(),
    });
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        write_atomic(&dir.join("sweep.csv"), csv.as_bytes())?;
        write_json(dir, "sweep.json", &doc)?;
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&doc).expect("json")).map_err(out_err)?;
    } else {
        // The table shows the outcome probabilities (or, without a decision layer, the final
        // territory and front strength); the files hold every column.
        let shown: Vec<usize> = if r.scenario.politics.is_some() {
            let mut v: Vec<usize> = (0..7).collect();
            v.extend(outcomes.names.iter().position(|n| n == "nuclear_use"));
            v
        } else {
            outcomes
                .names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.ends_with(".territory_km2") || n.ends_with(".at_front"))
                .map(|(i, _)| i)
                .collect()
        };
        writeln!(
            out,
            "{}: {} points x {} runs (same run seeds at every point), seed {seed}",
            r.scenario.scenario.name,
            points.len(),
            args.runs
        )
        .map_err(out_err)?;
        let header: Vec<String> = param_names
            .iter()
            .map(|s| s.to_string())
            .chain(shown.iter().map(|&i| outcomes.names[i].clone()))
            .collect();
        let widths: Vec<usize> = header.iter().map(|h| h.len().max(8)).collect();
        let line: Vec<String> = header
            .iter()
            .zip(&widths)
            .map(|(h, w)| format!("{h:>w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ")).map_err(out_err)?;
        for (p, m) in points.iter().zip(&means) {
            let cells: Vec<String> = p
                .iter()
                .map(|v| num(*v))
                .chain(shown.iter().map(|&i| {
                    if outcomes.measures[i].is_probability() {
                        format!("{:.3}", m[i])
                    } else {
                        num(m[i])
                    }
                }))
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect();
            writeln!(out, "{}", cells.join("  ")).map_err(out_err)?;
        }
    }
    eprintln!(
        "{} points x {} runs in {:.1} s ({threads} threads){}",
        points.len(),
        args.runs,
        started.elapsed().as_secs_f64(),
        args.out
            .as_ref()
            .map(|d| format!("; wrote {}", d.display()))
            .unwrap_or_default()
    );
    if points.len() < planned {
        return Err(StudyError::Interrupted(format!(
            "interrupted: {} of {planned} points finished{}",
            points.len(),
            if args.out.is_some() {
                " and were written (sweep.json has \"complete\": false)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}
