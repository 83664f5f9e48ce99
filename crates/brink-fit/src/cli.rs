//! The `brink fit` command: the only place where brink-fit touches files.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::FitError;
use crate::data::parse_csv;
use crate::estimate::{DEFAULT_SEED, Fit, FitOptions, LawKind, Method, fit};
use crate::report::{self, Context};

/// Which law(s) to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LawChoice {
    Square,
    Linear,
    Logarithmic,
    Helmbold,
    /// All four, with a comparison table.
    All,
}

/// What one unit of the data's `time` column is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeUnit {
    Day,
    Week,
}

/// Fit Lanchester attrition laws to a battle record (CSV: time,a,b,reinf_a,reinf_b).
#[derive(Clone, Debug, clap::Args)]
pub struct FitArgs {
    /// The battle record: CSV with columns time,a,b[,reinf_a,reinf_b][,casualties_a,casualties_b].
    pub data: PathBuf,
    /// Law to fit.
    #[arg(long, value_enum, default_value_t = LawChoice::All)]
    pub law: LawChoice,
    /// Estimator: Engel's ratio, least squares on strengths, or quasi-Poisson likelihood on losses.
    #[arg(long, value_enum, default_value_t = Method::LeastSquares)]
    pub method: Method,
    /// Bootstrap resamples for the 95% intervals (0: intervals from standard errors).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap (same seed, same intervals).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Threads for the bootstrap (default: available cores; results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write an SVG of observed vs fitted strengths (the best law by AIC when several).
    #[arg(long, value_name = "SVG")]
    pub plot: Option<PathBuf>,
    /// Write the scenario fragment ([combat] section) for the fitted law (best by AIC when
    /// several); `-` prints it after the report.
    #[arg(long, value_name = "TOML")]
    pub emit_toml: Option<PathBuf>,
    /// Id of side A in the scenario (column a).
    #[arg(long, default_value = "A")]
    pub side_a: String,
    /// Id of side B in the scenario (column b).
    #[arg(long, default_value = "B")]
    pub side_b: String,
    /// What one unit of the `time` column is.
    #[arg(long, value_enum, default_value_t = TimeUnit::Day)]
    pub time_unit: TimeUnit,
}

fn check_side(option: &str, id: &str) -> Result<(), FitError> {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(FitError::Usage {
            option: option.into(),
            problem: format!("`{id}` is not a usable side id"),
            fix: "use letters, digits, `_` or `-` (e.g. RU, UA), as in the scenario file".into(),
        })
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, then rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FitError> {
    let fail = |source| FitError::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// Runs `brink fit`: reads the record, fits, prints to `out`, writes the optional files.
pub fn run(args: &FitArgs, out: &mut dyn Write) -> Result<(), FitError> {
    check_side("--side-a", &args.side_a)?;
    check_side("--side-b", &args.side_b)?;
    if args.side_a == args.side_b {
        return Err(FitError::Usage {
            option: "--side-b".into(),
            problem: format!("both sides are called `{}`", args.side_a),
            fix: "give the two sides different ids".into(),
        });
    }
    let to_stdout = args.emit_toml.as_deref() == Some(Path::new("-"));
    if to_stdout && args.json {
        return Err(FitError::Usage {
            option: "--emit-toml".into(),
            problem: "`-` would mix TOML into the JSON output".into(),
            fix: "give a file name to --emit-toml when using --json".into(),
        });
    }
    let file = args.data.display().to_string();
    let text = std::fs::read_to_string(&args.data).map_err(|source| FitError::Read {
        path: file.clone(),
        source,
    })?;
    let (data, data_warnings) = parse_csv(&text).map_err(|source| FitError::Data {
        file: file.clone(),
        source,
    })?;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let opts = FitOptions {
        bootstrap: args.bootstrap,
        seed: args.seed,
        threads: threads.max(1),
    };
    let kinds: Vec<LawKind> = match args.law {
        LawChoice::Square => vec![LawKind::Square],
        LawChoice::Linear => vec![LawKind::Linear],
        LawChoice::Logarithmic => vec![LawKind::Logarithmic],
        LawChoice::Helmbold => vec![LawKind::Helmbold],
        LawChoice::All => LawKind::ALL.to_vec(),
    };
    let mut fits: Vec<Fit> = Vec::new();
    let mut skipped = Vec::new();
    for kind in kinds {
        match fit(&data, kind, args.method, &opts) {
            Ok(f) => fits.push(f),
            Err(e) if args.law == LawChoice::All => skipped.push(format!("skipped: {e}")),
            Err(e) => {
                return Err(FitError::InFile {
                    file: file.clone(),
                    source: Box::new(e),
                });
            }
        }
    }
    if fits.is_empty() {
        return Err(FitError::NoLaw {
            file: file.clone(),
            method: args.method.name().into(),
            reasons: skipped
                .iter()
                .map(|s| s.trim_start_matches("skipped: ").to_string())
                .collect(),
        });
    }
    let time_unit = match args.time_unit {
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
    };
    let law_flag = match args.law {
        LawChoice::All => "all",
        _ => fits[0].law_kind.name(),
    };
    let command = format!(
        "brink fit {file} --law {law_flag} --method {} --time-unit {time_unit}",
        args.method.name()
    );
    let ctx = Context {
        file: &file,
        side_a: &args.side_a,
        side_b: &args.side_b,
        time_unit,
        command: &command,
    };
    let write_out = |out: &mut dyn Write, s: &str| {
        out.write_all(s.as_bytes())
            .map_err(|source| FitError::Write {
                path: "standard output".into(),
                source,
            })
    };
    if args.json {
        let mut json_warnings = data_warnings.clone();
        for note in &skipped {
            json_warnings.push(crate::data::DataWarning {
                line: 0,
                message: note.clone(),
            });
        }
        write_out(out, &report::json(&fits, &ctx, &json_warnings))?;
    } else {
        write_out(
            out,
            &report::text(&fits, &ctx, &data, &data_warnings, &skipped),
        )?;
    }
    // The law used for the plot and the scenario fragment: the only one, or the best by AIC.
    let best = fits
        .iter()
        .min_by(|a, b| a.aic.total_cmp(&b.aic))
        .expect("fits is not empty");
    if let Some(path) = &args.plot {
        write_atomic(path, report::svg(best, &ctx, &data).as_bytes())?;
        if !args.json {
            write_out(
                out,
                &format!(
                    "\nplot ({} law): {}\n",
                    best.law_kind.name(),
                    path.display()
                ),
            )?;
        }
    }
    if let Some(path) = &args.emit_toml {
        let fragment = report::toml_fragment(best, &ctx);
        if to_stdout {
            write_out(out, &format!("\n{fragment}"))?;
        } else {
            write_atomic(path, fragment.as_bytes())?;
            if !args.json {
                write_out(
                    out,
                    &format!(
                        "scenario fragment ({} law): {}\n",
                        best.law_kind.name(),
                        path.display()
                    ),
                )?;
            }
        }
    }
    Ok(())
}
