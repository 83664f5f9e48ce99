//! The commands as a user calls them: flags parsed by clap, files written, JSON contracts.

use brink_study::cli::{
    CompareArgs, SensitivityArgs, StudyError, SweepArgs, compare_cmd, sensitivity, sweep_cmd,
};
use clap::Parser;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Parser)]
struct Sens {
    #[command(flatten)]
    a: SensitivityArgs,
}
#[derive(Parser)]
struct Cmp {
    #[command(flatten)]
    a: CompareArgs,
}
#[derive(Parser)]
struct Swp {
    #[command(flatten)]
    a: SweepArgs,
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brink-study-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn sens(args: &[&str]) -> Result<String, StudyError> {
    let a = Sens::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
        .unwrap()
        .a;
    let mut out = Vec::new();
    sensitivity(&a, &mut out).map(|_| String::from_utf8(out).unwrap())
}

#[test]
fn test_function_json_has_the_documented_keys_and_values() {
    let out = sens(&[
        "--test-function",
        "ishigami",
        "--method",
        "sobol",
        "--n",
        "4096",
        "--json",
        "-q",
    ])
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_evaluations"], 4096 * 5);
    for key in ["S1", "ST", "S1_ci95", "ST_ci95"] {
        assert_eq!(v[key].as_array().unwrap().len(), 3, "{key}");
    }
    let st2 = v["ST"][1].as_f64().unwrap();
    assert!((st2 - 0.4424).abs() < 0.03);
    let out = sens(&["--test-function", "sobol-g", "--n", "512", "--json"]).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["S1"].as_array().unwrap().len(), 8);
    assert_eq!(v["n_evaluations"], 512 * 10);
    // Only Sobol' runs on test functions.
    let e = sens(&["--test-function", "ishigami", "--method", "morris"]).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn morris_candidates_are_recorded_and_refused_for_other_methods() {
    let args = |method: &'static str, candidates: &'static str| {
        vec![
            "--params",
            "mobilization.RU.p_evade,combat.attacker_loss_multiplier",
            "--outcome",
            "final.RU.evaded",
            "--method",
            method,
            "--n",
            "3",
            "--candidates",
            candidates,
            "--runs-per-point",
            "2",
            "--weeks",
            "4",
            "--json",
            "-q",
        ]
    };
    let v: Value = serde_json::from_str(&sens(&args("morris", "30")).unwrap()).unwrap();
    assert_eq!(v["candidates"], 30);
    assert_eq!(v["n_evaluations"], 3 * 3); // n (k + 1) points
    let e = sens(&args("sobol", "30")).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("--method morris"), "{e}");
}

#[test]
fn sensitivity_json_follows_the_contract_for_every_method() {
    let params = "mobilization.RU.p_evade,mobilization.RU.call_up,combat.attacker_loss_multiplier";
    for (method, fields) in [
        ("oat", vec!["base_value", "value_at_low", "value_at_high"]),
        ("morris", vec!["mu", "mu_star", "sigma"]),
        ("sobol", vec!["S1", "S1_ci95", "ST", "ST_ci95"]),
    ] {
        let dir = tmp(method);
        sens(&[
            "--params",
            params,
            "--outcome",
            "final.RU.evaded",
            "--method",
            method,
            "--n",
            "4",
            "--runs-per-point",
            "3",
            "--weeks",
            "8",
            "--bootstrap",
            "20",
            "--out",
            dir.to_str().unwrap(),
            "-q",
        ])
        .unwrap();
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("sensitivity.json")).unwrap())
                .unwrap();
        for key in [
            "brink_version",
            "scenario",
            "scenario_hash",
            "seed",
            "method",
            "outcome",
            "n",
            "runs_per_point",
            "n_evaluations",
            "parameters",
        ] {
            assert!(!v[key].is_null(), "{method}: {key}");
        }
        assert_eq!(v["method"], method);
        let ps = v["parameters"].as_array().unwrap();
        assert_eq!(ps.len(), 3);
        for p in ps {
            for key in ["path", "low", "high"].iter().chain(fields.iter()) {
                assert!(!p[key].is_null(), "{method}: parameters[].{key}");
            }
        }
        // p_evade drives evasion far more than the other two: ranked first.
        assert_eq!(ps[0]["path"], "mobilization.RU.p_evade", "{method}");
        if method == "oat" {
            assert!(!v["base_value"].is_null());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_parameters_and_outcomes_are_named_with_a_hint() {
    let e = sens(&[
        "--params",
        "mobilization.RU.cal_up",
        "--outcome",
        "nuclear_use",
    ])
    .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let m = e.to_string();
    assert!(
        m.contains("mobilization.RU.cal_up")
            && m.contains("did you mean `mobilization.RU.call_up`"),
        "{m}"
    );
    let e = sens(&["--params", "mobilization.RU.call_up", "--outcome", "nuke"]).unwrap_err();
    assert!(e.to_string().contains("--outcome `nuke`"));
    let e = sens(&["--params", "mobilization.RU.call_up"]).unwrap_err();
    assert!(e.to_string().contains("--outcome"));
    let e = sens(&[
        "--params",
        "mobilization.RU.call_up",
        "--outcome",
        "nuclear_use",
        "--range",
        "mobilization.RU.call_up=5..1",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("--range"));
    let e = sens(&["/nonexistent/s.toml", "--params", "a", "--outcome", "b"]).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("/nonexistent/s.toml"));
}

#[test]
fn compare_json_reports_zero_for_identical_variants_and_needs_a_b() {
    let run = |args: &[&str]| {
        let a = Cmp::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
            .unwrap()
            .a;
        let mut out = Vec::new();
        compare_cmd(&a, &mut out).map(|_| String::from_utf8(out).unwrap())
    };
    // B = A with a value set to what A already has.
    let out = run(&[
        "--set-b",
        "mobilization.RU.call_up=300000",
        "--runs",
        "30",
        "--json",
        "-q",
    ])
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["diff"] == 0.0 && r["significant"] == false)
    );
    let e = run(&["--runs", "30"]).unwrap_err();
    assert!(e.to_string().contains("--set-b"));
}

#[test]
fn sweep_writes_csv_and_json_with_one_row_per_point() {
    let dir = tmp("sweep");
    let a = Swp::try_parse_from([
        "x",
        "--grid",
        "mobilization.RU.call_up=100000..500000:3",
        "--grid",
        "mobilization.RU.p_evade=0.1..0.3:2",
        "--runs",
        "5",
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ])
    .unwrap()
    .a;
    let mut out = Vec::new();
    sweep_cmd(&a, &mut out).unwrap();
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 6);
    assert!(
        lines[0]
            .starts_with("mobilization.RU.call_up,mobilization.RU.p_evade,ru_military_victory,")
    );
    assert!(lines[0].contains(",nuclear_use,") && lines[0].contains(",final.UA.territory_km2"));
    assert!(lines[1].starts_with("100000,0.1,"));
    assert!(lines[6].starts_with("500000,0.3,"));
    let ncols = lines[0].split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == ncols));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(v["parameters"].as_array().unwrap().len(), 2);
    assert_eq!(v["outcomes"].as_array().unwrap().len(), ncols - 2);
    assert_eq!(v["rows"].as_array().unwrap().len(), 6);
    // A value outside the parameter's domain is refused before any run.
    let a = Swp::try_parse_from(["x", "--grid", "mobilization.RU.p_evade=0.5..1.5:3", "-q"])
        .unwrap()
        .a;
    let e = sweep_cmd(&a, &mut Vec::new()).unwrap_err();
    assert!(e.to_string().contains("mobilization.RU.p_evade") && e.to_string().contains("1.5"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn screening_varies_every_random_parameter_by_default_and_sobol_needs_a_list() {
    let r = brink_core::load::load_default(&[]).unwrap();
    let random = r.params.iter().filter(|(_, random)| *random).count();
    for method in ["oat", "morris"] {
        let out = sens(&[
            "--outcome",
            "final.RU.evaded",
            "--method",
            method,
            "--n",
            "2",
            "--runs-per-point",
            "2",
            "--weeks",
            "4",
            "--json",
            "-q",
        ])
        .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["parameters"].as_array().unwrap().len(),
            random,
            "{method}"
        );
    }
    let e = sens(&["--outcome", "nuclear_use", "--method", "sobol"]).unwrap_err();
    assert!(e.to_string().contains("--params"), "{e}");
    assert_eq!(e.exit_code(), 2);
}
