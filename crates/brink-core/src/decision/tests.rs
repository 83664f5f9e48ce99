//! Tests of the decision layer's mechanisms: directions and limits, preconditions, quantal
//! response, replay, and outcome bookkeeping.

use super::*;
use crate::load::{Override, load_default};
use crate::study::{Discard, StudyConfig, run_study, simulate, simulate_traced};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::sync::atomic::AtomicBool;

fn scenario(sets: &[&str]) -> Resolved {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load_default(&o).unwrap_or_else(|e| panic!("{e}"))
}

fn study(r: &Resolved, runs: u64) -> crate::study::StudyResult {
    let cfg = StudyConfig {
        runs,
        seed: 7,
        weeks: 52,
        threads: 2,
        shard: None,
    };
    run_study(r, &cfg, &AtomicBool::new(false), &mut Discard).unwrap()
}

fn sample_of(r: &Resolved) -> Vec<f64> {
    let (mut prng, _) = crate::study::run_streams(1);
    crate::study::sample_params(r, &mut prng)
}

#[test]
fn support_falls_with_the_log_of_cumulative_casualties() {
    let r = scenario(&[
        "politics.support.casualty_slope=0.05",
        "politics.support.casualty_reference=50000",
        "politics.support.casualties_before_start=0",
    ]);
    let p = r.scenario.politics.as_ref().unwrap();
    let v = sample_of(&r);
    let s = |c: f64| support_level(p, &v, c, 0.0, 0.0);
    // Strictly decreasing in casualties...
    let mut prev = s(0.0);
    for c in [1e3, 1e4, 5e4, 1e5, 5e5] {
        assert!(s(c) < prev);
        prev = s(c);
    }
    // ...and by exactly k ln((1 + C2/Cref) / (1 + C1/Cref)) (Mueller's logarithmic form).
    let drop = s(50_000.0) - s(150_000.0);
    assert!((drop - 0.05 * (4.0f64 / 2.0).ln()).abs() < 1e-12);
    // Limits: never below 0 or above 1.
    assert_eq!(s(1e30), 0.0);
    assert!(support_level(p, &v, 0.0, 0.0, 5.0) <= 1.0);
}

#[test]
fn removal_hazard_rises_with_face_loss_disloyalty_and_protests() {
    let r = scenario(&[]);
    let p = r.scenario.politics.as_ref().unwrap();
    let v = sample_of(&r);
    let h = |f: f64, l: f64, pr: f64| removal_hazard(p, &v, f, l, pr);
    assert!(h(0.5, 0.8, 0.1) > h(0.1, 0.8, 0.1));
    assert!(h(0.1, 0.5, 0.1) > h(0.1, 0.8, 0.1));
    assert!(h(0.1, 0.8, 0.5) > h(0.1, 0.8, 0.1));
    for f in [0.0, 1.0, 100.0] {
        let x = h(f, 0.0, 1.0);
        assert!((0.0..=1.0).contains(&x));
    }
}

#[test]
fn higher_call_up_raises_emigration_and_protests() {
    let mean_final = |r: &Resolved, var: &str| {
        let res = study(r, 400);
        let k = crate::model::VARIABLES
            .iter()
            .position(|x| *x == var)
            .unwrap();
        let li = r.side_index("RU").unwrap();
        (
            res.acc.get(12, li, k).mean().unwrap(),
            res.acc.get(4, li, k).mean().unwrap(),
        )
    };
    let low = scenario(&["mobilization.RU.call_up=300000"]);
    let high = scenario(&[
        "mobilization.RU.call_up=1200000",
        "mobilization.RU.summons_per_week=300000",
    ]);
    let (emig_low, _) = mean_final(&low, "emigrated");
    let (emig_high, _) = mean_final(&high, "emigrated");
    assert!(
        emig_high > emig_low * 1.2,
        "emigration {emig_high} vs {emig_low}"
    );
    let (_, prot_low) = mean_final(&low, "protests");
    let (_, prot_high) = mean_final(&high, "protests");
    assert!(prot_high > prot_low, "protests {prot_high} vs {prot_low}");
}

/// Patron utilities that move the share of a conventional response while keeping the share of
/// a nuclear reply fixed (the sum exp(u_conv) + exp(u_isolation) is 5 in both variants), so the
/// only channel from "US involvement" to the leader's choice is the face bar.
fn patron_variant(conventional_likely: bool, face: bool) -> Resolved {
    let (u_conv, u_iso) = if conventional_likely {
        (1.5f64, (5.0 - 1.5f64.exp()).ln())
    } else {
        (-2.0f64, (5.0 - (-2.0f64).exp()).ln())
    };
    let idx = |id: &str| {
        scenario(&[])
            .scenario
            .ladder
            .iter()
            .position(|r| r.id == id)
            .unwrap()
    };
    let sets = [
        format!(
            "ladder.{}.base_utility={u_conv}",
            idx("nato_conventional_response")
        ),
        format!(
            "ladder.{}.base_utility={u_iso}",
            idx("us_isolation_sanctions")
        ),
        "politics.rationality=1".to_string(),
        format!("politics.face.enabled={face}"),
    ];
    let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    scenario(&refs)
}

#[test]
fn without_face_us_involvement_does_not_raise_nuclear_use() {
    let runs = 1500;
    let p = |r: &Resolved| study(r, runs).events.event_runs("nuclear_use");
    let off_low = p(&patron_variant(false, false));
    let off_high = p(&patron_variant(true, false));
    // Common random numbers: without face, the leader's utilities are identical until the
    // first nuclear use, so the counts are equal, not just close.
    assert_eq!(off_low, off_high);
    let on_low = p(&patron_variant(false, true));
    let on_high = p(&patron_variant(true, true));
    // With face, an expected US conventional response lowers the bar: more nuclear use.
    assert!(on_high > on_low + 10, "face on: {on_high} vs {on_low}");
}

#[test]
fn nuclear_rungs_never_fire_when_doctrine_preconditions_cannot_hold() {
    let base = scenario(&[]);
    let idx = |id: &str| {
        base.scenario
            .ladder
            .iter()
            .position(|r| r.id == id)
            .unwrap()
    };
    let mut sets = vec![
        // Annexation never happens, and no threat is ever existential...
        format!("ladder.{}.base_utility=-1e9", idx("annexation")),
        "politics.doctrine.existential_territory_share=0".to_string(),
        "politics.doctrine.existential_strength_ratio=1e12".to_string(),
    ];
    // ...while every nuclear rung would be very attractive if allowed.
    for id in [
        "nuclear_alert",
        "nuclear_demonstration",
        "nuclear_tactical_military",
        "nuclear_city",
        "nuclear_kyiv",
    ] {
        sets.push(format!("ladder.{}.base_utility=50", idx(id)));
    }
    let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    let r = scenario(&refs);
    let res = study(&r, 3000);
    for id in [
        "nuclear_alert",
        "nuclear_use",
        "nuclear_demonstration",
        "nuclear_tactical_military",
        "nuclear_city",
        "nuclear_kyiv",
    ] {
        assert_eq!(res.events.event_runs(id), 0, "{id} fired");
    }
    // The same utilities with the preconditions satisfiable do fire: the test can fail.
    sets.remove(0);
    let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
    let open = study(&scenario(&refs), 300);
    assert!(open.events.event_runs("nuclear_alert") > 0);
}

#[test]
fn quantal_response_limits_and_frequencies() {
    let u = [1.0, 2.0, 0.5, 2.0];
    assert_eq!(quantal_response(&u, 0.0), vec![0.25; 4]);
    assert_eq!(
        quantal_response(&u, f64::INFINITY),
        vec![0.0, 0.5, 0.0, 0.5]
    );
    let big = quantal_response(&[1.0, 2.0, 0.5], 1e6);
    assert!((big[1] - 1.0).abs() < 1e-12);
    let p = quantal_response(&u, 1.3);
    let z: f64 = u.iter().map(|x| (1.3 * x).exp()).sum();
    for (pi, ui) in p.iter().zip(u) {
        assert!((pi - (1.3 * ui).exp() / z).abs() < 1e-12);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let n = 200_000;
    let mut counts = [0u64; 4];
    for _ in 0..n {
        counts[draw(&p, &mut rng)] += 1;
    }
    for (c, pi) in counts.iter().zip(&p) {
        let se = (pi * (1.0 - pi) / n as f64).sqrt();
        assert!((*c as f64 / n as f64 - pi).abs() < 4.0 * se, "{c} vs {pi}");
    }
}

#[test]
fn explain_replays_the_same_decisions() {
    let r = scenario(&[]);
    for seed in [1u64, 2, 3, 99, 12345] {
        let (_, plain) = simulate(&r, 52, seed, |_| {});
        let (_, traced) = simulate_traced(&r, 52, seed, |_| {});
        let (a, b) = (plain.politics.unwrap(), traced.politics.unwrap());
        assert_eq!(a.events, b.events);
        assert_eq!(a.outcome, b.outcome);
        assert_eq!(plain.sides[0].territory_km2, traced.sides[0].territory_km2);
        // Every traced choice that was not "hold" is an event of that week.
        for t in b.traces.unwrap().iter().filter(|t| t.chosen != "hold") {
            assert!(
                b.events
                    .iter()
                    .any(|e| e.week == t.week && e.event == t.chosen)
            );
        }
    }
}

#[test]
fn outcomes_are_exclusive_and_sum_to_one() {
    let r = scenario(&[]);
    let res = study(&r, 600);
    let total: u64 = res.events.outcomes.values().sum();
    assert_eq!(total, 600);
    assert!(!res.events.outcomes.contains_key("none"));
    let j = crate::output::decision_json(&r, &res.events, None);
    let sum: f64 = j["outcomes"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x["p"].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-12);
    // Events are flags: every run has the initial partial mobilization.
    assert_eq!(res.events.event_runs("partial_mobilization"), 600);
}

#[test]
fn conditional_outcomes_count_only_runs_with_the_event() {
    let r = scenario(&[]);
    let res = study(&r, 600);
    let n = res.events.event_runs("nuclear_alert");
    let j = crate::output::decision_json(&r, &res.events, Some("nuclear_alert"));
    assert_eq!(j["runs_considered"].as_u64(), Some(n));
    let k: u64 = j["outcomes"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x["runs"].as_u64().unwrap())
        .sum();
    assert_eq!(k, n);
}

#[test]
fn fact_masks_give_the_same_eligibility_as_the_atoms() {
    let r = scenario(&[]);
    let c = r.compiled.as_ref().unwrap();
    let requires = c
        .requires_facts
        .as_ref()
        .expect("the default ladder fits the fact word");
    let p = r.scenario.politics.as_ref().unwrap();
    let (li, oi) = (
        r.side_index(&p.leader).unwrap(),
        r.side_index(&p.opponent).unwrap(),
    );
    let mut checked = 0;
    for seed in [1u64, 2, 3, 99, 12345] {
        let (v, _) = simulate(&r, 0, seed, |_| {});
        let ctx = Ctx {
            r: &r,
            c,
            p,
            v: &v,
            li,
            oi,
        };
        simulate(&r, 52, seed, |st| {
            let ps = st.politics.as_ref().unwrap();
            let facts = ctx.facts(ps, st);
            for (i, clauses) in requires.iter().enumerate() {
                let by_facts = !ps.done[i] && clauses.iter().all(|q| q.holds(facts));
                assert_eq!(
                    by_facts,
                    ctx.eligible(i, ps, st),
                    "rung {i}, week {}",
                    st.week
                );
                checked += 1;
            }
        });
    }
    assert!(checked > 1000);
}

#[test]
fn the_event_tally_builds_the_same_statistics_as_recording_by_name() {
    // Uniform choice (rationality 0) takes many rungs, strikes included, so every map fills.
    for sets in [&[][..], &["politics.rationality=0"][..]] {
        let r = scenario(sets);
        let weeks = 52;
        let mut by_name = stats::EventStats::new(weeks);
        let mut tally = stats::EventTally::new(&r, weeks);
        for seed in 0..300 {
            let (_, mut state) = simulate(&r, weeks, seed, |_| {});
            let ps = state.politics.take().unwrap();
            let run = stats::RunEvents {
                outcome: ps.outcome,
                events: ps.events,
                highest_kahn: ps.highest_kahn,
                nuclear_killed: ps.nuclear_killed,
                nuclear_injured: ps.nuclear_injured,
            };
            by_name.record(&run);
            tally.record(&run);
        }
        // Runs without an outcome and without events count too.
        by_name.record(&stats::RunEvents::default());
        tally.record(&stats::RunEvents::default());
        assert!(!by_name.nuclear_killed.is_empty() || sets.is_empty());
        assert!(by_name.paths.len() > 3);
        assert_eq!(tally.into_stats(), by_name, "{sets:?}");
    }
}

#[test]
fn every_recorded_event_is_a_possible_event() {
    // `brink run --given` checks its event against `possible_events` before the study runs:
    // the list must hold every event a run can record, or a valid query would be refused.
    let r = scenario(&[]);
    let possible = crate::output::possible_events(&r);
    let result = study(&r, 3000);
    assert!(
        result.events.first_week.len() > 10,
        "too few events to be a check"
    );
    for id in result.events.first_week.keys() {
        assert!(
            possible.contains(id),
            "`{id}` happened but is not a possible event"
        );
    }
    for outcome in ["ru_military_victory", "ua_military_victory", "nuclear_use"] {
        assert!(possible.iter().any(|e| e == outcome), "{outcome}");
    }
    // Without a decision layer there are none.
    let mut engine = r.clone();
    engine.scenario.politics = None;
    assert!(crate::output::possible_events(&engine).is_empty());
}
