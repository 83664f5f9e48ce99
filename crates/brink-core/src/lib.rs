//! brink-core: scenario types, parameter sampling, the model of one run, the Monte Carlo loop
//! and aggregation. This crate never prints and never touches files: callers hand it text and
//! writers (see ARCHITECTURE.md).

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod decision;
pub mod load;
pub mod model;
pub mod output;
pub mod param;
pub mod scenario;
pub mod streams;
pub mod study;
pub mod time;

pub use load::{LoadError, Override, Resolved, load, load_bytes, load_default};
pub use study::{Shard, StudyConfig, StudyObserver, StudyResult, run_study};
