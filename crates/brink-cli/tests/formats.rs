//! `--format csv|parquet|both`: the Parquet tables hold the CSV tables' columns, and merged
//! shards give the bytes of the unsharded study, Parquet included.

use std::path::{Path, PathBuf};
use std::process::Command;

fn brink(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(args)
        .output()
        .expect("brink runs");
    assert!(
        out.status.success(),
        "brink {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("brink-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

const STUDY: [&str; 6] = ["--runs", "200", "--weeks", "12", "--seed", "11"];

/// The small study, with `extra` flags, written to `out`.
fn run(extra: &[&str], out: &Path) {
    let mut a = vec!["run", "-q"];
    a.extend(STUDY);
    a.extend(extra);
    a.extend(["--out", s(out)]);
    brink(&a);
}

/// Merges shard directories into `out`, both table formats.
fn merge_both(shards: &[&Path], out: &Path) {
    let mut a = vec!["merge"];
    a.extend(shards.iter().map(|d| s(d)));
    a.extend(["--out", s(out), "--format", "both"]);
    brink(&a);
}

#[test]
fn merged_shards_give_the_unsharded_parquet_and_csv_bytes() {
    let all = tmp("all");
    let (s1, s2, merged) = (tmp("s1"), tmp("s2"), tmp("merged"));
    run(&["--format", "both"], &all);
    run(&["--shard", "2/2"], &s2);
    run(&["--shard", "1/2", "--format", "both"], &s1);
    merge_both(&[&s2, &s1], &merged);
    for f in [
        "runs.csv",
        "runs.parquet",
        "weekly.csv",
        "weekly.parquet",
        "events.csv",
        "events.parquet",
        "summary.json",
        "survival.csv",
    ] {
        let a = std::fs::read(all.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let b = std::fs::read(merged.join(f)).unwrap_or_else(|e| panic!("merged {f}: {e}"));
        assert!(
            a == b,
            "{f} of the merged shards differs from the unsharded study"
        );
    }
    for d in [all, s1, s2, merged] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn parquet_only_shards_merge_into_the_unsharded_study() {
    let (all, s1, s2, merged) = (tmp("pall"), tmp("p1"), tmp("p2"), tmp("pm"));
    run(&["--format", "both"], &all);
    run(&["--format", "parquet", "--shard", "1/2"], &s1);
    run(&["--format", "parquet", "--shard", "2/2"], &s2);
    assert!(s1.join("runs.parquet").exists() && s1.join("weekly.parquet").exists());
    assert!(!s1.join("runs.csv").exists() && !s1.join("weekly.csv").exists());
    // The shards' Parquet tables are read back: both formats of the merged study equal the
    // unsharded one byte for byte.
    merge_both(&[&s2, &s1], &merged);
    for f in [
        "runs.csv",
        "runs.parquet",
        "events.csv",
        "events.parquet",
        "weekly.csv",
        "summary.json",
    ] {
        let a = std::fs::read(all.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let b = std::fs::read(merged.join(f)).unwrap_or_else(|e| panic!("merged {f}: {e}"));
        assert!(a == b, "{f} of the merged Parquet shards differs");
    }
    // A damaged table is refused with its path, not merged.
    let runs = s1.join("runs.parquet");
    let mut bytes = std::fs::read(&runs).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&runs, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brink"))
        .args(["merge", s(&s1), s(&s2), "--out", s(&tmp("pbad"))])
        .output()
        .expect("brink runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("runs.parquet"), "unclear error: {err}");
    for d in [all, s1, s2, merged, tmp("pbad")] {
        let _ = std::fs::remove_dir_all(d);
    }
}
