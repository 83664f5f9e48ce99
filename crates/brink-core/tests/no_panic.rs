//! Bad input never panics: mutated versions of the default scenario (lines deleted or
//! duplicated, values replaced by extreme or ill-typed ones, bytes flipped) either load or give
//! diagnostics; whatever loads also runs a few weeks without panicking.

use brink_core::load::{DEFAULT_SCENARIO_TOML, load_bytes};
use brink_core::study;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const REPLACEMENTS: [&str; 16] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "\"text\"",
    "[]",
    "{}",
    "{ dist = \"uniform\", min = 5, max = 1 }",
    "{ dist = \"pert\", min = 0, mode = 0, max = 0 }",
    "{ dist = \"normal\", mean = 0, sd = -1 }",
    "{ dist = \"lognormal\", mu = 1e6, sigma = 1e6 }",
    "{ dist = \"beta\", alpha = 0, beta = 0 }",
    "true",
];

fn mutate(rng: &mut Xoshiro256PlusPlus, text: &str) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4) {
        let i = rng.random_range(0..lines.len());
        match rng.random_range(0..4) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                if let Some(eq) = lines[i].find(" = ") {
                    let key = lines[i][..eq].to_string();
                    let value = REPLACEMENTS[rng.random_range(0..REPLACEMENTS.len())];
                    lines[i] = format!("{key} = {value}");
                }
            }
            _ => {
                let mut b = lines[i].clone().into_bytes();
                if !b.is_empty() {
                    let j = rng.random_range(0..b.len());
                    b[j] = rng.random();
                }
                lines[i] = String::from_utf8_lossy(&b).into_owned();
            }
        }
    }
    lines.join("\n").into_bytes()
}

#[test]
fn mutated_scenarios_never_panic() {
    // BRINK_MUTATIONS and BRINK_MUTATION_SEED widen the search by hand (e.g. 100000 cases).
    let seed = std::env::var("BRINK_MUTATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2022);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let cases: usize = std::env::var("BRINK_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let (mut loaded, mut refused) = (0, 0);
    for case in 0..cases {
        let bytes = mutate(&mut rng, DEFAULT_SCENARIO_TOML);
        let outcome = std::panic::catch_unwind(|| match load_bytes("m.toml", &bytes, &[]) {
            Ok(r) => {
                for run in 0..3 {
                    study::simulate(&r, 6, study::run_seed(1, run), |_| {});
                }
                true
            }
            Err(e) => {
                assert!(!e.diagnostics.is_empty());
                assert!(e.to_string().contains("m.toml"));
                false
            }
        });
        match outcome {
            Ok(true) => loaded += 1,
            Ok(false) => refused += 1,
            Err(_) => {
                let path = std::env::temp_dir().join(format!("brink-panic-{case}.toml"));
                std::fs::write(&path, &bytes).unwrap();
                panic!("case {case} panicked; the input is in {}", path.display());
            }
        }
    }
    // Both kinds occur, so the test exercises the loader and the model.
    assert!(
        loaded > 0 && refused > 0,
        "loaded {loaded}, refused {refused}"
    );
}
