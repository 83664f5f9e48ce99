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

use super::{RunState, SideSections, SideState};
use crate::load::Resolved;
use crate::param::Sample;
use crate::scenario::Forces;
use brink_lanchester::{Coefficients, Law, Strengths, integrate};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

struct Strength {
    employed: f64,
    effective: f64,
}

fn strength(r: &Resolved, f: &Forces, v: &Sample, s: &SideState) -> Strength {
    let c = &r.scenario.combat;
    let employed = s
        .at_front
        .min(c.front_length_km.get(v) * c.max_troops_per_km.get(v));
    let need = s.at_front * f.equipment_per_1000_troops.get(v) / 1000.0;
    let equipment_factor = if need > 0.0 {
        (s.equipment / need)
            .clamp(0.0, 1.0)
            .powf(f.equipment_elasticity.get(v))
    } else {
        1.0
    };
    let morale = f.morale.get(v)
        * if f.stop_loss {
            1.0 - f.stop_loss_morale_penalty.get(v)
        } else {
            1.0
        };
    Strength {
        employed,
        effective: employed
            * s.mean_quality()
            * equipment_factor
            * morale
            * f.effectiveness_multiplier.get(v)
            * s.defense_multiplier,
    }
}

/// Mean-one lognormal multiplier with log-sd `sd`.
fn noise<R: Rng + ?Sized>(sd: f64, rng: &mut R) -> f64 {
    if sd <= 0.0 {
        return 1.0;
    }
    let z: f64 = StandardNormal.sample(rng);
    (sd * z - sd * sd / 2.0).exp()
}

/// Fights one week and moves territory.
pub fn fight<R: Rng + ?Sized>(
    r: &Resolved,
    sections: &[SideSections; 2],
    v: &Sample,
    state: &mut RunState,
    rng: &mut R,
) {
    let c = &r.scenario.combat;
    let st = [
        strength(r, sections[0].forces, v, &state.sides[0]),
        strength(r, sections[1].forces, v, &state.sides[1]),
    ];
    let law = Law::helmbold(c.exponent_opponent.get(v), c.exponent_own.get(v));
    let coef = Coefficients {
        attrition_of_a: sections[0].attrition_per_week.get(v),
        attrition_of_b: sections[1].attrition_per_week.get(v),
    };
    let start = Strengths {
        a: st[0].effective,
        b: st[1].effective,
    };
    let end = integrate(law, coef, start, 1.0, c.substeps_per_week);
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

    let threshold = c.advance_threshold_ratio.get(v);
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

    let noise_sd = c.weekly_noise_sd.get(v);
    for i in 0..2 {
        let f = sections[i].forces;
        let s = &mut state.sides[i];
        s.effective_strength = st[i].effective;
        s.attacking = attacker == Some(i);
        let mut losses = st[i].employed * lost_fraction[i] * noise(noise_sd, rng);
        if s.attacking {
            losses *= c.attacker_loss_multiplier.get(v);
        }
        let killed = apply_losses(s, losses, f, v);
        s.killed_last_week = killed;
        s.equipment += f.equipment_deliveries_per_week.get(v);
        if !f.stop_loss {
            let leaving = s.at_front * f.exit_rate_per_week.get(v);
            let q = s.mean_quality();
            s.at_front -= leaving;
            s.quality_sum = (s.quality_sum - leaving * q).max(0.0);
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
            c.advance_km_per_week.get(v) * (r_att / threshold).ln()
        } else {
            // The defender has no strength left: the attacker advances at twice the
            // threshold-ratio pace, a bounded stand-in for a collapse (assumption).
            c.advance_km_per_week.get(v) * std::f64::consts::LN_2
        };
        let gained = (depth_km * c.front_length_km.get(v)).clamp(0.0, state.sides[d].territory_km2);
        state.sides[d].territory_km2 -= gained;
        state.sides[a].territory_km2 += gained;
    }
}

/// Removes `losses` people from the front (capped at those there), splits them into killed,
/// wounded and captured, and removes the equipment they lose. Returns the number killed.
pub fn apply_losses(s: &mut SideState, losses: f64, f: &Forces, v: &Sample) -> f64 {
    let losses = losses.clamp(0.0, s.at_front);
    let q = s.mean_quality();
    s.at_front -= losses;
    s.quality_sum = (s.quality_sum - losses * q).max(0.0);
    s.casualties += losses;
    let killed = losses * f.killed_share.get(v);
    let captured = losses * f.captured_share.get(v);
    s.killed += killed;
    s.captured += captured;
    s.wounded += losses - killed - captured;
    s.equipment = (s.equipment - losses * f.equipment_loss_per_casualty.get(v)).max(0.0);
    if s.at_front <= 0.0 {
        s.at_front = 0.0;
        s.quality_sum = 0.0;
    }
    killed
}
