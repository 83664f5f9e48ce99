//! The decision layer (M-DOM, M-FACE, M-ELITE, M-ANNEX, M-ESC, M-INT, M-END).
//!
//! Each week, after combat: domestic support, protests, face loss, elite loyalty and the
//! leader's removal hazard are updated; the leader may be removed; every actor chooses among
//! its eligible ladder rungs and "hold" by quantal response (McKelvey & Palfrey 1995) on
//! expected utility; effects are applied (nuclear strikes through `brink-effects`); talks may
//! settle the war (Fearon 1995); military end states are checked. Every choice can be traced
//! with the scores of the alternatives (`brink explain`).

pub mod config;
pub mod stats;
#[cfg(test)]
mod tests;

use crate::load::Resolved;
use crate::model::{Bound, RunState};
use crate::param::Sample;
use config::{
    Atom, BurstKind, CompiledLadder, EventId, EventIds, Facts, Name, Outcome, Politics, Pred, Rung,
    StrikeTarget, kahn_threshold,
};
use rand::Rng;
use serde::Serialize;

/// One event of a run (a row of `events.csv`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    pub week: u32,
    pub actor: Name,
    pub event: Name,
    /// The rung that produced it ("" for events that are not rungs).
    pub rung: Name,
    pub kahn_rung: u32,
    pub threshold: &'static str,
    /// People killed and injured by this event (nuclear strikes; 0 otherwise).
    pub killed: f64,
    pub injured: f64,
    /// Whether the event is a nuclear detonation.
    pub strike: bool,
    /// `event` as an index into the compiled ladder's event names (for the statistics).
    #[serde(skip)]
    pub event_id: EventId,
}

/// One actor's weekly choice, with every option's utility and probability (for `explain`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionTrace {
    pub week: u32,
    pub actor: String,
    /// (option id, utility, probability); "hold" is the status quo.
    pub options: Vec<(String, f64, f64)>,
    pub chosen: String,
}

/// The political state of a run.
#[derive(Clone, Debug, Default)]
pub struct PoliticalState {
    pub support: f64,
    pub rally: f64,
    pub protests: f64,
    pub face_loss: f64,
    pub loyalty: f64,
    pub isolation: f64,
    pub hazard: f64,
    pub bias_leader: f64,
    pub bias_opponent: f64,
    pub concession_cap: f64,
    /// Whether each rung (by ladder index) has been taken.
    pub(crate) done: Vec<bool>,
    /// `done` as the rung bits of [`Facts`] (rungs beyond the word are left out).
    done_facts: Facts,
    pub annexed: bool,
    pub alert: bool,
    pub us_involved: bool,
    pub patron_nuclear_reply: bool,
    pub city_struck: bool,
    pub leader_removed: bool,
    pub nuclear_used_week: Option<u32>,
    pub public_steps: u32,
    pub outcome: Option<(Outcome, u32)>,
    pub events: Vec<EventRecord>,
    pub highest_kahn: u32,
    /// Leader's territory at week 0 and at the end of each week (km2).
    pub leader_territory: Vec<f64>,
    pub opponent_territory_start: f64,
    pub summoned_last: f64,
    /// Killed and injured by nuclear strikes, civilians and troops (people).
    pub nuclear_killed: f64,
    pub nuclear_injured: f64,
    /// Cached strike casualties per rung (killed, injured), computed on first use.
    strike_cache: Vec<Option<(f64, f64)>>,
    /// Cached patron response shares (they depend on sampled parameters only).
    patron_shares: Option<(f64, f64)>,
    scratch_options: Vec<usize>,
    scratch_utilities: Vec<f64>,
    scratch_probs: Vec<f64>,
    /// Side indices of the leader and the opponent (looked up once per run).
    leader_side: usize,
    opponent_side: usize,
    /// Whether a rung with a leader defense multiplier has been taken (frozen-conflict test).
    fortified: bool,
    /// `ln(1 + C0 / C_ref)` of [`support_level`], which depends on sampled parameters only.
    ln_casualties_before_start: f64,
    /// Per actor (in decision order): the facts its eligible options were last found for,
    /// and those options as bits by ladder index. Eligibility is a function of the facts
    /// alone, and they seldom change from one week to the next.
    eligible_cache: Vec<(Option<Facts>, u64)>,
    /// Parameter values the weekly choices use many times (read once per run).
    coefficients: Coefficients,
    pub traces: Option<Vec<DecisionTrace>>,
}

impl PoliticalState {
    pub fn initial(
        r: &Resolved,
        v: &Sample,
        sides: &[crate::model::SideState; 2],
    ) -> Option<PoliticalState> {
        let p = r.scenario.politics.as_ref()?;
        let compiled = r.compiled.as_ref()?;
        let ids = &compiled.events;
        let li = r.side_index(&p.leader)?;
        let oi = r.side_index(&p.opponent)?;
        let ladder_len = r.scenario.ladder.len();
        // Capacities for a typical run, so the weekly loop rarely grows a buffer.
        const TYPICAL_WEEKS: usize = 64;
        const TYPICAL_EVENTS: usize = 8;
        let mut territory = Vec::with_capacity(TYPICAL_WEEKS + 1);
        territory.push(sides[li].territory_km2);
        let mut st = PoliticalState {
            support: p.support.initial.get(v),
            loyalty: p.elite.initial_loyalty.get(v),
            bias_leader: p.bargaining.optimism_leader.get(v),
            bias_opponent: p.bargaining.optimism_opponent.get(v),
            concession_cap: p.bargaining.opponent_concession_cap.get(v),
            done: vec![false; r.scenario.ladder.len()],
            strike_cache: vec![None; r.scenario.ladder.len()],
            leader_territory: territory,
            opponent_territory_start: sides[oi].territory_km2,
            events: Vec::with_capacity(TYPICAL_EVENTS),
            scratch_options: Vec::with_capacity(ladder_len),
            scratch_utilities: Vec::with_capacity(ladder_len + 1),
            scratch_probs: Vec::with_capacity(ladder_len + 1),
            leader_side: li,
            opponent_side: oi,
            ln_casualties_before_start: ln_casualties_before_start(p, v),
            eligible_cache: vec![(None, 0); compiled.actor_order.len()],
            coefficients: Coefficients::of(p, v),
            ..PoliticalState::default()
        };
        for (i, rung) in r.scenario.ladder.iter().enumerate() {
            if rung.initial {
                st.mark_done(i);
                st.flags_from(rung);
                st.record_rung(0, rung, i, ids);
            }
        }
        Some(st)
    }

    fn mark_done(&mut self, i: usize) {
        self.done[i] = true;
        if let Some(bit) = Pred::Done(i).fact_bit() {
            self.done_facts |= 1 << bit;
        }
    }

    fn flags_from(&mut self, rung: &Rung) {
        let e = &rung.effects;
        self.annexed |= e.annex;
        self.alert |= e.alert;
        self.us_involved |= e.involves_patron;
        self.patron_nuclear_reply |= e.patron_nuclear_reply;
        self.fortified |= e.leader_defense_multiplier.is_some();
        if rung.public {
            self.public_steps += 1;
        }
    }

    /// Records the taking of rung `i` (its event is the rung's id).
    fn record_rung(&mut self, week: u32, rung: &Rung, i: usize, ids: &EventIds) {
        self.highest_kahn = self.highest_kahn.max(rung.kahn_rung);
        self.events.push(EventRecord {
            week,
            actor: ids.rung_actors[i].clone(),
            event: ids.rung_ids[i].clone(),
            rung: ids.rung_ids[i].clone(),
            kahn_rung: rung.kahn_rung,
            threshold: kahn_threshold(rung.kahn_rung),
            killed: 0.0,
            injured: 0.0,
            strike: rung.effects.strike.is_some(),
            event_id: ids.rungs[i],
        });
    }

    fn record_plain(&mut self, week: u32, actor: &Name, event: EventId, ids: &EventIds, kahn: u32) {
        self.highest_kahn = self.highest_kahn.max(kahn);
        self.events.push(EventRecord {
            week,
            actor: actor.clone(),
            event: ids.names.name(event).clone(),
            rung: Name::default(),
            kahn_rung: kahn,
            threshold: kahn_threshold(kahn),
            killed: 0.0,
            injured: 0.0,
            strike: false,
            event_id: event,
        });
    }

    fn end(&mut self, week: u32, outcome: Outcome, actor: &Name, ids: &EventIds) {
        if self.outcome.is_none() {
            self.outcome = Some((outcome, week));
            let kahn = if outcome == Outcome::StrategicExchange {
                44
            } else {
                0
            };
            if !matches!(outcome, Outcome::RuWithdrawal | Outcome::OngoingAtHorizon) {
                self.record_plain(week, actor, ids.outcome(outcome), ids, kahn);
            }
        }
    }

    /// Leader's territory as a share of its week-0 territory.
    fn achieved(&self) -> f64 {
        let start = self.leader_territory[0];
        let now = *self.leader_territory.last().expect("week 0 recorded");
        if start > 0.0 { now / start } else { 1.0 }
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// [`quantal_response`] into a reused buffer.
pub fn quantal_response_into(utilities: &[f64], lambda: f64, out: &mut Vec<f64>) {
    out.clear();
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lambda.is_infinite() {
        let n = utilities.iter().filter(|&&u| u == max).count() as f64;
        out.extend(
            utilities
                .iter()
                .map(|&u| if u == max { 1.0 / n } else { 0.0 }),
        );
        return;
    }
    // Weights and their sum in one pass, summed left to right as `Iterator::sum` does (from
    // -0.0, which no sum of these weights, at least 1, can tell from 0.0).
    let mut total = -0.0;
    for u in utilities {
        let weight = exp_or_one(lambda * (u - max));
        total += weight;
        out.push(weight);
    }
    out.iter_mut().for_each(|x| *x /= total);
}

/// `x.exp()`, without the call for the best option, whose exponent is 0 (exp(±0) is exactly 1).
#[inline]
fn exp_or_one(x: f64) -> f64 {
    if x == 0.0 { 1.0 } else { x.exp() }
}

/// Quantal-response probabilities: `p_i ∝ exp(lambda * u_i)` (stable for any lambda).
pub fn quantal_response(utilities: &[f64], lambda: f64) -> Vec<f64> {
    let max = utilities.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lambda.is_infinite() {
        let best: Vec<usize> = (0..utilities.len())
            .filter(|&i| utilities[i] == max)
            .collect();
        let mut p = vec![0.0; utilities.len()];
        for &i in &best {
            p[i] = 1.0 / best.len() as f64;
        }
        return p;
    }
    let w: Vec<f64> = utilities
        .iter()
        .map(|u| (lambda * (u - max)).exp())
        .collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Draws an index from probabilities.
pub fn draw<R: Rng + ?Sized>(p: &[f64], rng: &mut R) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, x) in p.iter().enumerate() {
        acc += x;
        if u < acc {
            return i;
        }
    }
    p.len() - 1
}

struct Ctx<'a> {
    r: &'a Resolved,
    c: &'a CompiledLadder,
    p: &'a Politics,
    v: &'a Sample,
    li: usize,
    oi: usize,
}

/// Weekly removal hazard `logistic(b0 + b_face F + b_elite (1 - L) + b_prot P - b_sec s)` (M-ELITE).
pub fn removal_hazard(p: &Politics, v: &Sample, face: f64, loyalty: f64, protests: f64) -> f64 {
    HazardCoefficients::of(p, v).hazard(face, loyalty, protests)
}

/// The coefficients of [`removal_hazard`] in one run.
#[derive(Clone, Copy, Debug, Default)]
struct HazardCoefficients {
    intercept: f64,
    face: f64,
    disloyalty: f64,
    protest: f64,
    /// `b_sec s`.
    security: f64,
}

impl HazardCoefficients {
    fn of(p: &Politics, v: &Sample) -> Self {
        let e = &p.elite;
        HazardCoefficients {
            intercept: e.removal_intercept.get(v),
            face: e.removal_face.get(v),
            disloyalty: e.removal_disloyalty.get(v),
            protest: e.removal_protest.get(v),
            security: e.removal_security.get(v) * p.support.security_capacity.get(v),
        }
    }

    #[inline]
    fn hazard(&self, face: f64, loyalty: f64, protests: f64) -> f64 {
        logistic(
            self.intercept
                + self.face * face
                + self.disloyalty * (1.0 - loyalty)
                + self.protest * protests
                - self.security,
        )
    }
}

/// Parameter values of one run that the leader's weekly utilities read for every option.
#[derive(Clone, Copy, Debug, Default)]
struct Coefficients {
    hazard: HazardCoefficients,
    survival_weight: f64,
    horizon_weeks: f64,
    territory_weight: f64,
    catastrophe_weight: f64,
    exchange_given_reply: f64,
    successor_deescalation_bonus: f64,
    isolation_sensitivity: f64,
    protest_per_support_lost: f64,
    audience_cost_per_public_step: f64,
    bar_vs_patron: f64,
    bar_vs_opponent: f64,
    // Read once a week.
    rally_decay_per_week: f64,
    support_initial: f64,
    protest_per_million_summons: f64,
    security_capacity: f64,
    young_men_drain: f64,
    reward_per_week: f64,
    face_sensitivity: f64,
    learning_per_week: f64,
    concession_cap_growth_per_week: f64,
    commitment_weight: f64,
    cost_leader_per_100k: f64,
    cost_opponent_per_100k: f64,
    talks_success_per_week: f64,
    opponent_victory_territory_share: f64,
    leader_victory_territory_share: f64,
}

impl Coefficients {
    fn of(p: &Politics, v: &Sample) -> Self {
        let u = &p.utility;
        Coefficients {
            hazard: HazardCoefficients::of(p, v),
            survival_weight: u.survival_weight.get(v),
            horizon_weeks: u.horizon_weeks.get(v),
            territory_weight: u.territory_weight.get(v),
            catastrophe_weight: u.catastrophe_weight.get(v),
            exchange_given_reply: u.exchange_given_reply.get(v),
            successor_deescalation_bonus: u.successor_deescalation_bonus.get(v),
            isolation_sensitivity: p.elite.isolation_sensitivity.get(v),
            protest_per_support_lost: p.support.protest_per_support_lost.get(v),
            audience_cost_per_public_step: p.face.audience_cost_per_public_step.get(v),
            bar_vs_patron: p.face.bar_vs_patron.get(v),
            bar_vs_opponent: p.face.bar_vs_opponent.get(v),
            rally_decay_per_week: p.support.rally_decay_per_week.get(v),
            support_initial: p.support.initial.get(v),
            protest_per_million_summons: p.support.protest_per_million_summons.get(v),
            security_capacity: p.support.security_capacity.get(v),
            young_men_drain: p.support.young_men_drain.get(v),
            reward_per_week: p.elite.reward_per_week.get(v),
            face_sensitivity: p.elite.face_sensitivity.get(v),
            learning_per_week: p.bargaining.learning_per_week.get(v),
            concession_cap_growth_per_week: p.bargaining.concession_cap_growth_per_week.get(v),
            commitment_weight: p.bargaining.commitment_weight.get(v),
            cost_leader_per_100k: p.bargaining.cost_leader_per_100k.get(v),
            cost_opponent_per_100k: p.bargaining.cost_opponent_per_100k.get(v),
            talks_success_per_week: p.bargaining.talks_success_per_week.get(v),
            opponent_victory_territory_share: p.end.opponent_victory_territory_share.get(v),
            leader_victory_territory_share: p.end.leader_victory_territory_share.get(v),
        }
    }
}

/// Support for the war (M-DOM): `S0 - k [ln(1 + (C0 + C)/C_ref) - ln(1 + C0/C_ref)] - shock + rally`,
/// Mueller's logarithmic decline counted from the war's start, clamped to [0, 1].
pub fn support_level(p: &Politics, v: &Sample, casualties: f64, summoned: f64, rally: f64) -> f64 {
    support_level_from(
        p,
        v,
        casualties,
        summoned,
        rally,
        ln_casualties_before_start(p, v),
    )
}

/// `ln(1 + C0/C_ref)`, the Mueller term at the war's start.
fn ln_casualties_before_start(p: &Politics, v: &Sample) -> f64 {
    let s = &p.support;
    (1.0 + s.casualties_before_start.get(v) / s.casualty_reference.get(v)).ln()
}

/// [`support_level`] with its start term computed once per run.
fn support_level_from(
    p: &Politics,
    v: &Sample,
    casualties: f64,
    summoned: f64,
    rally: f64,
    ln_casualties_before_start: f64,
) -> f64 {
    let s = &p.support;
    let (c0, cref) = (
        s.casualties_before_start.get(v),
        s.casualty_reference.get(v),
    );
    let mueller = s.casualty_slope.get(v)
        * ((1.0 + (c0 + casualties) / cref).ln() - ln_casualties_before_start);
    let shock = s.mobilization_shock_per_million.get(v) * summoned / 1e6;
    (s.initial.get(v) - mueller - shock + rally).clamp(0.0, 1.0)
}

impl Ctx<'_> {
    fn face_enabled(&self, ps: &PoliticalState) -> bool {
        self.p.face.enabled && !ps.leader_removed
    }

    fn face_loss(&self, ps: &PoliticalState, achieved: f64, vs_patron: bool) -> f64 {
        if !self.face_enabled(ps) {
            return 0.0;
        }
        let bar = if vs_patron {
            ps.coefficients.bar_vs_patron
        } else {
            ps.coefficients.bar_vs_opponent
        };
        (bar - achieved).at_least(0.0)
    }

    #[inline]
    fn holds(&self, atom: Atom, ps: &PoliticalState, st: &RunState) -> bool {
        self.pred(atom.pred, ps, st) != atom.negated
    }

    #[inline(always)]
    fn pred(&self, pred: Pred, ps: &PoliticalState, st: &RunState) -> bool {
        let leader = &st.sides[self.li];
        let opp = &st.sides[self.oi];
        match pred {
            Pred::Annexed => ps.annexed,
            Pred::AnnexedUnderAttack => ps.annexed && opp.attacking,
            Pred::ExistentialThreat => {
                let d = &self.p.doctrine;
                ps.achieved() < d.existential_territory_share.get(self.v)
                    || (leader.effective_strength > 0.0
                        && opp.effective_strength / leader.effective_strength
                            >= d.existential_strength_ratio.get(self.v))
                    || (leader.effective_strength == 0.0 && opp.effective_strength > 0.0)
            }
            Pred::Losing => {
                let t = &ps.leader_territory;
                t.len() > 4 && t[t.len() - 1] < t[t.len() - 5]
            }
            Pred::Alert => ps.alert,
            Pred::NuclearUsed => ps.nuclear_used_week.is_some(),
            Pred::NuclearUsedThisWeek => ps.nuclear_used_week == Some(st.week + 1),
            Pred::UsInvolved => ps.us_involved,
            Pred::PatronNuclearReply => ps.patron_nuclear_reply,
            Pred::CityStruck => ps.city_struck,
            Pred::LeaderRemoved => ps.leader_removed,
            Pred::Done(i) => ps.done[i],
        }
    }

    /// Every predicate's value now, one bit each (the caller checked that the ladder fits).
    /// Predicates only read the state, so evaluating them all once instead of rung by rung
    /// changes no value.
    fn facts(&self, ps: &PoliticalState, st: &RunState) -> Facts {
        // Spelled out in `Pred::STATE` order (checked at compile time below) so that each
        // `pred` call folds to its own arm instead of a match per bit.
        const _: () = assert!(matches!(
            Pred::STATE,
            [
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
            ]
        ));
        let values = [
            self.pred(Pred::Annexed, ps, st),
            self.pred(Pred::AnnexedUnderAttack, ps, st),
            self.pred(Pred::ExistentialThreat, ps, st),
            self.pred(Pred::Losing, ps, st),
            self.pred(Pred::Alert, ps, st),
            self.pred(Pred::NuclearUsed, ps, st),
            self.pred(Pred::NuclearUsedThisWeek, ps, st),
            self.pred(Pred::UsInvolved, ps, st),
            self.pred(Pred::PatronNuclearReply, ps, st),
            self.pred(Pred::CityStruck, ps, st),
            self.pred(Pred::LeaderRemoved, ps, st),
        ];
        let mut facts = ps.done_facts;
        for (bit, value) in values.into_iter().enumerate() {
            facts |= Facts::from(value) << bit;
        }
        facts
    }

    // Inlined: called for every option of every actor every week, and a call costs more than
    // most predicates.
    #[inline]
    fn eligible(&self, i: usize, ps: &PoliticalState, st: &RunState) -> bool {
        !ps.done[i]
            && self.c.requires[i]
                .iter()
                .all(|any| any.iter().any(|&a| self.holds(a, ps, st)))
    }

    /// Of the patron's nuclear-response options, the QR shares of a conventional response and
    /// of a nuclear reply (what the leader expects when it weighs a strike).
    fn patron_response_shares(&self) -> (f64, f64) {
        let lambda = self.p.rationality.get(self.v);
        let options: Vec<&Rung> = self
            .c
            .patron_nuclear_responses
            .iter()
            .map(|&i| &self.r.scenario.ladder[i])
            .collect();
        if options.is_empty() {
            return (0.0, 0.0);
        }
        let u: Vec<f64> = options.iter().map(|r| r.base_utility.get(self.v)).collect();
        let p = quantal_response(&u, lambda);
        let mut conv = 0.0;
        let mut reply = 0.0;
        for (r, pi) in options.iter().zip(&p) {
            if r.effects.patron_nuclear_reply {
                reply += pi;
            } else if r.effects.involves_patron {
                conv += pi;
            }
        }
        (conv, reply)
    }

    /// (killed, injured) of a rung's strike; cached per run.
    fn strike_casualties(&self, i: usize, ps: &mut PoliticalState) -> (f64, f64) {
        if let Some(c) = ps.strike_cache[i] {
            return c;
        }
        let rung = &self.r.scenario.ladder[i];
        let Some(s) = rung.effects.strike.as_ref() else {
            return (0.0, 0.0);
        };
        let v = self.v;
        let burst = match s.burst {
            BurstKind::Surface => brink_effects::Burst::Surface,
            BurstKind::Optimum => brink_effects::Burst::Optimum,
            BurstKind::Air => {
                brink_effects::Burst::Height(s.height_m.as_ref().map_or(0.0, |h| h.get(v)))
            }
        };
        let strike = brink_effects::Strike::new(s.yield_kt.get(v), burst);
        let target = match s.target {
            StrikeTarget::None => None,
            StrikeTarget::Troops => Some(brink_effects::Target::Troops {
                count: s.troops.as_ref().map_or(0.0, |t| t.get(v)),
                area_km2: s.area_km2.as_ref().map_or(1.0, |a| a.get(v)),
            }),
            StrikeTarget::City => Some(brink_effects::Target::City {
                name: s.city.clone().unwrap_or_default(),
            }),
        };
        // Validated at load time; a failure here means a model error, reported as zero harm
        // would be silent, so it is loud in debug builds.
        let c = match target {
            None => (0.0, 0.0),
            Some(t) => match brink_effects::strike_casualties(&strike, &t) {
                Ok(e) => (e.total_killed, e.total_injured),
                Err(err) => {
                    debug_assert!(false, "strike of rung {} failed: {err}", rung.id);
                    (0.0, 0.0)
                }
            },
        };
        ps.strike_cache[i] = Some(c);
        c
    }

    /// The leader's expected utility of taking rung `i` (or holding, with `None`).
    fn leader_utility(&self, i: Option<usize>, ps: &mut PoliticalState, st: &RunState) -> f64 {
        let Some(i) = i else {
            return 0.0;
        };
        let rung = &self.r.scenario.ladder[i];
        let e = &rung.effects;
        let v = self.v;
        let ds = e.support.as_ref().map_or(0.0, |p| p.get(v));
        let diso = e.isolation.as_ref().map_or(0.0, |p| p.get(v));
        let dl = e.elite_loyalty.as_ref().map_or(0.0, |p| p.get(v))
            - ps.coefficients.isolation_sensitivity * diso;
        let dp = -ps.coefficients.protest_per_support_lost * ds;
        let mut face_after = ps.face_loss;
        let mut gain = 0.0;
        let mut p_exchange = 0.0;
        if e.strike.is_some() {
            let (conv, reply) = match ps.patron_shares {
                Some(x) => x,
                None => {
                    let x = self.patron_response_shares();
                    ps.patron_shares = Some(x);
                    x
                }
            };
            // The seed-002 argument: a patron's conventional retaliation switches the bar.
            if self.face_enabled(ps) {
                face_after =
                    conv * self.face_loss(ps, ps.achieved(), true) + (1.0 - conv) * ps.face_loss;
            }
            p_exchange = reply * ps.coefficients.exchange_given_reply;
            let opp_front = st.sides[self.oi].at_front;
            // Only strikes on troops weigh their casualties here; the others are priced (and
            // cached) when taken, so options never taken cost no effects calculation.
            if matches!(
                e.strike.as_ref().map(|s| s.target),
                Some(StrikeTarget::Troops)
            ) && opp_front > 0.0
            {
                let (killed, injured) = self.strike_casualties(i, ps);
                gain = ((killed + injured) / opp_front).at_most(1.0);
            }
        }
        let backing_down =
            e.outcome == Some(Outcome::RuWithdrawal) || e.cede_territory_share.is_some();
        if backing_down && self.face_enabled(ps) {
            let ceded = e.cede_territory_share.as_ref().map_or(1.0, |p| p.get(v));
            let after = ps.achieved() * (1.0 - ceded);
            face_after = self.face_loss(ps, after, ps.us_involved)
                + ps.coefficients.audience_cost_per_public_step * f64::from(ps.public_steps);
        }
        let h_now = ps.hazard;
        let h_after = ps.coefficients.hazard.hazard(
            face_after,
            (ps.loyalty + dl).clamp(0.0, 1.0),
            (ps.protests + dp).clamp(0.0, 1.0),
        );
        let mut utility = rung.base_utility.get(v)
            + ps.coefficients.survival_weight * (h_now - h_after) * ps.coefficients.horizon_weeks
            + ps.coefficients.territory_weight * gain
            - ps.coefficients.catastrophe_weight * p_exchange;
        if ps.leader_removed && rung.level == 0 {
            utility += ps.coefficients.successor_deescalation_bonus;
        }
        utility
    }
}

/// Advances the political state by one week (after combat). `state.week` is the week just fought.
pub fn step<R: Rng + ?Sized>(r: &Resolved, v: &Sample, state: &mut RunState, rng: &mut R) {
    let Some(p) = r.scenario.politics.as_ref() else {
        return;
    };
    // A political state exists only when both sides were found.
    let Some(mut ps) = state.politics.take() else {
        return;
    };
    let (li, oi) = (ps.leader_side, ps.opponent_side);
    let Some(c) = r.compiled.as_ref() else {
        state.politics = Some(ps);
        return;
    };
    let ctx = Ctx { r, c, p, v, li, oi };
    // Events are dated by the end of the week being simulated: week 0 holds only what had
    // happened when the scenario starts.
    let week = state.week + 1;
    if ps.outcome.is_none() {
        week_of_politics(&ctx, &mut ps, state, week, rng);
    }
    state.politics = Some(ps);
}

fn week_of_politics<R: Rng + ?Sized>(
    ctx: &Ctx,
    ps: &mut PoliticalState,
    state: &mut RunState,
    week: u32,
    rng: &mut R,
) {
    let (p, v, li, oi) = (ctx.p, ctx.v, ctx.li, ctx.oi);
    ps.leader_territory.push(state.sides[li].territory_km2);

    // M-DOM: support falls with the log of cumulative casualties (Mueller), the mobilization
    // shock, and rallies that decay; protests grow with lost support and summonses, damped by
    // security forces and by young men summoned or gone.
    let leader = &state.sides[li];
    ps.rally *= 1.0 - ps.coefficients.rally_decay_per_week;
    ps.support = support_level_from(
        p,
        v,
        leader.casualties,
        leader.summoned,
        ps.rally,
        ps.ln_casualties_before_start,
    );
    let s0 = ps.coefficients.support_initial;
    let summons_week = (leader.summoned - ps.summoned_last).at_least(0.0);
    ps.summoned_last = leader.summoned;
    let drained = if leader.pool_initial > 0.0 {
        ((leader.summoned + leader.emigrated) / leader.pool_initial).at_most(1.0)
    } else {
        0.0
    };
    let raw = ps.coefficients.protest_per_support_lost * (s0 - ps.support).at_least(0.0)
        + ps.coefficients.protest_per_million_summons * summons_week / 1e6;
    ps.protests = (raw
        * (1.0 - ps.coefficients.security_capacity)
        * (1.0 - ps.coefficients.young_men_drain * drained).at_least(0.0))
    .clamp(0.0, 1.0);

    // M-FACE and M-ELITE.
    ps.face_loss = ctx.face_loss(ps, ps.achieved(), ps.us_involved);
    ps.loyalty = (ps.loyalty + ps.coefficients.reward_per_week
        - ps.coefficients.face_sensitivity * ps.face_loss
        - ps.coefficients.isolation_sensitivity * ps.isolation)
        .clamp(0.0, 1.0);
    ps.hazard = ps
        .coefficients
        .hazard
        .hazard(ps.face_loss, ps.loyalty, ps.protests);

    // Removal of the leader (once; the successor is not modelled as removable).
    if !ps.leader_removed && rng.random::<f64>() < ps.hazard {
        ps.leader_removed = true;
        let defeat = (1.0 - ps.achieved()).at_least(0.0);
        let weights = [
            ("palace_coup", 1.0 - ps.loyalty),
            ("uprising", ps.protests),
            ("foreign_backed", ps.isolation),
            ("tribunal", defeat),
        ];
        let total: f64 = weights.iter().map(|w| w.1).sum();
        let probs: Vec<f64> = if total > 0.0 {
            weights.iter().map(|w| w.1 / total).collect()
        } else {
            vec![1.0, 0.0, 0.0, 0.0]
        };
        let mode = draw(&probs, rng);
        debug_assert_eq!(
            config::REMOVAL_MODES[mode],
            format!("leader_removed_{}", weights[mode].0)
        );
        let ids = &ctx.c.events;
        ps.record_plain(week, &ids.leader, ids.leader_removed, ids, 0);
        ps.record_plain(week, &ids.leader, ids.removal_modes[mode], ids, 0);
        ps.face_loss = 0.0;
        ps.bias_leader = 0.0;
    }

    // Choices: the leader first, then every other actor with options, in id order.
    let lambda = p.rationality.get(v);
    // The predicates change only when a rung is taken: evaluated when first needed, again
    // after each rung taken.
    let mut facts: Option<Facts> = None;
    for (a, actor) in ctx.c.actor_order.iter().enumerate() {
        let actor = actor.as_str();
        if ps.outcome.is_some() {
            break;
        }
        // Scratch buffers live in the state so the weekly loop does not allocate; they are
        // indexed rather than borrowed across the utility calls, which need the whole state.
        ps.scratch_options.clear();
        match &ctx.c.requires_facts {
            Some(requires) => {
                // Every rung has a fact bit here, so `done` is part of the facts and the
                // eligible options a function of the facts.
                let options_bits = ctx.c.options_done_bits[a];
                if ps.done_facts & options_bits != options_bits {
                    let facts = *facts.get_or_insert_with(|| ctx.facts(ps, state));
                    let cached = &mut ps.eligible_cache[a];
                    if cached.0 != Some(facts) {
                        *cached = (
                            Some(facts),
                            eligible_bits(ctx, a, requires, &ps.done, facts),
                        );
                    }
                    debug_assert_eq!(
                        ps.eligible_cache[a].1,
                        eligible_bits(ctx, a, requires, &ps.done, facts),
                        "stale eligibility"
                    );
                    // Ascending ladder index, the order of `options`.
                    let mut ladder_bits = ps.eligible_cache[a].1;
                    while ladder_bits != 0 {
                        ps.scratch_options
                            .push(ladder_bits.trailing_zeros() as usize);
                        ladder_bits &= ladder_bits - 1;
                    }
                }
            }
            None => {
                for &i in &ctx.c.options[a] {
                    if ctx.eligible(i, ps, state) {
                        ps.scratch_options.push(i);
                    }
                }
            }
        }
        if ps.scratch_options.is_empty() {
            continue;
        }
        ps.scratch_utilities.clear();
        ps.scratch_utilities.push(0.0);
        for j in 0..ps.scratch_options.len() {
            let i = ps.scratch_options[j];
            let u = if a == 0 {
                ctx.leader_utility(Some(i), ps, state)
            } else {
                ctx.r.scenario.ladder[i].base_utility.get(v)
            };
            ps.scratch_utilities.push(u);
        }
        quantal_response_into(&ps.scratch_utilities, lambda, &mut ps.scratch_probs);
        let k = draw(&ps.scratch_probs, rng);
        let (eligible, utilities, probs) = (
            &ps.scratch_options,
            &ps.scratch_utilities,
            &ps.scratch_probs,
        );
        if let Some(traces) = ps.traces.as_mut() {
            let mut options = vec![("hold".to_string(), utilities[0], probs[0])];
            for (j, &i) in eligible.iter().enumerate() {
                options.push((
                    ctx.r.scenario.ladder[i].id.clone(),
                    utilities[j + 1],
                    probs[j + 1],
                ));
            }
            traces.push(DecisionTrace {
                week,
                actor: actor.to_string(),
                options,
                chosen: if k == 0 {
                    "hold".into()
                } else {
                    ctx.r.scenario.ladder[eligible[k - 1]].id.clone()
                },
            });
        }
        let chosen = (k > 0).then(|| eligible[k - 1]);
        if let Some(i) = chosen {
            take_rung(ctx, i, ps, state, week, rng);
            facts = None;
        }
    }
    if ps.outcome.is_some() {
        return;
    }

    // M-END: talks (Fearon 1995, with Powell's commitment problem).
    let ids = &ctx.c.events;
    ps.bias_leader *= 1.0 - ps.coefficients.learning_per_week;
    ps.bias_opponent *= 1.0 - ps.coefficients.learning_per_week;
    ps.concession_cap =
        (ps.concession_cap + ps.coefficients.concession_cap_growth_per_week).at_most(1.0);
    let (l, o) = (&state.sides[li], &state.sides[oi]);
    let total = l.effective_strength + o.effective_strength;
    if total > 0.0 {
        let win = l.effective_strength / total;
        let shift = if l.at_front > 0.0 {
            ps.coefficients.commitment_weight * l.in_pipeline() / l.at_front
        } else {
            0.0
        };
        let lower = win + ps.bias_leader + shift
            - ps.coefficients.cost_leader_per_100k * l.casualties / 1e5;
        let upper = (win - ps.bias_opponent
            + ps.coefficients.cost_opponent_per_100k * o.casualties / 1e5)
            .at_most(ps.concession_cap);
        if lower <= upper && rng.random::<f64>() < ps.coefficients.talks_success_per_week {
            ps.end(week, Outcome::NegotiatedSettlement, &ids.leader, ids);
            return;
        }
    }

    // Military end states.
    if ps.achieved() < ps.coefficients.opponent_victory_territory_share {
        ps.end(week, Outcome::UaMilitaryVictory, &ids.opponent, ids);
    } else if ps.opponent_territory_start > 0.0
        && state.sides[oi].territory_km2 / ps.opponent_territory_start
            < ps.coefficients.leader_victory_territory_share
    {
        ps.end(week, Outcome::RuMilitaryVictory, &ids.leader, ids);
    } else if ps.fortified && frozen(ctx, ps) {
        ps.end(week, Outcome::FrozenConflict, &ids.leader, ids);
    }
}

/// Actor `a`'s eligible options under `facts`, as bits by ladder index (for ladders whose every
/// rung has a fact bit).
#[inline]
fn eligible_bits(
    ctx: &Ctx,
    a: usize,
    requires: &[Vec<config::FactClause>],
    done: &[bool],
    facts: Facts,
) -> u64 {
    let mut ladder_bits = 0u64;
    for &i in &ctx.c.options[a] {
        if !done[i] && requires[i].iter().all(|clause| clause.holds(facts)) {
            ladder_bits |= 1 << i;
        }
    }
    ladder_bits
}

/// The front has not moved (beyond tolerance) for the last `frozen_after_static_weeks` weeks.
fn frozen(ctx: &Ctx, ps: &PoliticalState) -> bool {
    let n = ctx.p.end.frozen_after_static_weeks as usize;
    let t = &ps.leader_territory;
    if n == 0 || t.len() <= n {
        return false;
    }
    let tol = ctx.p.end.static_tolerance_km2.get(ctx.v);
    t[t.len() - 1 - n..]
        .windows(2)
        .all(|w| (w[1] - w[0]).abs() <= tol)
}

fn take_rung<R: Rng + ?Sized>(
    ctx: &Ctx,
    i: usize,
    ps: &mut PoliticalState,
    state: &mut RunState,
    week: u32,
    rng: &mut R,
) {
    let (p, v, li, oi) = (ctx.p, ctx.v, ctx.li, ctx.oi);
    let rung = &ctx.r.scenario.ladder[i];
    let e = &rung.effects;
    ps.mark_done(i);
    ps.flags_from(rung);
    let ids = &ctx.c.events;
    ps.record_rung(week, rung, i, ids);
    if let Some(x) = &e.support {
        ps.rally += x.get(v);
    }
    if let Some(x) = &e.elite_loyalty {
        ps.loyalty = (ps.loyalty + x.get(v)).clamp(0.0, 1.0);
    }
    if let Some(x) = &e.isolation {
        ps.isolation = (ps.isolation + x.get(v)).clamp(0.0, 1.0);
    }
    if let Some(x) = &e.call_up {
        state.sides[li].extra_call_up += x.get(v);
    }
    if let Some(x) = &e.leader_front_loss_share {
        let f = &ctx.r.scenario.forces[&p.leader];
        let lost = state.sides[li].at_front * x.get(v);
        crate::model::combat::apply_losses(&mut state.sides[li], lost, f, v);
    }
    if let Some(x) = &e.cede_territory_share {
        let ceded = state.sides[li].territory_km2 * x.get(v);
        state.sides[li].territory_km2 -= ceded;
        state.sides[oi].territory_km2 += ceded;
    }
    if let Some(x) = &e.leader_defense_multiplier {
        state.sides[li].defense_multiplier = x.get(v);
    }
    if let Some(s) = &e.strike {
        let (killed, injured) = ctx.strike_casualties(i, ps);
        ps.nuclear_killed += killed;
        ps.nuclear_injured += injured;
        if let Some(ev) = ps
            .events
            .iter_mut()
            .rev()
            .find(|e| e.event_id == ids.rungs[i])
        {
            ev.killed = killed;
            ev.injured = injured;
        }
        if ps.nuclear_used_week.is_none() {
            ps.record_plain(
                week,
                &ids.rung_actors[i],
                ids.nuclear_use,
                ids,
                rung.kahn_rung,
            );
        }
        ps.nuclear_used_week = Some(week);
        match s.target {
            StrikeTarget::Troops => {
                let f = &ctx.r.scenario.forces[&p.opponent];
                let lost = (killed + injured).at_most(state.sides[oi].at_front);
                crate::model::combat::apply_losses(&mut state.sides[oi], lost, f, v);
            }
            StrikeTarget::City => ps.city_struck = true,
            StrikeTarget::None => {}
        }
    }
    if e.patron_nuclear_reply && rng.random::<f64>() < p.utility.exchange_given_reply.get(v) {
        ps.end(week, Outcome::StrategicExchange, &ids.leader, ids);
        return;
    }
    if let Some(o) = e.outcome {
        ps.end(week, o, &ids.rung_actors[i], ids);
    }
}

/// Closes a run at the horizon: a front static for the last weeks is a frozen conflict,
/// otherwise the war is ongoing.
pub fn finish(r: &Resolved, v: &Sample, state: &mut RunState) {
    let Some(p) = r.scenario.politics.as_ref() else {
        return;
    };
    let Some(mut ps) = state.politics.take() else {
        return;
    };
    let (li, oi) = (ps.leader_side, ps.opponent_side);
    if ps.outcome.is_none()
        && let Some(c) = r.compiled.as_ref()
    {
        let ctx = Ctx { r, c, p, v, li, oi };
        let outcome = if frozen(&ctx, &ps) {
            Outcome::FrozenConflict
        } else {
            Outcome::OngoingAtHorizon
        };
        ps.end(state.week, outcome, &c.events.leader, &c.events);
    }
    state.politics = Some(ps);
}
