//! NUKEMAP / CEX-62.2 rows (blast, thermal, prompt radiation) within 2%; Glasstone &
//! Dolan height-of-burst values; OTA Detroit radii; G&D Fig. 12.65 burn thresholds.
mod common;
use brink_effects::blast::{
    BlastModel, optimum_scaled_height_m, overpressure_range_km, scaled_range_m,
};
use brink_effects::cex62::{self, Burn};
use brink_effects::effects::{
    REFERENCE_VISIBILITY_KM, ground_from_slant_km, thermal_slant_range_km,
};
use brink_effects::{Burst, RangeOptions, Strike, ranges};
use common::*;

const FT_KM: f64 = 0.3048e-3;
const MI_KM: f64 = 1.609344;

#[test]
fn nukemap_overpressure_rows_within_2_percent() {
    let mut n = 0;
    for r in rows()
        .iter()
        .filter(|r| r.model.starts_with("NUKEMAP eq2-5 ") || r.model.starts_with("NUKEMAP eq2-61"))
    {
        let psi: f64 = r.level.parse().unwrap();
        let e = r.range_km.unwrap();
        let got = if r.model.starts_with("NUKEMAP eq2-5 ") {
            cex62::surface_overpressure_range_km(r.yield_kt, psi)
        } else {
            let h = cex62::optimum_height_for_psi_m(r.yield_kt, psi);
            assert!(
                rel(h, r.hob_m.unwrap()) < 0.002,
                "optimum HOB {h} vs {:?}",
                r.hob_m
            );
            cex62::optimum_overpressure_range_km(r.yield_kt, psi)
        };
        assert!(
            rel(got, e) < 0.02,
            "{} W={} {psi} psi: {got} vs {e}",
            r.model,
            r.yield_kt
        );
        n += 1;
    }
    assert_eq!(n, 30);
}

fn burn_of(effect: &str) -> Burn {
    if effect.contains("3rd degree burn 100%") {
        Burn::Third100
    } else if effect.contains("3rd degree burn 50%") {
        Burn::Third50
    } else if effect.contains("2nd degree") {
        Burn::Second50
    } else {
        Burn::First50
    }
}

#[test]
fn nukemap_thermal_rows_within_2_percent() {
    let mut n = 0;
    for r in rows()
        .iter()
        .filter(|r| r.model.starts_with("NUKEMAP eq2-108"))
    {
        let burn = burn_of(&r.effect);
        let q = cex62::burn_threshold_cal_per_cm2(burn, r.yield_kt);
        let level: f64 = r.level.parse().unwrap();
        assert!((q - level).abs() < 0.0015, "threshold {q} vs {level}");
        let h = r.hob_m.unwrap();
        let surface = h == 0.0;
        let slant =
            thermal_slant_range_km(r.yield_kt, surface, q, REFERENCE_VISIBILITY_KM).unwrap();
        let got = ground_from_slant_km(slant, h).unwrap();
        let e = r.range_km.unwrap();
        assert!(
            rel(got, e) < 0.02,
            "{} {} W={} h={h}: {got} vs {e}",
            r.model,
            r.effect,
            r.yield_kt
        );
        n += 1;
    }
    assert_eq!(n, 24);
}

#[test]
fn nukemap_radiation_rows_within_2_percent() {
    let mut n = 0;
    for r in rows()
        .iter()
        .filter(|r| r.model.starts_with("NUKEMAP eq2-116"))
    {
        let rem: f64 = r.level.parse().unwrap();
        let h = r.hob_m.unwrap();
        let got = ground_from_slant_km(cex62::prompt_radiation_slant_range_km(r.yield_kt, rem), h);
        match (got, r.range_km.unwrap()) {
            (None, e) => assert_eq!(e, 0.0, "W={} h={h} {rem} rem: None vs {e}", r.yield_kt),
            (Some(g), e) => assert!(
                rel(g, e) < 0.02,
                "W={} h={h} {rem} rem: {g} vs {e}",
                r.yield_kt
            ),
        }
        n += 1;
    }
    assert_eq!(n, 12);
}

/// The user-facing range table agrees with the same reference rows (Brode blast model,
/// air bursts at the CEX optimum height of the row).
#[test]
fn range_table_matches_reference_thermal_and_radiation() {
    for (w, h, third50, rad500) in [(100.0, 1330.7, 4.7845, 1.248), (1.0, 0.0, 0.5425, 0.8365)] {
        let burst = if h == 0.0 {
            Burst::Surface
        } else {
            Burst::Height(h)
        };
        let (_, t) = ranges(&Strike::new(w, burst), &RangeOptions::default()).unwrap();
        assert!(rel(t.thermal_3rd_degree.unwrap(), third50) < 0.02);
        assert!(rel(t.radiation_500rem.unwrap(), rad500) < 0.02);
    }
}

/// README item 4: burn thresholds at 1 kt, 15 kt, 1 Mt, 20 Mt (printed to 0.01).
#[test]
fn burn_thresholds_match_fig_12_65_table() {
    let table = [
        (Burn::Third50, [6.00, 7.41, 9.73, 11.35]),
        (Burn::Second50, [4.01, 4.88, 6.24, 7.22]),
        (Burn::First50, [1.94, 2.42, 3.20, 3.82]),
    ];
    for (burn, vals) in table {
        for (w, v) in [1.0, 15.0, 1000.0, 20000.0].iter().zip(vals) {
            let q = cex62::burn_threshold_cal_per_cm2(burn, *w);
            assert!((q - v).abs() <= 0.0051, "{burn:?} at {w} kt: {q} vs {v}");
        }
    }
}

/// Glasstone & Dolan 1977 HOB curves (1 kt, as digitized in NUKEMAP), rows at >= 4 psi,
/// within 5%. Surface rows compare the surface range; "(max)" rows compare the maximum
/// ground range over all burst heights.
#[test]
fn glasstone_dolan_hob_rows_at_4psi_and_above_within_5_percent() {
    for m in [BlastModel::Brode, BlastModel::Dna] {
        for (psi, range_ft) in [(20.0, 714.0), (10.0, 1024.0), (6.0, 1339.0)] {
            let g = overpressure_range_km(m, 1.0, 0.0, psi).unwrap() / FT_KM;
            assert!(
                rel(g, range_ft) < 0.05,
                "{m:?} surface {psi} psi {g} ft vs {range_ft}"
            );
        }
        let h = optimum_scaled_height_m(m, 4.0);
        let g = scaled_range_m(m, h, 4.0).unwrap() / 0.3048;
        assert!(rel(g, 2624.0) < 0.05, "{m:?} max 4 psi {g} ft vs 2624");
    }
}

/// Known deviation (documented in docs/model/effects.md): the maximum 20 psi ground range
/// of G&D (922 ft at ~597 ft HOB) is longer than both fits give: Brode -8.4%, DNA -14.2%.
/// This test pins the size of the deviation so a change in either model is noticed.
#[test]
fn glasstone_dolan_20psi_max_known_deviation() {
    for (m, lo, hi) in [
        (BlastModel::Brode, -0.10, -0.07),
        (BlastModel::Dna, -0.16, -0.12),
    ] {
        let h = optimum_scaled_height_m(m, 20.0);
        let g = scaled_range_m(m, h, 20.0).unwrap() / 0.3048;
        let d = g / 922.0 - 1.0;
        assert!(
            d > lo && d < hi,
            "{m:?} max 20 psi {g} ft ({:+.1}%)",
            d * 100.0
        );
    }
}

/// OTA 1979 Detroit radii. Tolerance (the README states none for OTA; it says the fits
/// run 10-21% longer than G&D at 1-2 psi for surface bursts): >= 5 psi within 8%,
/// 1-2 psi surface longer than OTA by at most 22%, the 25 Mt air burst within 5%.
#[test]
fn ota_detroit_radii() {
    for m in [BlastModel::Brode, BlastModel::Dna] {
        for (psi, mi, tol) in [(12.0, 1.7, 0.08), (5.0, 2.7, 0.08)] {
            let g = overpressure_range_km(m, 1000.0, 0.0, psi).unwrap() / MI_KM;
            assert!(rel(g, mi) < tol, "{m:?} 1 Mt {psi} psi {g} mi vs {mi}");
        }
        for (psi, mi) in [(2.0, 4.7), (1.0, 7.4)] {
            let g = overpressure_range_km(m, 1000.0, 0.0, psi).unwrap() / MI_KM;
            assert!(
                g > mi && g / mi - 1.0 < 0.22,
                "{m:?} 1 Mt {psi} psi {g} mi vs {mi}"
            );
        }
        let g = overpressure_range_km(m, 25_000.0, 17_500.0 * 0.3048, 1.0).unwrap() / MI_KM;
        assert!(rel(g, 30.4) < 0.05, "{m:?} 25 Mt 1 psi {g} mi vs 30.4");
    }
}

/// The 5-psi optimum heights of the reference (282 m and 357 m per kt^1/3).
#[test]
fn optimum_heights_match_reference() {
    assert!(
        rel(
            brink_effects::blast::optimum_height_m(BlastModel::Brode, 1.0),
            282.0
        ) < 0.005
    );
    assert!(
        rel(
            brink_effects::blast::optimum_height_m(BlastModel::Dna, 1.0),
            357.0
        ) < 0.005
    );
    // and scale as W^(1/3)
    let h = brink_effects::blast::optimum_height_m(BlastModel::Brode, 1000.0);
    assert!(rel(h, 2820.0) < 0.005);
}
