//! Curve fits of Fletcher, Albright, Perret, Franklin, Bowen & White, *Nuclear Bomb
//! Effects Computer (Including Slide-rule Design and Curve Fits for Weapons Effects)*,
//! CEX-62.2, U.S. Atomic Energy Commission, 1963 — the fits behind the circular slide
//! rule of Glasstone (1962/1964) and the ones NUKEMAP (A. Wellerstein) uses — plus
//! NUKEMAP's fits of Glasstone & Dolan 1977 Fig. 12.65 burn thresholds.
//!
//! Most fits are polynomials in log10 of the input: log10(out) = sum a_i (log10 in)^i.
//! Distances in these fits are statute miles, heights feet, yields kt.

// Coefficients are kept exactly as published/fitted.
#![allow(clippy::excessive_precision)]

use crate::units::{KM_PER_MI, M_PER_FT};

/// Evaluate 10^(sum a_i (log10 x)^i).
#[inline]
pub fn log_poly(coeffs: &[f64], x: f64) -> f64 {
    let l = x.log10();
    let mut acc = 0.0;
    for &c in coeffs.iter().rev() {
        acc = acc * l + c;
    }
    10f64.powf(acc)
}

/// CEX-62.2 eq. 2-5: surface burst, scaled ground range (mi / kt^(1/3)) from peak
/// overpressure (psi). Valid 0.1-200 psi.
pub const EQ_2_5: [f64; 4] = [-0.1307982, -0.6836211, 0.1091296, -0.0167348];
/// CEX-62.2 eq. 2-61: burst at the optimum height for that overpressure, scaled ground
/// range (mi / kt^(1/3)) from psi. Valid 1-200 psi.
pub const EQ_2_61: [f64; 4] = [0.1292768, -0.7227471, 0.0147366, 0.0135239];
/// CEX-62.2 eq. 2-78: optimum scaled height of burst (ft / kt^(1/3)) for a given psi.
/// Valid 1-200 psi.
pub const EQ_2_78: [f64; 2] = [3.2015016, -0.3263444];
/// CEX-62.2 eq. 2-106: thermal fluence per kt (cal/cm^2/kt) from (slant) distance (mi).
/// Air bursts use W, surface bursts 0.7 W. Valid 0.05-50 mi.
pub const EQ_2_106: [f64; 4] = [-0.0401874, -2.0823477, -0.0511744, -0.0074958];
/// CEX-62.2 eq. 2-108: (slant) distance (mi) from thermal fluence per kt
/// (cal/cm^2/kt; W for air bursts, 0.7 W for surface bursts). Valid 1e-4-100.
pub const EQ_2_108: [f64; 4] = [-0.0193419, -0.4804553, -0.0055685, 0.0002013];

/// Surface-burst ground range (km) for `psi` (CEX-62.2 eq. 2-5, cube-root scaled).
pub fn surface_overpressure_range_km(yield_kt: f64, psi: f64) -> f64 {
    log_poly(&EQ_2_5, psi) * yield_kt.cbrt() * KM_PER_MI
}

/// Ground range (km) for `psi` when the burst is at the optimum height for that psi
/// (CEX-62.2 eq. 2-61).
pub fn optimum_overpressure_range_km(yield_kt: f64, psi: f64) -> f64 {
    log_poly(&EQ_2_61, psi) * yield_kt.cbrt() * KM_PER_MI
}

/// Optimum height of burst (m) for `psi` (CEX-62.2 eq. 2-78).
pub fn optimum_height_for_psi_m(yield_kt: f64, psi: f64) -> f64 {
    log_poly(&EQ_2_78, psi) * yield_kt.cbrt() * M_PER_FT
}

/// Effective thermal yield factor: surface bursts radiate as 0.7 W (CEX-62.2, eq. 2-106
/// and 2-108 notes; Glasstone & Dolan 1977 §7.88).
pub const SURFACE_THERMAL_FACTOR: f64 = 0.7;

/// Thermal fluence (cal/cm^2) at slant distance `slant_km` (CEX-62.2 eq. 2-106),
/// at the fit's reference visibility.
#[inline]
pub fn thermal_fluence_cal_per_cm2(yield_kt: f64, surface: bool, slant_km: f64) -> f64 {
    let w = if surface {
        SURFACE_THERMAL_FACTOR * yield_kt
    } else {
        yield_kt
    };
    log_poly(&EQ_2_106, slant_km / KM_PER_MI) * w
}

/// Eq. 2-106 for a precomputed effective yield `w_eff` (kt; 0.7 W for surface bursts),
/// with log10 and 10^p taken through one `ln` and one `exp`. Same numbers as
/// [`thermal_fluence_cal_per_cm2`] to ~1e-15 relative; used on grids.
#[inline]
pub fn thermal_fluence_weff(w_eff: f64, slant_km: f64) -> f64 {
    let l = (slant_km / KM_PER_MI).ln() * std::f64::consts::LOG10_E;
    let mut acc = 0.0;
    for &c in EQ_2_106.iter().rev() {
        acc = acc * l + c;
    }
    (acc * std::f64::consts::LN_10).exp() * w_eff
}

/// Slant distance (km) at which the fluence is `q_cal_per_cm2` (CEX-62.2 eq. 2-108),
/// at the fit's reference visibility.
#[inline]
pub fn thermal_slant_range_km(yield_kt: f64, surface: bool, q_cal_per_cm2: f64) -> f64 {
    let w = if surface {
        SURFACE_THERMAL_FACTOR * yield_kt
    } else {
        yield_kt
    };
    log_poly(&EQ_2_108, q_cal_per_cm2 / w) * KM_PER_MI
}

/// Burn thresholds of Glasstone & Dolan 1977 Fig. 12.65 (50% probability for an exposed,
/// unshielded population), as fitted for NUKEMAP: Q(cal/cm^2) = sum a_i (ln W)^i,
/// W in kt, fitted over 1 kt - 20 Mt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Burn {
    /// First-degree burns, 50%.
    First50,
    /// Second-degree burns, 50%.
    Second50,
    /// Third-degree burns, 50%.
    Third50,
    /// Third-degree burns, 100%.
    Third100,
}

const FIG_12_65_1ST_50: [f64; 6] = [
    1.93566176470914,
    0.325315457507999,
    -0.113516274769641,
    0.0300971575115961,
    -0.00330445814836616,
    0.000129665656335876,
];
const FIG_12_65_2ND_50: [f64; 6] = [
    4.0147058823566697,
    0.37180525416799937,
    -0.045026131075683193,
    0.013549565337157871,
    -0.0016559848551158524,
    7.0380159845451207e-05,
];
const FIG_12_65_3RD_50: [f64; 6] = [
    5.9981617647112317,
    0.53350791551060528,
    -0.023435878115600033,
    0.010395274013807305,
    -0.0014366360115630195,
    6.3930657856814399e-05,
];
const FIG_12_65_3RD_100: [f64; 6] = [
    7.0018382352996857,
    0.55437306382914320,
    0.056501270479506649,
    -0.015219252753643841,
    0.0017062986685328282,
    -0.000067950215125955893,
];

/// Burn threshold (cal/cm^2) for `yield_kt`. Outside the fitted range 1 kt - 20 Mt the
/// yield is clamped to the nearest end (a 5th-degree polynomial must not be extrapolated).
pub fn burn_threshold_cal_per_cm2(burn: Burn, yield_kt: f64) -> f64 {
    let c = match burn {
        Burn::First50 => &FIG_12_65_1ST_50,
        Burn::Second50 => &FIG_12_65_2ND_50,
        Burn::Third50 => &FIG_12_65_3RD_50,
        Burn::Third100 => &FIG_12_65_3RD_100,
    };
    let l = yield_kt.clamp(1.0, 20_000.0).ln();
    c.iter().rev().fold(0.0, |acc, &a| acc * l + a)
}

/// CEX-62.2 eq. 2-116 coefficients: log10 of the slant range (mi) at which the initial
/// (prompt) nuclear radiation dose is `I` rem, as a polynomial in log10 I and log10 W.
/// The sign of the log10(I)^3 coefficient (-0.0032363) follows NUKEMAP, which notes that
/// the positive sign of the printed original gives nonsense (a misprint).
struct Eq2116;
impl Eq2116 {
    const A: f64 = 0.1237561;
    const B: f64 = 0.0994027;
    const C: f64 = 0.0011878;
    const D: f64 = -0.0002481;
    const E: f64 = 0.0000096;
    const F: f64 = -0.1308215;
    const G: f64 = 0.0009881;
    const H: f64 = -0.0032363;
    const I: f64 = 0.0000111;
    const A_: f64 = 0.0143624;
    const B_: f64 = -0.0000816;
    const C_: f64 = -0.0000014;
    const D_: f64 = 0.0054734;
    const E_: f64 = -0.0003272;
    const F_: f64 = 0.0000106;
    const G_: f64 = -0.0001220;
    const H_: f64 = 0.0000217;
    const I_: f64 = -0.0000006;
}

/// Slant range (km) at which the prompt radiation dose is `dose_rem` (CEX-62.2 eq. 2-116;
/// official validity 1 kt - 20 Mt, 1 - 1e8 rem).
pub fn prompt_radiation_slant_range_km(yield_kt: f64, dose_rem: f64) -> f64 {
    let li = dose_rem.log10();
    let li2 = li * li;
    let li3 = li2 * li;
    let lw = yield_kt.log10();
    let lw3 = lw * lw * lw;
    let lw5 = lw3 * lw * lw;
    let lw7 = lw5 * lw * lw;
    type E = Eq2116;
    let log_d = E::A
        + (E::B + E::A_ * li + E::D_ * li2 + E::G_ * li3) * lw
        + (E::C + E::B_ * li + E::E_ * li2 + E::H_ * li3) * lw3
        + (E::D + E::C_ * li + E::F_ * li2 + E::I_ * li3) * lw5
        + E::E * lw7
        + E::F * li
        + E::G * li2
        + E::H * li3
        + E::I * li2 * li3;
    10f64.powf(log_d) * KM_PER_MI
}

/// Maximum fireball radius (km): 0.04924 W^0.4 mi for surface bursts, 0.03788 W^0.4 mi
/// for air bursts (fits used by NUKEMAP, after Glasstone & Dolan 1977 ch. II / CEX-62.2).
pub fn fireball_radius_km(yield_kt: f64, surface: bool) -> f64 {
    let c = if surface { 0.04924 } else { 0.03788 };
    c * yield_kt.powf(0.4) * KM_PER_MI
}
