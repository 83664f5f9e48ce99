//! `brink run`, `brink check` and `brink merge`.

use crate::RunArgs;
use crate::files::{AtomicFile, read_bounded, write_atomic};
use brink_core::aggregate::Accumulator;
use brink_core::load::{self, LoadError, MAX_SCENARIO_BYTES, Override, Resolved};
use brink_core::output::{self, StoredCell};
use brink_core::study::{self, RunRecord, StudyConfig, StudyObserver, StudyResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use brink_table::{
    ColType, CsvWriter, ParquetWriter, Schema, TableSink, Value, parse_csv_line, read_parquet_rows,
};

/// The file format of the tables (runs, weekly, events).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CSV files (`runs.csv`, ...).
    #[default]
    Csv,
    /// Parquet files (`runs.parquet`, ...).
    Parquet,
    /// Both.
    Both,
}

impl Format {
    fn csv(self) -> bool {
        self != Format::Parquet
    }
    fn parquet(self) -> bool {
        self != Format::Csv
    }
}

/// One output table written as CSV, Parquet or both, each file atomically.
struct TableFiles {
    csv: Option<(PathBuf, CsvWriter<AtomicFile>)>,
    parquet: Option<(PathBuf, ParquetWriter<AtomicFile>)>,
}

impl TableFiles {
    fn create(dir: &Path, stem: &str, schema: &Schema, format: Format) -> Result<Self, CliError> {
        let mut t = TableFiles {
            csv: None,
            parquet: None,
        };
        if format.csv() {
            let p = dir.join(format!("{stem}.csv"));
            let f = AtomicFile::create(&p).map_err(io_err(&p))?;
            let w = CsvWriter::new(f, schema).map_err(io_err(&p))?;
            t.csv = Some((p, w));
        }
        if format.parquet() {
            let p = dir.join(format!("{stem}.parquet"));
            let f = AtomicFile::create(&p).map_err(io_err(&p))?;
            let w = ParquetWriter::new(f, schema).map_err(io_err(&p))?;
            t.parquet = Some((p, w));
        }
        Ok(t)
    }

    /// The CSV writer's file, to append lines that are already CSV text.
    fn csv_file(&mut self) -> Option<&mut CsvWriter<AtomicFile>> {
        self.csv.as_mut().map(|(_, w)| w)
    }

    fn commit(self) -> Result<(), CliError> {
        if let Some((p, w)) = self.csv {
            w.into_inner().commit().map_err(io_err(&p))?;
        }
        if let Some((p, w)) = self.parquet {
            w.finish()
                .and_then(AtomicFile::commit)
                .map_err(io_err(&p))?;
        }
        Ok(())
    }
}

impl TableSink for TableFiles {
    fn write_row(&mut self, row: &[Value]) -> io::Result<()> {
        if let Some((_, w)) = self.csv.as_mut() {
            w.write_row(row)?;
        }
        if let Some((_, w)) = self.parquet.as_mut() {
            w.write_row(row)?;
        }
        Ok(())
    }
}

/// Everything that can end a command, with the exit code it maps to.
pub enum CliError {
    /// The scenario has problems (exit 2).
    Scenario(LoadError),
    /// A file could not be read or written (exit 1).
    Io { path: PathBuf, error: io::Error },
    /// Wrong use of the command (exit 2).
    Usage(String),
    /// The study was interrupted; what finished was written (exit 130).
    Interrupted(String),
    /// A subcommand's own error, already worded for the user, with its exit code.
    Other { message: String, code: u8 },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Io { .. } => 1,
            CliError::Scenario(_) | CliError::Usage(_) => 2,
            CliError::Interrupted(_) => 130,
            CliError::Other { code, .. } => *code,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Scenario(e) => write!(f, "{e}"),
            CliError::Io { path, error } => write!(f, "error: {}: {error}", path.display()),
            CliError::Usage(m) => write!(f, "error: {m}"),
            CliError::Interrupted(m) => write!(f, "{m}"),
            CliError::Other { message, .. } => write!(f, "error: {message}"),
        }
    }
}

pub fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CliError + '_ {
    move |error| CliError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// [`io_err`] for standard output (a closed pipe included).
pub fn stdout_err(error: io::Error) -> CliError {
    io_err(Path::new("<stdout>"))(error)
}

/// Loads the scenario file (or the embedded default) with overrides.
pub fn load_scenario(file: Option<&Path>, set: &[Override]) -> Result<Resolved, CliError> {
    let Some(path) = file else {
        return load::load_default(set).map_err(CliError::Scenario);
    };
    let name = path.display().to_string();
    let meta = fs::metadata(path).map_err(io_err(path))?;
    if meta.is_dir() {
        return Err(CliError::Usage(format!(
            "{name} is a directory; pass a scenario file (TOML)"
        )));
    }
    if meta.len() > MAX_SCENARIO_BYTES as u64 {
        return Err(CliError::Scenario(LoadError {
            diagnostics: vec![load::Diagnostic {
                file: name,
                line: 0,
                column: 0,
                path: String::new(),
                message: format!(
                    "the file is {} bytes; scenario files are limited to {MAX_SCENARIO_BYTES} bytes",
                    meta.len()
                ),
                expected: None,
                hint: Some(
                    "is this the right file? A scenario is a TOML text of a few kilobytes".into(),
                ),
                source_line: None,
            }],
        }));
    }
    let bytes = read_bounded(path, MAX_SCENARIO_BYTES).map_err(io_err(path))?;
    load::load_bytes(&name, &bytes, set).map_err(CliError::Scenario)
}

pub fn check(file: &Path, set: &[Override]) -> Result<(), CliError> {
    let r = load_scenario(Some(file), set)?;
    let random = r.random_params().count();
    writeln!(
        io::stdout().lock(),
        "ok: {} ({}): {} parameters, {} of them random; hash {}",
        file.display(),
        r.scenario.scenario.name,
        r.params.len(),
        random,
        &r.hash[..16]
    )
    .map_err(stdout_err)
}

/// Streams the runs and events tables and drives the progress bar.
struct Writer {
    runs: Option<TableFiles>,
    events: Option<TableFiles>,
    decision: bool,
    progress: ProgressBar,
}

impl StudyObserver for Writer {
    fn on_runs(&mut self, records: &[RunRecord]) -> io::Result<()> {
        if let Some(t) = self.runs.as_mut() {
            output::write_run_rows(t, records, self.decision)?;
        }
        if let Some(t) = self.events.as_mut() {
            output::write_event_rows(t, records)?;
        }
        Ok(())
    }
    fn on_progress(&mut self, done: u64, _total: u64) {
        self.progress.set_position(done);
    }
}

const AGGREGATE_FILE: &str = "aggregate.bin";
const EVENTS_AGGREGATE_FILE: &str = "events_aggregate.json";
const STUDY_FILE: &str = "study.json";
const SCENARIO_FILE: &str = "scenario.toml";

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let r = load_scenario(args.scenario.as_deref(), &args.set)?;
    let meta = &r.scenario.scenario;
    let cfg = StudyConfig {
        runs: args.runs.unwrap_or(meta.runs),
        seed: args.seed.unwrap_or(meta.seed),
        weeks: args.weeks.unwrap_or(meta.weeks),
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        shard: args.shard,
    };
    if cfg.runs == 0 || cfg.runs > brink_core::study::MAX_RUNS {
        return Err(CliError::Usage(format!(
            "--runs must be between 1 and {} (2^32 - 1: histogram bins count runs in 32 bits)",
            brink_core::study::MAX_RUNS
        )));
    }
    if cfg.weeks == 0 || cfg.weeks > 1040 {
        return Err(CliError::Usage("--weeks must be between 1 and 1040".into()));
    }
    if cfg.threads == 0 || cfg.threads > 1024 {
        return Err(CliError::Usage(
            "--threads must be between 1 and 1024".into(),
        ));
    }

    // Checked before the study runs, not after it: a typo must not cost a long study.
    if let Some(g) = &args.given {
        let events = output::possible_events(&r);
        if events.is_empty() {
            return Err(CliError::Usage(format!(
                "--given `{g}`: this scenario has no decision layer ([politics]), so no events"
            )));
        }
        if !events.contains(g) {
            return Err(CliError::Usage(format!(
                "--given `{g}` is not an event of this scenario; events: {}",
                events.join(", ")
            )));
        }
    }

    let stop = brink_study::cli::install_interrupt_handler(
        "finishing the runs under way and writing them",
    );

    let mut runs = None;
    let mut events = None;
    let decision = r.scenario.politics.is_some();
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        runs = Some(TableFiles::create(
            dir,
            "runs",
            &output::runs_schema(&r),
            args.format,
        )?);
        if decision {
            events = Some(TableFiles::create(
                dir,
                "events",
                &output::events_schema(),
                args.format,
            )?);
        }
    }
    let requested = cfg.shard.map_or(0..cfg.runs, |s| s.range(cfg.runs));
    let progress = if args.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(
            Some(requested.end - requested.start),
            ProgressDrawTarget::stderr(),
        )
    };
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} runs ({per_sec}, eta {eta})",
        )
        .expect("valid template"),
    );
    let mut writer = Writer {
        runs,
        events,
        decision,
        progress,
    };
    let started = Instant::now();
    let result = study::run_study(&r, &cfg, &stop, &mut writer)
        .map_err(io_err(args.out.as_deref().unwrap_or(Path::new("runs.csv"))))?;
    writer.progress.finish_and_clear();
    let elapsed = started.elapsed();

    if let Some(dir) = &args.out {
        if let Some(t) = writer.runs.take() {
            t.commit()?;
        }
        if let Some(t) = writer.events.take() {
            t.commit()?;
        }
        write_outputs(dir, &r, cfg.seed, cfg.runs, &result, args.format)?;
    }
    let mut stdout = io::stdout().lock();
    if args.json {
        let mut summary = output::summary_json(&r, cfg.seed, &result);
        if let Some(g) = &args.given {
            summary["given"] = output::decision_json(&r, &result.events, Some(g));
        }
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&summary).expect("json")
        )
        .map_err(stdout_err)?;
    } else {
        output::write_table(&mut stdout, &r, cfg.seed, &result).map_err(stdout_err)?;
        if r.scenario.politics.is_some() {
            output::write_decision_table(&mut stdout, &r, &result.events, None)
                .map_err(stdout_err)?;
            if let Some(g) = &args.given {
                output::write_decision_table(&mut stdout, &r, &result.events, Some(g))
                    .map_err(stdout_err)?;
            }
        }
    }
    let done = result.completed.end - result.completed.start;
    eprintln!(
        "{done} runs x {} weeks in {:.2} s ({:.0} runs/s, {} threads){}",
        cfg.weeks,
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64().max(1e-9),
        cfg.threads,
        args.out
            .as_ref()
            .map(|d| format!("; wrote {}", d.display()))
            .unwrap_or_default()
    );
    if result.interrupted {
        return Err(CliError::Interrupted(format!(
            "interrupted: {done} of {} runs finished and were written",
            result.requested.end - result.requested.start
        )));
    }
    Ok(())
}

/// Writes every output file of a study (or shard) into `dir`, each atomically.
fn write_outputs(
    dir: &Path,
    r: &Resolved,
    seed: u64,
    runs_total: u64,
    result: &StudyResult,
    format: Format,
) -> Result<(), CliError> {
    let summary = output::summary_json(r, seed, result);
    let mut text = serde_json::to_string_pretty(&summary).expect("json");
    text.push('\n');
    let p = dir.join("summary.json");
    write_atomic(&p, text.as_bytes()).map_err(io_err(&p))?;

    let mut weekly = TableFiles::create(dir, "weekly", &output::weekly_schema(), format)?;
    output::write_weekly_rows(&mut weekly, r, &result.acc).map_err(io_err(&dir.join("weekly")))?;
    weekly.commit()?;

    // What `brink merge` needs to rebuild the study from shards.
    let p = dir.join(AGGREGATE_FILE);
    let mut bytes = Vec::new();
    result.acc.write(&mut bytes).expect("in-memory write");
    write_atomic(&p, &bytes).map_err(io_err(&p))?;
    let p = dir.join(SCENARIO_FILE);
    write_atomic(&p, r.text.as_bytes()).map_err(io_err(&p))?;
    if r.scenario.politics.is_some() {
        let p = dir.join(EVENTS_AGGREGATE_FILE);
        let text = serde_json::to_string(&result.events).expect("json");
        write_atomic(&p, text.as_bytes()).map_err(io_err(&p))?;
        let p = dir.join("survival.csv");
        let mut f = AtomicFile::create(&p).map_err(io_err(&p))?;
        output::write_survival(&mut f, r, &result.events).map_err(io_err(&p))?;
        f.commit().map_err(io_err(&p))?;
    }
    let study = serde_json::json!({
        "scenario_hash": r.hash,
        "seed": seed,
        "runs_total": runs_total,
        "weeks": result.acc.weeks,
        "requested": [result.requested.start, result.requested.end],
        "completed": [result.completed.start, result.completed.end],
    });
    let p = dir.join(STUDY_FILE);
    write_atomic(
        &p,
        format!("{}\n", serde_json::to_string_pretty(&study).expect("json")).as_bytes(),
    )
    .map_err(io_err(&p))?;
    Ok(())
}

struct ShardDir {
    dir: PathBuf,
    study: serde_json::Value,
    start: u64,
    end: u64,
}

pub fn merge(dirs: &[PathBuf], out: &Path, format: Format) -> Result<(), CliError> {
    let mut shards = Vec::new();
    for dir in dirs {
        let p = dir.join(STUDY_FILE);
        let text = fs::read_to_string(&p).map_err(io_err(&p))?;
        let study: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            CliError::Usage(format!("{}: not a brink study file: {e}", p.display()))
        })?;
        let range = |k: &str| -> Option<(u64, u64)> {
            let a = study.get(k)?.as_array()?;
            Some((a.first()?.as_u64()?, a.get(1)?.as_u64()?))
        };
        let (Some(req), Some(done)) = (range("requested"), range("completed")) else {
            return Err(CliError::Usage(format!(
                "{}: missing run ranges",
                p.display()
            )));
        };
        if req != done {
            return Err(CliError::Usage(format!(
                "{} holds an interrupted shard (runs {}..{} of {}..{} finished); run it again before merging",
                dir.display(),
                done.0,
                done.1,
                req.0,
                req.1
            )));
        }
        shards.push(ShardDir {
            dir: dir.clone(),
            study,
            start: req.0,
            end: req.1,
        });
    }
    shards.sort_by_key(|s| s.start);
    let first = &shards[0];
    for s in &shards[1..] {
        for key in ["scenario_hash", "seed", "runs_total", "weeks"] {
            if s.study.get(key) != first.study.get(key) {
                return Err(CliError::Usage(format!(
                    "{} and {} differ in `{key}`: they are not shards of one study",
                    first.dir.display(),
                    s.dir.display()
                )));
            }
        }
    }
    let runs_total = first.study["runs_total"].as_u64().unwrap_or(0);
    if runs_total > brink_core::study::MAX_RUNS {
        return Err(CliError::Usage(format!(
            "{}: `runs_total` is {runs_total}, above the {} runs a study can count",
            first.dir.join(STUDY_FILE).display(),
            brink_core::study::MAX_RUNS
        )));
    }
    let mut next = 0;
    for s in &shards {
        if s.start != next {
            return Err(CliError::Usage(format!(
                "runs {next}..{} are missing (or overlap) before {}; pass every shard exactly once",
                s.start,
                s.dir.display()
            )));
        }
        next = s.end;
    }
    if next != runs_total {
        return Err(CliError::Usage(format!(
            "runs {next}..{runs_total} are missing; pass every shard"
        )));
    }

    let scen_path = first.dir.join(SCENARIO_FILE);
    let text = fs::read_to_string(&scen_path).map_err(io_err(&scen_path))?;
    let r = load::load(&scen_path.display().to_string(), &text).map_err(CliError::Scenario)?;
    let seed = first.study["seed"].as_u64().unwrap_or(0);
    let mut acc: Option<Accumulator> = None;
    let mut events = brink_core::decision::stats::EventStats::new(r.scenario.scenario.weeks);
    fs::create_dir_all(out).map_err(io_err(out))?;
    let runs_schema = output::runs_schema(&r);
    let events_schema = output::events_schema();
    let mut runs = TableFiles::create(out, "runs", &runs_schema, format)?;
    let has_events = r.scenario.politics.is_some();
    let mut events_table = if has_events {
        Some(TableFiles::create(out, "events", &events_schema, format)?)
    } else {
        None
    };
    for (i, s) in shards.iter().enumerate() {
        let p = s.dir.join(AGGREGATE_FILE);
        let bytes = fs::read(&p).map_err(io_err(&p))?;
        let a = Accumulator::read(&mut bytes.as_slice()).map_err(io_err(&p))?;
        match acc.as_mut() {
            Some(m) => m.merge(&a),
            None => acc = Some(a),
        }
        append_table(&s.dir, "runs", &runs_schema, &mut runs)?;
        if let Some(t) = events_table.as_mut() {
            append_table(&s.dir, "events", &events_schema, t)?;
            let p = s.dir.join(EVENTS_AGGREGATE_FILE);
            let text = fs::read_to_string(&p).map_err(io_err(&p))?;
            let e: brink_core::decision::stats::EventStats =
                serde_json::from_str(&text).map_err(|e| {
                    CliError::Usage(format!(
                        "{}: not a brink events aggregate: {e}",
                        p.display()
                    ))
                })?;
            if i == 0 {
                events = e;
            } else {
                events.merge(&e);
            }
        }
    }
    runs.commit()?;
    if let Some(t) = events_table {
        t.commit()?;
    }
    let acc = acc.expect("at least one shard");
    let result = StudyResult {
        events,
        requested: 0..runs_total,
        completed: 0..acc.runs,
        interrupted: acc.runs < runs_total,
        acc,
    };
    write_outputs(out, &r, seed, runs_total, &result, format)?;
    eprintln!(
        "merged {} shards ({} runs) into {}",
        shards.len(),
        runs_total,
        out.display()
    );
    Ok(())
}

/// Appends a shard's `STEM.csv` rows to the merged table: CSV lines as they are, and, for
/// Parquet, each cell parsed back to its column's type (numbers were written in shortest
/// round-trip form, so the values are exact). A shard written with `--format parquet` only is
/// read from its `STEM.parquet` instead.
fn append_table(
    dir: &Path,
    stem: &str,
    schema: &Schema,
    out: &mut TableFiles,
) -> Result<(), CliError> {
    let path = dir.join(format!("{stem}.csv"));
    let f = match fs::File::open(&path) {
        Ok(f) => f,
        Err(e)
            if e.kind() == io::ErrorKind::NotFound
                && dir.join(format!("{stem}.parquet")).exists() =>
        {
            return append_parquet_table(&dir.join(format!("{stem}.parquet")), schema, out);
        }
        Err(e) => return Err(CliError::Io { path, error: e }),
    };
    let header = schema.csv_header();
    for (n, line) in BufReader::new(f).lines().enumerate() {
        let line = line.map_err(io_err(&path))?;
        if n == 0 {
            if line != header {
                return Err(CliError::Usage(format!(
                    "{}: its header does not match the shards' scenario; are these shards of one study?",
                    path.display()
                )));
            }
            continue;
        }
        if let Some(w) = out.csv_file() {
            // The line is already CSV text in the writer's format.
            let f: &mut AtomicFile = w.get_mut();
            writeln!(f, "{line}").map_err(io_err(&path))?;
        }
        if let Some((_, w)) = out.parquet.as_mut() {
            let cells =
                parse_csv_line(&line).ok_or_else(|| bad_line(&path, n, "an unclosed quote"))?;
            let values = parse_cells(schema, &cells).map_err(|m| bad_line(&path, n, &m))?;
            w.write_row(&values).map_err(io_err(&path))?;
        }
    }
    Ok(())
}

/// Appends the rows of a shard's Parquet table (the same values the shard wrote, so the merged
/// CSV and Parquet files equal those of an unsharded study).
fn append_parquet_table(
    path: &Path,
    schema: &Schema,
    out: &mut TableFiles,
) -> Result<(), CliError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    let mut dates: Vec<String> = Vec::new();
    read_parquet_rows(&bytes, schema, |cells| {
        let stored: Vec<StoredCell> = schema
            .columns
            .iter()
            .zip(cells)
            .map(|(c, cell)| StoredCell::read(c.ty, cell))
            .collect();
        // A date value borrows its ISO text: made first, for every date cell of the row.
        dates.clear();
        dates.extend(stored.iter().filter_map(|s| match s {
            StoredCell::Date(_, date) => Some(date.to_string()),
            _ => None,
        }));
        let mut next_date = dates.iter();
        let values: Vec<Value> = stored
            .iter()
            .map(|s| match *s {
                StoredCell::Null => Value::Null,
                StoredCell::Date(days, _) => Value::Date {
                    days,
                    iso: next_date.next().map_or("", String::as_str),
                },
                StoredCell::U64(x) => Value::U64(x),
                StoredCell::I32(x) => Value::I32(x),
                StoredCell::I64(x) => Value::I64(x),
                StoredCell::F64(x) => Value::F64(x),
                StoredCell::Str(s) => Value::Str(s),
            })
            .collect();
        out.write_row(&values)
    })
    .map_err(|e| {
        CliError::Usage(format!(
            "{}: {e}; is it a table of these shards' study?",
            path.display()
        ))
    })?;
    Ok(())
}

fn bad_line(path: &Path, n: usize, what: &str) -> CliError {
    CliError::Usage(format!("{}:{}: {what}", path.display(), n + 1))
}

/// Cells of a CSV line as typed values of `schema` (empty cells are nulls).
fn parse_cells<'a>(schema: &Schema, cells: &'a [String]) -> Result<Vec<Value<'a>>, String> {
    if cells.len() != schema.columns.len() {
        return Err(format!(
            "{} cells for {} columns",
            cells.len(),
            schema.columns.len()
        ));
    }
    schema
        .columns
        .iter()
        .zip(cells)
        .map(|(c, s)| {
            if s.is_empty() && (c.nullable || c.ty != ColType::Utf8) {
                return if c.nullable {
                    Ok(Value::Null)
                } else {
                    Err(format!("column `{}` is empty", c.name))
                };
            }
            let bad = || format!("column `{}`: `{s}` is not a {}", c.name, c.ty.name());
            Ok(match c.ty {
                ColType::Int32 => Value::I32(s.parse().map_err(|_| bad())?),
                ColType::Int64 => Value::I64(s.parse().map_err(|_| bad())?),
                ColType::UInt64 => Value::U64(s.parse().map_err(|_| bad())?),
                ColType::Double => Value::F64(s.parse().map_err(|_| bad())?),
                ColType::Utf8 => Value::Str(s),
                ColType::Date => {
                    let d = brink_core::time::Date::parse(s).ok_or_else(bad)?;
                    let days = i32::try_from(d.to_days()).map_err(|_| bad())?;
                    Value::Date { days, iso: s }
                }
            })
        })
        .collect()
}
