//! `brink fit`: fit Lanchester-family attrition laws to battle records.
//!
//! The laws and the integrator are those of [`brink_lanchester`], which the engine uses, so a
//! fitted `attrition_of_a` means the same thing in a scenario: in
//! `dA/dt = -attrition_of_a * B^p * A^q` it is B's effectiveness against A.
//!
//! The library part is pure: [`parse_csv`] reads a record from text, [`fit`] fits one law with one
//! method, [`report`] renders text, JSON, a TOML scenario fragment and an SVG plot as strings.
//! Files are read and written only in [`cli`]. See `docs/fit.md` for the format and the estimators.

#![forbid(unsafe_code)]

pub mod cli;
pub mod data;
pub mod estimate;
pub mod model;
pub mod report;
mod rng;

pub use data::{BattleData, DataError, DataWarning, parse_csv};
pub use estimate::{DEFAULT_SEED, Fit, FitOptions, Interval, LawKind, Method, fit, replay_stats};
pub use model::simulate;

/// Everything that can stop `brink fit`. Each message says where, what, and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// The battle record is malformed.
    #[error("{file}, {source}")]
    Data {
        file: String,
        #[source]
        source: DataError,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}. Fix: check that the file exists and is readable")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}. Fix: check that the directory exists and is writable")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The law cannot be fitted with this method to these data.
    #[error("cannot fit the {law} law with --method {method}: {problem}. Fix: {fix}")]
    Cannot {
        law: String,
        method: String,
        problem: String,
        fix: String,
    },
    /// No law of `--law all` could be fitted.
    #[error("{file}: no law could be fitted with --method {method}:\n  - {}", reasons.join("\n  - "))]
    NoLaw {
        file: String,
        method: String,
        reasons: Vec<String>,
    },
    /// A fitting error, with the file it concerns.
    #[error("{file}: {source}")]
    InFile {
        file: String,
        #[source]
        source: Box<FitError>,
    },
    /// A command-line option has an unusable value.
    #[error("option {option}: {problem}. Fix: {fix}")]
    Usage {
        option: String,
        problem: String,
        fix: String,
    },
}

impl FitError {
    /// The process exit code, as for every brink command: 1 when a file cannot be read or
    /// written, 2 for bad data or options.
    pub fn exit_code(&self) -> u8 {
        match self {
            FitError::Read { .. } | FitError::Write { .. } => 1,
            FitError::InFile { source, .. } => source.exit_code(),
            _ => 2,
        }
    }
}
