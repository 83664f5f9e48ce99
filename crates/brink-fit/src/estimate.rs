//! The estimators: Engel's ratio, least squares on strengths, and quasi-Poisson maximum
//! likelihood on losses; standard errors, bootstrap intervals and fit statistics.

use brink_lanchester::{Coefficients, Law, Strengths, loss_rates};
use levenberg_marquardt::{LeastSquaresProblem, LevenbergMarquardt, TerminationReason};
use nalgebra::{DMatrix, DVector, Dyn, Owned};

use crate::FitError;
use crate::data::{BattleData, SIDES};
use crate::model::{Plan, one_step_ahead, simulate};
use crate::rng::SplitMix64;

/// Which member of the Lanchester family to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LawKind {
    /// p = 1, q = 0 (aimed fire).
    Square,
    /// p = 1, q = 1 (area fire).
    Linear,
    /// p = 0, q = 1 (losses proportional to own strength).
    Logarithmic,
    /// p and q free (Helmbold 1965).
    Helmbold,
}

impl LawKind {
    pub const ALL: [LawKind; 4] = [
        LawKind::Square,
        LawKind::Linear,
        LawKind::Logarithmic,
        LawKind::Helmbold,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LawKind::Square => "square",
            LawKind::Linear => "linear",
            LawKind::Logarithmic => "logarithmic",
            LawKind::Helmbold => "helmbold",
        }
    }

    /// The exponents, when the law fixes them.
    pub fn fixed(self) -> Option<Law> {
        match self {
            LawKind::Square => Some(Law::SQUARE),
            LawKind::Linear => Some(Law::LINEAR),
            LawKind::Logarithmic => Some(Law::LOGARITHMIC),
            LawKind::Helmbold => None,
        }
    }

    /// Number of fitted parameters.
    pub fn n_params(self) -> usize {
        if self.fixed().is_some() { 2 } else { 4 }
    }
}

/// How to estimate the coefficients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Engel (1954): summed losses over summed opposing-strength terms.
    Engel,
    /// Least squares on the strengths of a free-running simulation.
    LeastSquares,
    /// Quasi-Poisson maximum likelihood on the losses of each step.
    Mle,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Engel => "engel",
            Method::LeastSquares => "least-squares",
            Method::Mle => "mle",
        }
    }
}

/// Options shared by all fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FitOptions {
    /// Bootstrap resamples (0: intervals from standard errors).
    pub bootstrap: usize,
    /// Seed of the bootstrap resampling.
    pub seed: u64,
    /// Worker threads for the bootstrap (results do not depend on it).
    pub threads: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            bootstrap: 0,
            seed: DEFAULT_SEED,
            threads: 1,
        }
    }
}

/// The default bootstrap seed.
pub const DEFAULT_SEED: u64 = 20_220_921;

/// Names of the four reported parameters, in the order of [`Fit::estimate`].
pub const PARAM_NAMES: [&str; 4] = ["attrition_of_a", "attrition_of_b", "p", "q"];

/// How the 95% intervals were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    /// estimate +- 1.96 standard errors.
    Wald,
    /// 2.5% and 97.5% percentiles of the bootstrap refits.
    Bootstrap { resamples: usize, used: usize },
}

/// One fitted law.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    pub law_kind: LawKind,
    pub method: Method,
    pub law: Law,
    pub coef: Coefficients,
    /// `[attrition_of_a, attrition_of_b, p, q]`.
    pub estimate: [f64; 4],
    /// Standard errors (`None` where fixed by the law or not computable).
    pub stderr: [Option<f64>; 4],
    /// 95% intervals (`None` where fixed by the law or not computable).
    pub ci95: [Option<(f64, f64)>; 4],
    pub interval: Interval,
    /// Sum of squared errors of the replayed strengths against the observed ones.
    pub sse: f64,
    pub r2: f64,
    pub aic: f64,
    pub bic: f64,
    /// Number of observed strengths compared (rows after the start).
    pub n_obs: usize,
    pub n_params: usize,
    /// The replay: strengths at every row from the continuous model with the fitted law.
    pub fitted: Vec<Strengths>,
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Observations

/// Losses of one side observed over consecutive steps `first..=last` (1-based step = row index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossSpan {
    pub side: usize,
    pub first: usize,
    pub last: usize,
    pub loss: f64,
}

/// The observed losses: from the casualty column where the file has one for that side,
/// otherwise from consecutive observed strengths (`S_i + reinforcements - S_j`). A span with a
/// negative loss is merged with its neighbour (before if any, else after).
pub fn loss_spans(data: &BattleData) -> (Vec<LossSpan>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for side in SIDES {
        let mut spans: Vec<LossSpan> = Vec::new();
        if let Some(c) = &data.casualties[side] {
            for (i, v) in c.iter().enumerate().skip(1) {
                if let Some(v) = v {
                    spans.push(LossSpan {
                        side,
                        first: i,
                        last: i,
                        loss: *v,
                    });
                }
            }
        } else {
            let obs = &data.strength[side];
            let mut last_seen = 0;
            for j in 1..obs.len() {
                if let Some(now) = obs[j] {
                    let prev = obs[last_seen].unwrap_or(0.0);
                    let arrived: f64 = data.reinforcements[side][last_seen + 1..=j].iter().sum();
                    spans.push(LossSpan {
                        side,
                        first: last_seen + 1,
                        last: j,
                        loss: prev + arrived - now,
                    });
                    last_seen = j;
                }
            }
        }
        // Merge negative spans into an adjacent one.
        while let Some(k) = spans.iter().position(|s| s.loss < 0.0) {
            let neighbour = if k > 0 && spans[k - 1].last + 1 == spans[k].first {
                Some(k - 1)
            } else if k + 1 < spans.len() && spans[k].last + 1 == spans[k + 1].first {
                Some(k + 1)
            } else {
                None
            };
            match neighbour {
                Some(n) => {
                    let (lo, hi) = (n.min(k), n.max(k));
                    let merged = LossSpan {
                        side,
                        first: spans[lo].first,
                        last: spans[hi].last,
                        loss: spans[lo].loss + spans[hi].loss,
                    };
                    notes.push(format!(
                        "{}: steps ending at lines {}-{} merged into one loss observation because one of them has a negative loss",
                        side_letter(side),
                        data.line[merged.first],
                        data.line[merged.last]
                    ));
                    spans[lo] = merged;
                    spans.remove(hi);
                }
                None => {
                    notes.push(format!(
                        "{}: the loss observation ending at line {} is negative and has no neighbour to merge with; dropped",
                        side_letter(side),
                        data.line[spans[k].last]
                    ));
                    spans.remove(k);
                }
            }
        }
        out.extend(spans);
    }
    (out, notes)
}

/// Observed strengths after the start row: `(side, row, value)`.
fn strength_obs(data: &BattleData) -> Vec<(usize, usize, f64)> {
    let mut v = Vec::new();
    for side in SIDES {
        for (i, s) in data.strength[side].iter().enumerate().skip(1) {
            if let Some(x) = s {
                v.push((side, i, *x));
            }
        }
    }
    v
}

pub(crate) fn side_letter(side: usize) -> &'static str {
    ["A", "B"][side]
}

// ---------------------------------------------------------------------------------------------
// Engel's ratio estimator

/// Result of Engel's estimator: coefficients and each side's summed exposure term over its
/// observed spans (the denominators), plus the per-span exposures.
struct EngelResult {
    coef: Coefficients,
    span_exposure: Vec<f64>,
}

/// Engel (1954), generalised to the law's exponents: for each side,
/// `attrition = sum of observed losses / sum over the same steps of B^p A^q` (for A), where the
/// strengths are those at the start of each step including that step's reinforcements. Strengths
/// that are not observed are reconstructed by the discrete recursion
/// `X_i = X_{i-1} + R_i - attrition_of_x * term_i`, which needs the coefficient being
/// estimated: the two ratios and the reconstruction are iterated to a fixed point.
fn engel(data: &BattleData, law: Law, spans: &[LossSpan]) -> Result<EngelResult, String> {
    let total_loss = [0, 1].map(|side| {
        spans
            .iter()
            .filter(|s| s.side == side)
            .map(|s| s.loss)
            .sum::<f64>()
    });
    for side in SIDES {
        if !spans.iter().any(|s| s.side == side) {
            return Err(format!(
                "side {} has no observed loss (its strength is observed at only one time and no casualties are recorded)",
                side_letter(side)
            ));
        }
    }
    let exposure = |side: usize, alpha: [f64; 2]| -> f64 {
        let terms = engel_terms(data, law, alpha);
        spans
            .iter()
            .filter(|sp| sp.side == side)
            .map(|sp| terms[side][sp.first..=sp.last].iter().sum::<f64>())
            .sum()
    };
    // ratio(side, a): Engel's ratio when the side's own unobserved strengths are reconstructed
    // with coefficient `a`. The estimate is its fixed point a = ratio(a); ratio is increasing in
    // `a` (more losses, smaller own strength, smaller exposure when q > 0), so bisection on
    // a - ratio(a) finds it even where plain iteration oscillates.
    let ratio = |side: usize, a: f64, alpha: [f64; 2]| -> Result<f64, String> {
        let mut al = alpha;
        al[side] = a;
        let e = exposure(side, al);
        if e > 0.0 && e.is_finite() {
            Ok(total_loss[side] / e)
        } else {
            Err(format!(
                "side {} has no exposure to fire in its observed steps (the other side is 0 throughout)",
                side_letter(side)
            ))
        }
    };
    let mut alpha = [0.0f64; 2];
    for _outer in 0..200 {
        let before = alpha;
        for side in SIDES {
            let lo0 = ratio(side, 0.0, alpha)?;
            let r_lo = ratio(side, lo0, alpha)?;
            if lo0 <= 0.0 || (r_lo - lo0).abs() <= 1e-14 * lo0.abs() {
                alpha[side] = r_lo;
                continue;
            }
            let mut lo = lo0;
            let mut hi = lo0 * 2.0;
            let mut doublings = 0;
            while ratio(side, hi, alpha)? > hi {
                lo = hi;
                hi *= 2.0;
                doublings += 1;
                if doublings > 200 {
                    return Err("Engel's ratio has no fixed point for this law".into());
                }
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if ratio(side, mid, alpha)? > mid {
                    lo = mid;
                } else {
                    hi = mid;
                }
                if hi - lo <= 1e-15 * hi {
                    break;
                }
            }
            alpha[side] = 0.5 * (lo + hi);
        }
        let change = SIDES
            .iter()
            .map(|&k| (alpha[k] - before[k]).abs() / alpha[k].abs().max(1e-300))
            .fold(0.0, f64::max);
        if change < 1e-12 {
            let terms = engel_terms(data, law, alpha);
            let span_exposure = spans
                .iter()
                .map(|sp| terms[sp.side][sp.first..=sp.last].iter().sum())
                .collect();
            return Ok(EngelResult {
                coef: Coefficients {
                    attrition_of_a: alpha[0],
                    attrition_of_b: alpha[1],
                },
                span_exposure,
            });
        }
    }
    Err("the reconstruction of the unobserved strengths did not settle (Engel's estimator does not converge for this law)".into())
}

/// Exposure terms `B^p A^q` (for A) and `A^p B^q` (for B) of each step, at the strengths of the
/// start of the step including its reinforcements; unobserved strengths follow the discrete
/// recursion with coefficients `alpha`.
fn engel_terms(data: &BattleData, law: Law, alpha: [f64; 2]) -> [Vec<f64>; 2] {
    let n_rows = data.time.len();
    let unit = Coefficients {
        attrition_of_a: 1.0,
        attrition_of_b: 1.0,
    };
    let mut terms = [vec![0.0; n_rows], vec![0.0; n_rows]];
    let mut s = [
        data.strength[0][0].unwrap_or(0.0),
        data.strength[1][0].unwrap_or(0.0),
    ];
    for i in 1..n_rows {
        let start = [
            s[0] + data.reinforcements[0][i],
            s[1] + data.reinforcements[1][i],
        ];
        let (ta, tb) = loss_rates(
            law,
            unit,
            Strengths {
                a: start[0],
                b: start[1],
            },
        );
        terms[0][i] = ta;
        terms[1][i] = tb;
        for side in SIDES {
            s[side] = if let Some(v) = data.strength[side][i] {
                v
            } else if let Some(Some(c)) = data.casualties[side].as_ref().map(|c| c[i]) {
                (start[side] - c).max(0.0)
            } else {
                (start[side] - alpha[side] * terms[side][i]).max(0.0)
            };
        }
    }
    terms
}

// ---------------------------------------------------------------------------------------------
// Parameterisation

/// Reference strengths used to centre the coefficients: the mean of each side's positive
/// observed strengths. `attrition_of_a = k_a / (B_ref^p A_ref^q)`, so `k_a` is a loss rate at
/// typical strengths and barely moves when the exponents change (this keeps the least-squares
/// problem well conditioned).
fn reference_strengths(data: &BattleData) -> [f64; 2] {
    SIDES.map(|side| {
        let pos: Vec<f64> = data.strength[side]
            .iter()
            .flatten()
            .copied()
            .filter(|v| *v > 0.0)
            .collect();
        if pos.is_empty() {
            1.0
        } else {
            pos.iter().sum::<f64>() / pos.len() as f64
        }
    })
}

const EXPONENT_LO: f64 = -1.0;
const EXPONENT_HI: f64 = 3.0;

fn exponent_from(u: f64) -> f64 {
    EXPONENT_LO + (EXPONENT_HI - EXPONENT_LO) * 0.5 * (1.0 + u.tanh())
}

fn exponent_to(e: f64) -> f64 {
    let x = 2.0 * (e - EXPONENT_LO) / (EXPONENT_HI - EXPONENT_LO) - 1.0;
    x.clamp(-0.999_999, 0.999_999).atanh()
}

/// Optimiser coordinates `theta` to (law, coefficients).
fn decode(kind: LawKind, theta: &[f64], refs: [f64; 2]) -> (Law, Coefficients) {
    let law = match kind.fixed() {
        Some(l) => l,
        None => Law::helmbold(exponent_from(theta[2]), exponent_from(theta[3])),
    };
    let (p, q) = (law.exponent_opponent, law.exponent_own);
    let coef = Coefficients {
        attrition_of_a: theta[0].exp() / (refs[1].powf(p) * refs[0].powf(q)),
        attrition_of_b: theta[1].exp() / (refs[0].powf(p) * refs[1].powf(q)),
    };
    (law, coef)
}

fn encode(kind: LawKind, law: Law, coef: Coefficients, refs: [f64; 2]) -> Vec<f64> {
    let (p, q) = (law.exponent_opponent, law.exponent_own);
    let mut t = vec![
        (coef.attrition_of_a * refs[1].powf(p) * refs[0].powf(q)).ln(),
        (coef.attrition_of_b * refs[0].powf(p) * refs[1].powf(q)).ln(),
    ];
    if kind.fixed().is_none() {
        t.push(exponent_to(p));
        t.push(exponent_to(q));
    }
    t
}

fn natural(law: Law, coef: Coefficients) -> [f64; 4] {
    [
        coef.attrition_of_a,
        coef.attrition_of_b,
        law.exponent_opponent,
        law.exponent_own,
    ]
}

fn from_natural(kind: LawKind, v: &[f64]) -> (Law, Coefficients) {
    let law = match kind.fixed() {
        Some(l) => l,
        None => Law::helmbold(v[2], v[3]),
    };
    (
        law,
        Coefficients {
            attrition_of_a: v[0],
            attrition_of_b: v[1],
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Residuals

/// Strength residuals (model minus observed) of a free-running simulation.
fn strength_residuals(
    data: &BattleData,
    law: Law,
    coef: Coefficients,
    plan: &[u32],
    obs: &[(usize, usize, f64)],
) -> Option<Vec<f64>> {
    let (traj, _) = simulate(data, law, coef, Some(plan));
    let r: Vec<f64> = obs
        .iter()
        .map(|&(side, row, v)| {
            let m = if side == 0 { traj[row].a } else { traj[row].b };
            m - v
        })
        .collect();
    r.iter().all(|x| x.is_finite()).then_some(r)
}

/// Expected loss of each span from the one-step-ahead model.
fn span_means(
    data: &BattleData,
    law: Law,
    coef: Coefficients,
    plan: &[u32],
    spans: &[LossSpan],
) -> Vec<f64> {
    let (_, losses, _) = one_step_ahead(data, law, coef, Some(plan));
    spans
        .iter()
        .map(|sp| losses[sp.side][sp.first..=sp.last].iter().sum())
        .collect()
}

/// Signed square root of the Poisson deviance contribution of `y` under mean `mu`.
fn deviance_residual(y: f64, mu: f64) -> f64 {
    let mu = mu.max(1e-12);
    if y <= 0.0 {
        return -(2.0 * mu).sqrt();
    }
    let x = (y - mu) / mu;
    if x.abs() < 1e-4 {
        mu.sqrt() * x * (1.0 - x / 3.0 + x * x / 6.0).sqrt()
    } else {
        let d = 2.0 * (y * (y / mu).ln() - (y - mu));
        (y - mu).signum() * d.max(0.0).sqrt()
    }
}

fn deviance_residuals(mus: &[f64], spans: &[LossSpan]) -> Option<Vec<f64>> {
    let r: Vec<f64> = spans
        .iter()
        .zip(mus)
        .map(|(sp, &mu)| deviance_residual(sp.loss, mu))
        .collect();
    r.iter().all(|x| x.is_finite()).then_some(r)
}

// ---------------------------------------------------------------------------------------------
// Levenberg-Marquardt driver (the `levenberg-marquardt` crate, MINPACK's algorithm)

struct Problem<F: Fn(&[f64]) -> Option<Vec<f64>>> {
    f: F,
    x: DVector<f64>,
    r: Option<Vec<f64>>,
    m: usize,
}

impl<F: Fn(&[f64]) -> Option<Vec<f64>>> LeastSquaresProblem<f64, Dyn, Dyn> for Problem<F> {
    type ResidualStorage = Owned<f64, Dyn>;
    type JacobianStorage = Owned<f64, Dyn, Dyn>;
    type ParameterStorage = Owned<f64, Dyn>;

    fn set_params(&mut self, x: &DVector<f64>) {
        self.x.copy_from(x);
        self.r = (self.f)(self.x.as_slice());
    }

    fn params(&self) -> DVector<f64> {
        self.x.clone()
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        self.r
            .as_ref()
            .filter(|r| r.len() == self.m)
            .map(|r| DVector::from_column_slice(r))
    }

    fn jacobian(&self) -> Option<DMatrix<f64>> {
        let r0 = self.r.as_ref()?;
        let n = self.x.len();
        let mut j = DMatrix::zeros(self.m, n);
        let mut x = self.x.as_slice().to_vec();
        for c in 0..n {
            let h = 1e-7 * x[c].abs().max(1.0);
            let keep = x[c];
            x[c] = keep + h;
            let r = (self.f)(&x)?;
            x[c] = keep;
            for (row, (a, b)) in r.iter().zip(r0).enumerate() {
                j[(row, c)] = (a - b) / h;
            }
        }
        Some(j)
    }
}

/// Minimises the sum of squares of `f` from `x0`. Returns the solution and the sum of squares.
fn minimize<F: Fn(&[f64]) -> Option<Vec<f64>>>(
    f: F,
    x0: &[f64],
    tol: f64,
) -> Result<(Vec<f64>, f64), String> {
    let r0 = f(x0).ok_or("the model gives no finite prediction at the starting point")?;
    let m = r0.len();
    if m < x0.len() {
        return Err(format!(
            "{m} observations for {} parameters: not enough data",
            x0.len()
        ));
    }
    let problem = Problem {
        f,
        x: DVector::from_column_slice(x0),
        r: Some(r0),
        m,
    };
    let (solved, report) = LevenbergMarquardt::new()
        .with_ftol(tol * tol)
        .with_xtol(tol)
        .with_gtol(tol * tol)
        .with_patience(if tol >= REFIT_TOL { 40 } else { 200 })
        .minimize(problem);
    match report.termination {
        TerminationReason::Converged { .. }
        | TerminationReason::Orthogonal
        | TerminationReason::ResidualsZero
        | TerminationReason::NoImprovementPossible(_) => {}
        other => {
            return Err(format!(
                "the optimiser stopped without converging ({other:?})"
            ));
        }
    }
    let r = solved.r.as_ref().ok_or("no residuals at the solution")?;
    let ss = r.iter().map(|x| x * x).sum();
    Ok((solved.x.as_slice().to_vec(), ss))
}

// ---------------------------------------------------------------------------------------------
// Point estimates

/// The pieces a method needs, computed once per data set.
struct Setup<'a> {
    data: &'a BattleData,
    kind: LawKind,
    refs: [f64; 2],
    spans: Vec<LossSpan>,
    obs: Vec<(usize, usize, f64)>,
}

/// Starting points: Engel's estimate for the law (or for the fixed laws, for Helmbold).
fn starts(setup: &Setup) -> Vec<(Law, Coefficients)> {
    let laws: Vec<Law> = match setup.kind.fixed() {
        Some(l) => vec![l],
        None => vec![
            Law::SQUARE,
            Law::LINEAR,
            Law::LOGARITHMIC,
            Law::helmbold(0.5, 0.5),
        ],
    };
    let mut v = Vec::new();
    for law in laws {
        let coef = match engel(setup.data, law, &setup.spans) {
            Ok(e) if e.coef.attrition_of_a > 0.0 && e.coef.attrition_of_b > 0.0 => e.coef,
            _ => crude_guess(setup, law),
        };
        v.push((law, coef));
    }
    v
}

/// A rough coefficient guess: each side loses 1% of its start strength per step.
fn crude_guess(setup: &Setup, law: Law) -> Coefficients {
    let r = setup.refs;
    let dt = setup.data.dt();
    let (ta, tb) = loss_rates(
        law,
        Coefficients {
            attrition_of_a: 1.0,
            attrition_of_b: 1.0,
        },
        Strengths { a: r[0], b: r[1] },
    );
    Coefficients {
        attrition_of_a: 0.01 * r[0] / (ta.max(1e-300) * dt),
        attrition_of_b: 0.01 * r[1] / (tb.max(1e-300) * dt),
    }
}

fn plan_at(setup: &Setup, method: Method, law: Law, coef: Coefficients) -> Plan {
    match method {
        Method::Mle => one_step_ahead(setup.data, law, coef, None).2,
        _ => simulate(setup.data, law, coef, None).1,
    }
}

/// Relative precision of a point fit (LM's xtol; ftol and gtol are its square).
const POINT_TOL: f64 = 1e-9;

/// Precision of a bootstrap refit: it starts next to the answer and keeps the point fit's
/// substep plan, and needs far less precision than the sampling spread it measures.
const REFIT_TOL: f64 = 1e-4;

/// Fits by least squares or MLE from one start; returns (theta, objective, plan).
fn optimise(
    setup: &Setup,
    method: Method,
    spans: &[LossSpan],
    obs: &[(usize, usize, f64)],
    theta0: &[f64],
    plan0: Plan,
    (tol, rounds): (f64, usize),
) -> Result<(Vec<f64>, f64, Plan), String> {
    let mut plan = plan0;
    let mut theta = theta0.to_vec();
    for round in 0..rounds {
        let (t, ss) = {
            let plan_ref = &plan;
            let f = |th: &[f64]| -> Option<Vec<f64>> {
                let (law, coef) = decode(setup.kind, th, setup.refs);
                match method {
                    Method::Mle => {
                        let mus = span_means(setup.data, law, coef, plan_ref, spans);
                        deviance_residuals(&mus, spans)
                    }
                    _ => strength_residuals(setup.data, law, coef, plan_ref, obs),
                }
            };
            minimize(f, &theta, tol)?
        };
        theta = t;
        let (law, coef) = decode(setup.kind, &theta, setup.refs);
        let needed = plan_at(setup, method, law, coef);
        if needed.iter().zip(&plan).all(|(n, p)| n <= p) || round + 1 == rounds {
            return Ok((theta, ss, plan));
        }
        plan = plan.iter().zip(&needed).map(|(a, b)| *a.max(b)).collect();
    }
    unreachable!("the loop returns on its last round")
}

/// Point estimate with the data's own observations. Returns (law, coef, plan).
fn point(setup: &Setup, method: Method) -> Result<(Law, Coefficients, Plan), String> {
    if method == Method::Engel {
        let law = setup
            .kind
            .fixed()
            .ok_or("Engel's ratio needs fixed exponents".to_string())?;
        let e = engel(setup.data, law, &setup.spans)?;
        let plan = simulate(setup.data, law, e.coef, None).1;
        return Ok((law, e.coef, plan));
    }
    // Several starts (Helmbold): a coarse fit from each, then the best one is polished.
    let all_starts = starts(setup);
    let coarse = if all_starts.len() > 1 {
        1e-4
    } else {
        POINT_TOL
    };
    let mut best: Option<(f64, Vec<f64>, Plan)> = None;
    let mut last_err = String::new();
    for (law, coef) in all_starts {
        let theta0 = encode(setup.kind, law, coef, setup.refs);
        let plan0 = plan_at(setup, method, law, coef);
        match optimise(
            setup,
            method,
            &setup.spans,
            &setup.obs,
            &theta0,
            plan0,
            (coarse, 3),
        ) {
            Ok((theta, ss, plan)) => {
                if best.as_ref().is_none_or(|b| ss < b.0) {
                    best = Some((ss, theta, plan));
                }
            }
            Err(e) => last_err = e,
        }
    }
    let (_, mut theta, mut plan) = best.ok_or(last_err)?;
    if coarse != POINT_TOL {
        let polished = optimise(
            setup,
            method,
            &setup.spans,
            &setup.obs,
            &theta,
            plan,
            (POINT_TOL, 3),
        )?;
        theta = polished.0;
        plan = polished.2;
    }
    let (law, coef) = decode(setup.kind, &theta, setup.refs);
    Ok((law, coef, plan))
}

// ---------------------------------------------------------------------------------------------
// Standard errors

/// Covariance from a Jacobian-like matrix `g` (rows: observations, columns: parameters):
/// `scale * (g^T g)^-1`. `None` when singular or hopelessly ill-conditioned.
fn covariance(g: &DMatrix<f64>, scale: f64) -> (Option<DMatrix<f64>>, f64) {
    let gtg = g.transpose() * g;
    let n = gtg.nrows();
    let d: Vec<f64> = (0..n).map(|i| gtg[(i, i)].sqrt()).collect();
    if d.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        return (None, f64::INFINITY);
    }
    let mut corr = gtg.clone();
    for i in 0..n {
        for j in 0..n {
            corr[(i, j)] /= d[i] * d[j];
        }
    }
    let eig = corr.clone().symmetric_eigen();
    let (lo, hi) = eig
        .eigenvalues
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let cond = if lo > 0.0 { hi / lo } else { f64::INFINITY };
    if cond > 1e14 {
        return (None, cond);
    }
    let Some(inv) = corr.try_inverse() else {
        return (None, cond);
    };
    let mut cov = inv;
    for i in 0..n {
        for j in 0..n {
            cov[(i, j)] *= scale / (d[i] * d[j]);
        }
    }
    (Some(cov), cond)
}

/// Central-difference derivatives of `f` with respect to the natural parameters.
fn natural_jacobian<F: Fn(&[f64]) -> Option<Vec<f64>>>(
    f: F,
    v: &[f64],
    k: usize,
) -> Option<DMatrix<f64>> {
    let r0 = f(v)?;
    let mut j = DMatrix::zeros(r0.len(), k);
    let mut x = v.to_vec();
    for c in 0..k {
        let h = if c < 2 { 1e-5 * v[c].abs() } else { 1e-5 };
        x[c] = v[c] + h;
        let up = f(&x)?;
        x[c] = v[c] - h;
        let down = f(&x)?;
        x[c] = v[c];
        for row in 0..r0.len() {
            j[(row, c)] = (up[row] - down[row]) / (2.0 * h);
        }
    }
    Some(j)
}

/// Standard errors and covariance (natural parameters), plus remarks.
fn standard_errors(
    setup: &Setup,
    method: Method,
    law: Law,
    coef: Coefficients,
    plan: &[u32],
) -> (Option<DMatrix<f64>>, Vec<String>) {
    let k = setup.kind.n_params();
    let v = natural(law, coef);
    let mut notes = Vec::new();
    match method {
        Method::Engel => {
            let Ok(e) = engel(setup.data, law, &setup.spans) else {
                return (None, notes);
            };
            let mut cov = DMatrix::zeros(2, 2);
            for side in SIDES {
                let idx: Vec<usize> = (0..setup.spans.len())
                    .filter(|&i| setup.spans[i].side == side)
                    .collect();
                let alpha = v[side];
                let exposure: f64 = idx.iter().map(|&i| e.span_exposure[i]).sum();
                if idx.len() < 2 {
                    notes.push(format!(
                        "{}: {} rests on a single observed loss total, so the data give no standard error for it",
                        side_letter(side),
                        PARAM_NAMES[side]
                    ));
                    cov[(side, side)] = f64::NAN;
                    continue;
                }
                if idx
                    .iter()
                    .any(|&i| e.span_exposure[i] <= 0.0 && setup.spans[i].loss > 0.0)
                {
                    notes.push(format!(
                        "{}: the law predicts no loss in steps where losses were observed, so no standard error for {}",
                        side_letter(side),
                        PARAM_NAMES[side]
                    ));
                    cov[(side, side)] = f64::NAN;
                    continue;
                }
                let pearson: f64 = idx
                    .iter()
                    .map(|&i| {
                        let mu = alpha * e.span_exposure[i];
                        (setup.spans[i].loss - mu).powi(2) / mu.max(1e-300)
                    })
                    .sum();
                let phi = pearson / (idx.len() - 1) as f64;
                cov[(side, side)] = phi * alpha / exposure;
            }
            (Some(cov), notes)
        }
        Method::LeastSquares => {
            let n = setup.obs.len();
            if n <= k {
                notes.push(format!(
                    "{n} observations for {k} parameters: no standard errors"
                ));
                return (None, notes);
            }
            let f = |x: &[f64]| {
                let (l, c) = from_natural(setup.kind, x);
                strength_residuals(setup.data, l, c, plan, &setup.obs)
            };
            let Some(r) = f(&v[..]) else {
                return (None, notes);
            };
            let sse: f64 = r.iter().map(|x| x * x).sum();
            let Some(j) = natural_jacobian(f, &v, k) else {
                return (None, notes);
            };
            let (cov, cond) = covariance(&j, sse / (n - k) as f64);
            if cov.is_none() {
                notes.push(format!(
                    "the parameters cannot be separated by these data (condition number {cond:.1e}): no standard errors"
                ));
            }
            (cov, notes)
        }
        Method::Mle => {
            let n = setup.spans.len();
            if n <= k {
                notes.push(format!(
                    "{n} loss observations for {k} parameters: no standard errors"
                ));
                return (None, notes);
            }
            let f = |x: &[f64]| {
                let (l, c) = from_natural(setup.kind, x);
                Some(span_means(setup.data, l, c, plan, &setup.spans))
            };
            let Some(mus) = f(&v[..]) else {
                return (None, notes);
            };
            let Some(mut g) = natural_jacobian(f, &v, k) else {
                return (None, notes);
            };
            // Fisher information of the Poisson model: sum grad(mu) grad(mu)^T / mu.
            for (row, mu) in mus.iter().enumerate() {
                let w = 1.0 / mu.max(1e-300).sqrt();
                for c in 0..k {
                    g[(row, c)] *= w;
                }
            }
            let pearson: f64 = setup
                .spans
                .iter()
                .zip(&mus)
                .map(|(sp, mu)| (sp.loss - mu).powi(2) / mu.max(1e-300))
                .sum();
            let phi = pearson / (n - k) as f64;
            notes.push(format!(
                "dispersion {} (1 would be Poisson); standard errors are scaled by its square root",
                crate::report::short(phi, 3)
            ));
            let (cov, cond) = covariance(&g, phi);
            if cov.is_none() {
                notes.push(format!(
                    "the parameters cannot be separated by these data (condition number {cond:.1e}): no standard errors"
                ));
            }
            (cov, notes)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

/// Residual bootstrap: new observations = fitted + resampled residuals (within each side), refit.
/// Returns the refits' natural parameters (failed refits are dropped).
fn bootstrap(
    setup: &Setup,
    method: Method,
    law: Law,
    coef: Coefficients,
    plan: &[u32],
    opts: &FitOptions,
) -> Vec<[f64; 4]> {
    let kind = setup.kind;
    // Fitted values and residuals of the observations the method uses.
    enum Base {
        Strengths {
            fitted: Vec<f64>,
            resid: [Vec<f64>; 2],
        },
        Losses {
            mu: Vec<f64>,
            pearson: [Vec<f64>; 2],
        },
    }
    let base = match method {
        Method::LeastSquares => {
            let (traj, _) = simulate(setup.data, law, coef, Some(plan));
            let fitted: Vec<f64> = setup
                .obs
                .iter()
                .map(|&(s, row, _)| if s == 0 { traj[row].a } else { traj[row].b })
                .collect();
            let mut resid = [Vec::new(), Vec::new()];
            for (o, f) in setup.obs.iter().zip(&fitted) {
                resid[o.0].push(o.2 - f);
            }
            Base::Strengths { fitted, resid }
        }
        Method::Engel | Method::Mle => {
            let mu = if method == Method::Engel {
                match engel(setup.data, law, &setup.spans) {
                    Ok(e) => setup
                        .spans
                        .iter()
                        .zip(&e.span_exposure)
                        .map(|(sp, x)| natural(law, coef)[sp.side] * x)
                        .collect(),
                    Err(_) => return Vec::new(),
                }
            } else {
                span_means(setup.data, law, coef, plan, &setup.spans)
            };
            let mut pearson = [Vec::new(), Vec::new()];
            for (sp, m) in setup.spans.iter().zip(&mu) {
                pearson[sp.side].push((sp.loss - m) / m.max(1e-300).sqrt());
            }
            Base::Losses { mu, pearson }
        }
    };
    let theta_hat = encode(kind, law, coef, setup.refs);
    // Least squares: a Gauss-Newton predictor from the point fit. With the Jacobian J of the
    // simulated strengths at the estimate, new observations fitted + e move the optimum by about
    // (J^T J)^-1 J^T e; starting there (when it is better than the estimate itself) saves most of
    // the refit's iterations.
    let predictor: Option<DMatrix<f64>> = match &base {
        Base::Strengths { .. } => {
            let sim = |th: &[f64]| {
                let (l, c) = decode(kind, th, setup.refs);
                strength_residuals(setup.data, l, c, plan, &setup.obs)
            };
            sim(&theta_hat).and_then(|r0| {
                let k = theta_hat.len();
                let mut j = DMatrix::zeros(r0.len(), k);
                let mut x = theta_hat.clone();
                for c in 0..k {
                    let h = 1e-6 * x[c].abs().max(1.0);
                    x[c] = theta_hat[c] + h;
                    let r = sim(&x)?;
                    x[c] = theta_hat[c];
                    for row in 0..r0.len() {
                        j[(row, c)] = (r[row] - r0[row]) / h;
                    }
                }
                let jt = j.transpose();
                (&jt * &j).try_inverse().map(|inv| inv * jt)
            })
        }
        Base::Losses { .. } => None,
    };
    let one = |r: usize| -> Option<[f64; 4]> {
        let mut rng = SplitMix64::for_stream(opts.seed, r as u64);
        match &base {
            Base::Strengths { fitted, resid } => {
                let obs: Vec<(usize, usize, f64)> = setup
                    .obs
                    .iter()
                    .zip(fitted)
                    .map(|(&(s, row, _), f)| (s, row, f + resid[s][rng.below(resid[s].len())]))
                    .collect();
                let mut start = theta_hat.clone();
                if let Some(pm) = &predictor {
                    let e = DVector::from_iterator(
                        obs.len(),
                        obs.iter().zip(fitted).map(|(o, f)| o.2 - f),
                    );
                    let step = pm * &e;
                    let cand: Vec<f64> = theta_hat
                        .iter()
                        .zip(step.iter())
                        .map(|(a, b)| a + b)
                        .collect();
                    let (l, c) = decode(kind, &cand, setup.refs);
                    if let Some(r) = strength_residuals(setup.data, l, c, plan, &obs) {
                        let ss: f64 = r.iter().map(|x| x * x).sum();
                        if ss < e.norm_squared() {
                            start = cand;
                        }
                    }
                }
                let (theta, _, _) = optimise(
                    setup,
                    method,
                    &setup.spans,
                    &obs,
                    &start,
                    plan.to_vec(),
                    (REFIT_TOL, 1),
                )
                .ok()?;
                let (l, c) = decode(kind, &theta, setup.refs);
                Some(natural(l, c))
            }
            Base::Losses { mu, pearson } => {
                let spans: Vec<LossSpan> = setup
                    .spans
                    .iter()
                    .zip(mu)
                    .map(|(sp, m)| {
                        let e = pearson[sp.side][rng.below(pearson[sp.side].len())];
                        LossSpan {
                            loss: (m + e * m.max(0.0).sqrt()).max(0.0),
                            ..*sp
                        }
                    })
                    .collect();
                if method == Method::Engel {
                    let e = engel(setup.data, law, &spans).ok()?;
                    Some(natural(law, e.coef))
                } else {
                    let (theta, _, _) = optimise(
                        setup,
                        method,
                        &spans,
                        &setup.obs,
                        &theta_hat,
                        plan.to_vec(),
                        (REFIT_TOL, 1),
                    )
                    .ok()?;
                    let (l, c) = decode(kind, &theta, setup.refs);
                    Some(natural(l, c))
                }
            }
        }
    };
    let n = opts.bootstrap;
    let threads = opts.threads.clamp(1, 64).min(n.max(1));
    let mut results: Vec<Option<[f64; 4]>> = vec![None; n];
    if threads <= 1 {
        for (r, slot) in results.iter_mut().enumerate() {
            *slot = one(r);
        }
    } else {
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            for (c, part) in results.chunks_mut(chunk).enumerate() {
                let one = &one;
                scope.spawn(move || {
                    for (i, slot) in part.iter_mut().enumerate() {
                        *slot = one(c * chunk + i);
                    }
                });
            }
        });
    }
    results.into_iter().flatten().collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

// ---------------------------------------------------------------------------------------------
// Replay statistics

/// Replays the law from the start row and compares with every observed strength after it:
/// `(trajectory, sse, r2, n)`.
pub fn replay_stats(
    data: &BattleData,
    law: Law,
    coef: Coefficients,
) -> (Vec<Strengths>, f64, f64, usize) {
    let (traj, _) = simulate(data, law, coef, None);
    let obs = strength_obs(data);
    let mut sse = 0.0;
    let mut sst = 0.0;
    for side in SIDES {
        let vals: Vec<(usize, f64)> = obs
            .iter()
            .filter(|o| o.0 == side)
            .map(|o| (o.1, o.2))
            .collect();
        if vals.is_empty() {
            continue;
        }
        let mean = vals.iter().map(|v| v.1).sum::<f64>() / vals.len() as f64;
        for (row, v) in vals {
            let m = if side == 0 { traj[row].a } else { traj[row].b };
            sse += (m - v).powi(2);
            sst += (v - mean).powi(2);
        }
    }
    let r2 = if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN };
    (traj, sse, r2, obs.len())
}

// ---------------------------------------------------------------------------------------------
// The public entry point

/// Fits one law with one method.
pub fn fit(
    data: &BattleData,
    kind: LawKind,
    method: Method,
    opts: &FitOptions,
) -> Result<Fit, FitError> {
    let cannot = |problem: String, fix: &str| FitError::Cannot {
        law: kind.name().to_string(),
        method: method.name().to_string(),
        problem,
        fix: fix.to_string(),
    };
    // Is there any fighting at all? Both sides must be above zero at some point.
    let present = |side: usize| {
        data.strength[side].iter().flatten().any(|v| *v > 0.0)
            || data.reinforcements[side].iter().any(|v| *v > 0.0)
    };
    if let Some(side) = SIDES.iter().find(|&&s| !present(s)) {
        return Err(cannot(
            format!(
                "side {} is at zero strength throughout the record, so there is no fighting to fit",
                side_letter(*side)
            ),
            "check the a/b columns (is one of them all zeros?) and the reinforcement columns",
        ));
    }
    if method == Method::Engel && kind == LawKind::Helmbold {
        return Err(cannot(
            "Engel's ratio estimator needs the exponents fixed by the law".into(),
            "use --method least-squares or --method mle to fit free exponents",
        ));
    }
    let (spans, span_notes) = loss_spans(data);
    let setup = Setup {
        data,
        kind,
        refs: reference_strengths(data),
        spans,
        obs: strength_obs(data),
    };
    let k = kind.n_params();
    match method {
        Method::LeastSquares if setup.obs.len() < k => {
            return Err(cannot(
                format!(
                    "only {} observed strengths after the start for {k} parameters",
                    setup.obs.len()
                ),
                "add observed strengths, or use --method engel/mle with recorded casualties",
            ));
        }
        Method::Mle if setup.spans.len() < k => {
            return Err(cannot(
                format!(
                    "only {} observed losses for {k} parameters",
                    setup.spans.len()
                ),
                "add observations, or use a law with fixed exponents",
            ));
        }
        _ => {}
    }
    let (law, coef, plan) = point(&setup, method).map_err(|p| {
        cannot(
            p,
            "check the data (do both sides lose strength?), try another --method, or a law with fixed exponents",
        )
    })?;
    let mut warnings = Vec::new();
    if method != Method::LeastSquares {
        warnings.extend(span_notes);
    }
    let estimate = natural(law, coef);
    let (cov, se_notes) = standard_errors(&setup, method, law, coef, &plan);
    warnings.extend(se_notes);
    let mut stderr = [None; 4];
    if let Some(cov) = &cov {
        for (i, slot) in stderr.iter_mut().enumerate().take(k) {
            let v = cov[(i, i)];
            if v.is_finite() && v >= 0.0 {
                *slot = Some(v.sqrt());
            }
        }
    }
    let mut ci95 = [None; 4];
    let interval;
    if opts.bootstrap > 0 {
        let draws = bootstrap(&setup, method, law, coef, &plan, opts);
        interval = Interval::Bootstrap {
            resamples: opts.bootstrap,
            used: draws.len(),
        };
        if draws.len() * 10 < opts.bootstrap * 9 {
            warnings.push(format!(
                "only {} of {} bootstrap refits converged; the intervals are less reliable",
                draws.len(),
                opts.bootstrap
            ));
        }
        if draws.len() >= 20 {
            for (i, slot) in ci95.iter_mut().enumerate().take(k) {
                let mut v: Vec<f64> = draws.iter().map(|d| d[i]).collect();
                v.sort_by(f64::total_cmp);
                *slot = Some((percentile(&v, 0.025), percentile(&v, 0.975)));
            }
        }
    } else {
        interval = Interval::Wald;
        for i in 0..k {
            if let Some(se) = stderr[i] {
                ci95[i] = Some((estimate[i] - 1.96 * se, estimate[i] + 1.96 * se));
            }
        }
    }
    let (fitted, sse, r2, n_obs) = replay_stats(data, law, coef);
    let n = n_obs as f64;
    let base = n * (sse.max(1e-300) / n).ln();
    let aic = base + 2.0 * k as f64;
    let bic = base + k as f64 * n.ln();

    // Can the data identify the exponents?
    if kind == LawKind::Helmbold {
        for (i, name) in [(2, "p"), (3, "q")] {
            let near_bound = (estimate[i] - EXPONENT_LO).abs() < 0.02
                || (estimate[i] - EXPONENT_HI).abs() < 0.02;
            let width = match (stderr[i], ci95[i]) {
                (_, Some((lo, hi))) => hi - lo,
                (Some(se), None) => 3.92 * se,
                (None, None) => f64::INFINITY,
            };
            if near_bound {
                warnings.push(format!(
                    "exponent {name} = {:.3} sits at the search bound [{EXPONENT_LO}, {EXPONENT_HI}]: the data do not pin it down",
                    estimate[i]
                ));
            }
            if width > 0.5 {
                let ci = ci95[i]
                    .map(|(lo, hi)| format!("95% interval {lo:.2} to {hi:.2}"))
                    .unwrap_or_else(|| "no interval computable".into());
                let how = if width > 2.0 {
                    "is not identified by these data"
                } else {
                    "is only loosely determined by these data"
                };
                warnings.push(format!(
                    "exponent {name} = {:.3} {how} ({ci}); do not read it as evidence for a law: compare the fixed laws' AIC/BIC instead",
                    estimate[i]
                ));
            }
        }
        if let Some(cov) = &cov {
            for i in 0..4 {
                for j in (i + 1)..4 {
                    let rho = cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt();
                    if rho.abs() > 0.98 {
                        warnings.push(format!(
                            "{} and {} are almost interchangeable in this fit (correlation {rho:.3})",
                            PARAM_NAMES[i], PARAM_NAMES[j]
                        ));
                    }
                }
            }
        }
    }
    if kind == LawKind::Helmbold || kind == LawKind::Linear || kind == LawKind::Logarithmic {
        let changes: Vec<f64> = SIDES
            .iter()
            .filter_map(|&s| {
                let v: Vec<f64> = data.strength[s].iter().flatten().copied().collect();
                let max = v.iter().copied().fold(0.0, f64::max);
                let min = v.iter().copied().fold(f64::INFINITY, f64::min);
                (v.len() >= 3 && max > 0.0).then(|| (max - min) / max)
            })
            .collect();
        if !changes.is_empty() && changes.iter().all(|c| *c < 0.1) {
            warnings.push(
                "the observed strengths change by less than 10%: how losses scale with strength (the exponents) can hardly be told from these data".into(),
            );
        }
    }
    if r2.is_finite() && r2 < 0.5 {
        warnings.push(format!(
            "the fitted law reproduces the observed strengths poorly (R2 = {}): it does not describe this battle",
            crate::report::short(r2, 3)
        ));
    }
    for i in 0..k {
        if let Some((lo, hi)) = ci95[i]
            && !(lo <= estimate[i] && estimate[i] <= hi)
        {
            warnings.push(format!(
                "the bootstrap interval of {} excludes the estimate: the fit is flat in this direction and the data do not determine it",
                PARAM_NAMES[i]
            ));
        }
    }
    for i in 0..2 {
        if let Some(se) = stderr[i]
            && se > estimate[i].abs()
        {
            warnings.push(format!(
                "{} is not determined by these data (standard error {} is larger than the estimate)",
                PARAM_NAMES[i],
                crate::report::short(se, 3)
            ));
        }
    }
    for i in 0..2 {
        if let Some((lo, _)) = ci95[i]
            && lo <= 0.0
            && interval == Interval::Wald
        {
            {
                warnings.push(format!(
                    "the 95% interval of {} reaches 0 or below: the data barely show this effect",
                    PARAM_NAMES[i]
                ));
            }
        }
    }
    Ok(Fit {
        law_kind: kind,
        method,
        law,
        coef,
        estimate,
        stderr,
        ci95,
        interval,
        sse,
        r2,
        aic,
        bic,
        n_obs,
        n_params: k,
        fitted,
        warnings,
    })
}
