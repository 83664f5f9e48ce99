//! Casualty model: zone arithmetic against the reference ranges and the OTA table of the
//! reference README; population conservation; the ladder API.
mod common;
use brink_effects::casualties::{OTA_1979_RATES, ZoneRate};
use brink_effects::cities::find_city;
use brink_effects::{
    Burst, CasualtyOptions, DensityProfile, Strike, Target, strike_casualties,
    strike_casualties_with,
};
use common::*;

/// The default zone rates are the OTA 1979 table as given in tests/data/README.md.
#[test]
fn default_rates_are_the_ota_table_of_the_reference_readme() {
    let readme = include_str!("data/README.md");
    let mut found = 0;
    for line in readme
        .lines()
        .filter(|l| l.starts_with("| >") || l.contains("psi | "))
    {
        let cells: Vec<&str> = line
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if cells.len() != 4 || !cells[1].ends_with('%') {
            continue;
        }
        let pct = |c: &str| c.trim_end_matches('%').parse::<f64>().unwrap() / 100.0;
        let low: f64 = cells[0]
            .trim_start_matches("> ")
            .split(['-', ' '])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let z = OTA_1979_RATES
            .iter()
            .find(|z| z.min_psi == low)
            .expect("zone");
        assert_eq!(
            (z.killed, z.injured),
            (pct(cells[1]), pct(cells[2])),
            "{line}"
        );
        found += 1;
    }
    assert_eq!(found, 4);
}

/// With zone boundaries at 20/10/5/1 psi (levels present in the reference data), blast
/// casualties of a uniform density equal rate x density x annulus area computed from the
/// reference Brode ranges (100 kt surface burst), within 1%.
#[test]
fn zone_arithmetic_matches_reference_ranges() {
    let rates = [
        ZoneRate {
            min_psi: 20.0,
            killed: 0.9,
            injured: 0.1,
        },
        ZoneRate {
            min_psi: 10.0,
            killed: 0.6,
            injured: 0.3,
        },
        ZoneRate {
            min_psi: 5.0,
            killed: 0.2,
            injured: 0.5,
        },
        ZoneRate {
            min_psi: 1.0,
            killed: 0.0,
            injured: 0.3,
        },
    ];
    let r = |psi: &str| {
        rows()
            .into_iter()
            .find(|r| {
                r.model.starts_with("glasstone.brode")
                    && r.yield_kt == 100.0
                    && r.hob_m == Some(0.0)
                    && r.level == psi
            })
            .unwrap()
            .range_km
            .unwrap()
    };
    let radii = [r("20"), r("10"), r("5"), r("1")];
    let d = 1000.0;
    let pi = std::f64::consts::PI;
    let (mut k, mut i, mut prev) = (0.0, 0.0, 0.0);
    for (z, &rad) in rates.iter().zip(&radii) {
        let n = d * pi * (rad * rad - prev * prev);
        k += n * z.killed;
        i += n * z.injured;
        prev = rad;
    }
    let opts = CasualtyOptions {
        zone_rates: rates,
        wind: None,
        ..Default::default()
    };
    let est = strike_casualties_with(
        &Strike::new(100.0, Burst::Surface),
        &Target::Uniform { density_per_km2: d },
        &opts,
    )
    .unwrap();
    assert!(rel(est.killed, k) < 0.01, "{} vs {k}", est.killed);
    assert!(rel(est.injured, i) < 0.01, "{} vs {i}", est.injured);
    assert!(!est.fallout_computed);
}

/// A strike whose 1 psi ring covers the whole city accounts for exactly the city's
/// population (the radial profile integrates to the table's total).
#[test]
fn population_is_conserved() {
    let kyiv = find_city("Kyiv").unwrap();
    let est = strike_casualties(
        &Strike::new(20_000.0, Burst::Optimum),
        &Target::City {
            name: "Kyiv".into(),
        },
    )
    .unwrap();
    assert!(rel(est.population_inside_1psi, kyiv.population) < 1e-9);
    let zone_sum: f64 = est.by_zone.iter().map(|z| z.population).sum();
    assert!(rel(zone_sum, kyiv.population) < 1e-9);
    assert!(est.total_killed + est.total_injured <= kyiv.population * (1.0 + 1e-9));
    for profile in [
        DensityProfile::Uniform,
        DensityProfile::Exponential {
            scale_km: Some(3.0),
        },
    ] {
        let t = Target::Population {
            total: 1e6,
            radius_km: 10.0,
            profile,
        };
        let e = strike_casualties(&Strike::new(20_000.0, Burst::Optimum), &t).unwrap();
        assert!(rel(e.population_inside_1psi, 1e6) < 1e-9);
    }
}

/// The four nuclear rungs of the ladder call `strike_casualties`: demonstration over
/// an empty area, tactical strike on troops, a city, Kyiv. Deterministic and ordered.
#[test]
fn ladder_rungs() {
    let demo = strike_casualties(
        &Strike::new(10.0, Burst::Optimum),
        &Target::Uniform {
            density_per_km2: 0.0,
        },
    )
    .unwrap();
    assert_eq!(demo.total_killed, 0.0);
    let troops = Target::Troops {
        count: 5_000.0,
        area_km2: 10.0,
    };
    let tac = strike_casualties(&Strike::new(10.0, Burst::Surface), &troops).unwrap();
    assert!(tac.total_killed > 0.0 && tac.total_killed + tac.total_injured <= 5_000.0 + 1e-6);
    assert!(tac.fallout_computed);
    let city = strike_casualties(
        &Strike::new(100.0, Burst::Optimum),
        &Target::City {
            name: "Kharkiv".into(),
        },
    )
    .unwrap();
    let kyiv = strike_casualties(
        &Strike::new(100.0, Burst::Optimum),
        &Target::City {
            name: "Kyiv".into(),
        },
    )
    .unwrap();
    assert!(city.killed > 0.0 && kyiv.killed > 0.0);
    assert!(!kyiv.fallout_computed, "air burst: no fallout");
    // deterministic
    let again = strike_casualties(
        &Strike::new(100.0, Burst::Optimum),
        &Target::City {
            name: "Kyiv".into(),
        },
    )
    .unwrap();
    assert_eq!(kyiv, again);
    // a larger yield on the same city kills more
    let big = strike_casualties(
        &Strike::new(800.0, Burst::Optimum),
        &Target::City {
            name: "Kyiv".into(),
        },
    )
    .unwrap();
    assert!(big.killed > kyiv.killed);
}
