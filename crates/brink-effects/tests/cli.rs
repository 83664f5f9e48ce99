//! The command: JSON keys of the issue, nulls for levels not reached, SVG written, errors.
use brink_effects::cli::{EffectsArgs, run};
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: EffectsArgs,
}

fn run_args(a: &[&str]) -> Result<String, brink_effects::EffectsError> {
    let cli =
        Cli::try_parse_from(std::iter::once("brink-effects").chain(a.iter().copied())).unwrap();
    let mut out = Vec::new();
    run(&cli.args, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn json_has_the_issue_keys_and_nulls() {
    let text = run_args(&["--yield-kt", "1", "--height-m", "600", "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["yield_kt"], 1.0);
    assert_eq!(v["height_m"], 600.0);
    assert_eq!(v["model"], "brode");
    let r = &v["ranges_km"];
    for k in [
        "fireball",
        "overpressure_20psi",
        "overpressure_10psi",
        "overpressure_5psi",
        "overpressure_3psi",
        "overpressure_1psi",
        "thermal_3rd_degree",
        "thermal_2nd_degree",
        "thermal_1st_degree",
        "radiation_500rem",
        "radiation_100rem",
    ] {
        assert!(r.get(k).is_some(), "missing {k}");
    }
    // reference: 1 kt at 600 m, 20 psi not reached on the ground; 5 psi 0.1261 km
    assert!(r["overpressure_20psi"].is_null());
    let five = r["overpressure_5psi"].as_f64().unwrap();
    assert!((five - 0.1261).abs() / 0.1261 < 0.02);
    assert!(v.get("casualties").is_none());
}

#[test]
fn surface_burst_with_wind_target_and_svg() {
    let dir = std::env::temp_dir().join(format!("brink-effects-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("rings.svg");
    let text = run_args(&[
        "--yield-kt",
        "100",
        "--burst",
        "surface",
        "--wind-kmh",
        "24",
        "--wind-from-deg",
        "270",
        "--fission-fraction",
        "1",
        "--target",
        "kyiv",
        "--svg",
        svg.to_str().unwrap(),
        "--json",
    ])
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v["casualties"]["killed"].as_f64().unwrap() > 0.0);
    assert!(v["fallout"]["contours"].as_array().unwrap().len() == 4);
    let doc = std::fs::read_to_string(&svg).unwrap();
    assert!(doc.starts_with("<svg") && doc.contains("<polygon") && doc.contains(" km</text>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_errors() {
    assert!(run_args(&["--yield-kt", "0", "--burst", "surface"]).is_err());
    assert!(
        run_args(&["--yield-kt", "10"])
            .unwrap_err()
            .to_string()
            .contains("--burst")
    );
    assert!(run_args(&["--yield-kt", "10", "--height-m", "-5"]).is_err());
    let e = run_args(&[
        "--yield-kt",
        "10",
        "--burst",
        "optimum",
        "--target",
        "Kharkov2",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("Kharkiv"), "{e}");
}
