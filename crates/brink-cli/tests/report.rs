//! `brink report`: end to end from a real (small) study to one self-contained HTML file, and
//! the headless-browser check of that file (tests/browser/check_report.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn brink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(args)
        .output()
        .expect("brink runs")
}

fn ok(args: &[&str]) -> Output {
    let out = brink(args);
    assert!(
        out.status.success(),
        "brink {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A 200-run study of the default scenario, plus hand-made sensitivity and sweep files in the
/// formats `brink sensitivity` and `brink sweep` write.
fn study(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brink-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    ok(&["run", "-q", "--runs", "200", "--seed", "5", "--out", s(&d)]);
    std::fs::write(
        d.join("sensitivity.json"),
        r#"{"brink_version":"0.1.0","scenario":"September 2022: partial mobilization","scenario_hash":"x","seed":5,
"method":"oat","outcome":"nuclear_use","n":10,"runs_per_point":200,"n_evaluations":4000,"base_value":0.18,
"parameters":[
 {"path":"mobilization.RU.call_up","low":100000,"high":1000000,"base_value":300000,"value_at_low":0.12,"value_at_high":0.31},
 {"path":"forces.UA.quality","low":0.5,"high":0.9,"base_value":0.7,"value_at_low":0.2,"value_at_high":0.16}]}"#,
    )
    .unwrap();
    let mut sweep = String::from("mobilization.RU.call_up,combat.exponent_own,nuclear_use\n");
    for i in 0..5 {
        for j in 0..4 {
            sweep.push_str(&format!(
                "{},{},{}\n",
                100_000 * (i + 1),
                0.5 + 0.25 * f64::from(j),
                0.05 * f64::from(i + j)
            ));
        }
    }
    std::fs::write(d.join("sweep.csv"), sweep).unwrap();
    std::fs::write(
        d.join("sweep.json"),
        r#"{"parameters":["mobilization.RU.call_up","combat.exponent_own"],"outcomes":["nuclear_use"]}"#,
    )
    .unwrap();
    d
}

const TITLES: [&str; 10] = [
    "Outcome probabilities at the horizon",
    "Probability of key events",
    "Forces at the front",
    "Casualties (cumulative)",
    "Territory held",
    "Domestic support for the leader",
    "Emigration (cumulative)",
    "Survival of key events",
    "Tornado: what moves nuclear_use",
    "Sweep: nuclear_use",
];

#[test]
fn report_is_one_self_contained_deterministic_file() {
    let d = study("e2e");
    let a = d.join("a.html");
    let b = d.join("b.html");
    ok(&["report", s(&d), "-o", s(&a)]);
    ok(&["report", s(&d), "--output", s(&b)]);
    let html = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(&b).unwrap(),
        "two reports differ"
    );
    // Nothing is loaded: no scripts, style sheets, images, fonts or frames from anywhere.
    for bad in [
        "<script", "<link", "<img", "<iframe", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(bad), "the report contains `{bad}`");
    }
    let svg_ns = "xmlns=\"http://www.w3.org/2000/svg\"";
    assert_eq!(
        html.matches("http").count(),
        html.matches(svg_ns).count(),
        "an http(s) address other than the SVG namespace"
    );
    assert!(html.contains("<title id="), "no accessible titles");
    for t in TITLES {
        assert!(
            html.contains(&format!("\">{t}</title>")) && html.contains(&format!("<h3>{t}</h3>")),
            "chart `{t}` missing"
        );
    }
    assert!(!html.contains("NaN"), "NaN in the report");
    // Reproduce section and parameter sources.
    assert!(html.contains("--runs 200 --seed 5 --weeks 52"));
    assert!(html.contains("forces.RU.at_front") && html.contains("assumption: 169,000-190,000"));
    assert!(html.contains("<table id=\"paths\">"));
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn broken_and_missing_inputs_give_clear_errors_or_notes() {
    let d = study("errors");
    // A missing optional file: a note instead of the chart.
    std::fs::remove_file(d.join("survival.csv")).unwrap();
    std::fs::remove_file(d.join("sweep.csv")).unwrap();
    ok(&["report", s(&d), "-o", s(&d.join("r.html"))]);
    let html = std::fs::read_to_string(d.join("r.html")).unwrap();
    assert!(html.contains("survival.csv is missing"));
    assert!(!html.contains("Survival of key events</title>"));
    // A broken file: exit 2, the file named.
    std::fs::write(d.join("weekly.csv"), "week,date\n1,2,3\n").unwrap();
    let out = brink(&["report", s(&d), "-o", s(&d.join("r.html"))]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("weekly.csv") && err.contains("line 2"),
        "{err}"
    );
    // Not a study directory.
    let out = brink(&["report", s(&d.join("nope"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("brink run --out DIR"));
    // An output that cannot be written: exit 1.
    std::fs::write(d.join("weekly.csv"), "").unwrap();
    let out = brink(&["report", s(&d), "-o", s(&d.join("no/such/dir/r.html"))]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn a_parquet_only_study_gets_the_same_charts() {
    let base = std::env::temp_dir().join(format!("brink-report-{}-pq", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (csv, pq) = (base.join("csv"), base.join("pq"));
    for (d, format) in [(&csv, "csv"), (&pq, "parquet")] {
        ok(&[
            "run",
            "-q",
            "--runs",
            "200",
            "--seed",
            "5",
            "--format",
            format,
            "--out",
            s(d),
        ]);
        ok(&["report", s(d), "-o", s(&d.join("r.html"))]);
    }
    assert!(!pq.join("weekly.csv").exists());
    let a = std::fs::read_to_string(csv.join("r.html")).unwrap();
    let b = std::fs::read_to_string(pq.join("r.html")).unwrap();
    assert!(!b.contains("is missing"), "a chart fell back to a note");
    // Weekly quantiles read from Parquet draw exactly the charts read from CSV; only the
    // captions name the other file (and the command line its format).
    let fans = |html: &str| -> Vec<String> {
        html.split("<figure")
            .filter(|f| f.contains("id=\"fan-"))
            .map(|f| f.split("<figcaption").next().unwrap_or("").to_string())
            .collect()
    };
    assert!(!fans(&a).is_empty());
    assert_eq!(fans(&a), fans(&b));
    assert!(b.contains("weekly.parquet, `at_front`"));
    let _ = std::fs::remove_dir_all(base);
}

/// The report in a real browser: loads with no failed requests and no console errors, every
/// chart visible and titled; writes target/report-screenshot.png. Skipped (with a note) when
/// chromium is absent, unless BRINK_REQUIRE_BROWSER is set.
#[test]
fn report_renders_in_headless_chromium() {
    let chromium = std::env::var("BRINK_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        assert!(
            std::env::var_os("BRINK_REQUIRE_BROWSER").is_none(),
            "BRINK_REQUIRE_BROWSER is set but {chromium} is missing (apt-get install chromium)"
        );
        eprintln!("skipped: {chromium} not found; the browser check of the report did not run");
        return;
    }
    let d = study("browser");
    let html = d.join("report.html");
    ok(&["report", s(&d), "-o", s(&html)]);
    let shot = root().join("target/report-screenshot.png");
    let mut cmd = Command::new(root().join("tests/browser/check_report.sh"));
    cmd.arg(&html).arg(&shot);
    for t in TITLES {
        cmd.args(["--expect", t]);
    }
    let out = cmd.output().expect("tests/browser/check_report.sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser check failed:\n{text}");
    assert!(text.contains("charts drawn"), "{text}");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    let _ = std::fs::remove_dir_all(d);
}

/// The files `brink sensitivity` and `brink sweep` really write (not hand-made ones) are drawn:
/// the report and the study commands agree on their contracts.
#[test]
fn report_draws_the_files_of_the_real_study_commands() {
    let d = std::env::temp_dir().join(format!("brink-report-{}-real", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    ok(&[
        "run",
        "-q",
        "--runs",
        "100",
        "--weeks",
        "20",
        "--out",
        s(&d),
    ]);
    ok(&[
        "sensitivity",
        "-q",
        "--params",
        "mobilization.RU.call_up,forces.UA.morale",
        "--outcome",
        "nuclear_use",
        "--method",
        "sobol",
        "--n",
        "16",
        "--runs-per-point",
        "5",
        "--weeks",
        "20",
        "--out",
        s(&d),
    ]);
    ok(&[
        "sweep",
        "-q",
        "--grid",
        "mobilization.RU.call_up=100000..1000000:3",
        "--grid",
        "forces.UA.morale=0.6..0.95:2",
        "--runs",
        "5",
        "--out",
        s(&d),
    ]);
    let html = d.join("report.html");
    ok(&["report", s(&d), "-o", s(&html)]);
    let page = std::fs::read_to_string(&html).unwrap();
    for title in [
        "Sobol",
        "mobilization.RU.call_up",
        "forces.UA.morale",
        "Sweep: ru_military_victory",
    ] {
        assert!(page.contains(title), "the report lacks {title:?}");
    }
    assert!(
        !page.contains("could not be read"),
        "a study file was refused"
    );
}
