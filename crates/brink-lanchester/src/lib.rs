//! Lanchester-family attrition laws and their numerical integration.
//!
//! The general (Helmbold-type) form used throughout brink is
//!
//! ```text
//! dA/dt = -attrition_of_a * B^p * A^q
//! dB/dt = -attrition_of_b * A^p * B^q
//! ```
//!
//! where `attrition_of_a` is B's effectiveness against A. The classic laws are special cases:
//! square (p = 1, q = 0; Lanchester 1916, aimed fire), linear (p = 1, q = 1; area fire),
//! logarithmic (p = 0, q = 1; losses proportional to own strength, Peterson 1953). Helmbold (1965)
//! lets the exponents be free. See Engel (1954), "A verification of Lanchester's law",
//! J. ORSA 2(2):163-171, and Lucas & Turkes (2004), Naval Research Logistics 51(1):95-116.
//!
//! This crate is pure: no I/O, no randomness. The engine (`brink-core`) integrates one week at a
//! time with [`integrate`], or under the square law with [`SquareLawPropagator`] (the same RK4
//! steps as one precomputed linear map); the fitter (`brink-fit`) calls the same functions.

#![forbid(unsafe_code)]

/// Exponents of the general law `dA/dt = -alpha * B^p * A^q`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Law {
    /// `p`: exponent on the opponent's strength.
    pub exponent_opponent: f64,
    /// `q`: exponent on one's own strength.
    pub exponent_own: f64,
}

impl Law {
    /// Aimed fire: `dA/dt = -alpha B`.
    pub const SQUARE: Law = Law {
        exponent_opponent: 1.0,
        exponent_own: 0.0,
    };
    /// Area fire: `dA/dt = -alpha A B`.
    pub const LINEAR: Law = Law {
        exponent_opponent: 1.0,
        exponent_own: 1.0,
    };
    /// Losses proportional to own strength: `dA/dt = -alpha A`.
    pub const LOGARITHMIC: Law = Law {
        exponent_opponent: 0.0,
        exponent_own: 1.0,
    };

    /// Free exponents (Helmbold 1965).
    pub fn helmbold(exponent_opponent: f64, exponent_own: f64) -> Law {
        Law {
            exponent_opponent,
            exponent_own,
        }
    }
}

/// Attrition coefficients, named by what they do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    /// B's effectiveness against A (per unit time, in the units of the strengths).
    pub attrition_of_a: f64,
    /// A's effectiveness against B.
    pub attrition_of_b: f64,
}

/// Strengths of the two sides at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strengths {
    pub a: f64,
    pub b: f64,
}

/// `x^e` with the conventions the laws need: `x^0 = 1` even for `x = 0`, and no negative bases.
fn power(x: f64, e: f64) -> f64 {
    if e == 0.0 {
        1.0
    } else if e == 1.0 {
        x.max(0.0)
    } else {
        x.max(0.0).powf(e)
    }
}

/// Loss rates (positive numbers: strength lost per unit time) of A and B.
pub fn loss_rates(law: Law, coef: Coefficients, s: Strengths) -> (f64, f64) {
    let a = s.a.max(0.0);
    let b = s.b.max(0.0);
    // A side with no strength left neither fights nor loses.
    if a <= 0.0 || b <= 0.0 {
        return (0.0, 0.0);
    }
    let (p, q) = (law.exponent_opponent, law.exponent_own);
    let whole = |e: f64| e == 0.0 || e == 1.0;
    if whole(p) && whole(q) {
        // The classical laws: exact products, no transcendental functions.
        let loss_a = coef.attrition_of_a * power(b, p) * power(a, q);
        let loss_b = coef.attrition_of_b * power(a, p) * power(b, q);
        return (loss_a, loss_b);
    }
    // Free exponents: two logarithms and two exponentials instead of four `powf` calls (each a
    // logarithm and an exponential inside); this halves the cost of fitting Helmbold's law.
    let (ln_a, ln_b) = (a.ln(), b.ln());
    let loss_a = coef.attrition_of_a * (p * ln_b + q * ln_a).exp();
    let loss_b = coef.attrition_of_b * (p * ln_a + q * ln_b).exp();
    (loss_a, loss_b)
}

/// One classical fourth-order Runge-Kutta step of length `dt`, clamped at zero strength.
pub fn rk4_step(law: Law, coef: Coefficients, s: Strengths, dt: f64) -> Strengths {
    rk4_step_of(|x| loss_rates(law, coef, x), s, dt)
}

/// [`rk4_step`] for any loss-rate function, so that [`integrate`] can pass a specialised one.
#[inline(always)]
fn rk4_step_of(rates: impl Fn(Strengths) -> (f64, f64), s: Strengths, dt: f64) -> Strengths {
    let deriv = |x: Strengths| {
        let (la, lb) = rates(x);
        (-la, -lb)
    };
    let add = |x: Strengths, k: (f64, f64), h: f64| Strengths {
        a: x.a + h * k.0,
        b: x.b + h * k.1,
    };
    let k1 = deriv(s);
    let k2 = deriv(add(s, k1, dt / 2.0));
    let k3 = deriv(add(s, k2, dt / 2.0));
    let k4 = deriv(add(s, k3, dt));
    Strengths {
        a: (s.a + dt / 6.0 * (k1.0 + 2.0 * k2.0 + 2.0 * k3.0 + k4.0)).max(0.0),
        b: (s.b + dt / 6.0 * (k1.1 + 2.0 * k2.1 + 2.0 * k3.1 + k4.1)).max(0.0),
    }
}

/// [`loss_rates`] of the square law without the exponent tests of [`power`]: `x^1 = x` and
/// `x^0 = 1` exactly (and multiplying by 1 changes nothing), so the numbers are the same.
#[inline(always)]
fn square_law_loss_rates(coef: Coefficients, s: Strengths) -> (f64, f64) {
    let a = s.a.max(0.0);
    let b = s.b.max(0.0);
    if a <= 0.0 || b <= 0.0 {
        return (0.0, 0.0);
    }
    (coef.attrition_of_a * b, coef.attrition_of_b * a)
}

/// Whether no RK4 stage of a square-law integration over `duration` can reach zero strength, so
/// that the zero tests and clamps of [`square_law_loss_rates`] cannot change a number. Every
/// stage value of A lies at most `duration * attrition_of_a * B0` below A0: the derivatives are
/// never positive (B never exceeds B0), and each substep, stage offsets included, moves A by at
/// most `dt * attrition_of_a * B0`. Likewise for B.
fn square_law_stays_positive(coef: Coefficients, start: Strengths, duration: f64) -> bool {
    coef.attrition_of_a >= 0.0
        && coef.attrition_of_b >= 0.0
        && duration >= 0.0
        && start.a > duration * coef.attrition_of_a * start.b
        && start.b > duration * coef.attrition_of_b * start.a
}

/// [`square_law_loss_rates`] where both strengths are known to be positive: the same numbers.
#[inline(always)]
fn square_law_loss_rates_positive(coef: Coefficients, s: Strengths) -> (f64, f64) {
    (coef.attrition_of_a * s.b, coef.attrition_of_b * s.a)
}

/// Integrates over `duration` in `substeps` equal RK4 steps (no reinforcements) and returns the
/// end state. `substeps` of 0 is treated as 1.
pub fn integrate(
    law: Law,
    coef: Coefficients,
    start: Strengths,
    duration: f64,
    substeps: u32,
) -> Strengths {
    let n = substeps.max(1);
    let dt = duration / f64::from(n);
    let mut s = start;
    // The square law (the engine's default) gets its own loop; any other law goes through `power`.
    if law == Law::SQUARE {
        if square_law_stays_positive(coef, start, duration) {
            for _ in 0..n {
                s = rk4_step_of(|x| square_law_loss_rates_positive(coef, x), s, dt);
            }
        } else {
            for _ in 0..n {
                s = rk4_step_of(|x| square_law_loss_rates(coef, x), s, dt);
            }
        }
    } else {
        for _ in 0..n {
            s = rk4_step(law, coef, s, dt);
        }
    }
    s
}

/// The square law's integration over a fixed duration as one linear map, for callers that
/// integrate many intervals with the same coefficients (the engine: every week of a run).
///
/// Under the square law with both sides positive, `(A, B)' = M (A, B)` with
/// `M = [[0, -attrition_of_a], [-attrition_of_b, 0]]` is linear, so one RK4 step of length `h`
/// maps the state by the matrix `I + hM + (hM)^2/2 + (hM)^3/6 + (hM)^4/24`, and `n` steps by its
/// `n`-th power. Applying the precomputed power is the same numerical method as [`integrate`]
/// (same truncation error; only the rounding differs, by a few ulps), for 6 operations instead
/// of ~120 per interval. Valid only while no stage of the integration reaches zero strength;
/// [`SquareLawPropagator::advance`] checks that and otherwise integrates with clamping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SquareLawPropagator {
    coef: Coefficients,
    duration: f64,
    substeps: u32,
    /// Row-major: `a' = m[0] a + m[1] b`, `b' = m[2] a + m[3] b`.
    m: [f64; 4],
}

impl SquareLawPropagator {
    /// The map of `substeps` RK4 steps over `duration` (`substeps` of 0 is treated as 1).
    pub fn new(coef: Coefficients, duration: f64, substeps: u32) -> SquareLawPropagator {
        let n = substeps.max(1);
        let h = duration / f64::from(n);
        // hM = [[0, -x], [-y, 0]]; (hM)^2 = xy I; (hM)^3 = xy hM; (hM)^4 = (xy)^2 I.
        let (x, y) = (h * coef.attrition_of_a, h * coef.attrition_of_b);
        let xy = x * y;
        let diagonal = 1.0 + xy / 2.0 + xy * xy / 24.0;
        let off = 1.0 + xy / 6.0;
        let step = [diagonal, -x * off, -y * off, diagonal];
        let mut m = [1.0, 0.0, 0.0, 1.0];
        for _ in 0..n {
            m = [
                step[0] * m[0] + step[1] * m[2],
                step[0] * m[1] + step[1] * m[3],
                step[2] * m[0] + step[3] * m[2],
                step[2] * m[1] + step[3] * m[3],
            ];
        }
        SquareLawPropagator {
            coef,
            duration,
            substeps: n,
            m,
        }
    }

    /// The strengths after the duration: the linear map when no stage can reach zero strength
    /// (the bound of [`integrate`]'s fast path), else [`integrate`] with its clamps.
    #[inline]
    pub fn advance(&self, start: Strengths) -> Strengths {
        if square_law_stays_positive(self.coef, start, self.duration) {
            Strengths {
                a: self.m[0] * start.a + self.m[1] * start.b,
                b: self.m[2] * start.a + self.m[3] * start.b,
            }
        } else {
            integrate(Law::SQUARE, self.coef, start, self.duration, self.substeps)
        }
    }
}

/// The quantity the square law conserves: `attrition_of_b * A^2 - attrition_of_a * B^2`.
pub fn square_law_invariant(coef: Coefficients, s: Strengths) -> f64 {
    coef.attrition_of_b * s.a * s.a - coef.attrition_of_a * s.b * s.b
}

/// The quantity the linear law conserves: `attrition_of_b * A - attrition_of_a * B`
/// (since dA/dB = attrition_of_a / attrition_of_b).
pub fn linear_law_invariant(coef: Coefficients, s: Strengths) -> f64 {
    coef.attrition_of_b * s.a - coef.attrition_of_a * s.b
}

/// Closed-form square-law solution (no reinforcements), valid while both sides are positive:
/// `A(t) = A0 cosh(wt) - sqrt(a/b) B0 sinh(wt)` with `w = sqrt(a b)` (a = attrition_of_a,
/// b = attrition_of_b); symmetric for B.
pub fn square_law_closed_form(coef: Coefficients, start: Strengths, t: f64) -> Strengths {
    let w = (coef.attrition_of_a * coef.attrition_of_b).sqrt();
    let ratio_a = (coef.attrition_of_a / coef.attrition_of_b).sqrt();
    let (c, s) = ((w * t).cosh(), (w * t).sinh());
    Strengths {
        a: start.a * c - ratio_a * start.b * s,
        b: start.b * c - start.a * s / ratio_a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COEF: Coefficients = Coefficients {
        attrition_of_a: 0.0544,
        attrition_of_b: 0.0106,
    };

    #[test]
    fn free_exponent_rates_match_the_powers() {
        let law = Law::helmbold(0.7, 0.35);
        for (a, b) in [(1.0, 1.0), (54_000.0, 21_500.0), (3.5, 9e6), (1e-3, 2.0)] {
            let (la, lb) = loss_rates(law, COEF, Strengths { a, b });
            let want_a = COEF.attrition_of_a * b.powf(0.7) * a.powf(0.35);
            let want_b = COEF.attrition_of_b * a.powf(0.7) * b.powf(0.35);
            assert!((la - want_a).abs() <= 1e-13 * want_a, "{la} vs {want_a}");
            assert!((lb - want_b).abs() <= 1e-13 * want_b, "{lb} vs {want_b}");
        }
        // A side at zero strength neither fights nor loses, whatever the exponents.
        assert_eq!(
            loss_rates(law, COEF, Strengths { a: 0.0, b: 5.0 }),
            (0.0, 0.0)
        );
    }

    #[test]
    fn the_propagator_equals_stepwise_rk4() {
        // Starts on both sides of the positivity bound; 1 to 8 substeps.
        let mut linear = 0;
        for i in 0..800 {
            let coef = Coefficients {
                attrition_of_a: 0.01 + 0.002 * f64::from(i % 7),
                attrition_of_b: 0.3 + 0.05 * f64::from(i % 11),
            };
            let start = Strengths {
                a: 1_000.0 + 997.0 * f64::from(i % 20),
                b: 50.0 + 613.0 * f64::from((i / 20) % 20),
            };
            let substeps = 1 + i / 100;
            let p = SquareLawPropagator::new(coef, 1.0, substeps);
            let got = p.advance(start);
            let want = integrate(Law::SQUARE, coef, start, 1.0, substeps);
            if square_law_stays_positive(coef, start, 1.0) {
                linear += 1;
                let scale = start.a.max(start.b);
                assert!(
                    (got.a - want.a).abs() <= 1e-12 * scale,
                    "{got:?} vs {want:?}"
                );
                assert!(
                    (got.b - want.b).abs() <= 1e-12 * scale,
                    "{got:?} vs {want:?}"
                );
            } else {
                assert_eq!(got, want);
            }
        }
        assert!((100..700).contains(&linear), "{linear}");
    }

    #[test]
    fn square_law_fast_path_gives_the_same_bits_as_the_clamped_steps() {
        // Starts on both sides of the positivity bound, from even fights to routs.
        let mut checked_fast = 0;
        for i in 0..400 {
            let a = 1_000.0 + 997.0 * f64::from(i % 20);
            let b = 50.0 + 613.0 * f64::from(i / 20);
            let coef = Coefficients {
                attrition_of_a: 0.01 + 0.002 * f64::from(i % 7),
                attrition_of_b: 0.3 + 0.05 * f64::from(i % 11),
            };
            let start = Strengths { a, b };
            let mut clamped = start;
            for _ in 0..4 {
                clamped = rk4_step_of(|x| square_law_loss_rates(coef, x), clamped, 0.25);
            }
            let fast = integrate(Law::SQUARE, coef, start, 1.0, 4);
            assert_eq!(fast.a.to_bits(), clamped.a.to_bits(), "start {start:?}");
            assert_eq!(fast.b.to_bits(), clamped.b.to_bits(), "start {start:?}");
            checked_fast += usize::from(square_law_stays_positive(coef, start, 1.0));
        }
        // Both paths ran.
        assert!(checked_fast > 50 && checked_fast < 350, "{checked_fast}");
    }

    #[test]
    fn square_law_conserves_its_invariant() {
        let start = Strengths {
            a: 54_000.0,
            b: 21_500.0,
        };
        let before = square_law_invariant(COEF, start);
        let mut s = start;
        for _ in 0..30 {
            s = integrate(Law::SQUARE, COEF, s, 1.0, 20);
            let now = square_law_invariant(COEF, s);
            assert!(((now - before) / before).abs() < 1e-6, "{now} vs {before}");
        }
        assert!(s.b < start.b * 0.5, "the battle must actually progress");
    }

    #[test]
    fn linear_law_conserves_its_invariant() {
        let coef = Coefficients {
            attrition_of_a: 2e-6,
            attrition_of_b: 5e-6,
        };
        let start = Strengths {
            a: 10_000.0,
            b: 8_000.0,
        };
        let before = linear_law_invariant(coef, start);
        let end = integrate(Law::LINEAR, coef, start, 30.0, 600);
        let after = linear_law_invariant(coef, end);
        assert!(((after - before) / before).abs() < 1e-6);
        assert!(end.b < 0.5 * start.b);
    }

    #[test]
    fn rk4_matches_the_closed_form_square_law() {
        let start = Strengths {
            a: 54_000.0,
            b: 21_500.0,
        };
        for day in [1.0, 5.0, 10.0, 20.0] {
            let numeric = integrate(Law::SQUARE, COEF, start, day, (day * 20.0) as u32);
            let exact = square_law_closed_form(COEF, start, day);
            assert!((numeric.a - exact.a).abs() / exact.a < 1e-8);
            assert!((numeric.b - exact.b).abs() / exact.b < 1e-8);
        }
    }

    #[test]
    fn logarithmic_law_is_exponential_decay() {
        let coef = Coefficients {
            attrition_of_a: 0.1,
            attrition_of_b: 0.2,
        };
        let start = Strengths {
            a: 1000.0,
            b: 500.0,
        };
        let end = integrate(Law::LOGARITHMIC, coef, start, 3.0, 300);
        assert!((end.a - 1000.0 * (-0.3f64).exp()).abs() < 1e-6);
        assert!((end.b - 500.0 * (-0.6f64).exp()).abs() < 1e-6);
    }

    #[test]
    fn the_square_law_shortcut_gives_the_general_laws_numbers() {
        let starts = [
            Strengths {
                a: 54_000.0,
                b: 21_500.0,
            },
            Strengths { a: 10.0, b: 1000.0 },
            Strengths { a: 0.0, b: 5.0 },
        ];
        // Exponents that are 1 and 0 but not the constant, through the general path.
        let general = Law::helmbold(1.0, -0.0);
        for start in starts {
            for substeps in [1, 4, 20] {
                let fast = integrate(Law::SQUARE, COEF, start, 1.0, substeps);
                let mut slow = start;
                for _ in 0..substeps {
                    slow = rk4_step(general, COEF, slow, 1.0 / f64::from(substeps));
                }
                assert_eq!(fast.a.to_bits(), slow.a.to_bits());
                assert_eq!(fast.b.to_bits(), slow.b.to_bits());
            }
        }
    }

    #[test]
    fn strengths_never_go_negative() {
        let coef = Coefficients {
            attrition_of_a: 5.0,
            attrition_of_b: 0.01,
        };
        let end = integrate(Law::SQUARE, coef, Strengths { a: 10.0, b: 1000.0 }, 1.0, 1);
        assert!(end.a >= 0.0 && end.b >= 0.0);
    }
}
