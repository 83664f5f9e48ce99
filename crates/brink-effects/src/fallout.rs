//! WSEG-10 local fallout (Weapons Systems Evaluation Group, 1959), as documented by
//! D. W. Hanifen, *Documentation and Analysis of the WSEG-10 Fallout Prediction Model*,
//! AFIT thesis GNE/PH/80M-4, 1980. The model works in its native units (Mt, statute
//! miles, mph, kft, hours); this module converts at the boundary so callers use km, km/h,
//! degrees and kt, with ground zero anywhere and any wind direction.
//!
//! Decay: Way-Wigner t^-1.2 (Glasstone & Dolan 1977 §9.145); the dose between ta and tb
//! hours is 5 R1 (ta^-0.2 - tb^-0.2), R1 the H+1 reference dose rate.

use crate::units::{KM_PER_MI, KMH_PER_MPH};

/// Standard normal CDF.
#[inline]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Inputs to WSEG-10.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FalloutParams {
    /// Total yield (kt).
    pub yield_kt: f64,
    /// Fission fraction, 0 < f <= 1.
    pub fission_fraction: f64,
    /// Effective (mean) wind speed (km/h), > 0.
    pub wind_kmh: f64,
    /// Direction the wind blows *from*, degrees clockwise from north (270 = from the west,
    /// fallout goes east).
    pub wind_from_deg: f64,
    /// Wind shear (mph per kft), Hanifen's typical value 0.23.
    pub shear_mph_per_kft: f64,
}

/// Hanifen's typical wind shear (mph/kft), used in his worked cases.
pub const DEFAULT_SHEAR_MPH_PER_KFT: f64 = 0.23;
/// End of the "7-day" dose integration, hours after burst.
pub const SEVEN_DAYS_H: f64 = 168.0;

/// Precomputed WSEG-10 cloud and deposition parameters for one burst.
#[derive(Debug, Clone, Copy)]
pub struct Wseg10 {
    yield_mt: f64,
    ff: f64,
    wind_mph: f64,
    shear: f64,
    /// Unit vector of the downwind direction (east, north).
    down_e: f64,
    down_n: f64,
    /// Cloud centre height (kft).
    pub cloud_height_kft: f64,
    /// Initial cloud radius sigma_0 (mi).
    pub sigma0_mi: f64,
    sigma_h: f64,
    /// Time constant T_c (h).
    pub tc_h: f64,
    l0: f64,
    l0sq: f64,
    sx: f64,
    sx2: f64,
    l: f64,
    lsq: f64,
    n: f64,
    alpha1: f64,
    g_norm: f64,
    hw: f64,
}

impl Wseg10 {
    /// Precompute the cloud parameters (Hanifen 1980, ch. III, eqs for H_c, sigma_0,
    /// sigma_h, T_c, L_0, sigma_x, L, n, alpha_1).
    pub fn new(p: &FalloutParams) -> Self {
        let y = p.yield_kt / 1000.0;
        let ln_y = y.ln();
        let wind = p.wind_kmh / KMH_PER_MPH;
        let d = ln_y + 2.42;
        let hc = 44.0 + 6.1 * ln_y - 0.205 * d.abs() * d;
        let s0 = (0.7 + ln_y / 3.0 - 3.25 / (4.0 + (ln_y + 5.4).powi(2))).exp();
        let s02 = s0 * s0;
        let sh = 0.18 * hc;
        let h60 = hc / 60.0;
        let tc =
            1.0573203 * (12.0 * h60 - 2.5 * h60 * h60) * (1.0 - 0.5 * (-(hc / 25.0).powi(2)).exp());
        let l0 = wind * tc;
        let l0sq = l0 * l0;
        let sx2 = s02 * (l0sq + 8.0 * s02) / (l0sq + 2.0 * s02);
        let sx = sx2.sqrt();
        let lsq = l0sq + 2.0 * sx2;
        let l = lsq.sqrt();
        let n = (p.fission_fraction * l0sq + sx2) / (l0sq + 0.5 * sx2);
        let hw = 0.001 * hc * wind / s0;
        let alpha1 = 1.0 / (1.0 + hw);
        let g_norm = 1.0 / (l * libm::tgamma(1.0 + 1.0 / n));
        let b = (p.wind_from_deg + 180.0).to_radians();
        Wseg10 {
            yield_mt: y,
            ff: p.fission_fraction,
            wind_mph: wind,
            shear: p.shear_mph_per_kft,
            down_e: b.sin(),
            down_n: b.cos(),
            cloud_height_kft: hc,
            sigma0_mi: s0,
            sigma_h: sh,
            tc_h: tc,
            l0,
            l0sq,
            sx,
            sx2,
            l,
            lsq,
            n,
            alpha1,
            g_norm,
            hw,
        }
    }

    /// Rotate (east, north) km relative to ground zero into (downwind, crosswind) miles.
    #[inline]
    pub fn to_wind_frame_mi(&self, east_km: f64, north_km: f64) -> (f64, f64) {
        let u = east_km * self.down_e + north_km * self.down_n;
        let v = -east_km * self.down_n + north_km * self.down_e;
        (u / KM_PER_MI, v / KM_PER_MI)
    }

    /// Downwind factor f_x (R/h x mi) and crosswind width parameter alpha_2 sigma_y (mi)
    /// at downwind distance `x_mi`: the dose rate is f_x exp(-y^2 / (2 w^2)) / (sqrt(2 pi) sigma_y).
    #[inline]
    pub fn downwind_terms(&self, x: f64) -> (f64, f64, f64) {
        let g = (-(x.abs() / self.l).powf(self.n)).exp() * self.g_norm;
        let phi = normal_cdf((self.l0 / self.l) * x / (self.sx * self.alpha1));
        let fx = self.yield_mt * 2e6 * phi * g * self.ff;
        let s02 = self.sigma0_mi * self.sigma0_mi;
        let xs = x + 2.0 * self.sx;
        let k = self.tc_h * self.sigma_h * self.shear;
        let sy2 = s02
            + 8.0 * xs.abs() * s02 / self.l
            + 2.0 * (self.sx * k).powi(2) / self.lsq
            + (xs * self.l0 * k).powi(2) / (self.lsq * self.lsq);
        let sy = sy2.sqrt();
        let a2 = 1.0 / (1.0 + self.hw * (1.0 - normal_cdf(2.0 * x / self.wind_mph)));
        (fx, sy, a2 * sy)
    }

    /// Unit vector (east, north) of the downwind direction.
    #[inline]
    pub fn downwind_unit(&self) -> (f64, f64) {
        (self.down_e, self.down_n)
    }

    /// The factors of the dose up to `t_end_h` that depend only on the downwind distance
    /// `x_mi`: dose(x, y) = amp * exp(-0.5 (y * inv_w)^2), y the crosswind distance (mi).
    /// `tb_pow` must be `t_end_h.powf(-0.2)` (hoisted by the caller). Same equations as
    /// [`Self::dose_r`], regrouped so that a grid evaluates them once per downwind
    /// coordinate.
    #[inline]
    pub fn dose_factors(&self, x_mi: f64, t_end_h: f64, tb_pow: f64) -> (f64, f64) {
        let (fx, sy, w) = self.downwind_terms(x_mi);
        let ta = self.arrival_time_h(x_mi);
        let amp = if t_end_h <= ta {
            0.0
        } else {
            5.0 * fx / ((2.0 * std::f64::consts::PI).sqrt() * sy) * (ta.powf(-0.2) - tb_pow)
        };
        (amp, 1.0 / w)
    }

    /// H+1 reference dose rate (R/h) at (`east_km`, `north_km`) from ground zero: the dose
    /// rate at H+1 of all the activity that will be deposited there (Hanifen's D_H+1).
    #[inline]
    pub fn h1_dose_rate_r_per_h(&self, east_km: f64, north_km: f64) -> f64 {
        let (x, y) = self.to_wind_frame_mi(east_km, north_km);
        self.h1_wind_frame(x, y)
    }

    /// Same as [`Self::h1_dose_rate_r_per_h`] in the wind frame (miles).
    #[inline]
    pub fn h1_wind_frame(&self, x_mi: f64, y_mi: f64) -> f64 {
        let (fx, sy, w) = self.downwind_terms(x_mi);
        fx * (-0.5 * (y_mi / w).powi(2)).exp() / ((2.0 * std::f64::consts::PI).sqrt() * sy)
    }

    /// Mean fallout arrival time (h) at downwind distance `x_mi` (Hanifen 1980):
    /// t_a = sqrt(0.25 + L0^2 (x + 2 sigma_x)^2 T_c^2 / (L^2 (L0^2 + sigma_x^2/2))
    ///            + 2 sigma_x^2 T_1^2 / (L0^2 + sigma_x^2/2)), T_1 = 1 h; minimum 0.5 h.
    /// (The glasstone library reads (x + 2 sigma_x^2); we use the squared sum, see README.)
    #[inline]
    pub fn arrival_time_h(&self, x_mi: f64) -> f64 {
        let den = self.l0sq + 0.5 * self.sx2;
        let xs = x_mi + 2.0 * self.sx;
        (0.25
            + self.l0sq * xs * xs * self.tc_h * self.tc_h / (self.lsq * den)
            + 2.0 * self.sx2 / den)
            .sqrt()
    }

    /// Dose (R, taken as rem for gamma) accumulated from arrival to `t_end_h` hours after
    /// burst at a point, unshielded: 5 R1 (ta^-0.2 - tb^-0.2).
    #[inline]
    pub fn dose_r(&self, east_km: f64, north_km: f64, t_end_h: f64) -> f64 {
        let (x, y) = self.to_wind_frame_mi(east_km, north_km);
        let r1 = self.h1_wind_frame(x, y);
        decay_dose(r1, self.arrival_time_h(x), t_end_h)
    }

    /// 7-day dose (R) at a point.
    #[inline]
    pub fn dose_7day_r(&self, east_km: f64, north_km: f64) -> f64 {
        self.dose_r(east_km, north_km, SEVEN_DAYS_H)
    }

    /// Hotline 7-day dose (R) and crosswind Gaussian width (km) at downwind distance
    /// `x_km`: dose(x, y) = axis * exp(-y^2 / (2 width^2)).
    #[inline]
    pub fn axis_dose_and_width_km(&self, x_km: f64, t_end_h: f64) -> (f64, f64) {
        let x = x_km / KM_PER_MI;
        let (fx, sy, w) = self.downwind_terms(x);
        let r1 = fx / ((2.0 * std::f64::consts::PI).sqrt() * sy);
        (
            decay_dose(r1, self.arrival_time_h(x), t_end_h),
            w * KM_PER_MI,
        )
    }

    /// Area (km^2) where the dose up to `t_end_h` is at least `level_r`, by integrating the
    /// exact Gaussian crosswind width of the contour along the downwind axis.
    pub fn contour_area_km2(&self, level_r: f64, t_end_h: f64) -> f64 {
        let (x0, x1) = self.axis_extent_km(level_r, t_end_h);
        if x1 <= x0 {
            return 0.0;
        }
        let n = 4000;
        let dx = (x1 - x0) / n as f64;
        let mut area = 0.0;
        for i in 0..n {
            let x = x0 + (i as f64 + 0.5) * dx;
            let (d, w) = self.axis_dose_and_width_km(x, t_end_h);
            if d > level_r {
                area += 2.0 * w * (2.0 * (d / level_r).ln()).sqrt() * dx;
            }
        }
        area
    }

    /// Downwind interval (km) where the hotline dose is at least `level_r` (outermost
    /// crossings, found by scanning; empty interval if never reached).
    pub fn axis_extent_km(&self, level_r: f64, t_end_h: f64) -> (f64, f64) {
        let f = |x: f64| self.axis_dose_and_width_km(x, t_end_h).0 - level_r;
        let mut lo = f64::NAN;
        let mut hi = f64::NAN;
        let mut x = -5.0 * self.sigma0_mi * KM_PER_MI - 5.0;
        let max_x = 50.0 * self.l * KM_PER_MI + 100.0;
        // 600 scan steps over the whole span; crossings are then bisected.
        let step = (max_x - x) / 600.0;
        let mut prev_x = x;
        let mut prev = f(x);
        while x < max_x {
            x += step.max(0.01);
            let cur = f(x);
            if prev < 0.0 && cur >= 0.0 && lo.is_nan() {
                lo = bisect(&f, prev_x, x);
            }
            if prev >= 0.0 && cur < 0.0 {
                hi = bisect(&f, prev_x, x);
            }
            prev = cur;
            prev_x = x;
        }
        if lo.is_nan() || hi.is_nan() {
            (0.0, 0.0)
        } else {
            (lo, hi)
        }
    }
}

/// Way-Wigner dose from arrival `ta_h` to `tb_h`: 5 R1 (ta^-0.2 - tb^-0.2), 0 if tb <= ta.
#[inline]
pub fn decay_dose(r1: f64, ta_h: f64, tb_h: f64) -> f64 {
    if tb_h <= ta_h {
        0.0
    } else {
        5.0 * r1 * (ta_h.powf(-0.2) - tb_h.powf(-0.2))
    }
}

fn bisect<F: Fn(f64) -> f64>(f: &F, mut a: f64, mut b: f64) -> f64 {
    let fa0 = f(a) >= 0.0;
    for _ in 0..60 {
        let m = 0.5 * (a + b);
        if (f(m) >= 0.0) == fa0 {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}
