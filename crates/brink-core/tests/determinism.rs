//! Determinism: a study's rows and aggregate are bit-identical for any number of threads and
//! any sharding, and shards merge in any order (ARCHITECTURE.md, "Aggregates merge exactly").

mod common;

use brink_core::aggregate::Accumulator;
use brink_core::output::{runs_schema, write_run_rows};
use brink_core::study::{CHUNK_RUNS, StudyResult};
use brink_core::{Resolved, Shard, StudyConfig, load_default, run_study};
use brink_table::CsvWriter;
use common::Collect;
use std::sync::atomic::AtomicBool;

/// More than three chunks, and not a multiple of the chunk size, so that every thread count
/// tested gets work and the last chunk is short.
const RUNS: u64 = 3 * CHUNK_RUNS + 77;
const WEEKS: u32 = 20;
const SEED: u64 = 987_654_321;

fn study(r: &Resolved, threads: usize, shard: Option<Shard>) -> (StudyResult, Vec<u8>) {
    let cfg = StudyConfig {
        runs: RUNS,
        seed: SEED,
        weeks: WEEKS,
        threads,
        shard,
    };
    let mut rows = Collect::default();
    let result = run_study(r, &cfg, &AtomicBool::new(false), &mut rows).expect("no I/O");
    // Rows arrive in run order, each once.
    let expected: Vec<u64> = result.requested.clone().collect();
    let got: Vec<u64> = rows.records.iter().map(|r| r.run).collect();
    assert_eq!(got, expected, "rows out of order or missing");
    let mut csv = CsvWriter::without_header(Vec::new(), &runs_schema(r));
    write_run_rows(&mut csv, &rows.records, r.scenario.politics.is_some()).expect("in memory");
    (result, csv.into_inner())
}

fn bytes(acc: &Accumulator) -> Vec<u8> {
    let mut b = Vec::new();
    acc.write(&mut b).expect("in memory");
    b
}

fn scenario() -> Resolved {
    // The whole default, decision layer included: its random choices must be deterministic too.
    load_default(&[]).expect("default loads")
}

#[test]
fn identical_results_for_one_two_and_three_threads() {
    let r = scenario();
    let (one, rows_one) = study(&r, 1, None);
    assert_eq!(one.acc.runs, RUNS);
    assert!(!one.interrupted);
    for threads in [2, 3] {
        let (res, rows) = study(&r, threads, None);
        assert!(
            rows == rows_one,
            "runs.csv rows differ with {threads} threads"
        );
        assert!(
            bytes(&res.acc) == bytes(&one.acc),
            "the aggregate differs with {threads} threads"
        );
        assert_eq!(res.completed, one.completed);
    }
}

#[test]
fn shards_merged_in_any_order_equal_the_whole_study() {
    let r = scenario();
    let (whole, whole_rows) = study(&r, 2, None);
    let shards: Vec<(StudyResult, Vec<u8>)> = (1..=3)
        .map(|index| study(&r, 2, Some(Shard { index, count: 3 })))
        .collect();
    // Rows: the shards' rows concatenated in shard order are the study's rows.
    let concatenated: Vec<u8> = shards.iter().flat_map(|(_, b)| b.clone()).collect();
    assert!(
        concatenated == whole_rows,
        "shard rows do not add up to the study"
    );
    // Aggregates: every merge order gives the same bytes as the unsharded study.
    let whole_bytes = bytes(&whole.acc);
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let mut acc = shards[order[0]].0.acc.clone();
        acc.merge(&shards[order[1]].0.acc);
        acc.merge(&shards[order[2]].0.acc);
        assert!(
            bytes(&acc) == whole_bytes,
            "merging shards in order {order:?} differs from the whole study"
        );
        // And through the binary form that `brink merge` reads.
        let mut fresh = Accumulator::new(WEEKS, 2, whole.acc.variables);
        for &i in &order {
            let b = bytes(&shards[i].0.acc);
            fresh.merge(&Accumulator::read(&mut b.as_slice()).expect("round trip"));
        }
        assert!(bytes(&fresh) == whole_bytes, "order {order:?} via bytes");
    }
}

#[test]
fn same_seed_same_run_whatever_else_is_in_the_study() {
    // Run i depends on (seed, i) only: the first 100 runs of a 300-run study are those of a
    // 100-run study, and a shard's runs are the same runs as in the whole.
    let r = scenario();
    let cfg = |runs| StudyConfig {
        runs,
        seed: SEED,
        weeks: 8,
        threads: 2,
        shard: None,
    };
    let mut small = Collect::default();
    run_study(&r, &cfg(100), &AtomicBool::new(false), &mut small).unwrap();
    let mut big = Collect::default();
    run_study(&r, &cfg(300), &AtomicBool::new(false), &mut big).unwrap();
    assert!(small.records[..] == big.records[..100]);
    // A different seed gives different runs.
    let mut other = Collect::default();
    let mut c = cfg(100);
    c.seed += 1;
    run_study(&r, &c, &AtomicBool::new(false), &mut other).unwrap();
    assert!(other.records[0].sampled != small.records[0].sampled);
}

#[test]
fn a_stopped_study_reports_a_prefix_of_runs() {
    // `stop` already set: nothing runs, and the result says it was interrupted.
    let r = scenario();
    let cfg = StudyConfig {
        runs: 1000,
        seed: SEED,
        weeks: 4,
        threads: 2,
        shard: None,
    };
    let mut rows = Collect::default();
    let res = run_study(&r, &cfg, &AtomicBool::new(true), &mut rows).unwrap();
    assert!(res.interrupted);
    assert_eq!(res.completed.end - res.completed.start, res.acc.runs);
    assert_eq!(rows.records.len() as u64, res.acc.runs);
}
