//! The engine's combat conserves Lanchester's square-law invariant.
//!
//! With the square law (`dA/dt = -a B`, `dB/dt = -b A` on effective strengths) the quantity
//! `b A^2 - a B^2` is constant (Lanchester 1916). In the engine, effective strength is
//! `E = employed * mean quality * equipment factor * morale * multiplier`. The settings below
//! make every factor but the troops constant: no noise, no pipeline or recruitment, no contract
//! exits (stop-loss without penalty), attacker multiplier 1, equipment elasticity 0 (equipment
//! never limits), a front wide enough to employ everyone, and losses that take the mean quality
//! with them (so the mean stays put). Then `E = k * at_front` for a constant `k` per side, the
//! losses the engine applies to the troops are exactly the integrated losses of effective
//! strength, and the invariant computed from the troops at the end of every week must hold to
//! the accuracy of the Runge-Kutta integration (far below 1e-6 relative).

mod common;

use common::{MINIMAL_ENGINE, load_with, trajectory};

#[test]
fn square_law_invariant_is_conserved_week_by_week() {
    // Several force sizes and coefficients, including a side that is almost destroyed.
    let variants: [(&[&str], &str); 4] = [
        (&[], "default minimal"),
        (
            &[
                "combat.attrition_per_week.RU=0.02",
                "combat.attrition_per_week.UA=0.01",
            ],
            "stronger attrition",
        ),
        (
            &[
                "forces.RU.at_front=400000",
                "forces.UA.at_front=250000",
                "combat.substeps_per_week=20",
            ],
            "uneven forces",
        ),
        (
            &[
                "forces.RU.quality=0.9",
                "forces.RU.morale=0.6",
                "forces.UA.effectiveness_multiplier=1.3",
                "combat.attrition_per_week.RU=0.03",
                "combat.attrition_per_week.UA=0.03",
            ],
            "fast battle",
        ),
    ];
    for (sets, name) in variants {
        let r = load_with(MINIMAL_ENGINE, sets);
        let (v, states) = trajectory(&r, 52, 3);
        let f = &r.scenario.forces;
        let k = |id: &str| {
            let f = &f[id];
            f.quality.get(&v) * f.morale.get(&v) * f.effectiveness_multiplier.get(&v)
        };
        let (k_ru, k_ua) = (k("RU"), k("UA"));
        let a = r.scenario.combat.attrition_per_week["RU"].get(&v);
        let b = r.scenario.combat.attrition_per_week["UA"].get(&v);
        let strengths = |i: usize| {
            let s = &states[i].sides;
            (s[0].at_front * k_ru, s[1].at_front * k_ua)
        };
        let (e_ru0, e_ua0) = strengths(0);
        let invariant0 = b * e_ru0 * e_ru0 - a * e_ua0 * e_ua0;
        // The scale of the invariant's terms (the invariant itself may be near zero).
        let scale = b * e_ru0 * e_ru0 + a * e_ua0 * e_ua0;
        let mut checked = 0;
        for (week, state) in states.iter().enumerate().skip(1) {
            let (e_ru, e_ua) = strengths(week);
            if e_ru <= 0.0 || e_ua <= 0.0 {
                // A side was destroyed during this week: the law holds only while both fight.
                break;
            }
            checked += 1;
            let invariant = b * e_ru * e_ru - a * e_ua * e_ua;
            assert!(
                (invariant - invariant0).abs() <= 1e-6 * scale,
                "{name}: week {week}: b A^2 - a B^2 = {invariant}, at week 0 {invariant0} \
                 (relative drift {:.3e})",
                (invariant - invariant0).abs() / scale
            );
            // The strength the engine itself reports for the week is the one before its losses.
            let reported = state.sides[0].effective_strength;
            let (before, _) = strengths(week - 1);
            assert!(
                (reported - before).abs() <= 1e-9 * before.max(1.0),
                "{name}: week {week}: the engine reports E = {reported}, troops give {before}"
            );
        }
        // Not vacuous: many weeks, and both sides lost a substantial share of their strength.
        assert!(checked >= 10, "{name}: only {checked} weeks of fighting");
        let (e_ru, e_ua) = strengths(checked);
        assert!(
            e_ru < 0.95 * e_ru0 && e_ua < 0.95 * e_ua0,
            "{name}: too little fighting to test anything ({e_ru0} -> {e_ru}, {e_ua0} -> {e_ua})"
        );
        // The casualties are the troops lost.
        for (i, s) in states[52].sides.iter().enumerate() {
            let lost = states[0].sides[i].at_front - s.at_front;
            assert!((s.casualties - lost).abs() <= 1e-6 * lost.max(1.0));
        }
    }
}

/// The same settings under the linear law (`q = 1`) conserve `b A - a B` instead: a check that
/// the exponents reach the integration as written.
#[test]
fn linear_law_invariant_is_conserved_week_by_week() {
    let r = load_with(
        MINIMAL_ENGINE,
        &[
            "combat.exponent_own=1",
            "combat.attrition_per_week.RU=0.0000002",
            "combat.attrition_per_week.UA=0.0000004",
        ],
    );
    let (v, states) = trajectory(&r, 52, 3);
    let f = &r.scenario.forces;
    let k = |id: &str| {
        let f = &f[id];
        f.quality.get(&v) * f.morale.get(&v) * f.effectiveness_multiplier.get(&v)
    };
    let (k_ru, k_ua) = (k("RU"), k("UA"));
    let a = r.scenario.combat.attrition_per_week["RU"].get(&v);
    let b = r.scenario.combat.attrition_per_week["UA"].get(&v);
    let inv = |i: usize| {
        let s = &states[i].sides;
        let (ea, eb) = (s[0].at_front * k_ru, s[1].at_front * k_ua);
        (b * ea - a * eb, b * ea + a * eb)
    };
    let (i0, scale) = inv(0);
    for week in 1..states.len() {
        let (i, _) = inv(week);
        assert!(
            (i - i0).abs() <= 1e-6 * scale,
            "week {week}: b A - a B = {i}, at week 0 {i0}"
        );
    }
    let lost = states[0].sides[0].at_front - states[52].sides[0].at_front;
    assert!(
        lost > 0.1 * states[0].sides[0].at_front,
        "too little fighting"
    );
}
