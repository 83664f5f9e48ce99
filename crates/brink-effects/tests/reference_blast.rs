//! Blast ranges against tests/data/reference_ranges.csv (Brode and DNA rows: within 2%;
//! empty reference = level not reached on the ground, must be None).
mod common;
use brink_effects::blast::{BlastModel, overpressure_range_km};
use common::*;

fn check_model(prefix: &str, model: BlastModel) {
    let mut n = 0;
    let mut worst: f64 = 0.0;
    for r in rows().iter().filter(|r| r.model.starts_with(prefix)) {
        let psi: f64 = r.level.parse().unwrap();
        let got = overpressure_range_km(model, r.yield_kt, r.hob_m.unwrap(), psi);
        match (got, r.range_km) {
            (Some(g), Some(e)) => {
                let d = rel(g, e);
                worst = worst.max(d);
                assert!(
                    d < 0.02,
                    "{prefix} W={} h={:?} {psi} psi: got {g} km, reference {e} km ({:.2}%)",
                    r.yield_kt,
                    r.hob_m,
                    d * 100.0
                );
            }
            (None, None) => {}
            (g, e) => panic!(
                "{prefix} W={} h={:?} {psi} psi: got {g:?}, reference {e:?}",
                r.yield_kt, r.hob_m
            ),
        }
        n += 1;
    }
    assert_eq!(n, 60, "expected 60 {prefix} rows");
    eprintln!(
        "{prefix}: {n} rows, worst relative difference {:.4}%",
        worst * 100.0
    );
}

#[test]
fn brode_rows_within_2_percent() {
    check_model("glasstone.brode_overpressure", BlastModel::Brode);
}

#[test]
fn dna_rows_within_2_percent() {
    check_model("glasstone.DNA_static_overpressure", BlastModel::Dna);
}
