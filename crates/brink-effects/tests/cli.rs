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

#[test]
fn svg_layout_stays_on_canvas() {
    use brink_effects::effects::{RangeOptions, ranges};
    use brink_effects::fallout::{FalloutParams, Wseg10};
    use brink_effects::svg::{FalloutDrawing, render_with};
    let strike = brink_effects::Strike::new(100.0, brink_effects::Burst::Surface);
    let (h, r) = ranges(&strike, &RangeOptions::default()).unwrap();
    let m = Wseg10::new(&FalloutParams {
        yield_kt: 100.0,
        fission_fraction: 1.0,
        wind_kmh: 24.0,
        wind_from_deg: 225.0,
        shear_mph_per_kft: 0.23,
    });
    let f = FalloutDrawing {
        model: &m,
        wind_from_deg: 225.0,
        t_end_h: 168.0,
        levels_rem: &[1000.0, 100.0],
    };
    let doc = render_with("t", &["line".to_string()], h, &r, Some(&f));
    let attr = |tag: &str, name: &str| -> f64 {
        let i = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[i..].split('"').next().unwrap().parse().unwrap()
    };
    let svg_tag = doc.lines().next().unwrap();
    let (w, hgt) = (attr(svg_tag, "width"), attr(svg_tag, "height"));
    // Every text anchor point is on the canvas; left-anchored legend text leaves room.
    for piece in doc.split("<text").skip(1) {
        let tag = piece.split('>').next().unwrap();
        let (x, y) = (attr(tag, "x"), attr(tag, "y"));
        assert!(x >= 0.0 && x <= w && y > 0.0 && y <= hgt, "{tag}");
        if !tag.contains("text-anchor") {
            let text = piece.split('>').nth(1).unwrap().split('<').next().unwrap();
            assert!(x + 5.5 * text.chars().count() as f64 <= w + 40.0, "{text}");
        }
    }
    // Both maps are clipped, have a distance bar and a north arrow; legend has km.
    assert_eq!(doc.matches("<clipPath").count(), 2);
    assert_eq!(doc.matches(">N</text>").count(), 2);
    assert!(doc.contains(" km</text>"));
    assert!(doc.contains("1000 rem 7-day dose"));
}
