//! Helpers shared by the integration tests: scenario texts built from the embedded default
//! (sections removed with `toml_edit`, values changed with `--set` overrides) or written here.

#![allow(dead_code)]

use brink_core::load::DEFAULT_SCENARIO_TOML;
use brink_core::model::RunState;
use brink_core::study::{RunRecord, StudyObserver, run_seed, simulate};
use brink_core::{Override, Resolved};

/// The default scenario without the listed top-level sections (e.g. `politics`, `ladder`).
pub fn default_without(sections: &[&str]) -> String {
    let mut doc: toml_edit::DocumentMut = DEFAULT_SCENARIO_TOML
        .parse()
        .expect("the default scenario is valid TOML");
    for s in sections {
        doc.remove(s);
    }
    doc.to_string()
}

/// The default scenario with the engine only (no decision layer).
pub fn engine_default() -> String {
    default_without(&["politics", "ladder"])
}

/// Parses `path=value` overrides.
pub fn overrides(sets: &[&str]) -> Vec<Override> {
    sets.iter()
        .map(|s| s.parse::<Override>().expect("valid PATH=VALUE"))
        .collect()
}

/// Loads `text` with overrides, panicking with the rendered diagnostics on failure.
pub fn load_with(text: &str, sets: &[&str]) -> Resolved {
    match brink_core::load_bytes("test.toml", text.as_bytes(), &overrides(sets)) {
        Ok(r) => r,
        Err(e) => panic!("scenario does not load:\n{e}"),
    }
}

/// Runs one simulation and returns every weekly state (weeks 0..=weeks) and the sample.
pub fn trajectory(r: &Resolved, weeks: u32, seed: u64) -> (Vec<f64>, Vec<RunState>) {
    let mut states = Vec::with_capacity(weeks as usize + 1);
    let (sample, _) = simulate(r, weeks, seed, |s| states.push(s.clone()));
    (sample, states)
}

/// Seed of run `i` of a study with master seed `master`.
pub fn seed(master: u64, i: u64) -> u64 {
    run_seed(master, i)
}

/// An observer that keeps every record (in the order received) and checks the order.
#[derive(Default)]
pub struct Collect {
    pub records: Vec<RunRecord>,
}

impl StudyObserver for Collect {
    fn on_runs(&mut self, records: &[RunRecord]) -> std::io::Result<()> {
        self.records.extend_from_slice(records);
        Ok(())
    }
}

/// A small engine scenario with two belligerents and no flows: fixed numbers everywhere, no
/// noise, square law. Tests add sections or override values.
pub const MINIMAL_ENGINE: &str = r#"
[scenario]
name = "minimal engine"
start_date = "2022-09-21"
weeks = 52
runs = 100
seed = 7

[actors.RU]
name = "Russia"
role = "belligerent"

[actors.UA]
name = "Ukraine"
role = "belligerent"

[forces.RU]
at_front = 200000
quality = 0.7
morale = 0.75
effectiveness_multiplier = 1.0
equipment = 6000
equipment_per_1000_troops = 50
equipment_elasticity = 0.0
equipment_deliveries_per_week = 0
equipment_loss_per_casualty = 0.05
territory_km2 = 117000
killed_share = 0.25
captured_share = 0.03
stop_loss = true
exit_rate_per_week = 0.0
stop_loss_morale_penalty = 0.0

[forces.UA]
at_front = 300000
quality = 0.65
morale = 0.85
effectiveness_multiplier = 1.15
equipment = 9000
equipment_per_1000_troops = 35
equipment_elasticity = 0.0
equipment_deliveries_per_week = 0
equipment_loss_per_casualty = 0.035
territory_km2 = 486550
killed_share = 0.25
captured_share = 0.02
stop_loss = true
exit_rate_per_week = 0.0
stop_loss_morale_penalty = 0.0

[combat]
exponent_opponent = 1.0
exponent_own = 0.0
attacker_loss_multiplier = 1.0
weekly_noise_sd = 0.0
substeps_per_week = 4
front_length_km = 1000
max_troops_per_km = 100000
advance_threshold_ratio = 1.8
advance_km_per_week = 4.0

[combat.attrition_per_week]
RU = 0.005
UA = 0.016
"#;

/// A Russian mobilization pipeline with no binding constraint anywhere (capacities, places,
/// equipment sets and officers far above any flow); tests override the one they study.
pub const OPEN_PIPELINE_RU: &str = r#"
[mobilization.RU]
call_up = 1e12
reservist_pool = 1e12
summons_per_week = 20
start_week = 0
p_evade = 0.0

[mobilization.RU.induction]
capacity_per_week = 1e12
duration_weeks = 1

[mobilization.RU.training]
capacity_per_week = 1e12
places = 1e12
course_weeks = 4
policy = "queue"
shortcut_weeks = 1
max_wait_weeks = 2
quality_untrained = 0.25
equipment_sets = 1e12
equipment_sets_per_week = 0

[mobilization.RU.quartering]
capacity_per_week = 1e12
duration_weeks = 1

[mobilization.RU.assignment]
capacity_per_week = 1e12
duration_weeks = 1
officers = 1e12
officers_per_week = 0
span_of_control = 10
"#;

/// `MINIMAL_ENGINE` plus the open Russian pipeline.
pub fn minimal_with_pipeline() -> String {
    format!("{MINIMAL_ENGINE}\n{OPEN_PIPELINE_RU}")
}

/// Relative difference, safe at zero.
pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
}
