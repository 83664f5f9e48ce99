//! Queueing theory in the mobilization pipeline (M-MOB).
//!
//! 1. Throughput: with a deterministic input and one binding constraint, arrivals at the front
//!    per week settle at the bottleneck's capacity (entries per week, places / duration,
//!    equipment sets per week, or officers per week x span of control).
//! 2. Little's law, L = lambda W, with Poisson summonses: once with fixed service times and no
//!    queue (W known from the scenario), once with a near-saturated stage where people wait
//!    (W measured per cohort from the week it was summoned and the week it leaves).

mod common;

use brink_core::model::{ASSIGNMENT, INDUCTION, QUARTERING, RunState, TRAINING};
use common::{load_with, minimal_with_pipeline, rel, trajectory};

/// People arriving at the front of side 0 (RU) in each step: `out[w]` is step `w`.
fn arrivals_per_week(states: &[RunState]) -> Vec<f64> {
    states
        .windows(2)
        .map(|w| w[1].sides[0].arrived_total - w[0].sides[0].arrived_total)
        .collect()
}

/// The deterministic input: two million people are summoned in week 0 (the Poisson draw of
/// 10^8 summonses is capped by the call-up, so the count is exact) and nobody evades; the
/// batch then drains through the pipeline for longer than the horizon.
const BATCH: [&str; 4] = [
    "mobilization.RU.call_up=2000000",
    "mobilization.RU.summons_per_week=100000000",
    "mobilization.RU.p_evade=0",
    "mobilization.RU.reservist_pool=1e12",
];

#[test]
fn throughput_equals_bottleneck_capacity() {
    // (name, the one binding constraint, expected throughput per week, bottleneck stage)
    let cases: [(&str, &[&str], f64, usize); 8] = [
        (
            "induction entries",
            &["mobilization.RU.induction.capacity_per_week=20000"],
            20000.0,
            INDUCTION,
        ),
        (
            "training entries",
            &["mobilization.RU.training.capacity_per_week=17000"],
            17000.0,
            TRAINING,
        ),
        (
            // Little's law for the servers: places / course = 80,000 / 4.
            "training places",
            &[
                "mobilization.RU.training.places=80000",
                "mobilization.RU.training.course_weeks=4",
            ],
            20000.0,
            TRAINING,
        ),
        (
            "training equipment sets",
            &[
                "mobilization.RU.training.equipment_sets=0",
                "mobilization.RU.training.equipment_sets_per_week=7000",
            ],
            7000.0,
            TRAINING,
        ),
        (
            "quartering entries",
            &["mobilization.RU.quartering.capacity_per_week=15000"],
            15000.0,
            QUARTERING,
        ),
        (
            "quartering places",
            &[
                "mobilization.RU.quartering.places=30000",
                "mobilization.RU.quartering.duration_weeks=2",
            ],
            15000.0,
            QUARTERING,
        ),
        (
            "assignment entries",
            &["mobilization.RU.assignment.capacity_per_week=12000"],
            12000.0,
            ASSIGNMENT,
        ),
        (
            // Officers arrive at 1,000 a week and each leads 10 people away.
            "officers",
            &[
                "mobilization.RU.assignment.officers=0",
                "mobilization.RU.assignment.officers_per_week=1000",
                "mobilization.RU.assignment.span_of_control=10",
            ],
            10000.0,
            ASSIGNMENT,
        ),
    ];
    let text = minimal_with_pipeline();
    for (name, sets, capacity, stage) in cases {
        let mut all: Vec<&str> = BATCH.to_vec();
        all.extend_from_slice(sets);
        let r = load_with(&text, &all);
        let (_, states) = trajectory(&r, 60, 1);
        assert_eq!(
            states[1].sides[0].summoned, 2_000_000.0,
            "{name}: the batch is summoned in week 0"
        );
        let arrivals = arrivals_per_week(&states);
        // The pipeline is at most 1 + 4 + 2 + 1 weeks long: from week 12 on it is in steady
        // state. A limit on places admits in pulses (a full stage empties and refills every
        // `duration` weeks), so the throughput is checked as the mean over 48 weeks (a multiple
        // of every duration here), and week by week when the limit is on entries or on a flow of
        // equipment sets or officers. Only a limit on entries also caps the transient: sets and
        // officers that accumulate before the first people reach the stage are a stock.
        let window = &arrivals[12..60];
        let mean = window.iter().sum::<f64>() / window.len() as f64;
        assert!(
            rel(mean, capacity) < 1e-9,
            "{name}: {mean} arrived per week on average, the bottleneck passes {capacity} a week"
        );
        if !name.contains("places") {
            for (week, a) in arrivals.iter().enumerate().skip(12) {
                assert!(
                    rel(*a, capacity) < 1e-9,
                    "{name}: {a} arrived in week {week}, the bottleneck passes {capacity} a week"
                );
            }
        }
        if name.contains("entries") {
            for (week, a) in arrivals.iter().enumerate() {
                assert!(
                    *a <= capacity * (1.0 + 1e-9),
                    "{name}: {a} arrived in week {week}, above the bottleneck's {capacity}"
                );
            }
        }
        // The queue stands in front of the bottleneck; the stages after it never wait.
        let last = &states[60].sides[0];
        assert!(
            last.stages[stage].waiting_total() > 1e5,
            "{name}: no queue in front of the bottleneck stage {stage}"
        );
        for (k, later) in last.stages.iter().enumerate().skip(stage + 1) {
            assert!(
                later.waiting_total() < 1e-6,
                "{name}: {} people wait in stage {k}, after the bottleneck",
                later.waiting_total()
            );
        }
    }
}

/// Entries into the pipeline (people who reported) in step `w`.
fn entries(states: &[RunState], w: usize) -> f64 {
    let (a, b) = (&states[w].sides[0], &states[w + 1].sides[0]);
    (b.summoned - b.evaded) - (a.summoned - a.evaded)
}

/// Little's law with Poisson summonses and fixed service times, no queue anywhere.
///
/// Not circular: L is the number of people the stages hold (read from the stage queues each
/// week), lambda the number who reported (read from the summons and evasion counters), and W
/// the sum of the stage durations written in the scenario. A pipeline that released people
/// early or late, lost them, or counted them twice would break the equality.
#[test]
fn littles_law_fixed_service_times() {
    let weeks = 1040u32;
    // Mean 20 uses the exact Poisson draw, mean 3,000 the normal approximation.
    for (mean, seed) in [(20.0, 11u64), (3000.0, 12)] {
        let r = load_with(
            &minimal_with_pipeline(),
            &[
                &format!("mobilization.RU.summons_per_week={mean}"),
                "mobilization.RU.p_evade=0.1",
                "mobilization.RU.induction.duration_weeks=2",
                "mobilization.RU.training.course_weeks=5",
                "mobilization.RU.quartering.duration_weeks=1",
                "mobilization.RU.assignment.duration_weeks=3",
            ],
        );
        let w = 2.0 + 5.0 + 1.0 + 3.0;
        let (_, states) = trajectory(&r, weeks, seed);
        let t = weeks as usize;
        let lambda = (0..t).map(|k| entries(&states, k)).sum::<f64>() / t as f64;
        // Average over the weeks after the pipeline has filled.
        let burn = 20;
        let l = states[burn..=t]
            .iter()
            .map(|s| s.sides[0].in_pipeline())
            .sum::<f64>()
            / (t + 1 - burn) as f64;
        assert!(
            (lambda / (mean * 0.9) - 1.0).abs() < 0.05,
            "mean {mean}: {lambda} reported a week, expected about {}",
            mean * 0.9
        );
        assert!(
            rel(l, lambda * w) < 0.01,
            "mean {mean}: L = {l}, lambda W = {lambda} x {w} = {}",
            lambda * w
        );
    }
}

/// Little's law with queueing: Poisson summonses (mean 20 a week, exact Poisson draws) into a
/// training stage that admits 20.5 a week, so queues form and drain at random.
///
/// W is measured independently of L with the cohort bookkeeping: a cohort in the last stage
/// whose service is over at the end of week j leaves for the front in step j, and carries the
/// (mean) week its people were summoned (`origin_week`); its time in the pipeline is `j - origin_week` weeks
/// (it is counted in the end-of-week states origin_week + 1 ..= j). The test first checks that
/// the cohorts so identified are exactly the people who arrive at the front, then compares the
/// time-average of the stage totals (L) with the entry rate (lambda) times the mean sojourn of
/// the departed people (W). The residual bias from people still inside at the horizon is below
/// 1% at 1,040 weeks.
#[test]
fn littles_law_with_queueing_cohort_bookkeeping() {
    let weeks = 1040u32;
    let r = load_with(
        &minimal_with_pipeline(),
        &[
            "mobilization.RU.summons_per_week=20",
            "mobilization.RU.training.capacity_per_week=20.5",
            "mobilization.RU.training.course_weeks=4",
        ],
    );
    let fixed_service = 1.0 + 4.0 + 1.0 + 1.0;
    let (mut sum_l, mut sum_entries, mut sum_departed, mut sum_sojourn) = (0.0, 0.0, 0.0, 0.0);
    let t = weeks as usize;
    for seed in 0..3u64 {
        let (_, states) = trajectory(&r, weeks, 100 + seed);
        let arrivals = arrivals_per_week(&states);
        for j in 1..t {
            let last_stage = &states[j].sides[0].stages[ASSIGNMENT];
            let leaving: Vec<_> = last_stage.due().collect();
            let count: f64 = leaving.iter().map(|c| c.count).sum();
            assert!(
                (count - arrivals[j]).abs() < 1e-6,
                "seed {seed} week {j}: cohorts due out hold {count}, {} arrived",
                arrivals[j]
            );
            for c in leaving {
                assert!(c.origin_week < j as f64);
                sum_departed += c.count;
                sum_sojourn += c.count * (j as f64 - c.origin_week);
            }
        }
        sum_l += states[1..=t]
            .iter()
            .map(|s| s.sides[0].in_pipeline())
            .sum::<f64>();
        sum_entries += (0..t).map(|k| entries(&states, k)).sum::<f64>();
    }
    let n = 3.0 * t as f64;
    let (l, lambda, w) = (sum_l / n, sum_entries / n, sum_sojourn / sum_departed);
    assert!(
        w > fixed_service + 0.3,
        "W = {w}: people should wait for training on top of the {fixed_service} weeks of service"
    );
    assert!(
        rel(l, lambda * w) < 0.02,
        "L = {l}, lambda W = {lambda} x {w} = {}",
        lambda * w
    );
}

/// Stages of zero weeks pass people through in the week they enter: with every duration 0 (and
/// training cut to 0 weeks by the shortcut policy) and no limit binding, nobody is in the
/// pipeline at the end of any week, everyone who reported arrives at the front that same week,
/// and they arrive untrained.
#[test]
fn zero_week_stages_pass_people_through_in_the_same_week() {
    let r = load_with(
        &minimal_with_pipeline(),
        &[
            "mobilization.RU.summons_per_week=3000",
            "mobilization.RU.p_evade=0.1",
            "mobilization.RU.induction.duration_weeks=0",
            "mobilization.RU.training.policy=\"shortcut\"",
            "mobilization.RU.training.shortcut_weeks=0",
            "mobilization.RU.quartering.duration_weeks=0",
            "mobilization.RU.assignment.duration_weeks=0",
        ],
    );
    let (_, states) = trajectory(&r, 30, 5);
    let arrivals = arrivals_per_week(&states);
    for (w, arrived) in arrivals.iter().enumerate() {
        let reported = entries(&states, w);
        assert!(reported > 0.0, "week {w}: nobody reported");
        assert!(
            rel(*arrived, reported) < 1e-12,
            "week {w}: {reported} reported, {arrived} reached the front"
        );
        assert_eq!(states[w + 1].sides[0].in_pipeline(), 0.0, "week {w}");
    }
    let last = &states[30].sides[0];
    assert!(rel(last.arrived_quality_sum / last.arrived_total, 0.25) < 1e-12);
}
