//! `brink effects`: the command-line front end. The only module that does I/O.

use crate::blast::BlastModel;
use crate::casualties::{
    CasualtyEstimate, CasualtyOptions, DensityProfile, Target, Wind, strike_casualties_with,
};
use crate::effects::{
    BurnThresholds, Burst, REFERENCE_VISIBILITY_KM, RangeOptions, Ranges, Strike, ranges,
};
use crate::error::{EffectsError, finite, positive};
use crate::fallout::{FalloutParams, SEVEN_DAYS_H, Wseg10};
use crate::svg::{self, FalloutDrawing};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Burst choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BurstArg {
    /// Contact burst (height 0), with fallout.
    Surface,
    /// Height that maximizes the 5 psi ground range.
    Optimum,
}

/// Blast model on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Brode 1986 fit (default).
    Brode,
    /// DNA 1 kt standard.
    Dna,
}

/// Density profile on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// Negative exponential, scale = radius / 2 (default).
    Exponential,
    /// Uniform inside the radius.
    Uniform,
}

/// Arguments of `brink effects`.
#[derive(Debug, Clone, Args)]
#[command(
    about = "Consequences of a nuclear detonation: blast, heat, prompt radiation, fallout, casualties"
)]
pub struct EffectsArgs {
    /// Yield in kilotons (0 < Y <= 100000).
    #[arg(long, allow_negative_numbers = true)]
    pub yield_kt: f64,
    /// Height of burst in metres (air burst). Conflicts with --burst.
    #[arg(long, allow_negative_numbers = true, conflicts_with = "burst")]
    pub height_m: Option<f64>,
    /// Burst type when no --height-m is given: surface or optimum (maximizes the 5 psi range).
    #[arg(long, value_enum)]
    pub burst: Option<BurstArg>,
    /// Blast model.
    #[arg(long, value_enum, default_value = "brode")]
    pub model: ModelArg,
    /// Horizontal visibility (km) for thermal transmission; default = the CEX-62.2 fits'
    /// reference (12 statute miles, 19.31 km).
    #[arg(long, allow_negative_numbers = true)]
    pub visibility_km: Option<f64>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Mean wind speed (km/h) for WSEG-10 fallout (surface bursts).
    #[arg(long, allow_negative_numbers = true)]
    pub wind_kmh: Option<f64>,
    /// Direction the wind blows from, degrees clockwise from north.
    #[arg(long, allow_negative_numbers = true, default_value_t = 270.0)]
    pub wind_from_deg: f64,
    /// Fission fraction of the yield, (0, 1].
    #[arg(long, allow_negative_numbers = true, default_value_t = 1.0)]
    pub fission_fraction: f64,
    /// Wind shear (mph per 1000 ft), WSEG-10.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.23)]
    pub shear_mph_per_kft: f64,
    /// Dose contours (rem, 7-day unshielded) whose areas are reported.
    #[arg(long, value_delimiter = ',', default_value = "1000,300,100,10")]
    pub dose_contours_rem: Vec<f64>,
    /// Target city from the bundled table (e.g. kyiv).
    #[arg(long, conflicts_with_all = ["population_total", "density_per_km2", "troops"])]
    pub target: Option<String>,
    /// Custom population: number of people (with --city-radius-km).
    #[arg(long, allow_negative_numbers = true, requires = "city_radius_km")]
    pub population_total: Option<f64>,
    /// Custom population: city radius (km).
    #[arg(long, allow_negative_numbers = true)]
    pub city_radius_km: Option<f64>,
    /// Radial density profile for --population-total.
    #[arg(long, value_enum, default_value = "exponential")]
    pub profile: ProfileArg,
    /// Uniform, unbounded population density (people per km^2).
    #[arg(
        long,
        allow_negative_numbers = true,
        conflicts_with = "population_total"
    )]
    pub density_per_km2: Option<f64>,
    /// Troop concentration: number of soldiers (with --troop-area-km2).
    #[arg(long, allow_negative_numbers = true, requires = "troop_area_km2")]
    pub troops: Option<f64>,
    /// Troop concentration: area (km^2).
    #[arg(long, allow_negative_numbers = true)]
    pub troop_area_km2: Option<f64>,
    /// Write an SVG picture of the rings (and fallout contours) to this file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
}

/// One point of the downwind axis.
#[derive(Debug, Clone, Serialize)]
pub struct AxisPoint {
    /// Downwind distance (km).
    pub downwind_km: f64,
    /// H+1 reference dose rate (R/h).
    pub h1_dose_rate_r_per_h: f64,
    /// Mean arrival time (h).
    pub arrival_h: f64,
    /// 7-day unshielded dose (R ~ rem).
    pub dose_7day_rem: f64,
}

/// Area inside one dose contour.
#[derive(Debug, Clone, Serialize)]
pub struct ContourArea {
    /// Contour level (rem, 7-day, unshielded).
    pub dose_rem: f64,
    /// Area (km^2).
    pub area_km2: f64,
    /// Downwind extent along the hotline (km).
    pub downwind_extent_km: f64,
}

/// Coarse grid of 7-day dose in the wind frame.
#[derive(Debug, Clone, Serialize)]
pub struct DoseGrid {
    /// Downwind coordinates (km).
    pub downwind_km: Vec<f64>,
    /// Crosswind coordinates (km).
    pub crosswind_km: Vec<f64>,
    /// dose_7day_rem[i][j] at (downwind_km[i], crosswind_km[j]).
    pub dose_7day_rem: Vec<Vec<f64>>,
}

/// Fallout section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct FalloutReport {
    /// Model name.
    pub model: &'static str,
    /// Wind speed (km/h).
    pub wind_kmh: f64,
    /// Wind from (deg).
    pub wind_from_deg: f64,
    /// Fission fraction.
    pub fission_fraction: f64,
    /// Shear (mph/kft).
    pub shear_mph_per_kft: f64,
    /// Hotline profile.
    pub axis: Vec<AxisPoint>,
    /// Contour areas.
    pub contours: Vec<ContourArea>,
    /// Grid of doses.
    pub grid: DoseGrid,
}

/// JSON report of `brink effects`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Yield (kt).
    pub yield_kt: f64,
    /// Height of burst (m).
    pub height_m: f64,
    /// "surface", "air" or "optimum".
    pub burst: &'static str,
    /// Blast model ("brode" or "dna").
    pub model: &'static str,
    /// Visibility (km).
    pub visibility_km: f64,
    /// Burn thresholds at this yield.
    pub burn_thresholds: BurnThresholds,
    /// Ranges (km); null = not reached on the ground.
    pub ranges_km: Ranges,
    /// Fallout (surface bursts with --wind-kmh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallout: Option<FalloutReport>,
    /// Casualties (when a target is given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub casualties: Option<CasualtyEstimate>,
    /// Notes for the reader.
    pub notes: Vec<String>,
}

fn target_of(a: &EffectsArgs) -> Result<Option<Target>, EffectsError> {
    if let Some(name) = &a.target {
        return Ok(Some(Target::City { name: name.clone() }));
    }
    if let Some(total) = a.population_total {
        let radius_km = a.city_radius_km.ok_or_else(|| {
            EffectsError::Usage("--population-total needs --city-radius-km".into())
        })?;
        let profile = match a.profile {
            ProfileArg::Exponential => DensityProfile::Exponential { scale_km: None },
            ProfileArg::Uniform => DensityProfile::Uniform,
        };
        return Ok(Some(Target::Population {
            total,
            radius_km,
            profile,
        }));
    }
    if let Some(d) = a.density_per_km2 {
        return Ok(Some(Target::Uniform { density_per_km2: d }));
    }
    if let Some(count) = a.troops {
        let area_km2 = a
            .troop_area_km2
            .ok_or_else(|| EffectsError::Usage("--troops needs --troop-area-km2".into()))?;
        return Ok(Some(Target::Troops { count, area_km2 }));
    }
    Ok(None)
}

/// Build the report (pure: no I/O).
pub fn build_report(a: &EffectsArgs) -> Result<Report, EffectsError> {
    let model = match a.model {
        ModelArg::Brode => BlastModel::Brode,
        ModelArg::Dna => BlastModel::Dna,
    };
    let (burst, burst_name) = match (a.height_m, a.burst) {
        (Some(h), _) => (Burst::Height(h), if h == 0.0 { "surface" } else { "air" }),
        (None, Some(BurstArg::Surface)) => (Burst::Surface, "surface"),
        (None, Some(BurstArg::Optimum)) => (Burst::Optimum, "optimum"),
        (None, None) => {
            return Err(EffectsError::Usage(
                "give --height-m H or --burst surface|optimum".into(),
            ));
        }
    };
    let strike = Strike {
        yield_kt: a.yield_kt,
        burst,
        model,
    };
    let visibility_km = a.visibility_km.unwrap_or(REFERENCE_VISIBILITY_KM);
    let (height_m, ranges_km) = ranges(&strike, &RangeOptions { visibility_km })?;
    let mut notes = vec![
        "fireball is the maximum fireball radius, not a ground range".to_string(),
        "thermal rings: 50% probability of burns for exposed skin (Glasstone & Dolan 1977 Fig. 12.65)".to_string(),
    ];
    let wind = match a.wind_kmh {
        Some(v) => {
            positive("wind_kmh", v)?;
            finite("wind_from_deg", a.wind_from_deg)?;
            let ff = positive("fission_fraction", a.fission_fraction)?;
            if ff > 1.0 {
                return Err(EffectsError::OutOfRange {
                    name: "fission_fraction",
                    problem: "must be <= 1",
                    value: ff,
                });
            }
            Some(Wind {
                speed_kmh: v,
                from_deg: a.wind_from_deg,
                shear_mph_per_kft: a.shear_mph_per_kft,
                fission_fraction: ff,
            })
        }
        None => None,
    };
    let surface = strike.is_surface();
    let fallout = match (surface, wind) {
        (true, Some(w)) => Some(fallout_report(a.yield_kt, &w, &a.dose_contours_rem)?),
        (true, None) => {
            notes.push("surface burst: give --wind-kmh for WSEG-10 fallout".into());
            None
        }
        (false, Some(_)) => {
            notes.push(
                "air burst: no local fallout computed (WSEG-10 applies to surface bursts)".into(),
            );
            None
        }
        _ => None,
    };
    let casualties = match target_of(a)? {
        Some(t) => {
            let opts = CasualtyOptions {
                visibility_km,
                wind,
                ..CasualtyOptions::default()
            };
            Some(strike_casualties_with(&strike, &t, &opts)?)
        }
        None => None,
    };
    Ok(Report {
        yield_kt: a.yield_kt,
        height_m,
        burst: burst_name,
        model: model.name(),
        visibility_km,
        burn_thresholds: BurnThresholds::for_yield(a.yield_kt),
        ranges_km,
        fallout,
        casualties,
        notes,
    })
}

fn fallout_params(yield_kt: f64, w: &Wind) -> FalloutParams {
    FalloutParams {
        yield_kt,
        fission_fraction: w.fission_fraction,
        wind_kmh: w.speed_kmh,
        wind_from_deg: w.from_deg,
        shear_mph_per_kft: w.shear_mph_per_kft,
    }
}

fn fallout_report(yield_kt: f64, w: &Wind, levels: &[f64]) -> Result<FalloutReport, EffectsError> {
    for &l in levels {
        positive("dose contour rem", l)?;
    }
    let m = Wseg10::new(&fallout_params(yield_kt, w));
    let lowest = levels
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min)
        .min(10.0);
    let (_, x_far) = m.axis_extent_km(lowest, SEVEN_DAYS_H);
    let x_far = x_far.max(20.0);
    let mut axis = Vec::new();
    for &x in &[
        -5.0, 0.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 500.0,
        750.0, 1000.0,
    ] {
        if x > x_far * 1.5 && x > 20.0 {
            break;
        }
        let (d, _) = m.axis_dose_and_width_km(x, SEVEN_DAYS_H);
        axis.push(AxisPoint {
            downwind_km: x,
            h1_dose_rate_r_per_h: m.h1_wind_frame(x / crate::units::KM_PER_MI, 0.0),
            arrival_h: m.arrival_time_h(x / crate::units::KM_PER_MI),
            dose_7day_rem: d,
        });
    }
    let contours = levels
        .iter()
        .map(|&l| {
            let (x0, x1) = m.axis_extent_km(l, SEVEN_DAYS_H);
            ContourArea {
                dose_rem: l,
                area_km2: m.contour_area_km2(l, SEVEN_DAYS_H),
                downwind_extent_km: if x1 > x0 { x1 } else { 0.0 },
            }
        })
        .collect();
    let nx = 41;
    let ny = 21;
    let x0 = -0.05 * x_far;
    let downwind_km: Vec<f64> = (0..nx)
        .map(|i| x0 + (x_far * 1.1 - x0) * i as f64 / (nx - 1) as f64)
        .collect();
    let (_, w_far) = m.axis_dose_and_width_km(x_far, SEVEN_DAYS_H);
    let half = (3.0 * w_far).max(5.0);
    let crosswind_km: Vec<f64> = (0..ny)
        .map(|j| -half + 2.0 * half * j as f64 / (ny - 1) as f64)
        .collect();
    let dose_7day_rem = downwind_km
        .iter()
        .map(|&x| {
            let (d, wid) = m.axis_dose_and_width_km(x, SEVEN_DAYS_H);
            crosswind_km
                .iter()
                .map(|&y| d * (-0.5 * (y / wid).powi(2)).exp())
                .collect()
        })
        .collect();
    Ok(FalloutReport {
        model: "WSEG-10 (Hanifen 1980)",
        wind_kmh: w.speed_kmh,
        wind_from_deg: w.from_deg,
        fission_fraction: w.fission_fraction,
        shear_mph_per_kft: w.shear_mph_per_kft,
        axis,
        contours,
        grid: DoseGrid {
            downwind_km,
            crosswind_km,
            dose_7day_rem,
        },
    })
}

fn opt_km(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:>9.3}"),
        None => format!("{:>9}", "—"),
    }
}

/// Render the text table.
pub fn render_text(r: &Report) -> String {
    let mut s = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        s,
        "brink effects: {} kt, {} burst at {:.0} m, blast model {}",
        r.yield_kt, r.burst, r.height_m, r.model
    );
    let _ = writeln!(s, "\n{:<44} {:>9}", "Effect", "km");
    let k = &r.ranges_km;
    let th = &r.burn_thresholds;
    let rows: [(String, Option<f64>); 11] = [
        ("Fireball (maximum radius)".into(), k.fireball),
        ("Peak overpressure 20 psi".into(), k.overpressure_20psi),
        ("Peak overpressure 10 psi".into(), k.overpressure_10psi),
        ("Peak overpressure 5 psi".into(), k.overpressure_5psi),
        ("Peak overpressure 3 psi".into(), k.overpressure_3psi),
        ("Peak overpressure 1 psi".into(), k.overpressure_1psi),
        (
            format!(
                "3rd-degree burns ({:.2} cal/cm2)",
                th.third_degree_cal_per_cm2
            ),
            k.thermal_3rd_degree,
        ),
        (
            format!(
                "2nd-degree burns ({:.2} cal/cm2)",
                th.second_degree_cal_per_cm2
            ),
            k.thermal_2nd_degree,
        ),
        (
            format!(
                "1st-degree burns ({:.2} cal/cm2)",
                th.first_degree_cal_per_cm2
            ),
            k.thermal_1st_degree,
        ),
        ("Prompt radiation 500 rem".into(), k.radiation_500rem),
        ("Prompt radiation 100 rem".into(), k.radiation_100rem),
    ];
    for (name, v) in rows {
        let _ = writeln!(s, "{name:<44} {}", opt_km(v));
    }
    let _ = writeln!(
        s,
        "(— = level not reached on the ground; visibility {:.1} km)",
        r.visibility_km
    );
    if let Some(f) = &r.fallout {
        let _ = writeln!(
            s,
            "\nFallout, {}: wind {:.1} km/h from {:.0} deg, fission fraction {}",
            f.model, f.wind_kmh, f.wind_from_deg, f.fission_fraction
        );
        let _ = writeln!(
            s,
            "{:>12} {:>16} {:>10} {:>16}",
            "downwind km", "H+1 rate R/h", "arrival h", "7-day dose rem"
        );
        for p in &f.axis {
            let _ = writeln!(
                s,
                "{:>12.1} {:>16.4} {:>10.2} {:>16.4}",
                p.downwind_km, p.h1_dose_rate_r_per_h, p.arrival_h, p.dose_7day_rem
            );
        }
        let _ = writeln!(
            s,
            "{:>12} {:>12} {:>22}",
            "contour rem", "area km2", "downwind extent km"
        );
        for c in &f.contours {
            let _ = writeln!(
                s,
                "{:>12} {:>12.1} {:>22.1}",
                c.dose_rem, c.area_km2, c.downwind_extent_km
            );
        }
        let _ = writeln!(
            s,
            "(unshielded 7-day dose from arrival, t^-1.2 decay; the grid is in --json)"
        );
    }
    if let Some(c) = &r.casualties {
        let _ = writeln!(s, "\nCasualties (blast: OTA 1979 overpressure-zone rates)");
        let _ = writeln!(
            s,
            "{:<12} {:>12} {:>12} {:>12}",
            "zone", "people", "killed", "injured"
        );
        for z in &c.by_zone {
            let _ = writeln!(
                s,
                "{:<12} {:>12.0} {:>12.0} {:>12.0}",
                z.zone, z.population, z.killed, z.injured
            );
        }
        let _ = writeln!(
            s,
            "{:<12} {:>12.0} {:>12.0} {:>12.0}",
            "blast total", c.population_inside_1psi, c.killed, c.injured
        );
        let _ = writeln!(
            s,
            "Thermal (separate, exposed blast survivors): killed {:.0}, injured {:.0}",
            c.thermal_killed, c.thermal_injured
        );
        if c.fallout_computed {
            let _ = writeln!(
                s,
                "Fallout (separate, 7-day dose, PF 3): killed {:.0}, injured {:.0}",
                c.fallout_killed, c.fallout_injured
            );
        } else {
            let _ = writeln!(s, "Fallout: not computed (air burst, or no --wind-kmh)");
        }
        let _ = writeln!(
            s,
            "All mechanisms: killed {:.0}, injured {:.0}",
            c.total_killed, c.total_injured
        );
    }
    for n in &r.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// Write `contents` to `path` atomically (temp file in the same directory, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), EffectsError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        EffectsError::Usage(format!("--svg: not a file path: {}", path.display()))
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(|e| EffectsError::Io(format!("writing {}: {e}", path.display())))
}

/// Round to 3 significant figures and group thousands ("47,100").
fn people(v: f64) -> String {
    let v = v.max(0.0);
    let r = if v >= 1000.0 {
        let p = 10f64.powi(v.log10().floor() as i32 - 2);
        (v / p).round() * p
    } else {
        v.round()
    };
    let digits = format!("{r:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lines under the SVG title: what was hit and the headline numbers, and the wind.
fn svg_subtitle(a: &EffectsArgs, r: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(c) = &r.casualties {
        let what = if let Some(name) = &a.target {
            match crate::cities::find_city(name) {
                Ok(city) => format!(
                    "{} (pre-war population {})",
                    city.name,
                    people(city.population)
                ),
                Err(_) => name.clone(),
            }
        } else if let Some(t) = a.troops {
            format!("{} troops", people(t))
        } else if let Some(p) = a.population_total {
            format!("{} people", people(p))
        } else {
            "uniform population".to_string()
        };
        lines.push(format!(
            "Target: {what}. Killed ~{}, injured ~{} (blast, heat{}; model estimate)",
            people(c.total_killed),
            people(c.total_injured),
            if c.fallout_computed { ", fallout" } else { "" }
        ));
    }
    if let Some(f) = &r.fallout {
        lines.push(format!(
            "Wind {:.0} km/h from {:.0}°, fission fraction {}, shear {} mph/kft (WSEG-10 fallout)",
            f.wind_kmh, f.wind_from_deg, f.fission_fraction, f.shear_mph_per_kft
        ));
    } else if r.burst != "surface" {
        lines.push("Air burst: no local fallout (WSEG-10 applies to surface bursts)".into());
    }
    lines
}

/// Run `brink effects` and write the table or JSON to `out`.
pub fn run(args: &EffectsArgs, out: &mut dyn Write) -> Result<(), EffectsError> {
    let report = build_report(args)?;
    if let Some(path) = &args.svg {
        let title = format!(
            "{} kt, {} burst at {:.0} m ({} blast model)",
            report.yield_kt, report.burst, report.height_m, report.model
        );
        let fallout_model = match (report.fallout.as_ref(), args.wind_kmh) {
            (Some(f), Some(_)) => Some(Wseg10::new(&FalloutParams {
                yield_kt: args.yield_kt,
                fission_fraction: f.fission_fraction,
                wind_kmh: f.wind_kmh,
                wind_from_deg: f.wind_from_deg,
                shear_mph_per_kft: f.shear_mph_per_kft,
            })),
            _ => None,
        };
        let drawing = fallout_model.as_ref().map(|m| FalloutDrawing {
            model: m,
            wind_from_deg: args.wind_from_deg,
            t_end_h: SEVEN_DAYS_H,
            levels_rem: &args.dose_contours_rem,
        });
        let doc = svg::render_with(
            &title,
            &svg_subtitle(args, &report),
            report.height_m,
            &report.ranges_km,
            drawing.as_ref(),
        );
        write_atomic(path, doc.as_bytes())?;
    }
    if args.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| EffectsError::Io(e.to_string()))?;
        writeln!(out, "{text}")?;
    } else {
        write!(out, "{}", render_text(&report))?;
    }
    Ok(())
}
