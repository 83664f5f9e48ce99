//! The `brink fit` command as a user runs it: text, JSON, scenario fragment, plot, errors.

use std::path::PathBuf;

use brink_fit::FitError;
use brink_fit::cli::{FitArgs, run};
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: FitArgs,
}

fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iwo_jima_brink.csv").to_string()
}

fn scratch(name: &str) -> PathBuf {
    // One directory per file name: tests run in parallel.
    let dir = std::env::temp_dir().join(format!("brink-fit-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run_args(args: &[&str]) -> Result<String, FitError> {
    let mut argv = vec!["brink-fit"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let mut out = Vec::new();
    run(&cli.args, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn json_has_the_documented_keys() {
    let file = example();
    let out = run_args(&[&file, "--law", "square", "--method", "engel", "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "law",
        "method",
        "attrition_of_a",
        "attrition_of_b",
        "p",
        "q",
        "stderr_attrition_of_a",
        "stderr_attrition_of_b",
        "stderr_p",
        "stderr_q",
        "ci95_attrition_of_a",
        "ci95_attrition_of_b",
        "ci95_p",
        "ci95_q",
        "sse",
        "r2",
        "aic",
        "bic",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {out}");
    }
    assert_eq!(v["law"], "square");
    assert_eq!(v["method"], "engel");
    let a = v["attrition_of_a"].as_f64().unwrap();
    assert!((a / 0.0544 - 1.0).abs() < 0.03, "{a}");
    assert_eq!(v["p"], 1.0);
    assert!(v["stderr_p"].is_null());
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("line 28")),
        "{warnings:?}"
    );
}

#[test]
fn all_laws_give_an_array_with_helmbold_skipped_for_engel() {
    let file = example();
    let out = run_args(&[&file, "--law", "all", "--method", "engel", "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fits = v.as_array().unwrap();
    assert_eq!(fits.len(), 3);
    let w = fits[0]["warnings"].to_string();
    assert!(w.contains("helmbold"), "{w}");
}

#[test]
fn emit_toml_is_the_engine_fragment_per_week() {
    let file = example();
    let toml_path = scratch("combat.toml");
    let out = run_args(&[
        &file,
        "--law",
        "square",
        "--method",
        "engel",
        "--side-a",
        "US",
        "--side-b",
        "JP",
        "--emit-toml",
        toml_path.to_str().unwrap(),
    ])
    .unwrap();
    assert!(out.contains("scenario fragment"));
    let text = std::fs::read_to_string(&toml_path).unwrap();
    assert!(text.starts_with("# source: brink fit "), "{text}");
    assert!(text.contains("--law square"));
    let v: toml::Table = text.parse().unwrap();
    let combat = v["combat"].as_table().unwrap();
    assert_eq!(combat["exponent_opponent"].as_float(), Some(1.0));
    assert_eq!(combat["exponent_own"].as_float(), Some(0.0));
    let per_week = combat["attrition_per_week"].as_table().unwrap();
    let us = per_week["US"].as_float().unwrap();
    let jp = per_week["JP"].as_float().unwrap();
    // Engel's per-day values times 7.
    assert!((us / (0.0544 * 7.0) - 1.0).abs() < 0.03, "{us}");
    assert!((jp / (0.0106 * 7.0) - 1.0).abs() < 0.03, "{jp}");
    assert_eq!(combat.len(), 3, "only the documented keys: {combat:?}");
    // With --time-unit week the numbers are taken as already per week.
    run_args(&[
        &file,
        "--law",
        "square",
        "--method",
        "engel",
        "--side-a",
        "US",
        "--side-b",
        "JP",
        "--time-unit",
        "week",
        "--emit-toml",
        toml_path.to_str().unwrap(),
    ])
    .unwrap();
    let v: toml::Table = std::fs::read_to_string(&toml_path)
        .unwrap()
        .parse()
        .unwrap();
    let us_week = v["combat"]["attrition_per_week"]["US"].as_float().unwrap();
    assert!((us_week * 7.0 / us - 1.0).abs() < 1e-5, "{us_week} vs {us}");
}

#[test]
fn plot_is_an_svg_written_atomically() {
    let file = example();
    let svg = scratch("iwo.svg");
    run_args(&[&file, "--law", "square", "--plot", svg.to_str().unwrap()]).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"));
    assert!(text.trim_end().ends_with("</svg>"));
    assert_eq!(
        text.matches("<polyline").count(),
        2,
        "one fitted line per side"
    );
    // 36 US cells (0 on day 0, then days 1-35) + 2 Japanese (start and day 36) + 2 legend dots.
    assert_eq!(text.matches("<circle").count(), 40);
    let dir = svg.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn errors_name_the_file_line_problem_and_fix() {
    let bad = scratch("bad.csv");
    std::fs::write(&bad, "time,a,b\n0,100,100\n1,90,95\n3,80,90\n").unwrap();
    let e = run_args(&[bad.to_str().unwrap()]).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("bad.csv"), "{msg}");
    assert!(msg.contains("line 4"), "{msg}");
    assert!(msg.contains("missing"), "{msg}");
    assert!(msg.contains("Fix:"), "{msg}");

    let e = run_args(&["/nonexistent/x.csv"]).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/x.csv"), "{e}");

    let file = example();
    let e = run_args(&[&file, "--law", "helmbold", "--method", "engel"]).unwrap_err();
    assert!(e.to_string().contains("--method least-squares"), "{e}");

    let e = run_args(&[&file, "--law", "helmbold", "--method", "engel"]).unwrap_err();
    assert!(e.to_string().starts_with(&file), "{e}");

    let nofight = scratch("nofight.csv");
    std::fs::write(&nofight, "time,a,b\n0,100,0\n1,90,0\n2,80,0\n").unwrap();
    let e = run_args(&[nofight.to_str().unwrap()]).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("nofight.csv") && msg.contains("no fighting"),
        "{msg}"
    );

    let e = run_args(&[&file, "--side-a", "U S"]).unwrap_err();
    assert!(e.to_string().contains("--side-a"), "{e}");
}

#[test]
fn text_report_compares_the_laws() {
    let file = example();
    let out = run_args(&[&file, "--law", "all", "--side-a", "US", "--side-b", "JP"]).unwrap();
    assert!(out.contains("comparison"), "{out}");
    for law in ["square", "linear", "logarithmic", "helmbold"] {
        assert!(
            out.contains(&format!("{law} law, method least-squares")),
            "{law}: {out}"
        );
    }
    assert!(out.contains("JP against US"));
}
