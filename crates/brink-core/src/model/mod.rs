//! The model of one run: state, and the weekly step as pure functions of
//! (scenario, sampled parameters, state, random stream).
//!
//! Step order (fixed, documented in ARCHITECTURE.md):
//! 1. pipelines flow: summonses and evasion (M-MOB, M-EVA), emigration (M-EVA), recruitment
//!    (M-REC), the four stages, arrivals at the front;
//! 2. combat and territory (M-CBT);
//! 3. bookkeeping (conservation is asserted in debug builds).

pub mod combat;
pub mod mobilization;
pub mod pipeline;

use crate::load::Resolved;
use crate::param::{Param, Sample};
use crate::scenario::{Evasion, Forces, Mobilization, Recruitment};
use pipeline::StageQueue;
use rand::Rng;

/// `min` and `max` for the weekly loop, whose operands are never NaN (the state holds finite
/// numbers, or infinity for "no limit"). `f64::min` and `f64::max` must also handle NaN and
/// compile to about seven instructions each on the baseline x86-64 target; a plain comparison
/// compiles to one (`minsd`, `maxsd`). A NaN receiver gives the bound, as with `f64::min`; a NaN
/// bound would pass through, which debug builds reject.
pub(crate) trait Bound {
    /// The smaller of `self` and `cap`.
    fn at_most(self, cap: f64) -> f64;
    /// The larger of `self` and `floor`.
    fn at_least(self, floor: f64) -> f64;
}

impl Bound for f64 {
    #[inline(always)]
    fn at_most(self, cap: f64) -> f64 {
        debug_assert!(!cap.is_nan(), "NaN bound in the weekly loop");
        if self < cap { self } else { cap }
    }
    #[inline(always)]
    fn at_least(self, floor: f64) -> f64 {
        debug_assert!(!floor.is_nan(), "NaN bound in the weekly loop");
        if self > floor { self } else { floor }
    }
}

/// Indices of the four pipeline stages.
pub const INDUCTION: usize = 0;
pub const TRAINING: usize = 1;
pub const QUARTERING: usize = 2;
pub const ASSIGNMENT: usize = 3;

/// Room for cohorts a stage queue starts with. In the default scenario most queues hold 0-3
/// cohorts on average; the assignment queue holds ~24 on average and up to ~115 (a few join
/// every week while officers are short). Starting at 32 spares most runs the reallocations of
/// growing from empty.
const TYPICAL_COHORTS: usize = 32;

/// The state of one belligerent.
#[derive(Clone, Debug, Default)]
pub struct SideState {
    /// Reservists not yet summoned and still in the country (people).
    pub pool: f64,
    pub summoned: f64,
    pub evaded: f64,
    pub emigrated: f64,
    /// People who want to leave but have not found a way out yet.
    pub emigration_backlog: f64,
    pub stages: [StageQueue; 4],
    pub at_front: f64,
    /// Sum over troops at the front of their quality (people x quality).
    pub quality_sum: f64,
    pub arrived_total: f64,
    pub arrived_quality_sum: f64,
    pub recruited: f64,
    pub casualties: f64,
    pub killed: f64,
    pub wounded: f64,
    pub captured: f64,
    pub exited: f64,
    pub equipment: f64,
    pub equipment_sets: f64,
    pub officers: f64,
    pub territory_km2: f64,
    /// Everyone who ever entered the force accounts: initial front + summoned + recruited.
    pub entered: f64,
    pub pool_initial: f64,
    pub killed_last_week: f64,
    /// Effective strength in the last combat step (strength units).
    pub effective_strength: f64,
    /// Whether this side attacked in the last week.
    pub attacking: bool,
    /// People added to the call-up by decisions (general mobilization).
    pub extra_call_up: f64,
    /// Multiplier on effective strength from fortification (1 = none).
    pub defense_multiplier: f64,
}

impl SideState {
    pub fn mean_quality(&self) -> f64 {
        if self.at_front > 0.0 {
            self.quality_sum / self.at_front
        } else {
            0.0
        }
    }

    /// People in the pipeline stages.
    pub fn in_pipeline(&self) -> f64 {
        self.stages.iter().map(StageQueue::total).sum()
    }

    /// `entered - (evaded + pipeline + front + casualties + exited)`: zero when people are conserved.
    pub fn people_imbalance(&self) -> f64 {
        self.entered
            - (self.evaded + self.in_pipeline() + self.at_front + self.casualties + self.exited)
    }

    /// `pool_initial - (pool + summoned + emigrated)`: zero when the reservist pool is conserved.
    pub fn pool_imbalance(&self) -> f64 {
        self.pool_initial - (self.pool + self.summoned + self.emigrated)
    }
}

/// The state of one run.
#[derive(Clone, Debug)]
pub struct RunState {
    /// Weeks completed (0 before the first step).
    pub week: u32,
    pub sides: [SideState; 2],
    /// The decision layer's state; `None` when the scenario has no `[politics]`. Boxed because
    /// the decision step takes it out of the run state and puts it back every week: moving a
    /// pointer instead of the whole struct.
    pub politics: Option<Box<crate::decision::PoliticalState>>,
}

impl RunState {
    /// The state at week 0 from the scenario and this run's sampled parameters.
    pub fn initial(r: &Resolved, v: &Sample) -> RunState {
        let s = &r.scenario;
        let side = |id: &str| {
            let f = &s.forces[id];
            let at_front = f.at_front.get(v);
            let mut st = SideState {
                at_front,
                quality_sum: at_front * f.quality.get(v),
                equipment: f.equipment.get(v),
                territory_km2: f.territory_km2.get(v),
                entered: at_front,
                defense_multiplier: 1.0,
                ..SideState::default()
            };
            if let Some(m) = s.mobilization.get(id) {
                st.stages =
                    std::array::from_fn(|_| pipeline::StageQueue::with_capacity(TYPICAL_COHORTS));
                st.pool = m.reservist_pool.get(v);
                st.pool_initial = st.pool;
                st.equipment_sets = m.training.equipment_sets.get(v);
                st.officers = m.assignment.officers.get(v);
            }
            st
        };
        let sides = [side(&r.sides[0]), side(&r.sides[1])];
        let politics = crate::decision::PoliticalState::initial(r, v, &sides).map(Box::new);
        RunState {
            week: 0,
            sides,
            politics,
        }
    }
}

/// One belligerent's sections of the scenario. The scenario keys them by actor id in
/// string-keyed maps; looking them up once per run instead of several times a week keeps string
/// comparisons out of the weekly loop.
#[derive(Clone, Copy, Debug)]
pub struct SideSections<'a> {
    pub forces: &'a Forces,
    /// The opponent's effectiveness against this side (`combat.attrition_per_week`).
    pub attrition_per_week: &'a Param,
    pub mobilization: Option<&'a Mobilization>,
    pub evasion: Option<&'a Evasion>,
    pub recruitment: Option<&'a Recruitment>,
}

impl<'a> SideSections<'a> {
    /// The sections of both belligerents, in the order of `r.sides`. Validation guarantees
    /// that each belligerent has forces and an attrition coefficient.
    pub fn of(r: &'a Resolved) -> [SideSections<'a>; 2] {
        let s = &r.scenario;
        let side = |id: &str| SideSections {
            forces: &s.forces[id],
            attrition_per_week: &s.combat.attrition_per_week[id],
            mobilization: s.mobilization.get(id),
            evasion: s.evasion.get(id),
            recruitment: s.recruitment.get(id),
        };
        [side(&r.sides[0]), side(&r.sides[1])]
    }
}

/// One run's parameters prepared for the weekly loop: every value the flows and combat read,
/// looked up in the sample once per run instead of several times a week.
#[derive(Clone, Debug)]
pub struct RunConstants {
    pub flows: [mobilization::FlowConstants; 2],
    pub combat: combat::CombatConstants,
}

impl RunConstants {
    pub fn of(r: &Resolved, v: &Sample) -> RunConstants {
        let sections = SideSections::of(r);
        RunConstants {
            flows: [
                mobilization::FlowConstants::of(&sections[0], v),
                mobilization::FlowConstants::of(&sections[1], v),
            ],
            combat: combat::CombatConstants::of(r, &sections, v),
        }
    }
}

/// Advances the run by one week; `k` is [`RunConstants::of`] the same scenario and sample.
pub fn step<R: Rng + ?Sized>(
    r: &Resolved,
    k: &RunConstants,
    v: &Sample,
    state: &mut RunState,
    rng: &mut R,
) {
    let week = state.week;
    let ended = state.politics.as_ref().is_some_and(|p| p.outcome.is_some());
    if !ended {
        for (flow, side) in k.flows.iter().zip(state.sides.iter_mut()) {
            mobilization::flow(flow, week, side, rng);
        }
        combat::fight(&k.combat, state, rng);
        crate::decision::step(r, v, state, rng);
    }
    state.week += 1;
    debug_assert!(
        state
            .sides
            .iter()
            .all(|s| s.people_imbalance().abs() <= 1e-6 * s.entered.max(1.0)
                && s.pool_imbalance().abs() <= 1e-6 * s.pool_initial.max(1.0)),
        "people not conserved in week {week}"
    );
}

/// Names of the per-side variables recorded every week, in output order. The last five are
/// the decision layer's and are defined for the leader's side only.
pub const VARIABLES: [&str; 22] = [
    "summoned",
    "evaded",
    "emigrated",
    "inducted",
    "in_training",
    "quartered",
    "assigned",
    "at_front",
    "arrived_total",
    "arrival_quality",
    "casualties_total",
    "killed",
    "recruited_total",
    "territory_km2",
    "equipment",
    "front_quality",
    "effective_strength",
    "support",
    "protests",
    "face_loss",
    "elite_loyalty",
    "removal_hazard",
];

/// Number of recorded variables.
pub const NVARS: usize = VARIABLES.len();

/// The recorded variables of side `i`, in the order of [`VARIABLES`]. `None` = undefined
/// (no arrivals yet; political variables of a side that has no leader in the scenario).
pub fn observe(state: &RunState, i: usize, leader: Option<usize>) -> [Option<f64>; NVARS] {
    observe_or_nan(state, i, leader).map(|x| (!x.is_nan()).then_some(x))
}

/// Writes both sides' observations of the state's week into a run's row of observations,
/// laid out as `row[(week * 2 + side) * NVARS + variable]` (NaN = undefined): the study's
/// layout, one row per run.
#[inline]
pub fn observe_into_row(state: &RunState, leader: Option<usize>, row: &mut [f64]) {
    let week = &mut row[state.week as usize * 2 * NVARS..][..2 * NVARS];
    let (first, second) = week.split_at_mut(NVARS);
    first.copy_from_slice(&observe_or_nan(state, 0, leader));
    second.copy_from_slice(&observe_or_nan(state, 1, leader));
}

/// [`observe`] with NaN for undefined, the encoding of the study's observation buffer (the hot
/// path: no `Option` to build and unpack for every value). Defined values are never NaN: the
/// state holds finite numbers only, and the histograms refuse anything else.
#[inline]
pub fn observe_or_nan(state: &RunState, i: usize, leader: Option<usize>) -> [f64; NVARS] {
    let s = &state.sides[i];
    let undefined = f64::NAN;
    let (support, protests, face_loss, loyalty, hazard) =
        match state.politics.as_ref().filter(|_| leader == Some(i)) {
            Some(p) => (p.support, p.protests, p.face_loss, p.loyalty, p.hazard),
            None => (undefined, undefined, undefined, undefined, undefined),
        };
    [
        s.summoned,
        s.evaded,
        s.emigrated,
        s.stages[INDUCTION].total(),
        s.stages[TRAINING].total(),
        s.stages[QUARTERING].total(),
        s.stages[ASSIGNMENT].total(),
        s.at_front,
        s.arrived_total,
        if s.arrived_total > 0.0 {
            s.arrived_quality_sum / s.arrived_total
        } else {
            undefined
        },
        s.casualties,
        s.killed,
        s.recruited,
        s.territory_km2,
        s.equipment,
        s.mean_quality(),
        s.effective_strength,
        support,
        protests,
        face_loss,
        loyalty,
        hazard,
    ]
}
