//! Casualty estimates: OTA (1979) overpressure-zone rates applied to a population model,
//! with thermal and fallout contributions computed separately and labelled as such.
//!
//! **The escalation ladder calls [`strike_casualties`]** (or [`strike_casualties_with`]
//! for non-default options). Both are pure and deterministic.

use crate::blast::{self, BlastModel};
use crate::cities;
use crate::effects::{self, BurnThresholds, Burst, REFERENCE_VISIBILITY_KM, Strike};
use crate::error::{EffectsError, finite, non_negative, positive};
use crate::fallout::{self, FalloutParams, Wseg10};
use serde::Serialize;
use std::f64::consts::PI;
use std::sync::OnceLock;

/// Radial population density profile inside a city radius R.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum DensityProfile {
    /// Same density everywhere inside R, zero outside.
    Uniform,
    /// Negative-exponential profile D(r) = D0 exp(-r / s) inside R, zero outside
    /// (C. Clark, "Urban population densities", J. Royal Statistical Society A 114(4),
    /// 1951). `scale_km` = s; `None` means s = R / 2 (assumption: central density about
    /// 3.4 times the mean, 59% of people inside R/2... see docs).
    Exponential {
        /// Density scale length s (km); `None` = R / 2.
        scale_km: Option<f64>,
    },
}

/// What is hit. Ground zero is the centre of the population.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A city of the bundled table (population, area); exponential profile with s = R/2
    /// inside the radius R of a disc of the city's area.
    City {
        /// City name (see `brink_effects::cities::cities()`).
        name: String,
    },
    /// A custom population of `total` people inside `radius_km`.
    Population {
        /// Number of people.
        total: f64,
        /// City radius (km).
        radius_km: f64,
        /// Radial density profile.
        profile: DensityProfile,
    },
    /// An unbounded uniform density (people per km^2).
    Uniform {
        /// Density (people / km^2).
        density_per_km2: f64,
    },
    /// A troop concentration: `count` soldiers spread uniformly over a disc of `area_km2`
    /// centred on ground zero. Assumption: the same OTA zone rates as for people at home
    /// (troops in field fortifications and vehicles are roughly as protected as people in
    /// houses; troops in the open are more vulnerable, so this is a lower bound for them).
    Troops {
        /// Number of soldiers.
        count: f64,
        /// Area occupied (km^2).
        area_km2: f64,
    },
}

/// Wind and weapon parameters for WSEG-10 fallout (surface bursts only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wind {
    /// Mean wind speed (km/h).
    pub speed_kmh: f64,
    /// Direction the wind blows from (degrees clockwise from north).
    pub from_deg: f64,
    /// Wind shear (mph/kft).
    pub shear_mph_per_kft: f64,
    /// Fission fraction of the yield (0-1].
    pub fission_fraction: f64,
}

impl Default for Wind {
    /// Hanifen's (1980) reference case: 15 mph (24.14 km/h) from the west, shear 0.23
    /// mph/kft. Fission fraction 0.5: assumption for a modern two-stage weapon (a pure
    /// fission weapon is 1.0).
    fn default() -> Self {
        Wind {
            speed_kmh: 15.0 * crate::units::KMH_PER_MPH,
            from_deg: 270.0,
            shear_mph_per_kft: fallout::DEFAULT_SHEAR_MPH_PER_KFT,
            fission_fraction: 0.5,
        }
    }
}

/// Casualty rates of one overpressure zone: from `min_psi` up to the next zone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ZoneRate {
    /// Lower overpressure bound of the zone (psi).
    pub min_psi: f64,
    /// Fraction killed.
    pub killed: f64,
    /// Fraction injured.
    pub injured: f64,
}

/// OTA, *The Effects of Nuclear War* (1979), ch. II, "Vulnerability of population in
/// various overpressure zones" (population at home, at night, no warning; blast only):
/// > 12 psi 98% killed 2% injured; 5-12 psi 50% / 40%; 2-5 psi 5% / 45%; 1-2 psi 0% / 25%.
pub const OTA_1979_RATES: [ZoneRate; 4] = [
    ZoneRate {
        min_psi: 12.0,
        killed: 0.98,
        injured: 0.02,
    },
    ZoneRate {
        min_psi: 5.0,
        killed: 0.50,
        injured: 0.40,
    },
    ZoneRate {
        min_psi: 2.0,
        killed: 0.05,
        injured: 0.45,
    },
    ZoneRate {
        min_psi: 1.0,
        killed: 0.00,
        injured: 0.25,
    },
];

/// Options of the casualty model (all documented in `docs/model/effects.md`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CasualtyOptions {
    /// Blast zone rates, highest overpressure first (default OTA 1979).
    pub zone_rates: [ZoneRate; 4],
    /// Visibility (km) for thermal transmission.
    pub visibility_km: f64,
    /// Share of blast-uninjured people exposed to the fireball's line of sight
    /// (outdoors or behind windows). Assumption: 0.25 (OTA's night-time, at-home case
    /// would be lower, a daytime case higher).
    pub thermal_exposed_fraction: f64,
    /// Share of exposed people with 3rd-degree burns who die (assumption 0.5: burn care
    /// for mass casualties would not exist; OTA 1979 ch. II notes the U.S. had ~2,000
    /// specialized burn beds).
    pub burn_lethality: f64,
    /// Wind for fallout (surface bursts only); `None` = no fallout computed.
    pub wind: Option<Wind>,
    /// Shielding protection factor against fallout gamma (dose divided by it).
    /// Assumption 3: people mostly indoors above ground in ordinary houses
    /// (Glasstone & Dolan 1977 ch. IX give ~2-3 for frame houses, ~10+ for basements).
    pub fallout_protection_factor: f64,
    /// Median lethal dose (rem) for acute whole-body exposure without medical care:
    /// 450 rem (Glasstone & Dolan 1977 §12.109).
    pub fallout_ld50_rem: f64,
    /// Log-normal width of the lethality curve; 0.2245 puts LD90 at 600 rem
    /// (assumption, consistent with G&D's "600 rem ... probably fatal").
    pub fallout_sigma_ln: f64,
    /// Dose (rem) above which survivors count as injured (radiation sickness):
    /// 100 rem (Glasstone & Dolan 1977 Table 12.108).
    pub fallout_injury_rem: f64,
    /// End of the dose window (hours after burst): 168 h = 7 days.
    pub dose_window_h: f64,
}

impl Default for CasualtyOptions {
    fn default() -> Self {
        CasualtyOptions {
            zone_rates: OTA_1979_RATES,
            visibility_km: REFERENCE_VISIBILITY_KM,
            thermal_exposed_fraction: 0.25,
            burn_lethality: 0.5,
            wind: Some(Wind::default()),
            fallout_protection_factor: 3.0,
            fallout_ld50_rem: 450.0,
            fallout_sigma_ln: 0.2245,
            fallout_injury_rem: 100.0,
            dose_window_h: fallout::SEVEN_DAYS_H,
        }
    }
}

/// Casualties in one blast zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneCasualties {
    /// Zone label, e.g. "5-12 psi".
    pub zone: String,
    /// Inner ground range (km).
    pub inner_km: f64,
    /// Outer ground range (km).
    pub outer_km: f64,
    /// People in the zone.
    pub population: f64,
    /// Killed by blast.
    pub killed: f64,
    /// Injured by blast.
    pub injured: f64,
}

/// Result of [`strike_casualties`]. `killed` / `injured` are the blast (OTA zone)
/// casualties; thermal and fallout contributions are separate and counted only among
/// people the earlier mechanism left uninjured (blast, then heat, then fallout), so the
/// totals do not double count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CasualtyEstimate {
    /// Height of burst used (m).
    pub height_m: f64,
    /// People inside the 1 psi ring.
    pub population_inside_1psi: f64,
    /// Killed by blast (OTA zone rates).
    pub killed: f64,
    /// Injured by blast.
    pub injured: f64,
    /// Per-zone breakdown (highest overpressure first).
    pub by_zone: Vec<ZoneCasualties>,
    /// Thermal: killed by 3rd-degree burns among blast-uninjured exposed people.
    pub thermal_killed: f64,
    /// Thermal: injured by 2nd/3rd-degree burns among blast-uninjured exposed people.
    pub thermal_injured: f64,
    /// Fallout (WSEG-10 dose to `dose_window_h`): killed, among people left uninjured.
    pub fallout_killed: f64,
    /// Fallout: radiation sickness among survivors.
    pub fallout_injured: f64,
    /// Whether fallout was computed (surface burst with wind).
    pub fallout_computed: bool,
    /// killed + thermal_killed + fallout_killed.
    pub total_killed: f64,
    /// injured + thermal_injured + fallout_injured.
    pub total_injured: f64,
}

/// Population model resolved from a [`Target`]: cumulative population within r.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PopModel {
    /// Density `d0 * exp(-r/s)` inside `r_max`.
    Exp { d0: f64, s: f64, r_max: f64 },
    /// Uniform density inside `r_max` (may be infinite).
    Uni { d: f64, r_max: f64 },
}

impl PopModel {
    pub(crate) fn from_target(t: &Target) -> Result<Self, EffectsError> {
        Ok(match t {
            Target::City { name } => {
                let c = cities::find_city(name)?;
                Self::exponential(c.population, c.equivalent_radius_km(), None)?
            }
            Target::Population {
                total,
                radius_km,
                profile,
            } => {
                non_negative("population total", *total)?;
                positive("city radius_km", *radius_km)?;
                match profile {
                    DensityProfile::Uniform => PopModel::Uni {
                        d: total / (PI * radius_km * radius_km),
                        r_max: *radius_km,
                    },
                    DensityProfile::Exponential { scale_km } => {
                        Self::exponential(*total, *radius_km, *scale_km)?
                    }
                }
            }
            Target::Uniform { density_per_km2 } => PopModel::Uni {
                d: non_negative("density_per_km2", *density_per_km2)?,
                r_max: f64::INFINITY,
            },
            Target::Troops { count, area_km2 } => {
                non_negative("troop count", *count)?;
                positive("troop area_km2", *area_km2)?;
                PopModel::Uni {
                    d: count / area_km2,
                    r_max: (area_km2 / PI).sqrt(),
                }
            }
        })
    }

    fn exponential(total: f64, r_max: f64, scale: Option<f64>) -> Result<Self, EffectsError> {
        let s = match scale {
            Some(s) => positive("density scale_km", s)?,
            None => r_max / 2.0,
        };
        let x = r_max / s;
        let mass = 2.0 * PI * s * s * (1.0 - (-x).exp() * (1.0 + x));
        Ok(PopModel::Exp {
            d0: total / mass,
            s,
            r_max,
        })
    }

    /// People within ground range r (km).
    #[inline]
    pub(crate) fn cumulative(&self, r: f64) -> f64 {
        match *self {
            PopModel::Exp { d0, s, r_max } => {
                let x = r.min(r_max) / s;
                2.0 * PI * d0 * s * s * (1.0 - (-x).exp() * (1.0 + x))
            }
            PopModel::Uni { d, r_max } => {
                let rr = r.min(r_max);
                d * PI * rr * rr
            }
        }
    }

    /// Density (people / km^2) at ground range r.
    #[inline]
    pub(crate) fn density(&self, r: f64) -> f64 {
        match *self {
            PopModel::Exp { d0, s, r_max } => {
                if r <= r_max {
                    d0 * (-r / s).exp()
                } else {
                    0.0
                }
            }
            PopModel::Uni { d, r_max } => {
                if r <= r_max {
                    d
                } else {
                    0.0
                }
            }
        }
    }
}

/// Scaled ground ranges (m / kt^(1/3)) of the four OTA zone boundaries for the cached
/// burst types (surface, optimum), per model.
fn cached_zone_scaled(model: BlastModel, burst: Burst, rates: &[ZoneRate; 4]) -> Option<[f64; 4]> {
    if rates != &OTA_1979_RATES {
        return None;
    }
    static CACHE: OnceLock<[[[f64; 4]; 2]; 2]> = OnceLock::new();
    let table = CACHE.get_or_init(|| {
        let mut t = [[[0.0; 4]; 2]; 2];
        for (mi, m) in [BlastModel::Brode, BlastModel::Dna].into_iter().enumerate() {
            let opt = blast::optimum_height_m(m, 1.0);
            for (bi, h) in [0.0, opt].into_iter().enumerate() {
                for (zi, z) in OTA_1979_RATES.iter().enumerate() {
                    t[mi][bi][zi] = blast::scaled_range_m(m, h, z.min_psi).unwrap_or(0.0);
                }
            }
        }
        t
    });
    let mi = match model {
        BlastModel::Brode => 0,
        BlastModel::Dna => 1,
    };
    match burst {
        Burst::Surface => Some(table[mi][0]),
        Burst::Optimum => Some(table[mi][1]),
        Burst::Height(0.0) => Some(table[mi][0]),
        Burst::Height(_) => None,
    }
}

/// Casualties of `strike` on `target` with default options ([`CasualtyOptions::default`]).
/// **This is the function the escalation ladder calls.**
pub fn strike_casualties(
    strike: &Strike,
    target: &Target,
) -> Result<CasualtyEstimate, EffectsError> {
    strike_casualties_with(strike, target, &CasualtyOptions::default())
}

/// Casualties with explicit options.
pub fn strike_casualties_with(
    strike: &Strike,
    target: &Target,
    opts: &CasualtyOptions,
) -> Result<CasualtyEstimate, EffectsError> {
    let h = strike.height_m()?;
    let w = strike.yield_kt;
    for (name, v) in [
        ("visibility_km", opts.visibility_km),
        ("fallout_protection_factor", opts.fallout_protection_factor),
        ("fallout_ld50_rem", opts.fallout_ld50_rem),
        ("fallout_sigma_ln", opts.fallout_sigma_ln),
        ("dose_window_h", opts.dose_window_h),
    ] {
        positive(name, v)?;
    }
    for (name, v) in [
        ("thermal_exposed_fraction", opts.thermal_exposed_fraction),
        ("burn_lethality", opts.burn_lethality),
    ] {
        if !(0.0..=1.0).contains(&finite(name, v)?) {
            return Err(EffectsError::OutOfRange {
                name,
                problem: "must be between 0 and 1",
                value: v,
            });
        }
    }
    let pop = PopModel::from_target(target)?;
    let w13 = w.cbrt();
    let rates = &opts.zone_rates;
    // Zone boundary ground ranges (km), highest psi first.
    let zone_r: [f64; 4] = match cached_zone_scaled(strike.model, strike.burst, rates) {
        Some(s) => s.map(|x| x * w13 / 1000.0),
        None => rates
            .map(|z| blast::overpressure_range_km(strike.model, w, h, z.min_psi).unwrap_or(0.0)),
    };
    // Enforce nesting (outermost crossings are nested in theory; guard rounding).
    let mut zr = zone_r;
    for i in 1..4 {
        zr[i] = zr[i].max(zr[i - 1]);
    }
    let surface = strike.is_surface();
    let th = BurnThresholds::for_yield(w);
    let therm = |q: f64| {
        effects::thermal_slant_range_km(w, surface, q, opts.visibility_km)
            .and_then(|s| effects::ground_from_slant_km(s, h))
            .unwrap_or(0.0)
    };
    let t3 = therm(th.third_degree_cal_per_cm2);
    let t2 = therm(th.second_degree_cal_per_cm2).max(t3);

    // Blast zone index for a ground range (None = outside the last zone).
    let zone_of = |r: f64| zr.iter().position(|&b| r < b);
    let uninjured_blast =
        |r: f64| zone_of(r).map_or(1.0, |i| 1.0 - rates[i].killed - rates[i].injured);
    let thermal_hit = |r: f64| {
        if r < t2 {
            opts.thermal_exposed_fraction
        } else {
            0.0
        }
    };

    let mut cuts: Vec<f64> = vec![0.0, zr[0], zr[1], zr[2], zr[3], t3, t2];
    cuts.sort_by(|a, b| a.total_cmp(b));
    cuts.dedup();
    let mut by_zone: Vec<ZoneCasualties> = (0..4)
        .map(|i| ZoneCasualties {
            zone: if i == 0 {
                format!("> {} psi", rates[0].min_psi)
            } else {
                format!("{}-{} psi", rates[i].min_psi, rates[i - 1].min_psi)
            },
            inner_km: if i == 0 { 0.0 } else { zr[i - 1] },
            outer_km: zr[i],
            population: 0.0,
            killed: 0.0,
            injured: 0.0,
        })
        .collect();
    let (mut thermal_killed, mut thermal_injured) = (0.0, 0.0);
    for win in cuts.windows(2) {
        let (a, b) = (win[0], win[1]);
        let n = pop.cumulative(b) - pop.cumulative(a);
        if n <= 0.0 {
            continue;
        }
        let mid = 0.5 * (a + b);
        let u = if let Some(i) = zone_of(mid) {
            let z = &mut by_zone[i];
            z.population += n;
            z.killed += n * rates[i].killed;
            z.injured += n * rates[i].injured;
            1.0 - rates[i].killed - rates[i].injured
        } else {
            1.0
        };
        let burned = n * u * thermal_hit(mid);
        if mid < t3 {
            thermal_killed += burned * opts.burn_lethality;
            thermal_injured += burned * (1.0 - opts.burn_lethality);
        } else {
            thermal_injured += burned;
        }
    }
    let killed: f64 = by_zone.iter().map(|z| z.killed).sum();
    let injured: f64 = by_zone.iter().map(|z| z.injured).sum();

    let (mut fallout_killed, mut fallout_injured, mut fallout_computed) = (0.0, 0.0, false);
    if let (true, Some(wind)) = (surface, opts.wind) {
        positive("wind speed_kmh", wind.speed_kmh)?;
        finite("wind from_deg", wind.from_deg)?;
        non_negative("wind shear", wind.shear_mph_per_kft)?;
        let ff = positive("fission_fraction", wind.fission_fraction)?;
        if ff > 1.0 {
            return Err(EffectsError::OutOfRange {
                name: "fission_fraction",
                problem: "must be <= 1",
                value: ff,
            });
        }
        fallout_computed = true;
        let model = Wseg10::new(&FalloutParams {
            yield_kt: w,
            fission_fraction: ff,
            wind_kmh: wind.speed_kmh,
            wind_from_deg: 270.0, // the population is radially symmetric: direction is irrelevant
            shear_mph_per_kft: wind.shear_mph_per_kft,
        });
        let level = opts.fallout_injury_rem * opts.fallout_protection_factor;
        let (x0, x1) = model.axis_extent_km(level, opts.dose_window_h);
        if x1 > x0 {
            let nx = 96;
            let ny = 32;
            let dx = (x1 - x0) / nx as f64;
            for ix in 0..nx {
                let x = x0 + (ix as f64 + 0.5) * dx;
                let (axis, width) = model.axis_dose_and_width_km(x, opts.dose_window_h);
                if axis <= level {
                    continue;
                }
                let y_max = width * (2.0 * (axis / level).ln()).sqrt();
                let dy = 2.0 * y_max / ny as f64;
                for iy in 0..ny {
                    let y = -y_max + (iy as f64 + 0.5) * dy;
                    let r = (x * x + y * y).sqrt();
                    let dens = pop.density(r);
                    if dens == 0.0 {
                        continue;
                    }
                    let dose =
                        axis * (-0.5 * (y / width).powi(2)).exp() / opts.fallout_protection_factor;
                    if dose < opts.fallout_injury_rem {
                        continue;
                    }
                    let left = dens * dx * dy * uninjured_blast(r) * (1.0 - thermal_hit(r));
                    let p = fallout::normal_cdf(
                        (dose / opts.fallout_ld50_rem).ln() / opts.fallout_sigma_ln,
                    );
                    fallout_killed += left * p;
                    fallout_injured += left * (1.0 - p);
                }
            }
        }
    }
    Ok(CasualtyEstimate {
        height_m: h,
        population_inside_1psi: pop.cumulative(zr[3]),
        killed,
        injured,
        by_zone,
        thermal_killed,
        thermal_injured,
        fallout_killed,
        fallout_injured,
        fallout_computed,
        total_killed: killed + thermal_killed + fallout_killed,
        total_injured: injured + thermal_injured + fallout_injured,
    })
}
