//! The scenario format: what a user writes in a TOML file.
//!
//! Sections follow the mechanisms of `MODEL.md`: `[forces.ID]` and `[combat]` (M-CBT),
//! `[mobilization.ID]` (M-MOB), `[recruitment.ID]` (M-REC), `[evasion.ID]` (M-EVA). Maps are keyed
//! by actor id, so `--set mobilization.RU.call_up=1000000` names one value. Doc comments on the
//! fields become the JSON Schema descriptions and `docs/scenario.md`; each states its unit.

use crate::param::{Domain, Param};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A complete scenario.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Scenario {
    /// Name, dates and study defaults.
    pub scenario: Meta,
    /// Every actor, keyed by a short id (e.g. `RU`, `UA`, `US`).
    pub actors: BTreeMap<String, Actor>,
    /// Forces of the two belligerents at the start (M-CBT), keyed by actor id.
    pub forces: BTreeMap<String, Forces>,
    /// Mobilization pipelines (M-MOB), keyed by actor id; a side may have none.
    #[serde(default)]
    pub mobilization: BTreeMap<String, Mobilization>,
    /// Recruitment short of mobilization (M-REC), keyed by actor id.
    #[serde(default)]
    pub recruitment: BTreeMap<String, Recruitment>,
    /// Evasion and emigration (M-EVA), keyed by actor id; needs a mobilization of the same actor.
    #[serde(default)]
    pub evasion: BTreeMap<String, Evasion>,
    /// Attrition, equipment and territory (M-CBT).
    pub combat: Combat,
    /// The decision layer (M-DOM, M-FACE, M-ELITE, M-END); omit it to run the engine alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub politics: Option<crate::decision::config::Politics>,
    /// The escalation ladder: every option of every actor (M-ESC, M-ANNEX, M-INT), as data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladder: Vec<crate::decision::config::Rung>,
}

/// Name, dates and study defaults.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Meta {
    /// Short name shown in reports.
    pub name: String,
    /// What the scenario represents, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Date of week 0, ISO 8601 (`YYYY-MM-DD`).
    pub start_date: String,
    /// Horizon in weeks (steps of one week). `--weeks` overrides it.
    pub weeks: u32,
    /// Default number of Monte Carlo runs (1 to 4,294,967,295). `--runs` overrides it.
    #[serde(default = "default_runs")]
    pub runs: u64,
    /// Default master seed. `--seed` overrides it.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_runs() -> u64 {
    10_000
}
fn default_seed() -> u64 {
    20_220_921
}

/// An actor: a state or alliance that holds state and (in later layers) chooses options.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    /// Display name.
    pub name: String,
    /// `belligerent` (fights; exactly two), `patron` (supplies a belligerent) or `bystander`.
    pub role: Role,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Belligerent,
    Patron,
    Bystander,
}

/// One belligerent's forces at the start and their upkeep.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Forces {
    /// Personnel at the front at week 0 (people).
    pub at_front: Param,
    /// Mean combat quality of those troops (0 to 1; 1 = fully trained and led).
    pub quality: Param,
    /// Morale multiplier on effective strength (0 to 1).
    pub morale: Param,
    /// Multiplier on effective strength for technology and intelligence (dimensionless, 1 = none).
    pub effectiveness_multiplier: Param,
    /// Major equipment at the front at week 0 (items: armoured vehicles and artillery pieces).
    pub equipment: Param,
    /// Major equipment needed per 1,000 troops for full effectiveness (items per 1,000 people).
    pub equipment_per_1000_troops: Param,
    /// Exponent of the equipment shortfall on effective strength (0 = equipment does not matter).
    pub equipment_elasticity: Param,
    /// Equipment delivered to the front each week: production or foreign aid (items per week).
    pub equipment_deliveries_per_week: Param,
    /// Equipment lost per casualty suffered (items per person).
    pub equipment_loss_per_casualty: Param,
    /// Ukrainian territory held at week 0 (km2). The two sides' figures are conserved in sum.
    pub territory_km2: Param,
    /// Share of casualties killed (0 to 1); the rest are wounded or captured.
    pub killed_share: Param,
    /// Share of casualties captured (0 to 1).
    pub captured_share: Param,
    /// Stop-loss: contracts are extended, nobody leaves the front at the end of a contract.
    #[serde(default)]
    pub stop_loss: bool,
    /// Share of troops at the front leaving each week when contracts end (1 per week), if no stop-loss.
    pub exit_rate_per_week: Param,
    /// Morale lost under stop-loss (0 to 1, multiplies morale by 1 minus this).
    pub stop_loss_morale_penalty: Param,
}

/// A mobilization pipeline (M-MOB): summons, then four stages in tandem, then the front.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Mobilization {
    /// People to mobilize: summonses go on until this many have reported (people).
    pub call_up: Param,
    /// Reservists who can be called at all (people); summonses stop when it is exhausted.
    pub reservist_pool: Param,
    /// Summonses served per week while the call-up lasts (people per week).
    pub summons_per_week: Param,
    /// Week in which the call-up starts (weeks after the start date).
    #[serde(default)]
    pub start_week: u32,
    /// Probability that a summoned person does not report (0 to 1).
    pub p_evade: Param,
    /// Stage 1: testing and allocation at enlistment offices.
    pub induction: Stage,
    /// Stage 2: training and arming.
    pub training: Training,
    /// Stage 3: quartering and feeding.
    pub quartering: Stage,
    /// Stage 4: placing under officers and NCOs (span of control).
    pub assignment: Assignment,
}

/// A generic pipeline stage: a queue, then service of fixed duration with limited entries and places.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Stage {
    /// Most people who can enter the stage per week (people per week).
    pub capacity_per_week: Param,
    /// Time spent in the stage once admitted (weeks, rounded to whole weeks).
    pub duration_weeks: Param,
    /// Places: most people in service in the stage at once (people); omit for no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places: Option<Param>,
}

/// What happens when training capacity is short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShortcutPolicy {
    /// Wait in the queue and get the full course.
    Queue,
    /// Train `shortcut_weeks` only; send those who waited `max_wait_weeks` with no training at all.
    Shortcut,
}

/// Stage 2: training grounds, instructors and equipment sets.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Training {
    /// Most people who can start training per week (people per week).
    pub capacity_per_week: Param,
    /// Training-ground places: most people in training at once (people).
    pub places: Param,
    /// Length of the full course (weeks).
    pub course_weeks: Param,
    /// `queue` or `shortcut`.
    pub policy: ShortcutPolicy,
    /// Training actually given under the shortcut policy (weeks).
    pub shortcut_weeks: Param,
    /// Under the shortcut policy, people who waited this long are sent untrained (weeks).
    pub max_wait_weeks: Param,
    /// Quality of an untrained person (0 to 1); quality rises linearly to 1 over the full course.
    pub quality_untrained: Param,
    /// Personal equipment sets in stock at week 0; each trainee takes one (sets).
    pub equipment_sets: Param,
    /// Personal equipment sets produced or bought per week (sets per week).
    pub equipment_sets_per_week: Param,
}

/// Stage 4: units need officers and NCOs; each leads `span_of_control` people and goes with them.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Assignment {
    /// Most people who can be assigned per week (people per week).
    pub capacity_per_week: Param,
    /// Time to form and move a unit (weeks).
    pub duration_weeks: Param,
    /// Officers and NCOs available to lead mobilized units at week 0 (people).
    pub officers: Param,
    /// Officers and NCOs who become available each week (people per week).
    pub officers_per_week: Param,
    /// People led per officer or NCO (people per leader).
    pub span_of_control: Param,
}

/// Recruitment short of mobilization (M-REC).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Recruitment {
    /// Sources of volunteers (contracts, prisons, private military companies...).
    pub sources: Vec<RecruitSource>,
}

/// Where recruits go after signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// Into the mobilization pipeline's training stage (needs a mobilization of the same actor).
    Training,
    /// Straight to the front with the source's quality.
    Front,
}

/// One source of volunteers: `v = base_per_week * bonus_multiplier * exp(-death_risk_sensitivity * risk)`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RecruitSource {
    /// Stable id (e.g. `contract`, `prison`, `pmc`).
    pub id: String,
    /// Volunteers per week with no perceived risk and no bonus (people per week).
    pub base_per_week: Param,
    /// Effect of bonuses, pensions and housing (dimensionless multiplier, 1 = none).
    pub bonus_multiplier: Param,
    /// Decay of appeal with perceived death risk (per unit of annualised death probability).
    pub death_risk_sensitivity: Param,
    /// Quality of these recruits when they reach the front (0 to 1).
    pub quality: Param,
    /// `training` or `front`.
    pub route: Route,
}

/// Evasion and emigration (M-EVA).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Evasion {
    /// Emigration from the reservist pool without mobilization (people per week).
    pub baseline_emigration_per_week: Param,
    /// Extra people who try to leave per summons served (people per summons).
    pub emigration_per_summons: Param,
    /// Most people who can leave per week: flights, border crossings (people per week).
    pub exit_capacity_per_week: Param,
    /// Share of those waiting to leave who give up each week (1 per week).
    pub give_up_per_week: Param,
}

/// Attrition (M-CBT): `dA/dt = -attrition_of_a * E_B^p * E_A^q`, on effective strengths.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Combat {
    /// `p`: exponent on the opponent's effective strength (1 for the square and linear laws).
    pub exponent_opponent: Param,
    /// `q`: exponent on one's own effective strength (0 square law, 1 linear law).
    pub exponent_own: Param,
    /// Per side: the opponent's effectiveness against that side (per week, in strength units).
    pub attrition_per_week: BTreeMap<String, Param>,
    /// Loss multiplier for the side that attacks in a week (dimensionless, >= 1).
    pub attacker_loss_multiplier: Param,
    /// Standard deviation of the log of a weekly multiplicative noise on losses (dimensionless).
    pub weekly_noise_sd: Param,
    /// Runge-Kutta substeps per weekly step.
    #[serde(default = "default_substeps")]
    pub substeps_per_week: u32,
    /// Length of the front (km).
    pub front_length_km: Param,
    /// Troops per km of front that can be employed at once; more add no strength (people per km).
    pub max_troops_per_km: Param,
    /// Effective-strength ratio below which nobody advances (dimensionless, >= 1).
    pub advance_threshold_ratio: Param,
    /// Advance depth per week per unit of log(ratio / threshold) (km per week).
    pub advance_km_per_week: Param,
}

fn default_substeps() -> u32 {
    4
}

/// Walks every parameter with its dotted path and domain.
pub struct ParamVisitor<'a> {
    path: Vec<String>,
    f: &'a mut dyn FnMut(&str, &mut Param, Domain),
}

impl<'a> ParamVisitor<'a> {
    pub fn new(f: &'a mut dyn FnMut(&str, &mut Param, Domain)) -> Self {
        ParamVisitor {
            path: Vec::new(),
            f,
        }
    }
    pub fn param(&mut self, name: &str, p: &mut Param, domain: Domain) {
        self.path.push(name.to_string());
        let path = self.path.join(".");
        (self.f)(&path, p, domain);
        self.path.pop();
    }
    pub fn nest(&mut self, name: &str, body: impl FnOnce(&mut Self)) {
        self.path.push(name.to_string());
        body(self);
        self.path.pop();
    }
}

impl Scenario {
    /// Visits every parameter in a fixed order: the order of sampling and of `runs.csv` columns.
    pub fn visit_params(&mut self, v: &mut ParamVisitor) {
        use Domain as D;
        v.nest("forces", |v| {
            for (id, f) in self.forces.iter_mut() {
                v.nest(id, |v| {
                    v.param("at_front", &mut f.at_front, D::NON_NEGATIVE);
                    v.param("quality", &mut f.quality, D::PROBABILITY);
                    v.param("morale", &mut f.morale, D::PROBABILITY);
                    v.param(
                        "effectiveness_multiplier",
                        &mut f.effectiveness_multiplier,
                        D::NON_NEGATIVE,
                    );
                    v.param("equipment", &mut f.equipment, D::NON_NEGATIVE);
                    v.param(
                        "equipment_per_1000_troops",
                        &mut f.equipment_per_1000_troops,
                        D::NON_NEGATIVE,
                    );
                    v.param(
                        "equipment_elasticity",
                        &mut f.equipment_elasticity,
                        D::EXPONENT,
                    );
                    v.param(
                        "equipment_deliveries_per_week",
                        &mut f.equipment_deliveries_per_week,
                        D::NON_NEGATIVE,
                    );
                    v.param(
                        "equipment_loss_per_casualty",
                        &mut f.equipment_loss_per_casualty,
                        D::NON_NEGATIVE,
                    );
                    v.param("territory_km2", &mut f.territory_km2, D::NON_NEGATIVE);
                    v.param("killed_share", &mut f.killed_share, D::PROBABILITY);
                    v.param("captured_share", &mut f.captured_share, D::PROBABILITY);
                    v.param(
                        "exit_rate_per_week",
                        &mut f.exit_rate_per_week,
                        D::PROBABILITY,
                    );
                    v.param(
                        "stop_loss_morale_penalty",
                        &mut f.stop_loss_morale_penalty,
                        D::PROBABILITY,
                    );
                })
            }
        });
        v.nest("mobilization", |v| {
            for (id, m) in self.mobilization.iter_mut() {
                v.nest(id, |v| {
                    v.param("call_up", &mut m.call_up, D::NON_NEGATIVE);
                    v.param("reservist_pool", &mut m.reservist_pool, D::NON_NEGATIVE);
                    v.param("summons_per_week", &mut m.summons_per_week, D::NON_NEGATIVE);
                    v.param("p_evade", &mut m.p_evade, D::PROBABILITY);
                    for (name, stage) in [
                        ("induction", &mut m.induction),
                        ("quartering", &mut m.quartering),
                    ] {
                        v.nest(name, |v| {
                            v.param(
                                "capacity_per_week",
                                &mut stage.capacity_per_week,
                                D::NON_NEGATIVE,
                            );
                            v.param("duration_weeks", &mut stage.duration_weeks, D::NON_NEGATIVE);
                            if let Some(p) = stage.places.as_mut() {
                                v.param("places", p, D::NON_NEGATIVE);
                            }
                        });
                    }
                    let t = &mut m.training;
                    v.nest("training", |v| {
                        v.param(
                            "capacity_per_week",
                            &mut t.capacity_per_week,
                            D::NON_NEGATIVE,
                        );
                        v.param("places", &mut t.places, D::NON_NEGATIVE);
                        v.param("course_weeks", &mut t.course_weeks, D::AT_LEAST_ONE);
                        v.param("shortcut_weeks", &mut t.shortcut_weeks, D::NON_NEGATIVE);
                        v.param("max_wait_weeks", &mut t.max_wait_weeks, D::NON_NEGATIVE);
                        v.param(
                            "quality_untrained",
                            &mut t.quality_untrained,
                            D::PROBABILITY,
                        );
                        v.param("equipment_sets", &mut t.equipment_sets, D::NON_NEGATIVE);
                        v.param(
                            "equipment_sets_per_week",
                            &mut t.equipment_sets_per_week,
                            D::NON_NEGATIVE,
                        );
                    });
                    let a = &mut m.assignment;
                    v.nest("assignment", |v| {
                        v.param(
                            "capacity_per_week",
                            &mut a.capacity_per_week,
                            D::NON_NEGATIVE,
                        );
                        v.param("duration_weeks", &mut a.duration_weeks, D::NON_NEGATIVE);
                        v.param("officers", &mut a.officers, D::NON_NEGATIVE);
                        v.param(
                            "officers_per_week",
                            &mut a.officers_per_week,
                            D::NON_NEGATIVE,
                        );
                        v.param("span_of_control", &mut a.span_of_control, D::AT_LEAST_ONE);
                    });
                })
            }
        });
        v.nest("recruitment", |v| {
            for (id, r) in self.recruitment.iter_mut() {
                v.nest(id, |v| {
                    v.nest("sources", |v| {
                        for (i, s) in r.sources.iter_mut().enumerate() {
                            v.nest(&i.to_string(), |v| {
                                v.param("base_per_week", &mut s.base_per_week, D::NON_NEGATIVE);
                                v.param(
                                    "bonus_multiplier",
                                    &mut s.bonus_multiplier,
                                    D::NON_NEGATIVE,
                                );
                                v.param(
                                    "death_risk_sensitivity",
                                    &mut s.death_risk_sensitivity,
                                    D::NON_NEGATIVE,
                                );
                                v.param("quality", &mut s.quality, D::PROBABILITY);
                            })
                        }
                    })
                })
            }
        });
        v.nest("evasion", |v| {
            for (id, e) in self.evasion.iter_mut() {
                v.nest(id, |v| {
                    v.param(
                        "baseline_emigration_per_week",
                        &mut e.baseline_emigration_per_week,
                        D::NON_NEGATIVE,
                    );
                    v.param(
                        "emigration_per_summons",
                        &mut e.emigration_per_summons,
                        D::NON_NEGATIVE,
                    );
                    v.param(
                        "exit_capacity_per_week",
                        &mut e.exit_capacity_per_week,
                        D::NON_NEGATIVE,
                    );
                    v.param("give_up_per_week", &mut e.give_up_per_week, D::PROBABILITY);
                })
            }
        });
        let c = &mut self.combat;
        v.nest("combat", |v| {
            v.param("exponent_opponent", &mut c.exponent_opponent, D::EXPONENT);
            v.param("exponent_own", &mut c.exponent_own, D::EXPONENT);
            v.nest("attrition_per_week", |v| {
                for (id, p) in c.attrition_per_week.iter_mut() {
                    v.param(id, p, D::NON_NEGATIVE);
                }
            });
            v.param(
                "attacker_loss_multiplier",
                &mut c.attacker_loss_multiplier,
                D::AT_LEAST_ONE,
            );
            v.param("weekly_noise_sd", &mut c.weekly_noise_sd, D::NON_NEGATIVE);
            v.param("front_length_km", &mut c.front_length_km, D::NON_NEGATIVE);
            v.param(
                "max_troops_per_km",
                &mut c.max_troops_per_km,
                D::NON_NEGATIVE,
            );
            v.param(
                "advance_threshold_ratio",
                &mut c.advance_threshold_ratio,
                D::AT_LEAST_ONE,
            );
            v.param(
                "advance_km_per_week",
                &mut c.advance_km_per_week,
                D::NON_NEGATIVE,
            );
        });
        if let Some(p) = self.politics.as_mut() {
            p.visit_params(v);
        }
        crate::decision::config::visit_ladder_params(&mut self.ladder, v);
    }

    /// The two belligerents' ids, in id order (the order of sides in all outputs).
    pub fn belligerents(&self) -> Vec<String> {
        self.forces.keys().cloned().collect()
    }
}
