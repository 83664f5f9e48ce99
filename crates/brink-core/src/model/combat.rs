//! One week of combat (M-CBT): effective strengths, Helmbold-Lanchester attrition over the week,
//! attacker/defender postures from the force ratio, equipment, contract exits, and territory.
//!
//! Effective strength `E = employed * quality * equipment_factor * morale * multiplier`, where
//! `employed = min(at_front, front_length_km * max_troops_per_km)` (force-to-space: troops beyond
//! what the front can employ add nothing) and `equipment_factor = min(1, have/need)^elasticity`.
//! Losses integrate `dE_A/dt = -attrition_of_A * E_B^p * E_A^q` over the week with
//! `brink_lanchester` (the same code `brink fit` uses); the fraction of effective strength lost is
//! the fraction of employed troops lost. The side whose ratio exceeds the advance threshold
//! attacks, pays `attacker_loss_multiplier`, and gains ground
//! `front_length_km * advance_km_per_week * ln(ratio / threshold)`.

use super::{Bound, RunState, SideSections, SideState};
use crate::load::Resolved;
use crate::param::Sample;
use crate::scenario::Forces;
use brink_lanchester::{Coefficients, Law, SquareLawPropagator, Strengths, integrate};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

struct Strength {
    employed: f64,
    effective: f64,
}

/// One side's combat parameters for one run, read from the sample once per run so the weekly
/// step does no slot lookups. Values are the parameters themselves (or exact products the old
/// code formed the same way), so results are unchanged bit for bit.
#[derive(Clone, Copy, Debug)]
pub struct SideCombat {
    equipment_per_1000_troops: f64,
    equipment_elasticity: f64,
    /// Morale with the stop-loss penalty applied.
    morale: f64,
    effectiveness_multiplier: f64,
    equipment_deliveries_per_week: f64,
    /// `None` under stop-loss (nobody leaves at the end of a contract).
    exit_rate_per_week: Option<f64>,
    /// The opponent's effectiveness against this side.
    attrition_per_week: f64,
    losses: LossShares,
}

/// How a side's losses split, and the equipment they take with them.
#[derive(Clone, Copy, Debug)]
pub struct LossShares {
    killed_share: f64,
    captured_share: f64,
    equipment_loss_per_casualty: f64,
}

impl LossShares {
    pub fn of(f: &Forces, v: &Sample) -> LossShares {
        LossShares {
            killed_share: f.killed_share.get(v),
            captured_share: f.captured_share.get(v),
            equipment_loss_per_casualty: f.equipment_loss_per_casualty.get(v),
        }
    }
}

/// How a week's attrition is integrated in one run.
#[derive(Clone, Copy, Debug)]
enum WeeklyAttrition {
    /// The square law (the default): the week's RK4 steps as one precomputed linear map, since
    /// the coefficients are constant within a run.
    Square(SquareLawPropagator),
    /// Any other law: `substeps` RK4 steps a week.
    General { law: Law, substeps: u32 },
}

/// The combat parameters of one run (both sides, and the front).
#[derive(Clone, Copy, Debug)]
pub struct CombatConstants {
    sides: [SideCombat; 2],
    week: WeeklyAttrition,
    /// `front_length_km * max_troops_per_km`: the most troops the front can employ.
    employable: f64,
    front_length_km: f64,
    advance_threshold_ratio: f64,
    advance_km_per_week: f64,
    attacker_loss_multiplier: f64,
    weekly_noise_sd: f64,
}

impl CombatConstants {
    pub fn of(r: &Resolved, sections: &[SideSections; 2], v: &Sample) -> CombatConstants {
        let c = &r.scenario.combat;
        let side = |sec: &SideSections| {
            let f = sec.forces;
            SideCombat {
                equipment_per_1000_troops: f.equipment_per_1000_troops.get(v),
                equipment_elasticity: f.equipment_elasticity.get(v),
                morale: f.morale.get(v)
                    * if f.stop_loss {
                        1.0 - f.stop_loss_morale_penalty.get(v)
                    } else {
                        1.0
                    },
                effectiveness_multiplier: f.effectiveness_multiplier.get(v),
                equipment_deliveries_per_week: f.equipment_deliveries_per_week.get(v),
                exit_rate_per_week: (!f.stop_loss).then(|| f.exit_rate_per_week.get(v)),
                attrition_per_week: sec.attrition_per_week.get(v),
                losses: LossShares::of(f, v),
            }
        };
        let sides = [side(&sections[0]), side(&sections[1])];
        let law = Law::helmbold(c.exponent_opponent.get(v), c.exponent_own.get(v));
        let week = if law == Law::SQUARE {
            WeeklyAttrition::Square(SquareLawPropagator::new(
                weekly_coefficients(&sides),
                1.0,
                c.substeps_per_week,
            ))
        } else {
            WeeklyAttrition::General {
                law,
                substeps: c.substeps_per_week,
            }
        };
        CombatConstants {
            sides,
            week,
            employable: c.front_length_km.get(v) * c.max_troops_per_km.get(v),
            front_length_km: c.front_length_km.get(v),
            advance_threshold_ratio: c.advance_threshold_ratio.get(v),
            advance_km_per_week: c.advance_km_per_week.get(v),
            attacker_loss_multiplier: c.attacker_loss_multiplier.get(v),
            weekly_noise_sd: c.weekly_noise_sd.get(v),
        }
    }
}

fn strength(k: &SideCombat, employable: f64, s: &SideState) -> Strength {
    let employed = s.at_front.at_most(employable);
    let need = s.at_front * k.equipment_per_1000_troops / 1000.0;
    let equipment_factor = if need > 0.0 {
        unit_power((s.equipment / need).clamp(0.0, 1.0), k.equipment_elasticity)
    } else {
        1.0
    };
    Strength {
        employed,
        effective: employed
            * s.mean_quality()
            * equipment_factor
            * k.morale
            * k.effectiveness_multiplier
            * s.defense_multiplier,
    }
}

/// `x^e` for `x` in [0, 1] as `exp(e ln x)`: two C-library calls of ~20 and ~30 instructions
/// instead of `powf`'s ~125 (callgrind), with a relative error below `(2 + |e ln x|) * 2^-52`
/// instead of `powf`'s ~2^-53, which no model output can tell apart. `1^e = 1`, `0^e = 0` for
/// `e > 0` and 1 for `e = 0` (as `powf`; `exp(-inf) = 0`).
#[inline]
fn unit_power(x: f64, e: f64) -> f64 {
    if e == 0.0 || x == 1.0 {
        return 1.0;
    }
    (e * x.ln()).exp()
}

/// Mean-one lognormal multiplier with log-sd `sd`.
fn noise<R: Rng + ?Sized>(sd: f64, rng: &mut R) -> f64 {
    if sd <= 0.0 {
        return 1.0;
    }
    let z: f64 = StandardNormal.sample(rng);
    (sd * z - sd * sd / 2.0).exp()
}

/// The attrition coefficients of the two sides.
fn weekly_coefficients(sides: &[SideCombat; 2]) -> Coefficients {
    Coefficients {
        attrition_of_a: sides[0].attrition_per_week,
        attrition_of_b: sides[1].attrition_per_week,
    }
}

/// Fights one week and moves territory.
pub fn fight<R: Rng + ?Sized>(k: &CombatConstants, state: &mut RunState, rng: &mut R) {
    let st = [
        strength(&k.sides[0], k.employable, &state.sides[0]),
        strength(&k.sides[1], k.employable, &state.sides[1]),
    ];
    let start = Strengths {
        a: st[0].effective,
        b: st[1].effective,
    };
    let end = match &k.week {
        WeeklyAttrition::Square(week) => week.advance(start),
        WeeklyAttrition::General { law, substeps } => {
            integrate(*law, weekly_coefficients(&k.sides), start, 1.0, *substeps)
        }
    };
    let lost_fraction = [
        if start.a > 0.0 {
            1.0 - end.a / start.a
        } else {
            0.0
        },
        if start.b > 0.0 {
            1.0 - end.b / start.b
        } else {
            0.0
        },
    ];

    let threshold = k.advance_threshold_ratio;
    let ratio = if start.b > 0.0 {
        start.a / start.b
    } else {
        f64::INFINITY
    };
    let attacker = if ratio >= threshold && start.a > 0.0 {
        Some(0)
    } else if start.a > 0.0 && 1.0 / ratio >= threshold || start.a == 0.0 && start.b > 0.0 {
        Some(1)
    } else {
        None
    };

    for i in 0..2 {
        let ks = &k.sides[i];
        let s = &mut state.sides[i];
        s.effective_strength = st[i].effective;
        s.attacking = attacker == Some(i);
        let mut losses = st[i].employed * lost_fraction[i] * noise(k.weekly_noise_sd, rng);
        if s.attacking {
            losses *= k.attacker_loss_multiplier;
        }
        let killed = apply_losses_with(s, losses, &ks.losses);
        s.killed_last_week = killed;
        s.equipment += ks.equipment_deliveries_per_week;
        if let Some(exit_rate) = ks.exit_rate_per_week {
            let leaving = s.at_front * exit_rate;
            let q = s.mean_quality();
            s.at_front -= leaving;
            s.quality_sum = (s.quality_sum - leaving * q).at_least(0.0);
            s.exited += leaving;
        }
        if s.at_front <= 0.0 {
            s.at_front = 0.0;
            s.quality_sum = 0.0;
        }
    }

    if let Some(a) = attacker {
        let d = 1 - a;
        let r_att = if a == 0 { ratio } else { 1.0 / ratio };
        let depth_km = if r_att.is_finite() {
            k.advance_km_per_week * (r_att / threshold).ln()
        } else {
            // The defender has no strength left: the attacker advances at twice the
            // threshold-ratio pace, a bounded stand-in for a collapse (assumption).
            k.advance_km_per_week * std::f64::consts::LN_2
        };
        let gained = (depth_km * k.front_length_km).clamp(0.0, state.sides[d].territory_km2);
        state.sides[d].territory_km2 -= gained;
        state.sides[a].territory_km2 += gained;
    }
}

/// Removes `losses` people from the front (capped at those there), splits them into killed,
/// wounded and captured, and removes the equipment they lose. Returns the number killed.
pub fn apply_losses(s: &mut SideState, losses: f64, f: &Forces, v: &Sample) -> f64 {
    apply_losses_with(s, losses, &LossShares::of(f, v))
}

/// [`apply_losses`] with the shares already read from the sample.
pub fn apply_losses_with(s: &mut SideState, losses: f64, k: &LossShares) -> f64 {
    let losses = losses.clamp(0.0, s.at_front);
    let q = s.mean_quality();
    s.at_front -= losses;
    s.quality_sum = (s.quality_sum - losses * q).at_least(0.0);
    s.casualties += losses;
    let killed = losses * k.killed_share;
    let captured = losses * k.captured_share;
    s.killed += killed;
    s.captured += captured;
    s.wounded += losses - killed - captured;
    s.equipment = (s.equipment - losses * k.equipment_loss_per_casualty).at_least(0.0);
    if s.at_front <= 0.0 {
        s.at_front = 0.0;
        s.quality_sum = 0.0;
    }
    killed
}
