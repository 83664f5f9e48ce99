//! The `brink` command: parses flags, calls the libraries, renders results, writes files.

mod explain;
mod files;
mod run;
mod schema_doc;

use brink_core::{Override, Shard};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// brink: crisis escalation and war mobilization as Monte Carlo studies.
///
/// Write a scenario down as a TOML file (or use the embedded September 2022 default), run it
/// as a study of thousands of runs, and read the results as tables, CSV and JSON.
#[derive(Parser)]
#[command(name = "brink", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Monte Carlo study of a scenario (the embedded default if no file is given).
    Run(RunArgs),
    /// Work with scenarios: `brink scenario show` prints the embedded default.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
    /// Validate a scenario file and report every problem with file, line and field.
    Check {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Override a value before checking, e.g. --set mobilization.RU.call_up=1000000.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
    },
    /// Print the JSON Schema of the scenario format (for editor completion and validation).
    Schema {
        /// Print the field reference as Markdown instead (this is docs/scenario.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Replay one run of a study from its seed and show, week by week, the state, every
    /// actor's options with their utilities and probabilities, the choice and the events.
    Explain {
        /// A study's output directory (`brink run --out DIR`).
        dir: PathBuf,
        /// The run index (a row of runs.csv).
        #[arg(long)]
        run: u64,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the most frequent escalation sequences of a study, with their shares.
    Paths {
        /// A study's output directory (`brink run --out DIR`).
        dir: PathBuf,
        /// How many paths to list (at least 1).
        #[arg(long, default_value_t = 20,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        top: usize,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Consequences of a nuclear detonation: blast, heat, radiation, fallout, casualties.
    Effects(brink_effects::cli::EffectsArgs),
    /// Fit Lanchester attrition laws to a battle record (CSV) and emit a [combat] fragment.
    Fit(brink_fit::cli::FitArgs),
    /// Write one self-contained HTML report (charts, paths, parameters) of a study directory.
    Report(brink_report::cli::ReportArgs),
    /// Rank parameters by their influence on an outcome: one-at-a-time, Morris or Sobol'
    /// (see docs/study.md).
    Sensitivity(brink_study::cli::SensitivityArgs),
    /// Run two scenarios (or a scenario and a --set-b variant) with common random numbers and
    /// report every difference with a 95% interval.
    Compare(brink_study::cli::CompareArgs),
    /// Outcomes over a grid or Latin hypercube of parameter values (sweep.csv, sweep.json).
    Sweep(brink_study::cli::SweepArgs),
    /// Merge the output directories of shards (`run --shard K/N`) into one study.
    Merge {
        /// Shard output directories, in any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Directory for the merged outputs.
        #[arg(long, short)]
        out: PathBuf,
        /// Table format of the merged runs, weekly and events tables (the shards must have
        /// their CSV tables).
        #[arg(long, value_enum, default_value_t = run::Format::Csv)]
        format: run::Format,
    },
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Print the embedded default scenario (September 2022) as TOML, with its sources.
    Show,
}

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Omit it to run the embedded September 2022 scenario.
    pub scenario: Option<PathBuf>,
    /// Override one value, e.g. --set mobilization.RU.call_up=1000000 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Number of runs (default: the scenario's `runs`, 10,000 in the default).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (default: the scenario's `seed`). Same seed, same results, bit for bit.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in weeks (default: the scenario's `weeks`).
    #[arg(long)]
    pub weeks: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write summary.json, weekly.csv, runs.csv (and what `merge` needs) to this directory.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Compute only shard K of N (e.g. 2/4); combine shards with `brink merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Print the summary as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also report outcome and event probabilities among the runs where EVENT happened
    /// (e.g. nuclear_use).
    #[arg(long, value_name = "EVENT")]
    pub given: Option<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Table format of runs, weekly and events: csv, parquet or both (with --out).
    #[arg(long, value_enum, default_value_t = run::Format::Csv, requires = "out")]
    pub format: run::Format,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Scenario {
            command: ScenarioCommand::Show,
        } => print_stdout(brink_core::load::DEFAULT_SCENARIO_TOML),
        Command::Check { file, set } => run::check(&file, &set),
        Command::Schema { markdown } => {
            if markdown {
                print_stdout(&schema_doc::markdown())
            } else {
                let schema = serde_json::to_string_pretty(&schema_doc::json_schema());
                print_stdout(&format!("{}\n", schema.expect("schema")))
            }
        }
        Command::Merge { dirs, out, format } => run::merge(&dirs, &out, format),
        Command::Explain { dir, run, json } => explain::explain(&dir, run, json),
        Command::Paths { dir, top, json } => explain::paths(&dir, top, json),
        Command::Effects(args) => {
            let mut stdout = std::io::stdout().lock();
            brink_effects::cli::run(&args, &mut stdout)
                .map_err(|e| run::CliError::Usage(e.to_string()))
        }
        Command::Fit(args) => {
            let mut stdout = std::io::stdout().lock();
            brink_fit::cli::run(&args, &mut stdout).map_err(|e| other(&e, e.exit_code()))
        }
        Command::Report(args) => {
            let mut stderr = std::io::stderr().lock();
            brink_report::cli::run(&args, &mut stderr).map_err(|e| other(&e, e.exit_code()))
        }
        Command::Sensitivity(args) => {
            let mut stdout = std::io::stdout().lock();
            brink_study::cli::sensitivity(&args, &mut stdout).map_err(study_error)
        }
        Command::Compare(args) => {
            let mut stdout = std::io::stdout().lock();
            brink_study::cli::compare_cmd(&args, &mut stdout).map_err(study_error)
        }
        Command::Sweep(args) => {
            let mut stdout = std::io::stdout().lock();
            brink_study::cli::sweep_cmd(&args, &mut stdout).map_err(study_error)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output has gone (`brink run | head`): the rest is not wanted, and
        // stopping quietly is what Unix tools do (files were finished or cleaned up on the way
        // out, as for any error).
        Err(run::CliError::Io { error, .. }) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Writes `text` to stdout; an error (a closed pipe included) is returned, not a panic as with
/// `print!`.
fn print_stdout(text: &str) -> Result<(), run::CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(run::stdout_err)
}

/// A subcommand's error, already worded for the user, with the exit code its crate gives it.
fn other(message: impl ToString, code: u8) -> run::CliError {
    run::CliError::Other {
        message: message.to_string(),
        code,
    }
}

/// Scenario problems keep their own rendering (file:line:column, field, hint); the rest exit 1
/// for files and 2 for bad options or values.
fn study_error(e: brink_study::cli::StudyError) -> run::CliError {
    match e {
        brink_study::cli::StudyError::Scenario(le) => run::CliError::Scenario(le),
        brink_study::cli::StudyError::Io { path, source } => run::CliError::Io {
            path,
            error: source,
        },
        e => other(&e, e.exit_code()),
    }
}
