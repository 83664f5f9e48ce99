//! The `brink` binary as a user runs it: output files and their contract, bit-for-bit
//! reproducibility across threads and shards, interruption, and exit codes on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn brink() -> Command {
    Command::new(env!("CARGO_BIN_EXE_brink"))
}

/// A fresh scratch directory per test (tests run in parallel).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("brink-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_ok(args: &[&str]) -> Output {
    let out = brink().args(args).output().expect("brink starts");
    assert!(
        out.status.success(),
        "brink {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs brink with `--json` among `args` and parses what it prints.
fn run_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&run_ok(args).stdout).expect("brink printed JSON")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A small study: 300 runs of 20 weeks, written to `dir`.
fn small_study(dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--runs",
        "300",
        "--weeks",
        "20",
        "--seed",
        "7",
        "-q",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_ok(&args);
}

/// Starts `brink ARGS`, sends SIGINT (Ctrl-C) after `millis`, and returns what it printed on
/// stderr and its exit code.
#[cfg(unix)]
fn interrupt_after<S: AsRef<std::ffi::OsStr>>(args: &[S], millis: u64) -> Output {
    let child = brink()
        .args(args)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(millis));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

const COMPARED: [&str; 6] = [
    "runs.csv",
    "summary.json",
    "weekly.csv",
    "events.csv",
    "survival.csv",
    "events_aggregate.json",
];

#[test]
fn run_writes_the_documented_files() {
    let dir = scratch("files");
    small_study(&dir, &["--threads", "2"]);
    for f in [
        "summary.json",
        "weekly.csv",
        "runs.csv",
        "events.csv",
        "survival.csv",
        "scenario.toml",
        "study.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("summary.json"))).unwrap();
    for key in [
        "brink_version",
        "scenario",
        "scenario_hash",
        "seed",
        "runs",
        "weeks",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["runs"], 300);
    assert_eq!(summary["weeks"], 20);
    assert_eq!(summary["seed"], 7);

    let weekly = String::from_utf8(read(&dir.join("weekly.csv"))).unwrap();
    let mut lines = weekly.lines();
    assert_eq!(
        lines.next().unwrap(),
        "week,date,side,variable,mean,p05,p25,p50,p75,p95"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Week 0 is the start date of the default scenario, 21 September 2022.
    assert!(rows.iter().any(|r| r[0] == "0" && r[1] == "2022-09-21"));
    assert!(rows.iter().any(|r| r[0] == "20"));
    for variable in [
        "summoned",
        "evaded",
        "emigrated",
        "inducted",
        "in_training",
        "quartered",
        "assigned",
        "at_front",
        "arrived_total",
        "arrival_quality",
        "casualties_total",
        "territory_km2",
        "equipment",
    ] {
        assert!(
            rows.iter().any(|r| r[3] == variable),
            "weekly.csv has no {variable}"
        );
    }
    // Quantiles are ordered in every row (cells are empty where a variable is undefined in
    // every run, e.g. the quality of arrivals before any arrive).
    for r in rows.iter().filter(|r| !r[5].is_empty()) {
        let q: Vec<f64> = r[5..10].iter().map(|v| v.parse().unwrap()).collect();
        assert!(
            q.windows(2).all(|w| w[0] <= w[1]),
            "unordered quantiles {r:?}"
        );
    }

    let runs = String::from_utf8(read(&dir.join("runs.csv"))).unwrap();
    assert!(runs.starts_with("run,seed,"));
    assert_eq!(runs.lines().count(), 301);
    let indices: Vec<u64> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        indices,
        (0..300).collect::<Vec<_>>(),
        "runs.csv ordered by run"
    );
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let one = scratch("threads1");
    let two = scratch("threads2");
    small_study(&one, &["--threads", "1"]);
    small_study(&two, &["--threads", "2"]);
    for f in COMPARED {
        assert!(read(&one.join(f)) == read(&two.join(f)), "{f} differs");
    }
    // A different seed gives a different study.
    let other = scratch("threads-seed");
    run_ok(&[
        "run",
        "--runs",
        "300",
        "--weeks",
        "20",
        "--seed",
        "8",
        "-q",
        "--out",
        other.to_str().unwrap(),
    ]);
    assert!(read(&one.join("runs.csv")) != read(&other.join("runs.csv")));
}

#[test]
fn merged_shards_equal_the_unsharded_study_byte_for_byte() {
    let whole = scratch("whole");
    small_study(&whole, &[]);
    let mut shards = Vec::new();
    for k in 1..=3 {
        let d = scratch(&format!("shard{k}"));
        small_study(&d, &["--shard", &format!("{k}/3")]);
        shards.push(d);
    }
    let merged = scratch("merged");
    // Shards given out of order.
    run_ok(&[
        "merge",
        shards[2].to_str().unwrap(),
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    for f in COMPARED {
        assert!(
            read(&whole.join(f)) == read(&merged.join(f)),
            "merged {f} differs from the unsharded study"
        );
    }
    // A missing shard is refused, not silently merged into a smaller study.
    let partial = scratch("partial");
    let out = brink()
        .args([
            "merge",
            shards[0].to_str().unwrap(),
            shards[2].to_str().unwrap(),
            "--out",
            partial.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn set_overrides_change_the_scenario_and_its_hash() {
    let a = run_json(&["run", "--runs", "50", "--weeks", "4", "-q", "--json"]);
    let b = run_json(&[
        "run",
        "--runs",
        "50",
        "--weeks",
        "4",
        "-q",
        "--json",
        "--set",
        "mobilization.RU.call_up=1000",
    ]);
    assert_ne!(a["scenario_hash"], b["scenario_hash"]);
    // A misspelt override path is an error with a hint, exit code 2.
    let out = brink()
        .args([
            "run",
            "--runs",
            "5",
            "-q",
            "--set",
            "mobilization.RU.cal_up=1000",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cal_up"), "{err}");
}

#[test]
fn the_embedded_scenario_round_trips_through_show_and_check() {
    let dir = scratch("show");
    let shown = run_ok(&["scenario", "show"]);
    let file = dir.join("mine.toml");
    std::fs::write(&file, &shown.stdout).unwrap();
    run_ok(&["check", file.to_str().unwrap()]);
    // Running the shown file gives the same study as the embedded default.
    let a = run_json(&["run", "--runs", "40", "--weeks", "6", "-q", "--json"]);
    let b = run_json(&[
        "run",
        file.to_str().unwrap(),
        "--runs",
        "40",
        "--weeks",
        "6",
        "-q",
        "--json",
    ]);
    assert_eq!(a["scenario_hash"], b["scenario_hash"]);
    assert_eq!(a["sides"], b["sides"]);
}

#[test]
fn bad_input_exits_non_zero_with_file_line_and_hint() {
    let dir = scratch("bad");
    let shown = run_ok(&["scenario", "show"]);
    let text = String::from_utf8(shown.stdout).unwrap();
    let bad = text.replacen("call_up =", "cal_up =", 1);
    assert_ne!(bad, text, "the default scenario has a call_up");
    let file = dir.join("typo.toml");
    std::fs::write(&file, bad).unwrap();
    let out = brink()
        .args(["check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typo.toml:"), "{err}");
    assert!(err.contains("did you mean `call_up`?"), "{err}");

    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let out = brink()
        .args(["run", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));

    let out = brink()
        .args(["run", dir.join("absent.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.toml"));

    for args in [
        &["run", "--runs", "0"][..],
        // Above 2^32 - 1 runs the histogram counts would wrap: refused before any run.
        &["run", "--runs", "5000000000"][..],
        &["run", "--weeks", "0"][..],
        // A table format without a directory to write the tables to would be ignored silently.
        &["run", "--runs", "10", "--format", "parquet"][..],
        // Listing no paths at all is a mistake, not a request.
        &["paths", ".", "--top", "0"][..],
        // An unknown event is refused before the study runs (it would run 10^9 runs first).
        &["run", "--runs", "1000000000", "--given", "nuclear_usee"][..],
        &["run", "--shard", "4/3"][..],
    ] {
        let out = brink().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn schema_is_json_schema_of_the_scenario() {
    let schema = run_json(&["schema"]);
    assert!(schema.get("$schema").is_some());
    let props = schema["properties"].as_object().expect("properties");
    for section in ["scenario", "forces", "mobilization", "combat"] {
        assert!(props.contains_key(section), "schema lacks {section}");
    }
}

#[test]
fn fit_reproduces_engels_iwo_jima_coefficients() {
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../brink-fit/tests/data/iwo_jima_brink.csv"
    );
    let v = run_json(&[
        "fit", data, "--law", "square", "--method", "engel", "--json",
    ]);
    let fit = if v.is_array() { &v[0] } else { &v };
    // Engel (1954): 0.0544 per day against the US side, 0.0106 against the Japanese.
    let a = fit["attrition_of_a"].as_f64().unwrap();
    let b = fit["attrition_of_b"].as_f64().unwrap();
    assert!((a / 0.0544 - 1.0).abs() < 0.03, "attrition_of_a {a}");
    assert!((b / 0.0106 - 1.0).abs() < 0.03, "attrition_of_b {b}");
    let out = brink().args(["fit", "/no/such/file.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// Ctrl-C (SIGINT) stops a long study; the runs that finished are written and counted.
#[cfg(unix)]
#[test]
fn interrupted_study_keeps_its_finished_runs() {
    use std::time::{Duration, Instant};
    let dir = scratch("interrupt");
    let started = Instant::now();
    // Let some chunks finish (the study reports whole chunks of runs).
    let out = interrupt_after(
        &[
            "run",
            "--runs",
            "50000000",
            "--weeks",
            "10",
            "-q",
            "--out",
            dir.to_str().unwrap(),
        ],
        1500,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(started.elapsed() < Duration::from_secs(120), "did not stop");
    assert_eq!(out.status.code(), Some(130), "{err}");
    let done: u64 = err
        .split("interrupted: ")
        .nth(2)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of finished runs in:\n{err}"));
    assert!(done > 0 && done < 50_000_000, "{err}");
    let runs = String::from_utf8(read(&dir.join("runs.csv"))).unwrap();
    assert_eq!(runs.lines().count() as u64, done + 1);
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("summary.json"))).unwrap();
    assert_eq!(summary["runs"].as_u64(), Some(done));
}

/// Ctrl-C during a sweep keeps the points that finished, marked incomplete.
#[cfg(unix)]
#[test]
fn interrupted_sweep_writes_its_finished_points() {
    let dir = scratch("sweep-interrupt");
    let out = interrupt_after(
        &[
            "sweep",
            "--grid",
            "mobilization.RU.call_up=100000..1000000:200",
            "--runs",
            "2000",
            "-q",
            "--out",
            dir.to_str().unwrap(),
        ],
        2500,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    let meta: serde_json::Value = serde_json::from_slice(&read(&dir.join("sweep.json"))).unwrap();
    assert_eq!(meta["complete"], false);
    let rows = meta["rows"].as_array().unwrap().len();
    assert!(rows < 200, "{rows}");
    let csv = String::from_utf8(read(&dir.join("sweep.csv"))).unwrap();
    assert_eq!(csv.lines().count(), rows + 1);
    assert!(
        err.contains(&format!("interrupted: {rows} of 200 points finished")),
        "{err}"
    );
}

/// Ctrl-C during a sensitivity study saves the evaluated outputs; the same command resumes and
/// gives exactly the result of an uninterrupted study.
#[cfg(unix)]
#[test]
fn interrupted_sensitivity_resumes_to_the_same_result() {
    let args = |dir: &Path| -> Vec<String> {
        [
            "sensitivity",
            "--params",
            "mobilization.RU.call_up,forces.UA.morale",
            "--outcome",
            "nuclear_use",
            "--method",
            "sobol",
            "--n",
            "512",
            "--runs-per-point",
            "20",
            "--weeks",
            "30",
            "--seed",
            "3",
            "-q",
            "--out",
            dir.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let whole = scratch("sens-whole");
    let a = args(&whole);
    let started = std::time::Instant::now();
    run_ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // Interrupt the second run halfway through, by the first one's duration: a fixed delay
    // was too long for a release build (the study finished first) on a fast machine.
    let halfway = (started.elapsed().as_millis() / 2).max(100) as u64;

    let resumed = scratch("sens-resumed");
    let b = args(&resumed);
    let out = interrupt_after(&b, halfway);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("saved in"), "{err}");
    let checkpoint = resumed.join("sensitivity.checkpoint.json");
    assert!(checkpoint.is_file());
    assert!(!resumed.join("sensitivity.json").exists());

    let out = run_ok(&b.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("resuming: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        read(&whole.join("sensitivity.json")) == read(&resumed.join("sensitivity.json")),
        "the resumed study differs from the uninterrupted one"
    );
    assert!(
        !checkpoint.exists(),
        "the checkpoint is removed once the study is complete"
    );
}

#[test]
fn given_needs_a_decision_layer() {
    // The default scenario without its [politics] section (and the ladder after it).
    let show = run_ok(&["scenario", "show"]);
    let text = String::from_utf8(show.stdout).unwrap();
    let cut = text
        .find("\n[politics]")
        .expect("the default has a decision layer");
    let dir = scratch("given-engine");
    let file = dir.join("engine.toml");
    std::fs::write(&file, &text[..cut]).unwrap();
    let out = brink()
        .args(["run", file.to_str().unwrap(), "--runs", "10", "-q"])
        .args(["--given", "nuclear_use"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no decision layer"), "{err}");
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    // `brink run | head -1`: the reader goes away before the table is printed (the study runs
    // first). brink stops without an error message and with success, as Unix tools do.
    let mut child = brink()
        .args(["run", "--runs", "2000", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {err}", out.status.code());
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
}
