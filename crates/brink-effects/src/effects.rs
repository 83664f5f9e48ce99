//! One burst: the table of ground ranges (fireball, overpressure, thermal, prompt
//! radiation) that `brink effects` prints.

use crate::blast::{self, BlastModel};
use crate::cex62::{self, Burn};
use crate::error::{EffectsError, check_height_m, check_yield_kt, positive};
use serde::{Deserialize, Serialize};

/// Where the weapon bursts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Burst {
    /// Contact (surface) burst: height 0, fallout.
    Surface,
    /// Air burst at this height above ground (m). `Height(0.0)` is treated like a surface burst.
    Height(f64),
    /// Height that maximizes the 5 psi ground range for the chosen blast model.
    Optimum,
}

/// A strike: yield, burst and blast model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Strike {
    /// Total yield (kt).
    pub yield_kt: f64,
    /// Burst height choice.
    pub burst: Burst,
    /// Blast model.
    pub model: BlastModel,
}

impl Strike {
    /// New strike with the default blast model (Brode).
    pub fn new(yield_kt: f64, burst: Burst) -> Self {
        Strike {
            yield_kt,
            burst,
            model: BlastModel::Brode,
        }
    }

    /// Validate and resolve the burst height (m).
    pub fn height_m(&self) -> Result<f64, EffectsError> {
        check_yield_kt(self.yield_kt)?;
        Ok(match self.burst {
            Burst::Surface => 0.0,
            Burst::Height(h) => check_height_m(h)?,
            Burst::Optimum => blast::optimum_height_m(self.model, self.yield_kt),
        })
    }

    /// True for a surface (contact) burst, which makes fallout and radiates 0.7 W of heat.
    pub fn is_surface(&self) -> bool {
        match self.burst {
            Burst::Surface => true,
            Burst::Height(h) => h == 0.0,
            Burst::Optimum => false,
        }
    }
}

/// Reference visibility of the CEX-62.2 thermal fits (km): 12 statute miles, the
/// "clear atmosphere" of Glasstone & Dolan 1977 ch. VII thermal curves. Assumption:
/// CEX-62.2 does not print its visibility; we take the G&D value.
pub const REFERENCE_VISIBILITY_KM: f64 = 12.0 * crate::units::KM_PER_MI;
/// Koschmieder constant: extinction coefficient = 3.912 / visual range (2% contrast).
pub const KOSCHMIEDER: f64 = 3.912;

/// Options for the range table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeOptions {
    /// Horizontal visibility (km) for the thermal transmission correction.
    pub visibility_km: f64,
}

impl Default for RangeOptions {
    fn default() -> Self {
        RangeOptions {
            visibility_km: REFERENCE_VISIBILITY_KM,
        }
    }
}

/// Ground ranges (km) of each effect level; `None` when the level is not reached on the
/// ground.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranges {
    /// Maximum fireball radius (km) — a radius, not a ground range (see docs).
    pub fireball: Option<f64>,
    /// Peak overpressure 20 psi.
    pub overpressure_20psi: Option<f64>,
    /// 10 psi.
    pub overpressure_10psi: Option<f64>,
    /// 5 psi.
    pub overpressure_5psi: Option<f64>,
    /// 3 psi.
    pub overpressure_3psi: Option<f64>,
    /// 1 psi.
    pub overpressure_1psi: Option<f64>,
    /// Thermal fluence for 3rd-degree burns (50%, G&D Fig. 12.65).
    pub thermal_3rd_degree: Option<f64>,
    /// 2nd-degree burns (50%).
    pub thermal_2nd_degree: Option<f64>,
    /// 1st-degree burns (50%).
    pub thermal_1st_degree: Option<f64>,
    /// Prompt radiation 500 rem (CEX-62.2 eq. 2-116).
    pub radiation_500rem: Option<f64>,
    /// Prompt radiation 100 rem.
    pub radiation_100rem: Option<f64>,
}

/// Fluence thresholds (cal/cm^2) used for the three thermal rings at this yield.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurnThresholds {
    /// 3rd degree, 50%.
    pub third_degree_cal_per_cm2: f64,
    /// 2nd degree, 50%.
    pub second_degree_cal_per_cm2: f64,
    /// 1st degree, 50%.
    pub first_degree_cal_per_cm2: f64,
}

impl BurnThresholds {
    /// Thresholds for `yield_kt`.
    pub fn for_yield(yield_kt: f64) -> Self {
        BurnThresholds {
            third_degree_cal_per_cm2: cex62::burn_threshold_cal_per_cm2(Burn::Third50, yield_kt),
            second_degree_cal_per_cm2: cex62::burn_threshold_cal_per_cm2(Burn::Second50, yield_kt),
            first_degree_cal_per_cm2: cex62::burn_threshold_cal_per_cm2(Burn::First50, yield_kt),
        }
    }
}

/// Ground range (km) from a slant range (km) and height (m); `None` if the slant range
/// does not reach the ground.
#[inline]
pub fn ground_from_slant_km(slant_km: f64, height_m: f64) -> Option<f64> {
    let h = height_m / 1000.0;
    if slant_km > h {
        Some((slant_km * slant_km - h * h).sqrt())
    } else {
        None
    }
}

/// Thermal fluence (cal/cm^2) at slant range `slant_km` including the visibility
/// correction: CEX-62.2 eq. 2-106 times exp(-(k(V) - k(V_ref)) D), k = 3.912 / V.
#[inline]
pub fn thermal_fluence_cal_per_cm2(
    yield_kt: f64,
    surface: bool,
    slant_km: f64,
    visibility_km: f64,
) -> f64 {
    let q = cex62::thermal_fluence_cal_per_cm2(yield_kt, surface, slant_km);
    q * visibility_factor(slant_km, visibility_km)
}

/// Transmission ratio relative to the reference visibility (Beer-Lambert with
/// Koschmieder extinction). Exactly 1 at the reference visibility.
#[inline]
pub fn visibility_factor(slant_km: f64, visibility_km: f64) -> f64 {
    if visibility_km == REFERENCE_VISIBILITY_KM {
        1.0
    } else {
        (-(KOSCHMIEDER / visibility_km - KOSCHMIEDER / REFERENCE_VISIBILITY_KM) * slant_km).exp()
    }
}

/// Slant range (km) at which the fluence equals `q`. At the reference visibility this is
/// eq. 2-108 in closed form; otherwise eq. 2-106 with the visibility factor is inverted
/// numerically (outermost crossing within 0.05-80 km).
pub fn thermal_slant_range_km(
    yield_kt: f64,
    surface: bool,
    q: f64,
    visibility_km: f64,
) -> Option<f64> {
    if visibility_km == REFERENCE_VISIBILITY_KM {
        return Some(cex62::thermal_slant_range_km(yield_kt, surface, q));
    }
    let f = |d: f64| thermal_fluence_cal_per_cm2(yield_kt, surface, d, visibility_km).ln() - q.ln();
    let (lo, hi): (f64, f64) = (1e-3, 400.0);
    let n = 200;
    let ratio = (hi / lo).powf(1.0 / n as f64);
    let mut outer = hi;
    let mut f_outer = f(outer);
    if f_outer >= 0.0 {
        return Some(hi);
    }
    for i in (0..n).rev() {
        let inner = lo * ratio.powi(i);
        let f_inner = f(inner);
        if f_inner >= 0.0 {
            return Some(blast::solve_bracketed(&f, inner, f_inner, outer, f_outer));
        }
        outer = inner;
        f_outer = f_inner;
    }
    None
}

/// Compute the range table for a strike.
pub fn ranges(strike: &Strike, opts: &RangeOptions) -> Result<(f64, Ranges), EffectsError> {
    let h = strike.height_m()?;
    positive("visibility_km", opts.visibility_km)?;
    let w = strike.yield_kt;
    let surface = strike.is_surface();
    let op = |psi: f64| blast::overpressure_range_km(strike.model, w, h, psi);
    let th = BurnThresholds::for_yield(w);
    let therm = |q: f64| {
        thermal_slant_range_km(w, surface, q, opts.visibility_km)
            .and_then(|s| ground_from_slant_km(s, h))
    };
    let rad = |rem: f64| ground_from_slant_km(cex62::prompt_radiation_slant_range_km(w, rem), h);
    Ok((
        h,
        Ranges {
            fireball: Some(cex62::fireball_radius_km(w, surface)),
            overpressure_20psi: op(20.0),
            overpressure_10psi: op(10.0),
            overpressure_5psi: op(5.0),
            overpressure_3psi: op(3.0),
            overpressure_1psi: op(1.0),
            thermal_3rd_degree: therm(th.third_degree_cal_per_cm2),
            thermal_2nd_degree: therm(th.second_degree_cal_per_cm2),
            thermal_1st_degree: therm(th.first_degree_cal_per_cm2),
            radiation_500rem: rad(500.0),
            radiation_100rem: rad(100.0),
        },
    ))
}

/// Fields of one burst on a square ground grid of `n` x `n` cell centres spanning
/// [-half_width_km, half_width_km] in east and north (row-major: row = north index).
#[derive(Debug, Clone)]
pub struct GridFields {
    /// Cells per side.
    pub n: usize,
    /// Peak overpressure (psi).
    pub overpressure_psi: Vec<f64>,
    /// Thermal fluence (cal/cm^2), slant range held at >= 0.05 mi (eq. 2-106 domain).
    pub thermal_cal_per_cm2: Vec<f64>,
    /// 7-day fallout dose (R ~ rem, unshielded); zeros for air bursts.
    pub dose_7day_rem: Vec<f64>,
}

/// Coordinate (km) of cell centre `i` of `n` over [-half, half].
#[inline]
pub fn grid_coord_km(i: usize, n: usize, half_width_km: f64) -> f64 {
    -half_width_km + 2.0 * half_width_km * (i as f64 + 0.5) / n as f64
}

pub use crate::grid::{grid_fields, grid_fields_per_point, grid_fields_reference};

/// 5 psi ground range (km) for each (yield kt, height m) pair (range inversion benchmark).
pub fn invert_ranges_km(
    model: BlastModel,
    pairs: &[(f64, f64)],
    level_psi: f64,
) -> Vec<Option<f64>> {
    pairs
        .iter()
        .map(|&(w, h)| blast::overpressure_range_km(model, w, h, level_psi))
        .collect()
}
