//! The continuous model the fits use, built on the engine's own integrator
//! ([`brink_lanchester::integrate`]).
//!
//! Within a step of length `dt`, both sides follow `dA/dt = -attrition_of_a * B^p * A^q` (and the
//! mirror for B). Reinforcements recorded for a step arrive spread evenly over it: the step is cut
//! into up to [`REINFORCEMENT_PULSES`] equal pieces (fewer when the arrivals are small next to
//! the force they join) and each piece receives its share at its midpoint
//! (a midpoint rule for a constant inflow), except that a side at zero strength receives its
//! share at the start of the piece (it is in the fight from its first arrival). On the Iwo Jima
//! replay this differs from a constant inflow by less than 0.02% of US strength.

use brink_lanchester::{Coefficients, Law, Strengths, integrate, loss_rates};

use crate::data::BattleData;

/// Number of pieces a step with reinforcements is cut into.
pub const REINFORCEMENT_PULSES: u32 = 8;

/// Largest `dt * (relative loss rate)` allowed in one RK4 substep when planning substeps.
const SUBSTEP_RATE: f64 = 0.05;

/// Most RK4 substeps in one step.
const MAX_SUBSTEPS: u32 = 400;

/// Substeps needed for an RK4 step of length `dt` from state `s` to stay accurate.
///
/// The step is limited by the fastest rate of the linearised system: how fast a side's loss
/// rate changes with its own strength (`q * loss_A / A`) and the coupling between the sides
/// (`p * sqrt(loss_A * loss_B / (A * B))`, which is `sqrt(attrition_of_a * attrition_of_b)` for
/// the square law). Strengths below one unit are counted as one, so a side being annihilated does
/// not demand ever smaller steps.
pub fn substeps_for(law: Law, coef: Coefficients, s: Strengths, dt: f64) -> u32 {
    let (la, lb) = loss_rates(law, coef, s);
    let (a, b) = (s.a.max(1.0), s.b.max(1.0));
    let (p, q) = (law.exponent_opponent.abs(), law.exponent_own.abs());
    let own = q * (la / a).max(lb / b);
    let coupling = p * (la * lb / (a * b)).sqrt();
    let rate = own.max(coupling);
    let n = (rate * dt / SUBSTEP_RATE).ceil();
    if n.is_finite() {
        (n as u32).clamp(1, MAX_SUBSTEPS)
    } else {
        MAX_SUBSTEPS
    }
}

/// Advances one step of length `dt` with `reinforcements` arriving evenly over it.
pub fn advance(
    law: Law,
    coef: Coefficients,
    s: Strengths,
    reinforcements: [f64; 2],
    dt: f64,
    substeps: u32,
) -> Strengths {
    if reinforcements == [0.0, 0.0] {
        return integrate(law, coef, s, dt, substeps);
    }
    // Pieces: up to REINFORCEMENT_PULSES for arrivals as large as the force they join, fewer
    // for small top-ups (the midpoint rule's error grows with the square of a piece's share).
    let relative = (0..2)
        .map(|k| {
            let now = if k == 0 { s.a } else { s.b };
            reinforcements[k] / now.max(reinforcements[k]).max(1e-300)
        })
        .fold(0.0, f64::max);
    let wanted = (2.0 * f64::from(REINFORCEMENT_PULSES) * relative).ceil() as u32;
    let pieces = wanted.clamp(1, REINFORCEMENT_PULSES).max(substeps);
    let h = dt / f64::from(pieces);
    let share = [
        reinforcements[0] / f64::from(pieces),
        reinforcements[1] / f64::from(pieces),
    ];
    let mut x = s;
    for _ in 0..pieces {
        // A side at zero strength is absent from the fight until its first arrivals, and under
        // the square law its losses do not depend on its size: it must be present from the
        // start of the piece, so it receives its share there rather than at the midpoint.
        let early = [x.a <= 0.0 && share[0] > 0.0, x.b <= 0.0 && share[1] > 0.0];
        if early[0] {
            x.a += share[0];
        }
        if early[1] {
            x.b += share[1];
        }
        x = integrate(law, coef, x, h / 2.0, 1);
        if !early[0] {
            x.a += share[0];
        }
        if !early[1] {
            x.b += share[1];
        }
        x = integrate(law, coef, x, h / 2.0, 1);
    }
    x
}

/// A substep plan: the number of RK4 substeps for each step, fixed during one optimisation so the
/// objective is a smooth function of the parameters.
pub type Plan = Vec<u32>;

/// Free-running simulation from the start row: the strengths at every row (`len = steps + 1`).
/// With `plan = None` substeps are chosen from the state; the plan used is returned.
pub fn simulate(
    data: &BattleData,
    law: Law,
    coef: Coefficients,
    plan: Option<&[u32]>,
) -> (Vec<Strengths>, Plan) {
    let dt = data.dt();
    let start = Strengths {
        a: data.strength[0][0].unwrap_or(0.0),
        b: data.strength[1][0].unwrap_or(0.0),
    };
    let mut out = Vec::with_capacity(data.time.len());
    let mut used = Vec::with_capacity(data.steps());
    out.push(start);
    let mut s = start;
    for i in 1..data.time.len() {
        let r = [data.reinforcements[0][i], data.reinforcements[1][i]];
        let n = match plan {
            Some(p) => p[i - 1],
            None => {
                let probe = Strengths {
                    a: s.a + r[0],
                    b: s.b + r[1],
                };
                substeps_for(law, coef, probe, dt)
            }
        };
        used.push(n);
        s = advance(law, coef, s, r, dt, n);
        out.push(s);
    }
    (out, used)
}

/// One-step-ahead run: each step starts from the observed strengths where observed and from the
/// model's own value where not (or from the recorded casualties where given). Returns the
/// start-of-row states (`len = steps + 1`) and each side's model loss in each step (`[side][step]`,
/// index 0 unused).
pub fn one_step_ahead(
    data: &BattleData,
    law: Law,
    coef: Coefficients,
    plan: Option<&[u32]>,
) -> (Vec<Strengths>, [Vec<f64>; 2], Plan) {
    let dt = data.dt();
    let n_rows = data.time.len();
    let mut filled = Vec::with_capacity(n_rows);
    let mut losses = [vec![0.0; n_rows], vec![0.0; n_rows]];
    let mut used = Vec::with_capacity(n_rows - 1);
    let mut s = Strengths {
        a: data.strength[0][0].unwrap_or(0.0),
        b: data.strength[1][0].unwrap_or(0.0),
    };
    filled.push(s);
    for i in 1..n_rows {
        let r = [data.reinforcements[0][i], data.reinforcements[1][i]];
        let n = match plan {
            Some(p) => p[i - 1],
            None => substeps_for(
                law,
                coef,
                Strengths {
                    a: s.a + r[0],
                    b: s.b + r[1],
                },
                dt,
            ),
        };
        used.push(n);
        let end = advance(law, coef, s, r, dt, n);
        losses[0][i] = s.a + r[0] - end.a;
        losses[1][i] = s.b + r[1] - end.b;
        let mut next = [end.a, end.b];
        let before = [s.a, s.b];
        for side in 0..2 {
            if let Some(v) = data.strength[side][i] {
                next[side] = v;
            } else if let Some(Some(c)) = data.casualties[side].as_ref().map(|c| c[i]) {
                next[side] = (before[side] + r[side] - c).max(0.0);
            }
        }
        s = Strengths {
            a: next[0],
            b: next[1],
        };
        filled.push(s);
    }
    (filled, losses, used)
}
