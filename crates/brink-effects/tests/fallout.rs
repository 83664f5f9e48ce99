//! WSEG-10 against the reference points (within 5%), zero upwind dose, crosswind
//! symmetry, rotation invariance, and the Way-Wigner decay integral.
mod common;
use brink_effects::fallout::{FalloutParams, SEVEN_DAYS_H, Wseg10, decay_dose};
use common::*;

fn reference_case(from_deg: f64) -> Wseg10 {
    Wseg10::new(&FalloutParams {
        yield_kt: 100.0,
        fission_fraction: 1.0,
        wind_kmh: 15.0 * 1.609344,
        wind_from_deg: from_deg,
        shear_mph_per_kft: 0.23,
    })
}

fn field(note: &str, key: &str) -> f64 {
    let i = note.find(key).unwrap() + key.len();
    let rest = &note[i..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-' || c == '+'))
        .unwrap_or(rest.len());
    rest[..end].parse().unwrap()
}

#[test]
fn wseg10_reference_points_within_5_percent() {
    let m = reference_case(270.0);
    let mut n = 0;
    for r in rows()
        .iter()
        .filter(|r| r.model.starts_with("glasstone.WSEG10"))
    {
        let x = field(&r.level, "x=");
        let y = field(&r.level, "y=");
        let rate = field(&r.note, "H+1 ref dose rate=");
        let toa = field(&r.note, "toa_fixed=");
        let dose = field(&r.note, "from toa_fixed)=");
        let got_rate = m.h1_dose_rate_r_per_h(x, y);
        assert!(
            rel(got_rate, rate) < 0.05,
            "({x},{y}) rate {got_rate} vs {rate}"
        );
        let got_toa = m.arrival_time_h(x / 1.609344);
        assert!(rel(got_toa, toa) < 0.05, "({x},{y}) toa {got_toa} vs {toa}");
        let got_dose = m.dose_7day_r(x, y);
        assert!(
            rel(got_dose, dose) < 0.05,
            "({x},{y}) dose {got_dose} vs {dose}"
        );
        n += 1;
    }
    assert_eq!(n, 10);
}

#[test]
fn upwind_dose_is_zero() {
    let m = reference_case(270.0);
    let peak = m.h1_dose_rate_r_per_h(10.0, 0.0);
    for x in [-5.0, -10.0, -20.0, -50.0] {
        let d = m.h1_dose_rate_r_per_h(x, 0.0);
        assert!(d < 1e-6 && d / peak < 1e-9, "upwind {x} km: {d} R/h");
    }
}

#[test]
fn crosswind_symmetry_any_wind_direction() {
    for from in [270.0, 0.0, 45.0, 123.0] {
        let m = reference_case(from);
        let b = (from + 180.0f64).to_radians();
        let (de, dn) = (b.sin(), b.cos());
        let (ce, cn) = (-dn, de);
        for (u, v) in [(10.0, 3.0), (50.0, 5.0), (100.0, 12.0)] {
            let p = m.h1_dose_rate_r_per_h(u * de + v * ce, u * dn + v * cn);
            let q = m.h1_dose_rate_r_per_h(u * de - v * ce, u * dn - v * cn);
            assert!(rel(p, q) < 1e-12, "from {from}: {p} vs {q}");
            // rotation invariance: same as the reference orientation
            let r = reference_case(270.0).h1_dose_rate_r_per_h(u, v);
            assert!(rel(p, r) < 1e-9, "from {from}: {p} vs {r}");
        }
    }
}

/// README item 5: dose from ta to tb = 5 R1 (ta^-0.2 - tb^-0.2), checked against a
/// numerical integral of R1 t^-1.2.
#[test]
fn way_wigner_dose_integral() {
    let (r1, ta, tb) = (100.0, 0.7, SEVEN_DAYS_H);
    let n = 200_000;
    let (la, lb) = (f64::ln(ta), f64::ln(tb));
    let h = (lb - la) / n as f64;
    let mut s = 0.0;
    for i in 0..n {
        let t = (la + (i as f64 + 0.5) * h).exp();
        s += r1 * t.powf(-1.2) * t * h;
    }
    assert!(rel(decay_dose(r1, ta, tb), s) < 1e-6);
    assert_eq!(decay_dose(r1, 200.0, SEVEN_DAYS_H), 0.0);
}

#[test]
fn contour_areas_are_nested_and_positive() {
    let m = reference_case(270.0);
    let a100 = m.contour_area_km2(100.0, SEVEN_DAYS_H);
    let a1000 = m.contour_area_km2(1000.0, SEVEN_DAYS_H);
    assert!(a100 > a1000 && a1000 > 0.0, "{a100} {a1000}");
}
