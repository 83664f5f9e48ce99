//! The engine seam: parameter ranges, common random numbers, comparison and sweeps on the
//! embedded September 2022 scenario.

use brink_core::load::{Override, load_default};
use brink_core::study::{run_seed, simulate};
use brink_study::scenario::{
    GridSpec, Outcomes, ScenarioModel, compare, find_slot, grid_points, lhs_points, resolve_ranges,
    run_values, sweep,
};
use brink_study::sobol::sobol_study;
use brink_study::{Model, no_progress};
use std::sync::atomic::AtomicBool;

fn set(path: &str, value: &str) -> Override {
    Override {
        path: path.into(),
        value: value.into(),
    }
}

#[test]
fn fixing_a_parameter_to_its_sampled_value_reproduces_the_run() {
    // Common random numbers: fixing a slot changes nothing else in the run.
    let r = load_default(&[]).unwrap();
    let o = Outcomes::all(&r);
    let slot = find_slot(&r, "mobilization.RU.p_evade").unwrap();
    for run in 0..5 {
        let seed = run_seed(r.scenario.scenario.seed, run);
        let (sample, _) = simulate(&r, r.scenario.scenario.weeks, seed, |_| {});
        let free = run_values(&r, r.scenario.scenario.weeks, seed, &[], &o);
        let fixed = run_values(
            &r,
            r.scenario.scenario.weeks,
            seed,
            &[(slot, sample[slot])],
            &o,
        );
        assert_eq!(free, fixed);
        let other = run_values(&r, r.scenario.scenario.weeks, seed, &[(slot, 0.39)], &o);
        assert_ne!(free, other, "p_evade = 0.39 should change the run");
    }
}

#[test]
fn ranges_come_from_distributions_or_plain_values_and_are_checked() {
    let r = load_default(&[]).unwrap();
    let paths = vec![
        "mobilization.RU.p_evade".to_string(),
        "mobilization.RU.call_up".to_string(),
    ];
    let rs = resolve_ranges(&r, &paths, &[]).unwrap();
    // p_evade = pert(0.05, 0.2, 0.4): min..max, base at the mode.
    assert_eq!((rs[0].low, rs[0].high, rs[0].base), (0.05, 0.4, 0.2));
    assert!(rs[0].source.contains("pert"));
    // call_up = 300000, a plain value: +-20%, labelled as an assumption.
    assert_eq!((rs[1].low, rs[1].high), (240_000.0, 360_000.0));
    assert!(rs[1].source.contains("assumption"));

    let given = vec![("mobilization.RU.call_up".to_string(), 1e5, 1e6)];
    let rs = resolve_ranges(&r, &paths, &given).unwrap();
    assert_eq!(
        (rs[1].low, rs[1].high, rs[1].source.as_str()),
        (1e5, 1e6, "--range")
    );

    // A probability cannot go above 1: the error names the path and the way out.
    let given = vec![("mobilization.RU.p_evade".to_string(), 0.1, 1.5)];
    let e = resolve_ranges(&r, &paths, &given).unwrap_err();
    assert!(e.contains("mobilization.RU.p_evade") && e.contains("1.5") && e.contains("--range"));

    // A misspelt path gets a "did you mean".
    let e = resolve_ranges(&r, &["mobilization.RU.cal_up".to_string()], &[]).unwrap_err();
    assert!(e.contains("did you mean `mobilization.RU.call_up`"), "{e}");
}

#[test]
fn outcomes_name_summary_events_and_final_metrics() {
    let r = load_default(&[]).unwrap();
    let o = Outcomes::all(&r);
    for name in [
        "nuclear_use",
        "ua_military_victory",
        "annexation",
        "final.RU.at_front",
        "final.UA.territory_km2",
        "final.RU.support",
        "nuclear_killed",
    ] {
        assert!(o.names.contains(&name.to_string()), "{name} missing");
    }
    // Political variables are the leader's only.
    assert!(!o.names.contains(&"final.UA.support".to_string()));
    let e = Outcomes::select(&r, "nuclear_usee").unwrap_err();
    assert!(e.contains("did you mean `nuclear_use`"));
}

#[test]
fn compare_of_a_scenario_with_itself_finds_exactly_no_difference() {
    let a = load_default(&[]).unwrap();
    let b = load_default(&[]).unwrap();
    let rows = compare(&a, &b, 200, 5, 2, &no_progress, &AtomicBool::new(false))
        .unwrap()
        .0;
    assert!(rows.len() > 30);
    for d in &rows {
        assert_eq!(d.diff, 0.0, "{}", d.name);
        assert_eq!(d.ci95, [0.0, 0.0]);
        assert!(!d.significant);
        assert_eq!(d.a, d.b);
    }
}

#[test]
fn compare_finds_a_known_shift() {
    // Summoning a million instead of 300,000: more people summoned in every run.
    let a = load_default(&[]).unwrap();
    let b = load_default(&[set("mobilization.RU.call_up", "1000000")]).unwrap();
    let rows = compare(&a, &b, 200, 5, 2, &no_progress, &AtomicBool::new(false))
        .unwrap()
        .0;
    let summoned = rows.iter().find(|d| d.name == "final.RU.summoned").unwrap();
    assert!(summoned.significant);
    assert!(summoned.ci95[0] > 200_000.0, "{summoned:?}");
    // A share of the summoned evade, so evasion rises too.
    let evaded = rows.iter().find(|d| d.name == "final.RU.evaded").unwrap();
    assert!(evaded.significant && evaded.diff > 0.0);
    // Only B's call-up changed: the parameters shared by A and B were drawn identically.
    assert!(rows.iter().filter(|d| d.significant).count() < rows.len());
}

#[test]
fn compare_and_sobol_on_a_scenario_do_not_depend_on_threads() {
    let a = load_default(&[]).unwrap();
    let b = load_default(&[set("mobilization.RU.p_evade", "0.3")]).unwrap();
    assert_eq!(
        compare(&a, &b, 60, 9, 1, &no_progress, &AtomicBool::new(false))
            .unwrap()
            .0,
        compare(&a, &b, 60, 9, 2, &no_progress, &AtomicBool::new(false))
            .unwrap()
            .0
    );
    let paths = vec![
        "mobilization.RU.p_evade".to_string(),
        "mobilization.RU.call_up".to_string(),
    ];
    let model = ScenarioModel {
        r: &a,
        ranges: resolve_ranges(&a, &paths, &[]).unwrap(),
        outcome: Outcomes::select(&a, "final.RU.arrived_total").unwrap(),
        runs_per_point: 4,
        weeks: 12,
    };
    let (lo, hi): (Vec<f64>, Vec<f64>) = model.ranges.iter().map(|p| (p.low, p.high)).unzip();
    let one = sobol_study(&model, &lo, &hi, 16, 50, 3, 1, &no_progress).unwrap();
    let two = sobol_study(&model, &lo, &hi, 16, 50, 3, 2, &no_progress).unwrap();
    assert_eq!(one.1, two.1);
    assert_eq!(one.2, two.2);
    assert!(one.2.variance > 0.0);
}

#[test]
fn scenario_model_uses_the_same_runs_at_every_point() {
    // Two evaluations at the same point give the same value (same run seeds), and a larger
    // call-up summons more people.
    let r = load_default(&[]).unwrap();
    let model = ScenarioModel {
        r: &r,
        ranges: resolve_ranges(&r, &["mobilization.RU.call_up".to_string()], &[]).unwrap(),
        outcome: Outcomes::select(&r, "final.RU.summoned").unwrap(),
        runs_per_point: 10,
        weeks: 20,
    };
    assert_eq!(model.dim(), 1);
    let lo = model.evaluate(&[240_000.0], 1);
    assert_eq!(lo, model.evaluate(&[240_000.0], 1));
    assert!(model.evaluate(&[360_000.0], 1) > lo + 50_000.0);
}

#[test]
fn grids_and_latin_hypercubes_cover_their_ranges() {
    let g: GridSpec = "mobilization.RU.call_up=100000..1000000:10"
        .parse()
        .unwrap();
    assert_eq!((g.low, g.high, g.points), (1e5, 1e6, 10));
    assert!("x=5..1:3".parse::<GridSpec>().is_err());
    assert!("x=1..5:1".parse::<GridSpec>().is_err());
    assert!("x=1..5".parse::<GridSpec>().unwrap().points == 5);
    let h: GridSpec = "b=0..1:3".parse().unwrap();
    let pts = grid_points(&[g.clone(), h.clone()]);
    assert_eq!(pts.len(), 30);
    assert_eq!(pts[0], vec![1e5, 0.0]);
    assert_eq!(pts[2], vec![1e5, 1.0]);
    assert_eq!(pts[29], vec![1e6, 1.0]);
    let l = lhs_points(&[g, h], 20, 4);
    assert_eq!(l.len(), 20);
    // One point in each twentieth of each range.
    for d in 0..2 {
        let (lo, hi) = if d == 0 { (1e5, 1e6) } else { (0.0, 1.0) };
        let mut strata: Vec<usize> = l
            .iter()
            .map(|p| ((p[d] - lo) / (hi - lo) * 20.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..20).collect::<Vec<_>>());
    }
}

#[test]
fn sweep_over_call_up_raises_the_number_summoned() {
    let r = load_default(&[]).unwrap();
    let o = Outcomes::all(&r);
    let slot = find_slot(&r, "mobilization.RU.call_up").unwrap();
    let g: GridSpec = "mobilization.RU.call_up=100000..500000:3".parse().unwrap();
    let pts = grid_points(&[g]);
    let m = sweep(
        &r,
        &[slot],
        &pts,
        &o,
        20,
        3,
        2,
        &no_progress,
        &AtomicBool::new(false),
    );
    let k = o
        .names
        .iter()
        .position(|n| n == "final.RU.summoned")
        .unwrap();
    assert!(
        m[0][k] < m[1][k] && m[1][k] < m[2][k],
        "{:?}",
        (m[0][k], m[1][k], m[2][k])
    );
    // Probabilities stay probabilities.
    let p = o.names.iter().position(|n| n == "nuclear_use").unwrap();
    assert!(m.iter().all(|row| (0.0..=1.0).contains(&row[p])));
    assert_eq!(
        m,
        sweep(
            &r,
            &[slot],
            &pts,
            &o,
            20,
            3,
            1,
            &no_progress,
            &AtomicBool::new(false)
        )
    );
}

#[test]
fn ranges_that_break_a_constraint_together_are_refused() {
    // Each share alone is a valid probability, but at their highs together they exceed 1.
    let r = load_default(&[]).unwrap();
    let paths = vec![
        "forces.RU.killed_share".to_string(),
        "forces.RU.captured_share".to_string(),
    ];
    let given = vec![(paths[0].clone(), 0.1, 0.7), (paths[1].clone(), 0.1, 0.5)];
    let e = resolve_ranges(&r, &paths, &given).unwrap_err();
    assert!(
        e.contains("high value together") && e.contains("captured_share"),
        "{e}"
    );
}

#[test]
fn a_stopped_comparison_rests_on_a_prefix_of_runs() {
    let a = brink_core::load::load_default(&[]).unwrap();
    let b = a.clone();
    // Stopped before it starts: no interval can be given, and it says so.
    let e = compare(&a, &b, 50, 5, 2, &no_progress, &AtomicBool::new(true)).unwrap_err();
    assert!(e.contains("interrupted after 0 run pairs"), "{e}");
    let (rows, done) = compare(&a, &b, 50, 5, 2, &no_progress, &AtomicBool::new(false)).unwrap();
    assert_eq!(done, 50);
    assert!(!rows.is_empty());
}
