//! Scenario sections of the decision layer: `[politics]` (M-DOM, M-FACE, M-ELITE, M-END and
//! doctrine) and `[[ladder]]` (M-ESC, M-ANNEX, M-INT: every option of every actor as data).

use crate::param::{Domain, Param};
use crate::scenario::ParamVisitor;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The decision layer's parameters. Omit the section to run the engine alone.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Politics {
    /// The actor whose leader decides escalation (e.g. `RU`).
    pub leader: String,
    /// The leader's battlefield opponent (e.g. `UA`).
    pub opponent: String,
    /// The opponent's patron whose involvement changes the face bar (e.g. `US`).
    pub patron: String,
    /// Quantal-response rationality lambda (per unit of utility); 0 = uniform choice.
    pub rationality: Param,
    /// Domestic support and protest (M-DOM).
    pub support: Support,
    /// Saving face (M-FACE).
    pub face: Face,
    /// Elite loyalty and the leader's removal (M-ELITE).
    pub elite: Elite,
    /// The leader's utility weights (M-ESC).
    pub utility: LeaderUtility,
    /// Nuclear doctrine predicates (M-ANNEX, M-ESC).
    pub doctrine: Doctrine,
    /// Negotiation (M-END): Fearon's bargaining range.
    pub bargaining: Bargaining,
    /// Military end states (M-END).
    pub end: EndStates,
}

/// Support `S = S0 - k ln(1 + C/C_ref) - shock + rally` (Mueller 1973) and protests.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Support {
    /// Support for the war at week 0 (share, 0 to 1).
    pub initial: Param,
    /// Casualties suffered before week 0 (people); the log term counts from the war's start.
    pub casualties_before_start: Param,
    /// Mueller slope k: support lost per unit of ln(1 + C/C_ref) (share).
    pub casualty_slope: Param,
    /// C_ref: casualties at which the log term is ln 2 (people).
    pub casualty_reference: Param,
    /// Support lost per million people summoned (share per million).
    pub mobilization_shock_per_million: Param,
    /// Weekly decay of rally effects (1 per week).
    pub rally_decay_per_week: Param,
    /// Protest index per unit of support lost since week 0 (dimensionless).
    pub protest_per_support_lost: Param,
    /// Protest index per million summonses served in a week (per million).
    pub protest_per_million_summons: Param,
    /// Capacity of the security forces to suppress protest (0 to 1).
    pub security_capacity: Param,
    /// Protest potential removed per unit share of the reservist pool summoned or emigrated (dimensionless).
    pub young_men_drain: Param,
}

/// `face_loss = max(0, bar - achieved)`, achieved = share of the start territory still held.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Face {
    /// Switch for the "saving face" hypothesis (seed 002). Off: face loss is always 0.
    pub enabled: bool,
    /// The bar for "not losing" against the opponent, as a share of start territory held (> 1 means gains were expected).
    pub bar_vs_opponent: Param,
    /// The bar once the patron fights directly (low: surviving counts as winning).
    pub bar_vs_patron: Param,
    /// Audience cost added to face loss when backing down, per public escalation step taken (Fearon 1994).
    pub audience_cost_per_public_step: Param,
}

/// Elite loyalty and removal hazard `h = logistic(b0 + b_face F + b_elite (1-L) + b_prot P - b_sec s)`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Elite {
    /// Elite loyalty at week 0 (0 to 1).
    pub initial_loyalty: Param,
    /// Loyalty lost per week per unit of face loss.
    pub face_sensitivity: Param,
    /// Loyalty lost per week per unit of isolation.
    pub isolation_sensitivity: Param,
    /// Loyalty regained per week through rewards (share per week).
    pub reward_per_week: Param,
    /// b0: intercept of the weekly removal log-odds.
    pub removal_intercept: Param,
    /// b_face.
    pub removal_face: Param,
    /// b_elite.
    pub removal_disloyalty: Param,
    /// b_prot.
    pub removal_protest: Param,
    /// b_sec.
    pub removal_security: Param,
}

/// Weights of the leader's utility: `U = base + w_s (h_now - h_after) H + w_t gain - w_c P(exchange)`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct LeaderUtility {
    /// Weight on the reduction of removal probability over the planning horizon.
    pub survival_weight: Param,
    /// Planning horizon H over which the weekly hazard is counted (weeks).
    pub horizon_weeks: Param,
    /// Weight on the share of the opponent's front troops an option destroys.
    pub territory_weight: Param,
    /// Weight on the probability of a strategic nuclear exchange an option risks.
    pub catastrophe_weight: Param,
    /// Probability of a strategic exchange once the patron has replied with nuclear weapons.
    pub exchange_given_reply: Param,
    /// Utility bonus for de-escalatory options once the leader has been replaced.
    pub successor_deescalation_bonus: Param,
}

/// Predicates of nuclear doctrine (Decree 355 of 2 Jun 2020, para 19).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Doctrine {
    /// `existential_threat` holds when the leader's side holds less than this share of its start territory.
    pub existential_territory_share: Param,
    /// ... or when the opponent's effective strength exceeds the leader's by this ratio.
    pub existential_strength_ratio: Param,
}

/// Fearon (1995): a deal exists when `p + bias_L + commitment - c_L <= p - bias_O + c_O` and
/// within the opponent's demand cap.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Bargaining {
    /// The leader's optimism about its win probability at week 0 (share).
    pub optimism_leader: Param,
    /// The opponent's optimism (share).
    pub optimism_opponent: Param,
    /// Share of optimism lost per week as fighting reveals information (1 per week).
    pub learning_per_week: Param,
    /// War cost to the leader per 100,000 of its casualties (share of the stakes).
    pub cost_leader_per_100k: Param,
    /// War cost to the opponent per 100,000 of its casualties (share of the stakes).
    pub cost_opponent_per_100k: Param,
    /// Weight of the power shift still in the leader's pipeline (Powell 2004 commitment problem).
    pub commitment_weight: Param,
    /// Largest share of the stakes the opponent would concede at week 0 (0 = full withdrawal demanded).
    pub opponent_concession_cap: Param,
    /// Weekly growth of that cap (share per week).
    pub concession_cap_growth_per_week: Param,
    /// Probability per week that talks succeed while a deal exists.
    pub talks_success_per_week: Param,
}

/// When a war is decided.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct EndStates {
    /// The opponent wins when the leader holds less than this share of its start territory.
    pub opponent_victory_territory_share: Param,
    /// The leader wins when the opponent holds less than this share of its start territory.
    pub leader_victory_territory_share: Param,
    /// A front with no territory change for this many weeks is frozen (weeks).
    pub frozen_after_static_weeks: u32,
    /// Territory changes below this count as static (km2 per week).
    pub static_tolerance_km2: Param,
}

/// Nuclear strike specification of a rung, evaluated with `brink-effects`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct StrikeSpec {
    /// Yield (kt).
    pub yield_kt: Param,
    /// `surface`, `optimum` (height maximizing the 5 psi range), or `air` with `height_m`.
    pub burst: BurstKind,
    /// Burst height for `air` (m).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_m: Option<Param>,
    /// `none` (demonstration away from people), `troops`, or `city` (with `city`).
    pub target: StrikeTarget,
    /// City name from the bundled table (`brink effects --help`), for `target = "city"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Troops concentrated in the target area, for `target = "troops"` (people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub troops: Option<Param>,
    /// Area those troops occupy (km2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<Param>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BurstKind {
    Surface,
    Optimum,
    Air,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StrikeTarget {
    None,
    Troops,
    City,
}

/// What a rung does to the world when taken. Every field is optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct RungEffects {
    /// Change of the leader's domestic support (share; + is a rally).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Param>,
    /// Change of elite loyalty (share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elite_loyalty: Option<Param>,
    /// Change of the leader's international isolation (0 to 1 scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<Param>,
    /// People added to the leader's call-up (people), e.g. general mobilization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_up: Option<Param>,
    /// A nuclear detonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike: Option<StrikeSpec>,
    /// Share of the leader's front troops destroyed (a patron's conventional strikes; share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_front_loss_share: Option<Param>,
    /// Share of its held territory the leader gives up at once (withdrawal to holdable lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cede_territory_share: Option<Param>,
    /// Multiplier on the leader's effective strength when defending from now on (fortification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_defense_multiplier: Option<Param>,
    /// Marks annexation: `annexed` becomes true.
    #[serde(default)]
    pub annex: bool,
    /// Marks a raised nuclear alert: `alert` becomes true.
    #[serde(default)]
    pub alert: bool,
    /// The patron now fights directly: `us_involved` becomes true; the face bar switches.
    #[serde(default)]
    pub involves_patron: bool,
    /// A nuclear reply by the patron: `patron_nuclear_reply` becomes true.
    #[serde(default)]
    pub patron_nuclear_reply: bool,
    /// The run ends with this outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// Exclusive terminal outcomes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    RuMilitaryVictory,
    UaMilitaryVictory,
    NegotiatedSettlement,
    FrozenConflict,
    RuWithdrawal,
    OngoingAtHorizon,
    StrategicExchange,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::RuMilitaryVictory,
        Outcome::UaMilitaryVictory,
        Outcome::NegotiatedSettlement,
        Outcome::FrozenConflict,
        Outcome::RuWithdrawal,
        Outcome::OngoingAtHorizon,
        Outcome::StrategicExchange,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Outcome::RuMilitaryVictory => "ru_military_victory",
            Outcome::UaMilitaryVictory => "ua_military_victory",
            Outcome::NegotiatedSettlement => "negotiated_settlement",
            Outcome::FrozenConflict => "frozen_conflict",
            Outcome::RuWithdrawal => "ru_withdrawal",
            Outcome::OngoingAtHorizon => "ongoing_at_horizon",
            Outcome::StrategicExchange => "strategic_exchange",
        }
    }
}

/// One option of one actor: a rung of the escalation ladder (or a way out of it).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Rung {
    /// Stable id; also the event id in outputs (e.g. `annexation`, `nuclear_kyiv`).
    pub id: String,
    /// The actor who can take it.
    pub actor: String,
    /// What it is, in words.
    pub label: String,
    /// Position on brink's ladder (orders rungs; higher = more escalatory; 0 = de-escalation).
    pub level: u32,
    /// Rung number on Kahn's (1965) 44-rung ladder; 0 for steps off the ladder (de-escalation).
    pub kahn_rung: u32,
    /// A public step (adds audience cost, Fearon 1994).
    #[serde(default)]
    pub public: bool,
    /// Taken at week 0 (already happened when the scenario starts).
    #[serde(default)]
    pub initial: bool,
    /// Preconditions, all of which must hold; `a|b` means either; `not:x` negates; `done:<id>`
    /// means rung `<id>` was taken. Predicates: annexed, annexed_under_attack,
    /// existential_threat, losing, alert, nuclear_used, nuclear_used_this_week, us_involved,
    /// patron_nuclear_reply, city_struck, leader_removed.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Intrinsic utility of the option to its actor (negative = costly), besides the leader's
    /// computed terms.
    pub base_utility: Param,
    /// What taking it does.
    #[serde(default)]
    pub effects: RungEffects,
}

/// The predicates a `requires` entry may name (besides `done:<rung id>`).
pub const PREDICATES: [&str; 11] = [
    "annexed",
    "annexed_under_attack",
    "existential_threat",
    "losing",
    "alert",
    "nuclear_used",
    "nuclear_used_this_week",
    "us_involved",
    "patron_nuclear_reply",
    "city_struck",
    "leader_removed",
];

/// Kahn's thresholds (On Escalation, 1965): the first rung above each.
pub const KAHN_THRESHOLDS: [(u32, &str); 6] = [
    (4, "Don't rock the boat"),
    (10, "Nuclear war is unthinkable"),
    (21, "No nuclear use"),
    (26, "Central sanctuary"),
    (32, "Central war"),
    (38, "City targeting"),
];

/// The highest Kahn threshold a rung lies above ("" below rung 4 or off the ladder).
pub fn kahn_threshold(rung: u32) -> &'static str {
    KAHN_THRESHOLDS
        .iter()
        .rev()
        .find(|(first, _)| rung >= *first)
        .map_or("", |(_, name)| name)
}

fn opt(v: &mut ParamVisitor, name: &str, p: &mut Option<Param>, d: Domain) {
    if let Some(p) = p.as_mut() {
        v.param(name, p, d);
    }
}

impl Politics {
    pub fn visit_params(&mut self, v: &mut ParamVisitor) {
        use Domain as D;
        v.nest("politics", |v| {
            v.param("rationality", &mut self.rationality, D::NON_NEGATIVE);
            let s = &mut self.support;
            v.nest("support", |v| {
                v.param("initial", &mut s.initial, D::PROBABILITY);
                v.param(
                    "casualties_before_start",
                    &mut s.casualties_before_start,
                    D::NON_NEGATIVE,
                );
                v.param("casualty_slope", &mut s.casualty_slope, D::NON_NEGATIVE);
                v.param(
                    "casualty_reference",
                    &mut s.casualty_reference,
                    D::AT_LEAST_ONE,
                );
                v.param(
                    "mobilization_shock_per_million",
                    &mut s.mobilization_shock_per_million,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "rally_decay_per_week",
                    &mut s.rally_decay_per_week,
                    D::PROBABILITY,
                );
                v.param(
                    "protest_per_support_lost",
                    &mut s.protest_per_support_lost,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "protest_per_million_summons",
                    &mut s.protest_per_million_summons,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "security_capacity",
                    &mut s.security_capacity,
                    D::PROBABILITY,
                );
                v.param("young_men_drain", &mut s.young_men_drain, D::NON_NEGATIVE);
            });
            let f = &mut self.face;
            v.nest("face", |v| {
                v.param("bar_vs_opponent", &mut f.bar_vs_opponent, D::NON_NEGATIVE);
                v.param("bar_vs_patron", &mut f.bar_vs_patron, D::NON_NEGATIVE);
                v.param(
                    "audience_cost_per_public_step",
                    &mut f.audience_cost_per_public_step,
                    D::NON_NEGATIVE,
                );
            });
            let e = &mut self.elite;
            v.nest("elite", |v| {
                v.param("initial_loyalty", &mut e.initial_loyalty, D::PROBABILITY);
                v.param("face_sensitivity", &mut e.face_sensitivity, D::NON_NEGATIVE);
                v.param(
                    "isolation_sensitivity",
                    &mut e.isolation_sensitivity,
                    D::NON_NEGATIVE,
                );
                v.param("reward_per_week", &mut e.reward_per_week, D::PROBABILITY);
                v.param("removal_intercept", &mut e.removal_intercept, D::ANY);
                v.param("removal_face", &mut e.removal_face, D::NON_NEGATIVE);
                v.param(
                    "removal_disloyalty",
                    &mut e.removal_disloyalty,
                    D::NON_NEGATIVE,
                );
                v.param("removal_protest", &mut e.removal_protest, D::NON_NEGATIVE);
                v.param("removal_security", &mut e.removal_security, D::NON_NEGATIVE);
            });
            let u = &mut self.utility;
            v.nest("utility", |v| {
                v.param("survival_weight", &mut u.survival_weight, D::NON_NEGATIVE);
                v.param("horizon_weeks", &mut u.horizon_weeks, D::NON_NEGATIVE);
                v.param("territory_weight", &mut u.territory_weight, D::NON_NEGATIVE);
                v.param(
                    "catastrophe_weight",
                    &mut u.catastrophe_weight,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "exchange_given_reply",
                    &mut u.exchange_given_reply,
                    D::PROBABILITY,
                );
                v.param(
                    "successor_deescalation_bonus",
                    &mut u.successor_deescalation_bonus,
                    D::ANY,
                );
            });
            let d = &mut self.doctrine;
            v.nest("doctrine", |v| {
                v.param(
                    "existential_territory_share",
                    &mut d.existential_territory_share,
                    D::PROBABILITY,
                );
                v.param(
                    "existential_strength_ratio",
                    &mut d.existential_strength_ratio,
                    D::AT_LEAST_ONE,
                );
            });
            let b = &mut self.bargaining;
            v.nest("bargaining", |v| {
                v.param("optimism_leader", &mut b.optimism_leader, D::PROBABILITY);
                v.param(
                    "optimism_opponent",
                    &mut b.optimism_opponent,
                    D::PROBABILITY,
                );
                v.param(
                    "learning_per_week",
                    &mut b.learning_per_week,
                    D::PROBABILITY,
                );
                v.param(
                    "cost_leader_per_100k",
                    &mut b.cost_leader_per_100k,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "cost_opponent_per_100k",
                    &mut b.cost_opponent_per_100k,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "commitment_weight",
                    &mut b.commitment_weight,
                    D::NON_NEGATIVE,
                );
                v.param(
                    "opponent_concession_cap",
                    &mut b.opponent_concession_cap,
                    D::PROBABILITY,
                );
                v.param(
                    "concession_cap_growth_per_week",
                    &mut b.concession_cap_growth_per_week,
                    D::PROBABILITY,
                );
                v.param(
                    "talks_success_per_week",
                    &mut b.talks_success_per_week,
                    D::PROBABILITY,
                );
            });
            let en = &mut self.end;
            v.nest("end", |v| {
                v.param(
                    "opponent_victory_territory_share",
                    &mut en.opponent_victory_territory_share,
                    D::PROBABILITY,
                );
                v.param(
                    "leader_victory_territory_share",
                    &mut en.leader_victory_territory_share,
                    D::PROBABILITY,
                );
                v.param(
                    "static_tolerance_km2",
                    &mut en.static_tolerance_km2,
                    D::NON_NEGATIVE,
                );
            });
        });
    }
}

/// Visits the parameters of every rung (`ladder.<index>.…`).
pub fn visit_ladder_params(ladder: &mut [Rung], v: &mut ParamVisitor) {
    use Domain as D;
    v.nest("ladder", |v| {
        for (i, r) in ladder.iter_mut().enumerate() {
            v.nest(&i.to_string(), |v| {
                v.param("base_utility", &mut r.base_utility, D::ANY);
                let e = &mut r.effects;
                v.nest("effects", |v| {
                    opt(v, "support", &mut e.support, D::ANY);
                    opt(v, "elite_loyalty", &mut e.elite_loyalty, D::ANY);
                    opt(v, "isolation", &mut e.isolation, D::ANY);
                    opt(v, "call_up", &mut e.call_up, D::NON_NEGATIVE);
                    opt(
                        v,
                        "leader_front_loss_share",
                        &mut e.leader_front_loss_share,
                        D::PROBABILITY,
                    );
                    opt(
                        v,
                        "cede_territory_share",
                        &mut e.cede_territory_share,
                        D::PROBABILITY,
                    );
                    opt(
                        v,
                        "leader_defense_multiplier",
                        &mut e.leader_defense_multiplier,
                        D::AT_LEAST_ONE,
                    );
                    if let Some(s) = e.strike.as_mut() {
                        v.nest("strike", |v| {
                            v.param("yield_kt", &mut s.yield_kt, D::NON_NEGATIVE);
                            opt(v, "height_m", &mut s.height_m, D::NON_NEGATIVE);
                            opt(v, "troops", &mut s.troops, D::NON_NEGATIVE);
                            opt(v, "area_km2", &mut s.area_km2, D::NON_NEGATIVE);
                        });
                    }
                });
            });
        }
    });
}

/// A predicate of `requires`, resolved once at load time (no string work in the hot loop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pred {
    Annexed,
    AnnexedUnderAttack,
    ExistentialThreat,
    Losing,
    Alert,
    NuclearUsed,
    NuclearUsedThisWeek,
    UsInvolved,
    PatronNuclearReply,
    CityStruck,
    LeaderRemoved,
    /// Rung with this ladder index was taken.
    Done(usize),
}

impl Pred {
    /// The predicates that do not name a rung, in the order of their bits among a week's facts.
    pub const STATE: [Pred; 11] = [
        Pred::Annexed,
        Pred::AnnexedUnderAttack,
        Pred::ExistentialThreat,
        Pred::Losing,
        Pred::Alert,
        Pred::NuclearUsed,
        Pred::NuclearUsedThisWeek,
        Pred::UsInvolved,
        Pred::PatronNuclearReply,
        Pred::CityStruck,
        Pred::LeaderRemoved,
    ];

    /// This predicate's bit in a [`Facts`] word: the state predicates first, then one bit per
    /// rung; `None` for a rung beyond the word.
    pub fn fact_bit(self) -> Option<u32> {
        let state = Pred::STATE.len() as u32;
        match self {
            Pred::Done(i) => u32::try_from(i)
                .ok()
                .filter(|&i| i < u64::BITS - state)
                .map(|i| state + i),
            other => Pred::STATE
                .iter()
                .position(|&p| p == other)
                .map(|b| b as u32),
        }
    }
}

/// Every predicate's value at one moment, one bit each (see [`Pred::fact_bit`]).
pub type Facts = u64;

/// A requirement (a disjunction of atoms) as masks over [`Facts`]: it holds when a fact in
/// `if_true` is true or a fact in `if_false` is false.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactClause {
    pub if_true: Facts,
    pub if_false: Facts,
}

impl FactClause {
    #[inline]
    pub fn holds(self, facts: Facts) -> bool {
        facts & self.if_true != 0 || !facts & self.if_false != 0
    }

    /// The clause of these atoms, or `None` if one of them has no bit.
    fn of(atoms: &[Atom]) -> Option<FactClause> {
        let mut c = FactClause::default();
        for a in atoms {
            let bit = 1 << a.pred.fact_bit()?;
            if a.negated {
                c.if_false |= bit;
            } else {
                c.if_true |= bit;
            }
        }
        Some(c)
    }
}

/// One atom of a requirement: a predicate, possibly negated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atom {
    pub negated: bool,
    pub pred: Pred,
}

/// The ladder compiled for the hot loop: requirements as predicates (each requirement a
/// disjunction of atoms), actors in decision order with their options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompiledLadder {
    pub requires: Vec<Vec<Vec<Atom>>>,
    /// `requires` as masks over a week's facts, for ladders whose every rung has a fact bit
    /// (`None` for longer ladders, which are checked atom by atom).
    pub requires_facts: Option<Vec<Vec<FactClause>>>,
    /// The leader first, then every other actor with options, in id order.
    pub actor_order: Vec<String>,
    /// Ladder indices of each actor's options, parallel to `actor_order`.
    pub options: Vec<Vec<usize>>,
    /// The `done` fact bits of each actor's options, parallel to `actor_order` (complete only
    /// when `requires_facts` is `Some`).
    pub options_done_bits: Vec<Facts>,
    /// The patron's responses to nuclear use (options that require `nuclear_used`).
    pub patron_nuclear_responses: Vec<usize>,
    /// Event and actor ids, so a run's records and statistics need no string work.
    pub events: EventIds,
}

fn parse_atom(text: &str, ids: &[&str]) -> Option<Atom> {
    let text = text.trim();
    let (negated, name) = match text.strip_prefix("not:") {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    let pred = if let Some(id) = name.strip_prefix("done:") {
        Pred::Done(ids.iter().position(|x| *x == id)?)
    } else {
        match name {
            "annexed" => Pred::Annexed,
            "annexed_under_attack" => Pred::AnnexedUnderAttack,
            "existential_threat" => Pred::ExistentialThreat,
            "losing" => Pred::Losing,
            "alert" => Pred::Alert,
            "nuclear_used" => Pred::NuclearUsed,
            "nuclear_used_this_week" => Pred::NuclearUsedThisWeek,
            "us_involved" => Pred::UsInvolved,
            "patron_nuclear_reply" => Pred::PatronNuclearReply,
            "city_struck" => Pred::CityStruck,
            "leader_removed" => Pred::LeaderRemoved,
            _ => return None,
        }
    };
    Some(Atom { negated, pred })
}

/// Compiles a validated ladder. Unknown names (rejected by validation) compile to nothing.
pub fn compile(ladder: &[Rung], politics: &Politics, actors: &[String]) -> CompiledLadder {
    let ids: Vec<&str> = ladder.iter().map(|r| r.id.as_str()).collect();
    let requires: Vec<Vec<Vec<Atom>>> = ladder
        .iter()
        .map(|r| {
            r.requires
                .iter()
                .map(|q| q.split('|').filter_map(|a| parse_atom(a, &ids)).collect())
                .collect()
        })
        .collect();
    let requires_facts = (0..ladder.len())
        .all(|i| Pred::Done(i).fact_bit().is_some())
        .then(|| {
            requires
                .iter()
                .map(|clauses| clauses.iter().map(|c| FactClause::of(c)).collect())
                .collect::<Option<Vec<Vec<FactClause>>>>()
        })
        .flatten();
    let mut actor_order = vec![politics.leader.clone()];
    for a in actors {
        if *a != politics.leader && ladder.iter().any(|r| &r.actor == a) {
            actor_order.push(a.clone());
        }
    }
    let options: Vec<Vec<usize>> = actor_order
        .iter()
        .map(|a| {
            (0..ladder.len())
                .filter(|&i| &ladder[i].actor == a)
                .collect()
        })
        .collect();
    let options_done_bits = options
        .iter()
        .map(|rungs| {
            rungs
                .iter()
                .filter_map(|&i| Pred::Done(i).fact_bit())
                .fold(0, |bits, bit| bits | 1 << bit)
        })
        .collect();
    let patron_nuclear_responses = (0..ladder.len())
        .filter(|&i| {
            ladder[i].actor == politics.patron
                && ladder[i]
                    .requires
                    .iter()
                    .any(|q| q.contains("nuclear_used"))
        })
        .collect();
    CompiledLadder {
        requires,
        requires_facts,
        actor_order,
        options,
        options_done_bits,
        patron_nuclear_responses,
        events: EventIds::of(ladder, politics),
    }
}

/// An id written to outputs (actor, event or rung): text shared with the compiled ladder, so a
/// run's event records clone it without allocating.
#[derive(Clone)]
pub enum Name {
    Static(&'static str),
    Shared(std::sync::Arc<str>),
}

impl Name {
    pub fn as_str(&self) -> &str {
        match self {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl Default for Name {
    fn default() -> Self {
        Name::Static("")
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name::Shared(s.into())
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// Equality, order and hashing by text, whichever variant holds it.
impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Name {}
impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Index of an event id in [`EventNames`].
pub type EventId = u32;

/// The distinct event ids a run can record, each once: rung ids, then the events the layer
/// records itself. Interned by text, so two sources of the same id share one index (as they
/// share one key in [`super::stats::EventStats`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventNames {
    names: Vec<Name>,
}

impl EventNames {
    /// The index of `name`, added if new.
    pub fn intern(&mut self, name: Name) -> EventId {
        match self.names.iter().position(|n| *n == name) {
            Some(i) => i as EventId,
            None => {
                self.names.push(name);
                (self.names.len() - 1) as EventId
            }
        }
    }

    pub fn name(&self, id: EventId) -> &Name {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// How a leader can be removed, with the id of the event that records it.
pub const REMOVAL_MODES: [&str; 4] = [
    "leader_removed_palace_coup",
    "leader_removed_uprising",
    "leader_removed_foreign_backed",
    "leader_removed_tribunal",
];

/// The ids of every event a run can record, resolved once at load time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventIds {
    pub names: EventNames,
    /// The event of each rung (its id), by ladder index.
    pub rungs: Vec<EventId>,
    /// The text of each rung's id and actor, by ladder index.
    pub rung_ids: Vec<Name>,
    pub rung_actors: Vec<Name>,
    pub leader: Name,
    pub opponent: Name,
    pub nuclear_use: EventId,
    pub leader_removed: EventId,
    /// Parallel to [`REMOVAL_MODES`].
    pub removal_modes: [EventId; 4],
    /// The event of each outcome, parallel to [`Outcome::ALL`].
    pub outcomes: [EventId; 7],
}

impl EventIds {
    fn of(ladder: &[Rung], politics: &Politics) -> EventIds {
        let mut names = EventNames::default();
        let rung_ids: Vec<Name> = ladder.iter().map(|r| Name::from(r.id.as_str())).collect();
        let rungs = rung_ids.iter().map(|n| names.intern(n.clone())).collect();
        let nuclear_use = names.intern(Name::Static("nuclear_use"));
        let leader_removed = names.intern(Name::Static("leader_removed"));
        let removal_modes = REMOVAL_MODES.map(|m| names.intern(Name::Static(m)));
        let outcomes = Outcome::ALL.map(|o| names.intern(Name::Static(o.id())));
        EventIds {
            names,
            rungs,
            rung_ids,
            rung_actors: ladder
                .iter()
                .map(|r| Name::from(r.actor.as_str()))
                .collect(),
            leader: Name::from(politics.leader.as_str()),
            opponent: Name::from(politics.opponent.as_str()),
            nuclear_use,
            leader_removed,
            removal_modes,
            outcomes,
        }
    }

    /// The event recorded when a run ends with `outcome`.
    pub fn outcome(&self, outcome: Outcome) -> EventId {
        self.outcomes[outcome as usize]
    }
}

#[cfg(test)]
mod event_name_tests {
    use super::*;

    #[test]
    fn interning_gives_one_index_per_text_whatever_the_variant() {
        let mut names = EventNames::default();
        let a = names.intern(Name::from("annexation"));
        let b = names.intern(Name::Static("nuclear_use"));
        assert_eq!(names.intern(Name::Static("annexation")), a);
        assert_eq!(names.intern(Name::from("nuclear_use")), b);
        assert_ne!(a, b);
        assert_eq!(names.len(), 2);
        assert_eq!(names.name(a), "annexation");
        assert_eq!(names.name(b).to_string(), "nuclear_use");
    }

    #[test]
    fn outcome_events_follow_outcome_order() {
        for (i, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(*o as usize, i);
        }
    }

    #[test]
    fn a_rung_named_like_a_fixed_event_shares_its_index() {
        let r = crate::load::load_default(&[]).unwrap();
        let p = r.scenario.politics.as_ref().unwrap();
        let mut ladder = r.scenario.ladder.clone();
        ladder[0].id = "nuclear_use".into();
        let ids = EventIds::of(&ladder, p);
        assert_eq!(ids.rungs[0], ids.nuclear_use);
        assert_eq!(ids.names.name(ids.rungs[1]), &ladder[1].id);
        assert_eq!(
            ids.names.name(ids.outcome(Outcome::FrozenConflict)),
            "frozen_conflict"
        );
    }
}
