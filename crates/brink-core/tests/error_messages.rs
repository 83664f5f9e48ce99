//! Golden tests of the error messages for bad scenario files.
//!
//! Each `tests/fixtures/errors/NAME.toml` is `valid.toml` with one defect (or an empty, binary
//! or oversized file). The rendered `LoadError` must equal `NAME.expected` byte for byte; run
//! with `BRINK_BLESS=1` to rewrite the golden files after a deliberate change of wording, and
//! review the diff. Independently of the golden text, each case checks the parts that matter:
//! the file, the line and column (computed here from where the defect is in the fixture), the
//! field path, the message and the hint.

use brink_core::LoadError;
use brink_core::load::{Diagnostic, MAX_SCENARIO_BYTES, decode, load_bytes};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors")
}

fn bless() -> bool {
    std::env::var_os("BRINK_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file `NAME.expected` (or rewrites it when blessing).
fn golden(name: &str, actual: &str) {
    let path = fixtures().join(format!("{name}.expected"));
    if bless() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with BRINK_BLESS=1 to create it",
            path.display()
        )
    });
    assert!(
        actual == expected,
        "{name}: the message changed (BRINK_BLESS=1 rewrites the golden file)\n--- expected\n{expected}\n--- actual\n{actual}\n---"
    );
}

/// Loads a fixture by its file name, as `brink check NAME.toml` run in the fixture directory.
fn load_fixture(name: &str) -> LoadError {
    let file = format!("{name}.toml");
    let bytes = std::fs::read(fixtures().join(&file)).expect("fixture exists");
    match load_bytes(&file, &bytes, &[]) {
        Ok(_) => panic!("{file} should not load"),
        Err(e) => e,
    }
}

/// 1-based line and column (in characters) of the first occurrence of `marker` in a fixture.
fn position(name: &str, marker: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.toml"))).unwrap();
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in {name}.toml"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// What one diagnostic must say.
struct Expect {
    /// Text the caret must point at (its first occurrence in the fixture).
    at: &'static str,
    path: &'static str,
    message: &'static str,
    hint: &'static str,
}

fn find<'a>(e: &'a LoadError, want: &Expect) -> &'a Diagnostic {
    e.diagnostics
        .iter()
        .find(|d| d.message.contains(want.message))
        .unwrap_or_else(|| panic!("no diagnostic says {:?}:\n{e}", want.message))
}

fn check(name: &str, wants: &[Expect]) {
    let e = load_fixture(name);
    let rendered = e.to_string();
    for want in wants {
        let d = find(&e, want);
        assert_eq!(d.file, format!("{name}.toml"), "{name}: file");
        let (line, column) = position(name, want.at);
        assert_eq!(
            (d.line, d.column),
            (line, column),
            "{name}: {:?} should point at {:?}\n{rendered}",
            want.message,
            want.at
        );
        assert_eq!(d.path, want.path, "{name}: field path\n{rendered}");
        let hint = d.hint.as_deref().unwrap_or("");
        assert!(
            hint.contains(want.hint),
            "{name}: hint {hint:?} should contain {:?}",
            want.hint
        );
        assert!(
            rendered.contains(&format!("--> {name}.toml:{line}:{column}")),
            "{name}: rendered location\n{rendered}"
        );
    }
    assert!(
        rendered.ends_with("; the scenario was not run."),
        "{name}: summary line\n{rendered}"
    );
    golden(name, &rendered);
}

#[test]
fn the_base_fixture_is_valid() {
    let bytes = std::fs::read(fixtures().join("valid.toml")).unwrap();
    if let Err(e) = load_bytes("valid.toml", &bytes, &[]) {
        panic!("valid.toml must load (every bad fixture is it with one defect):\n{e}");
    }
}

#[test]
fn unknown_optional_key_with_a_typo() {
    check(
        "typo_start_week",
        &[Expect {
            at: "start_wek",
            path: "mobilization.RU.start_wek",
            message: "unknown field `start_wek`",
            hint: "did you mean `start_week`?",
        }],
    );
}

#[test]
fn unknown_required_key_with_a_typo() {
    // The issue asks for "did you mean `call_up`" when `call_up` is misspelt: serde only says
    // "missing field `call_up`", so the loader matches it with the unknown key in that table.
    check(
        "typo_call_up",
        &[Expect {
            at: "cal_up",
            path: "mobilization.RU.cal_up",
            message: "unknown field `cal_up`",
            hint: "did you mean `call_up`?",
        }],
    );
}

#[test]
fn negative_capacity() {
    check(
        "negative_capacity",
        &[Expect {
            at: "-80000",
            path: "mobilization.RU.induction.capacity_per_week",
            message: "-80000 is outside the allowed range",
            hint: "a number >= 0",
        }],
    );
}

#[test]
fn probability_outside_zero_one() {
    check(
        "probability_out_of_range",
        &[Expect {
            at: "1.25",
            path: "forces.RU.killed_share",
            message: "1.25 is outside the allowed range",
            hint: "a probability in [0, 1]",
        }],
    );
}

#[test]
fn distribution_with_min_above_max() {
    check(
        "dist_min_gt_max",
        &[Expect {
            at: "{ dist = \"uniform\"",
            path: "forces.RU.at_front",
            message: "min (240000) is greater than max (150000)",
            hint: "swap min and max",
        }],
    );
}

#[test]
fn unknown_actor_id() {
    check(
        "unknown_actor",
        &[Expect {
            at: "0.005",
            path: "combat.attrition_per_week.RUS",
            message: "unknown actor id `RUS`",
            hint: "did you mean `RU`?",
        }],
    );
}

#[test]
fn nan_value() {
    check(
        "nan",
        &[Expect {
            at: "nan",
            path: "forces.UA.morale",
            message: "NaN is not a finite number",
            hint: "a probability in [0, 1]",
        }],
    );
}

#[test]
fn toml_syntax_error() {
    check(
        "syntax_error",
        &[Expect {
            at: "9000 items",
            path: "",
            message: "TOML syntax error",
            hint: "check quotes, brackets",
        }],
    );
}

#[test]
fn missing_field() {
    check(
        "missing_field",
        &[Expect {
            at: "[forces.UA]",
            path: "forces.UA.quality",
            message: "missing field `quality`",
            hint: "add `quality = ...`",
        }],
    );
}

#[test]
fn missing_field_names_its_path() {
    let e = load_fixture("missing_field");
    let d = &e.diagnostics[0];
    assert_eq!(d.path, "forces.UA.quality", "\n{e}");
}

#[test]
fn wrong_type() {
    check(
        "wrong_type",
        &[Expect {
            at: "\"many\"",
            path: "",
            message: "invalid type: string \"many\"",
            hint: "",
        }],
    );
}

#[test]
fn untruncated_normal_for_a_probability() {
    check(
        "normal_probability",
        &[Expect {
            at: "{ dist = \"normal\"",
            path: "mobilization.RU.p_evade",
            message: "the distribution can produce values in [-inf, inf]",
            hint: "truncate the distribution with `min`/`max`",
        }],
    );
}

/// Whole-file problems have no line, column or field.
fn check_whole_file(name: &str, bytes: &[u8], message: &str, hint: &str) {
    let file = format!("{name}.toml");
    let e = match load_bytes(&file, bytes, &[]) {
        Ok(_) => panic!("{file} should not load"),
        Err(e) => e,
    };
    assert_eq!(e.diagnostics.len(), 1);
    let d = &e.diagnostics[0];
    assert_eq!(d.file, file);
    assert_eq!((d.line, d.column, d.path.as_str()), (0, 0, ""));
    assert!(d.message.contains(message), "{name}: {e}");
    assert!(
        d.hint.as_deref().unwrap_or("").contains(hint),
        "{name}: {e}"
    );
    // `decode` alone refuses it the same way.
    assert_eq!(decode(&file, bytes).unwrap_err(), e);
    golden(name, &e.to_string());
}

#[test]
fn empty_file() {
    check_whole_file("empty", b"", "the file is empty", "brink scenario show");
    check_whole_file(
        "blank",
        b"  \n\t\n",
        "the file is empty",
        "brink scenario show",
    );
}

#[test]
fn binary_file() {
    let bytes = std::fs::read(fixtures().join("binary.toml")).unwrap();
    assert!(bytes.contains(&0));
    check_whole_file("binary", &bytes, "NUL bytes", "pass a TOML scenario");
}

#[test]
fn file_over_four_mebibytes() {
    // Generated, not committed: a valid-looking TOML text one byte over the limit.
    let mut bytes = std::fs::read(fixtures().join("valid.toml")).unwrap();
    while bytes.len() <= MAX_SCENARIO_BYTES {
        bytes.extend_from_slice(b"# padding padding padding padding padding padding padding\n");
    }
    bytes.truncate(MAX_SCENARIO_BYTES + 1);
    assert_eq!(MAX_SCENARIO_BYTES, 4 * 1024 * 1024);
    check_whole_file(
        "oversized",
        &bytes,
        "the file is 4194305 bytes; scenario files are limited to 4194304 bytes",
        "is this the right file?",
    );
}

#[test]
fn invalid_utf8() {
    check_whole_file(
        "latin1",
        b"[scenario]\nname = \"Bras\xedlia\"\n",
        "not valid UTF-8 (invalid byte at offset 23)",
        "UTF-8",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    // Three independent defects in one file: three diagnostics, in file order.
    let text = std::fs::read_to_string(fixtures().join("valid.toml"))
        .unwrap()
        .replace(
            "killed_share = 0.25\ncaptured_share = 0.03",
            "killed_share = 1.25\ncaptured_share = 0.03",
        )
        .replace("capacity_per_week = 80000", "capacity_per_week = -80000")
        .replace("morale = 0.85", "morale = nan");
    let e = load_bytes("three.toml", text.as_bytes(), &[]).unwrap_err();
    let paths: Vec<&str> = e.diagnostics.iter().map(|d| d.path.as_str()).collect();
    for p in [
        "forces.RU.killed_share",
        "forces.UA.morale",
        "mobilization.RU.induction.capacity_per_week",
    ] {
        assert!(paths.contains(&p), "{p} not reported: {paths:?}");
    }
    let lines: Vec<usize> = e.diagnostics.iter().map(|d| d.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "not in file order: {lines:?}"
    );
    assert!(
        e.to_string()
            .contains(&format!("{} problems found", e.diagnostics.len()))
    );
}

#[test]
fn bad_overrides_are_diagnosed_not_panicked() {
    let valid = std::fs::read(fixtures().join("valid.toml")).unwrap();
    let set = |s: &str| vec![s.parse::<brink_core::Override>().unwrap()];
    // A path whose parent table does not exist.
    let e = load_bytes("valid.toml", &valid, &set("mobilization.XX.call_up=1")).unwrap_err();
    assert_eq!(e.diagnostics[0].file, "--set");
    assert_eq!(e.diagnostics[0].path, "mobilization.XX.call_up");
    // A value of the wrong kind is diagnosed like one in the file.
    let e = load_bytes("valid.toml", &valid, &set("forces.RU.quality=2")).unwrap_err();
    assert_eq!(e.diagnostics[0].path, "forces.RU.quality");
    // Not PATH=VALUE.
    assert!("call_up".parse::<brink_core::Override>().is_err());
    assert!("=3".parse::<brink_core::Override>().is_err());
}

#[test]
fn rungs_that_require_each_other_are_a_cycle() {
    // In the default ladder, annexation requires `done:partial_mobilization`; making partial
    // mobilization require `done:annexation` means neither can ever be taken.
    let text = brink_core::load::DEFAULT_SCENARIO_TOML.replacen(
        "id = \"partial_mobilization\"\n",
        "id = \"partial_mobilization\"\nrequires = [\"done:annexation\"]\n",
        1,
    );
    assert_ne!(text, brink_core::load::DEFAULT_SCENARIO_TOML);
    let e = load_bytes("cycle.toml", text.as_bytes(), &[]).unwrap_err();
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.message.contains("rungs require each other in a cycle"))
        .unwrap_or_else(|| panic!("no cycle reported:\n{e}"));
    assert!(d.message.contains("partial_mobilization"), "{e}");
    assert!(d.message.contains("annexation"), "{e}");
    assert!(d.path.starts_with("ladder."), "{e}");
    assert_eq!(d.file, "cycle.toml");
    assert!(d.line > 0, "the cycle points at a line:\n{e}");
}

#[test]
fn absurdly_large_numbers_are_refused_not_turned_into_infinities() {
    let set = |s: &str| vec![s.parse::<brink_core::Override>().unwrap()];
    for o in [
        "recruitment.RU.sources.0.base_per_week=1e308",
        "mobilization.RU.call_up=2e12",
    ] {
        let e = brink_core::load::load_default(&set(o)).unwrap_err();
        assert!(
            e.diagnostics
                .iter()
                .any(|d| d.message.contains("larger in magnitude than 1e12")),
            "{o}: {e}"
        );
    }
    // Inside a distribution too, and a lognormal too wide to be meant.
    let e = brink_core::load::load_default(&set(
        "mobilization.RU.call_up={ dist = \"uniform\", min = 1, max = 1e300 }",
    ))
    .unwrap_err();
    assert!(e.to_string().contains("`max` is 1e300"), "{e}");
}

#[test]
fn a_study_too_large_for_its_counts_is_refused_at_load() {
    // Histogram bins count runs in u32: a study of 2^32 runs or more would wrap them silently.
    let set = |s: &str| vec![s.parse::<brink_core::Override>().unwrap()];
    for runs in ["0", "4294967296", "5000000000"] {
        let e =
            brink_core::load::load_default(&set(&format!("scenario.runs={runs}"))).expect_err(runs);
        let d = &e.diagnostics[0];
        assert_eq!(d.path, "scenario.runs", "{runs}: {e}");
        assert!(d.message.contains("outside 1..=4294967295"), "{runs}: {e}");
    }
    assert!(brink_core::load::load_default(&set("scenario.runs=4294967295")).is_ok());
}
