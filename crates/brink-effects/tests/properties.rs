//! Cube-root scaling (exact at equal scaled height), bad-input errors, population model.
use brink_effects::blast::{BlastModel, overpressure_range_km};
use brink_effects::cities::find_city;
use brink_effects::{Burst, EffectsError, RangeOptions, Strike, Target, ranges, strike_casualties};

/// Deterministic pseudo-random numbers in [0, 1) (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn cube_root_scaling_holds_exactly() {
    let mut rng = Rng(42);
    for _ in 0..200 {
        let w1 = 10f64.powf(rng.next() * 4.0 - 1.0); // 0.1 kt - 1 Mt
        let w2 = 10f64.powf(rng.next() * 4.0 - 1.0);
        let shob = rng.next() * 600.0; // scaled height m/kt^1/3
        let psi = [20.0, 10.0, 5.0, 3.0, 1.0][(rng.next() * 5.0) as usize];
        for m in [BlastModel::Brode, BlastModel::Dna] {
            let r1 = overpressure_range_km(m, w1, shob * w1.cbrt(), psi);
            let r2 = overpressure_range_km(m, w2, shob * w2.cbrt(), psi);
            match (r1, r2) {
                (Some(a), Some(b)) => {
                    let pred = a * (w2 / w1).cbrt();
                    assert!(
                        (b - pred).abs() / pred < 1e-9,
                        "{m:?} w1={w1} w2={w2} shob={shob} {psi}: {b} vs {pred}"
                    );
                }
                (None, None) => {}
                other => panic!("{m:?} w1={w1} w2={w2} shob={shob}: {other:?}"),
            }
        }
    }
}

fn err_of(w: f64, burst: Burst) -> EffectsError {
    ranges(&Strike::new(w, burst), &RangeOptions::default()).unwrap_err()
}

#[test]
fn bad_inputs_give_clear_errors() {
    assert!(matches!(
        err_of(0.0, Burst::Surface),
        EffectsError::BadYield { .. }
    ));
    assert!(matches!(
        err_of(-5.0, Burst::Surface),
        EffectsError::BadYield { .. }
    ));
    assert!(matches!(
        err_of(1e6, Burst::Surface),
        EffectsError::BadYield { .. }
    ));
    assert!(matches!(
        err_of(f64::NAN, Burst::Surface),
        EffectsError::NotFinite { .. }
    ));
    assert!(matches!(
        err_of(f64::INFINITY, Burst::Surface),
        EffectsError::NotFinite { .. }
    ));
    assert!(matches!(
        err_of(10.0, Burst::Height(-1.0)),
        EffectsError::NegativeHeight { .. }
    ));
    assert!(matches!(
        err_of(10.0, Burst::Height(f64::NAN)),
        EffectsError::NotFinite { .. }
    ));
    let msg = err_of(0.0, Burst::Surface).to_string();
    assert!(msg.contains("yield"), "{msg}");
    let e = find_city("Kyyv").unwrap_err();
    match &e {
        EffectsError::UnknownCity { suggestion, .. } => {
            assert_eq!(suggestion, "did you mean 'Kyiv'? ")
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("did you mean 'Kyiv'"));
    // A name that is nothing like a known city gets the list, not a far-fetched guess.
    let e = find_city("Atlantis").unwrap_err().to_string();
    assert!(!e.contains("did you mean"), "{e}");
    assert!(e.contains("Kyiv, Kharkiv"), "{e}");
    let e = strike_casualties(
        &Strike::new(10.0, Burst::Surface),
        &Target::City { name: "Lvv".into() },
    )
    .unwrap_err();
    assert!(e.to_string().contains("Lviv"), "{e}");
    let e = strike_casualties(
        &Strike::new(10.0, Burst::Surface),
        &Target::Uniform {
            density_per_km2: f64::NAN,
        },
    )
    .unwrap_err();
    assert!(matches!(e, EffectsError::NotFinite { .. }));
}

#[test]
fn city_lookup_accepts_alternative_spellings() {
    assert_eq!(find_city("kiev").unwrap().name, "Kyiv");
    assert_eq!(find_city("KRYVYI-RIH").unwrap().name, "Kryvyi Rih");
    assert_eq!(find_city("Odessa").unwrap().name, "Odesa");
}

/// The bundled table is the shared data, row for row (population and area as published).
#[test]
fn bundled_city_table_matches_source_values() {
    let kyiv = find_city("Kyiv").unwrap();
    assert_eq!(kyiv.population, 2_952_301.0);
    assert_eq!(kyiv.area_km2, 839.0);
    assert_eq!(brink_effects::cities::cities().len(), 14);
}
