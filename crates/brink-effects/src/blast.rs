//! Peak static overpressure on the ground: the Brode (1986) fit and the DNA 1 kt
//! standard with regular/Mach reflection merge, plus range inversion and the
//! optimum height of burst.
//!
//! Both models are functions of *scaled* ground range and *scaled* height
//! (distance / W^(1/3), Glasstone & Dolan 1977 §3.60 cube-root scaling), so every range
//! scales exactly with W^(1/3) at equal scaled height.

use crate::units::{KFT_PER_KM, M_PER_FT, PA_PER_PSI};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Which airblast fit to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlastModel {
    /// H. L. Brode, *Airblast from Nuclear Bursts: Analytic Approximations*,
    /// Pacific-Sierra Research, 1986 (PSR Report 1419-3), peak-overpressure fit. Default.
    Brode,
    /// Defense Nuclear Agency 1 kt free-air standard with the regular/Mach reflection
    /// merge of the DNA program BLAST (help text reproduced in NRDC, *The U.S. Nuclear War
    /// Plan: A Time for Change*, 2001).
    Dna,
}

impl BlastModel {
    /// Name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            BlastModel::Brode => "brode",
            BlastModel::Dna => "dna",
        }
    }

    /// Peak static overpressure (psi) at scaled ground range `sgr_m` and scaled
    /// height `shob_m` (both m / kt^(1/3)).
    #[inline]
    pub fn overpressure_psi_scaled(self, sgr_m: f64, shob_m: f64) -> f64 {
        match self {
            BlastModel::Brode => {
                brode_psi_scaled(sgr_m * 1e-3 * KFT_PER_KM, shob_m * 1e-3 * KFT_PER_KM)
            }
            BlastModel::Dna => dna_pa_scaled(sgr_m, shob_m) / PA_PER_PSI,
        }
    }

    /// Peak static overpressure (psi) at `ground_range_m` from a burst of `yield_kt` at `height_m`.
    #[inline]
    pub fn overpressure_psi(self, yield_kt: f64, ground_range_m: f64, height_m: f64) -> f64 {
        let w13 = yield_kt.cbrt();
        self.overpressure_psi_scaled(ground_range_m / w13, height_m / w13)
    }
}

// ---------------------------------------------------------------------------
// Brode 1986
// ---------------------------------------------------------------------------

/// Coefficient of the z^2 term of Brode's f(z). The open-source library glasstone,
/// against which `reference_ranges.csv` was produced, uses 17.5; a transcription of the
/// 1987 edition of the report (PSR 1419-3) reads 17.15. We keep 17.5 because the
/// reference data were made with it; the difference moves airburst ranges by < 1%
/// (see `docs/model/effects.md`).
const BRODE_F_Z2: f64 = 17.5;

/// Brode (1986) peak overpressure fit, psi, for 1 kt at sea level.
/// `x` = scaled ground range, `y` = scaled height, both in kft / kt^(1/3).
/// Equations as printed in Brode 1986, pp. 60-71 (ideal surface, sea-level ambient).
#[inline]
pub fn brode_psi_scaled(x_kft: f64, y_kft: f64) -> f64 {
    // Avoid the singular point directly under/at the burst.
    let x = x_kft.max(1e-9);
    let y = y_kft;
    let r = (x * x + y * y).sqrt().max(1e-6);
    let z = y / x;
    let z2 = z * z;
    let z3 = z2 * z;
    let z5 = z3 * z2;
    let z8 = z5 * z3;
    let z17 = z8 * z8 * z;
    let z18 = z17 * z;
    let a = 1.22 - 3.908 * z2 / (1.0 + 810.2 * z5);
    let b = 2.321 + 6.195 * z18 / (1.0 + 1.113 * z18) - 0.03831 * z17 / (1.0 + 0.02415 * z17)
        + 0.6692 / (1.0 + 4164.0 * z8);
    let c = 4.153 - 1.149 * z18 / (1.0 + 1.641 * z18) - 1.1 / (1.0 + 2.771 * z.powf(2.5));
    let d = -4.166 + 25.76 * z.powf(1.75) / (1.0 + 1.382 * z18) + 8.257 * z / (1.0 + 3.219 * z);
    let e = 1.0 - 0.004642 * z18 / (1.0 + 0.003886 * z18);
    let f = 0.6096 + 2.879 * z.powf(9.25) / (1.0 + 2.359 * z.powf(14.5))
        - BRODE_F_Z2 * z2 / (1.0 + 71.66 * z3);
    let g = 1.83 + 5.361 * z2 / (1.0 + 0.3139 * z3 * z3);
    let h = 8.808 * z.powf(1.5) / (1.0 + 154.5 * z.powf(3.5))
        - (0.2905 + 64.67 * z5) / (1.0 + 441.5 * z5)
        - 1.389 * z / (1.0 + 49.03 * z5)
        + 1.094 * r * r / ((781.2 - 123.4 * r + 37.98 * r.powf(1.5) + r * r) * (1.0 + 2.0 * y));
    let y2 = y * y;
    let y4 = y2 * y2;
    let j = 0.000629 * y4 / (3.493e-9 + y4) - 2.67 * y2 / (1.0 + 1e7 * y.powf(4.3));
    let k = 5.18 + 0.2803 * y.powf(3.5) / (3.788e-6 + y4);
    10.47 / r.powf(a) + b / r.powf(c) + d * e / (1.0 + f * r.powf(g)) + h + j / r.powf(k)
}

/// The z-dependent coefficients a..g and the z-only part of h of the Brode fit
/// (z = scaled height / scaled ground range).
#[derive(Debug, Clone, Copy, PartialEq)]
struct BrodeZ {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
    g: f64,
    h0: f64,
}

impl BrodeZ {
    /// Same equations as [`brode_psi_scaled`]; the fractional powers of z are built from
    /// one `sqrt` and one fourth root (z^2.5 = z^2 sqrt z, z^1.75 = z sqrt z z^(1/4), ...)
    /// instead of six `powf` calls. Agrees with `powf` to a few ulps.
    #[inline]
    fn at(z: f64) -> Self {
        let z2 = z * z;
        let z3 = z2 * z;
        let z5 = z3 * z2;
        let z8 = z5 * z3;
        let z17 = z8 * z8 * z;
        let z18 = z17 * z;
        let sz = z.sqrt();
        let qz = sz.sqrt();
        let z1_5 = z * sz;
        let z1_75 = z1_5 * qz;
        let z2_5 = z2 * sz;
        let z3_5 = z3 * sz;
        let z9_25 = z8 * z * qz;
        let z14_5 = z8 * z5 * z1_5;
        BrodeZ {
            a: 1.22 - 3.908 * z2 / (1.0 + 810.2 * z5),
            b: 2.321 + 6.195 * z18 / (1.0 + 1.113 * z18) - 0.03831 * z17 / (1.0 + 0.02415 * z17)
                + 0.6692 / (1.0 + 4164.0 * z8),
            c: 4.153 - 1.149 * z18 / (1.0 + 1.641 * z18) - 1.1 / (1.0 + 2.771 * z2_5),
            d: -4.166 + 25.76 * z1_75 / (1.0 + 1.382 * z18) + 8.257 * z / (1.0 + 3.219 * z),
            e: 1.0 - 0.004642 * z18 / (1.0 + 0.003886 * z18),
            f: 0.6096 + 2.879 * z9_25 / (1.0 + 2.359 * z14_5)
                - BRODE_F_Z2 * z2 / (1.0 + 71.66 * z3),
            g: 1.83 + 5.361 * z2 / (1.0 + 0.3139 * z3 * z3),
            h0: 8.808 * z1_5 / (1.0 + 154.5 * z3_5)
                - (0.2905 + 64.67 * z5) / (1.0 + 441.5 * z5)
                - 1.389 * z / (1.0 + 49.03 * z5),
        }
    }
}

/// The Brode (1986) fit at one fixed scaled height: everything that depends only on the
/// height (j(y), k(y), 1 + 2y, and for a surface burst, where z = 0 everywhere, all the
/// z-coefficients) is computed once; each call then shares one `ln r` between the powers
/// r^a, r^c, r^g, r^k (r^p = exp(p ln r)). Same numbers as [`brode_psi_scaled`] to about
/// 1e-14 relative (tested); used by the grid and the range inversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrodeAtHeight {
    y: f64,
    y2: f64,
    j: f64,
    k: f64,
    one_2y: f64,
    /// Coefficients when they do not depend on the ground range (y = 0).
    fixed: Option<BrodeZ>,
}

impl BrodeAtHeight {
    /// Prepare for scaled height `y_kft` (kft / kt^(1/3)).
    pub fn new(y_kft: f64) -> Self {
        let y = y_kft;
        let y2 = y * y;
        let y4 = y2 * y2;
        BrodeAtHeight {
            y,
            y2,
            j: 0.000629 * y4 / (3.493e-9 + y4) - 2.67 * y2 / (1.0 + 1e7 * y.powf(4.3)),
            k: 5.18 + 0.2803 * y.powf(3.5) / (3.788e-6 + y4),
            one_2y: 1.0 + 2.0 * y,
            // z = y / max(x, 1e-9) is exactly 0 for every x when y = 0.
            fixed: (y == 0.0).then(|| BrodeZ::at(0.0)),
        }
    }

    /// Peak overpressure (psi) at scaled ground range `x_kft` (kft / kt^(1/3)).
    #[inline]
    pub fn psi(&self, x_kft: f64) -> f64 {
        let x = x_kft.max(1e-9);
        let y = self.y;
        let r2 = x * x + self.y2;
        let r = r2.sqrt().max(1e-6);
        let zc = match self.fixed {
            Some(c) => c,
            None => BrodeZ::at(y / x),
        };
        let lr = r.ln();
        let rr = r * r;
        let h =
            zc.h0 + 1.094 * rr / ((781.2 - 123.4 * r + 37.98 * (r * r.sqrt()) + rr) * self.one_2y);
        let mut p = 10.47 * (-zc.a * lr).exp()
            + zc.b * (-zc.c * lr).exp()
            + zc.d * zc.e / (1.0 + zc.f * (zc.g * lr).exp())
            + h;
        // j(0) = 0: the last term vanishes for surface bursts.
        if self.j != 0.0 {
            p += self.j * (-self.k * lr).exp();
        }
        p
    }
}

/// Peak overpressure of either model at one fixed scaled height, with the height-only
/// work done once (see [`BrodeAtHeight`]). Used for grids and range inversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverpressureAtHeight {
    kind: AtHeight,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum AtHeight {
    Brode(BrodeAtHeight),
    Dna { shob_m: f64 },
}

impl OverpressureAtHeight {
    /// Prepare `model` for scaled height `shob_m` (m / kt^(1/3)).
    pub fn new(model: BlastModel, shob_m: f64) -> Self {
        let kind = match model {
            BlastModel::Brode => AtHeight::Brode(BrodeAtHeight::new(shob_m * 1e-3 * KFT_PER_KM)),
            BlastModel::Dna => AtHeight::Dna { shob_m },
        };
        OverpressureAtHeight { kind }
    }

    /// Peak overpressure (psi) at scaled ground range `sgr_m` (m / kt^(1/3)); equals
    /// [`BlastModel::overpressure_psi_scaled`] to ~1e-14 relative.
    #[inline]
    pub fn psi(&self, sgr_m: f64) -> f64 {
        match &self.kind {
            AtHeight::Brode(b) => b.psi(sgr_m * 1e-3 * KFT_PER_KM),
            AtHeight::Dna { shob_m } => dna_pa_scaled(sgr_m, *shob_m) / PA_PER_PSI,
        }
    }
}

// ---------------------------------------------------------------------------
// DNA 1 kt standard
// ---------------------------------------------------------------------------

/// DNA 1 kt free-air peak overpressure (Pa) at slant range `r_m` (m), sea level.
#[inline]
pub fn dna_free_air_pa(r_m: f64) -> f64 {
    let r = r_m;
    let q = r / 445.42;
    3.04e11 / (r * r * r)
        + 1.13e9 / (r * r)
        + 7.9e6 / (r * (q + 3.0 * (-(q.sqrt()) / 3.0).exp()).ln().sqrt())
}

/// Ratio of specific heats behind the shock as a function of overpressure (Pa)
/// (DNA BLAST real-air fit).
#[inline]
fn shock_gamma(op_pa: f64) -> f64 {
    let xi = op_pa / 101325.0 + 1.0;
    let t = 1e-12 * xi.powi(6);
    let z = xi.ln() - 0.47 * t / (100.0 + t);
    1.402 - 3.4e-4 * z.powi(4) / (1.0 + 2.22e-5 * z.powi(6))
}

/// Density ratio across the shock (Rankine-Hugoniot with the real-air gamma).
#[inline]
fn mass_density_ratio(op_pa: f64) -> f64 {
    let xi = op_pa / 101325.0 + 1.0;
    let g = shock_gamma(op_pa);
    let mu = (g + 1.0) / (g - 1.0);
    (1.0 + mu * xi) / (5.975 + xi)
}

/// DNA airburst peak overpressure (Pa) at scaled ground range `sgr_m` and scaled height
/// `shob_m` (m / kt^(1/3)): regular reflection, Mach reflection and the sine switching
/// function between them.
#[inline]
pub fn dna_pa_scaled(sgr_m: f64, shob_m: f64) -> f64 {
    let sgr = sgr_m.max(1e-9);
    let shob = shob_m;
    let slant = (sgr * sgr + shob * shob).sqrt().max(1e-6);
    let pfree = dna_free_air_pa(slant);
    let alpha = (shob / sgr).atan();
    // Regular/Mach merge angle and width of the merge region.
    let t = 340.0 / pfree.powf(0.55);
    let u = 1.0 / (7782.0 * pfree.powf(0.7) + 0.9);
    let merge_angle = (1.0 / (t + u)).atan();
    let w = 1.0 / (7473.0 * pfree.sqrt() + 6.6);
    let v = 1.0 / (647.0 * pfree.powf(0.8) + w);
    let width = (1.0 / (t + v)).atan();
    let s = ((alpha - merge_angle) / width).clamp(-1.0, 1.0);
    let sigma = 0.5 * ((0.5 * std::f64::consts::PI * s).sin() + 1.0);
    let sin_a = alpha.sin();
    let p_reg = || {
        let g = shock_gamma(pfree);
        let n = mass_density_ratio(pfree);
        let r_n = 2.0 + (g + 1.0) * (n - 1.0) / 2.0;
        let f = pfree / 75842.0;
        let f6 = f.powi(6);
        let d = f6 * (1.2 + 0.07 * f.sqrt()) / (f6 + 1.0);
        pfree * ((r_n - 2.0) * sin_a.powf(d) + 2.0)
    };
    let p_mach = || {
        let ln_sgr = sgr.ln();
        let a = (3.7 - 0.94 * ln_sgr).min(0.7);
        let b = 0.77 * ln_sgr - 3.8 - 18.0 / sgr;
        let c = a.max(b);
        // Twice-yield scaling of the free-air curve for the merged (Mach) shock.
        dna_free_air_pa(sgr / 2f64.cbrt()) / (1.0 - c * sin_a)
    };
    if sigma <= 0.0 {
        p_mach()
    } else if sigma >= 1.0 {
        p_reg()
    } else {
        p_reg() * sigma + p_mach() * (1.0 - sigma)
    }
}

// ---------------------------------------------------------------------------
// Range inversion
// ---------------------------------------------------------------------------

/// Smallest and largest scaled ground range searched (m / kt^(1/3)).
const SGR_MIN_M: f64 = 1.0;
const SGR_MAX_M: f64 = 200_000.0;
/// Number of geometric scan points used to bracket the outermost crossing.
const SCAN_POINTS: usize = 96;

/// Scaled ground range (m / kt^(1/3)) of the *outermost* point where the peak
/// overpressure equals `level_psi`, for scaled height `shob_m`. `None` when the level is
/// not reached anywhere on the ground. If the level is exceeded only directly under the
/// burst, returns the edge of that disc.
pub fn scaled_range_m(model: BlastModel, shob_m: f64, level_psi: f64) -> Option<f64> {
    let at = OverpressureAtHeight::new(model, shob_m);
    let ln_level = level_psi.ln();
    let f = |sgr: f64| at.psi(sgr).ln() - ln_level;
    // Geometric scan from the outside in, find the first sample (from outside) with f >= 0.
    let ratio = (SGR_MAX_M / SGR_MIN_M).powf(1.0 / (SCAN_POINTS - 1) as f64);
    let mut outer = SGR_MAX_M;
    let mut f_outer = f(outer);
    if f_outer >= 0.0 {
        return None; // level exceeded everywhere searched: outside fit domain
    }
    let mut inner;
    let mut f_inner;
    let mut i = SCAN_POINTS - 1;
    loop {
        if i == 0 {
            // Check directly below the burst (scaled range ~ 0).
            inner = 1e-3;
            f_inner = f(inner);
            if f_inner < 0.0 || !f_inner.is_finite() {
                return None;
            }
            break;
        }
        i -= 1;
        inner = SGR_MIN_M * ratio.powi(i as i32);
        f_inner = f(inner);
        if f_inner >= 0.0 {
            break;
        }
        outer = inner;
        f_outer = f_inner;
    }
    Some(solve_bracketed(&f, inner, f_inner, outer, f_outer))
}

/// Root of `f` in [a, b] with f(a) >= 0 > f(b): Illinois false position, falling back to
/// bisection; tolerance ~1e-13 relative.
pub(crate) fn solve_bracketed<F: Fn(f64) -> f64>(
    f: &F,
    mut a: f64,
    mut fa: f64,
    mut b: f64,
    mut fb: f64,
) -> f64 {
    let mut side = 0i32;
    for _ in 0..200 {
        if (b - a).abs() <= 1e-13 * b.abs().max(1e-12) {
            break;
        }
        let mut c = (a * fb - b * fa) / (fb - fa);
        if !c.is_finite() || c <= a.min(b) || c >= a.max(b) {
            c = 0.5 * (a + b);
        }
        let fc = f(c);
        if fc == 0.0 {
            return c;
        }
        if fc > 0.0 {
            a = c;
            fa = fc;
            if side == -1 {
                fb *= 0.5;
            }
            side = -1;
        } else {
            b = c;
            fb = fc;
            if side == 1 {
                fa *= 0.5;
            }
            side = 1;
        }
    }
    0.5 * (a + b)
}

/// Ground range (km) of the outermost point at `level_psi` for a burst of `yield_kt` at
/// `height_m`. `None` if the level is not reached on the ground.
pub fn overpressure_range_km(
    model: BlastModel,
    yield_kt: f64,
    height_m: f64,
    level_psi: f64,
) -> Option<f64> {
    let w13 = yield_kt.cbrt();
    scaled_range_m(model, height_m / w13, level_psi).map(|s| s * w13 / 1000.0)
}

/// Scaled height of burst (m / kt^(1/3)) that maximizes the ground range of `level_psi`,
/// found by golden-section search over [20, 1500] m. `optimum_height_m` caches it for
/// 5 psi.
pub fn optimum_scaled_height_m(model: BlastModel, level_psi: f64) -> f64 {
    let range = |h: f64| scaled_range_m(model, h, level_psi).unwrap_or(0.0);
    // Coarse scan first (the curve can have shoulders), then golden section.
    let mut best_h = 0.0;
    let mut best_r = range(0.0);
    let mut h = 10.0;
    while h <= 1500.0 {
        let r = range(h);
        if r > best_r {
            best_r = r;
            best_h = h;
        }
        h += 10.0;
    }
    let (mut a, mut b) = ((best_h - 10.0f64).max(0.0), best_h + 10.0);
    let gr = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - gr * (b - a);
    let mut d = a + gr * (b - a);
    let (mut fc, mut fd) = (range(c), range(d));
    for _ in 0..60 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - gr * (b - a);
            fc = range(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + gr * (b - a);
            fd = range(d);
        }
    }
    0.5 * (a + b)
}

/// Height of burst (m) that maximizes the 5 psi ground range for `yield_kt`
/// (scaled optimum computed once per model and cached).
pub fn optimum_height_m(model: BlastModel, yield_kt: f64) -> f64 {
    static BRODE: OnceLock<f64> = OnceLock::new();
    static DNA: OnceLock<f64> = OnceLock::new();
    let scaled = match model {
        BlastModel::Brode => *BRODE.get_or_init(|| optimum_scaled_height_m(model, 5.0)),
        BlastModel::Dna => *DNA.get_or_init(|| optimum_scaled_height_m(model, 5.0)),
    };
    scaled * yield_kt.cbrt()
}

/// Convert feet to metres (helper for tests and docs).
pub fn ft_to_m(ft: f64) -> f64 {
    ft * M_PER_FT
}
