//! Conservation properties on random scenarios.
//!
//! A seeded generator draws many variants of the default scenario (capacities, durations,
//! probabilities, pools, the shortcut policy, stop-loss, call-up, combat settings...), each
//! within its valid domain, including edge values (0, 1, zero durations, empty pools, no troops).
//! Every week of every run must conserve people and the reservist pool, keep every stock
//! non-negative, keep the two sides' territory summing to its start, and split casualties
//! exactly into killed, wounded and captured.

mod common;

use brink_core::Resolved;
use brink_core::model::{RunState, SideState};
use common::{default_without, engine_default, load_with};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const VARIANTS: usize = 200;
const RUNS_PER_VARIANT: u64 = 3;
const WEEKS: u32 = 52;
const TOL: f64 = 1e-9;

/// A random value for one kind of field.
fn pick(rng: &mut Xoshiro256PlusPlus, lo: f64, hi: f64) -> f64 {
    // One time in eight an edge value, else uniform; rounded to keep the text readable.
    match rng.random_range(0..8) {
        0 => lo,
        1 => hi,
        _ => {
            let x = lo + (hi - lo) * rng.random::<f64>();
            if hi - lo > 100.0 { x.round() } else { x }
        }
    }
}

fn random_overrides(rng: &mut Xoshiro256PlusPlus) -> Vec<String> {
    let mut sets = Vec::new();
    let mut set = |rng: &mut Xoshiro256PlusPlus, p: &str, lo: f64, hi: f64| {
        // Each field is changed with probability 1/2; the rest keep the default's values
        // (many of which are distributions).
        if rng.random_bool(0.5) {
            let v = pick(rng, lo, hi);
            sets.push(format!("{p}={v:?}"));
        }
    };
    let m = "mobilization.RU";
    set(rng, &format!("{m}.call_up"), 0.0, 2.0e6);
    set(rng, &format!("{m}.reservist_pool"), 0.0, 3.0e6);
    set(rng, &format!("{m}.summons_per_week"), 0.0, 3.0e5);
    set(rng, &format!("{m}.p_evade"), 0.0, 1.0);
    for stage in ["induction", "quartering"] {
        set(rng, &format!("{m}.{stage}.capacity_per_week"), 0.0, 2.0e5);
        set(rng, &format!("{m}.{stage}.duration_weeks"), 0.0, 4.0);
    }
    set(rng, &format!("{m}.quartering.places"), 0.0, 3.0e5);
    let t = format!("{m}.training");
    set(rng, &format!("{t}.capacity_per_week"), 0.0, 1.0e5);
    set(rng, &format!("{t}.places"), 0.0, 2.0e5);
    set(rng, &format!("{t}.course_weeks"), 1.0, 12.0);
    set(rng, &format!("{t}.shortcut_weeks"), 0.0, 6.0);
    set(rng, &format!("{t}.max_wait_weeks"), 0.0, 5.0);
    set(rng, &format!("{t}.quality_untrained"), 0.0, 1.0);
    set(rng, &format!("{t}.equipment_sets"), 0.0, 3.0e5);
    set(rng, &format!("{t}.equipment_sets_per_week"), 0.0, 5.0e4);
    let a = format!("{m}.assignment");
    set(rng, &format!("{a}.capacity_per_week"), 0.0, 1.0e5);
    set(rng, &format!("{a}.duration_weeks"), 0.0, 3.0);
    set(rng, &format!("{a}.officers"), 0.0, 2.0e4);
    set(rng, &format!("{a}.officers_per_week"), 0.0, 2.0e3);
    set(rng, &format!("{a}.span_of_control"), 1.0, 20.0);
    for side in ["RU", "UA"] {
        let f = format!("forces.{side}");
        set(rng, &format!("{f}.at_front"), 0.0, 5.0e5);
        set(rng, &format!("{f}.quality"), 0.0, 1.0);
        set(rng, &format!("{f}.morale"), 0.0, 1.0);
        set(rng, &format!("{f}.equipment"), 0.0, 2.0e4);
        set(rng, &format!("{f}.equipment_elasticity"), 0.0, 3.0);
        set(rng, &format!("{f}.equipment_loss_per_casualty"), 0.0, 0.5);
        set(rng, &format!("{f}.territory_km2"), 0.0, 6.0e5);
        set(rng, &format!("{f}.killed_share"), 0.0, 0.6);
        set(rng, &format!("{f}.captured_share"), 0.0, 0.4);
        set(rng, &format!("{f}.exit_rate_per_week"), 0.0, 0.2);
        set(rng, &format!("combat.attrition_per_week.{side}"), 0.0, 0.05);
    }
    for source in 0..2 {
        let s = format!("recruitment.RU.sources.{source}");
        set(rng, &format!("{s}.base_per_week"), 0.0, 2.0e4);
        set(rng, &format!("{s}.death_risk_sensitivity"), 0.0, 5.0);
    }
    set(rng, "recruitment.UA.sources.0.base_per_week", 0.0, 3.0e4);
    let e = "evasion.RU";
    set(
        rng,
        &format!("{e}.baseline_emigration_per_week"),
        0.0,
        3.0e4,
    );
    set(rng, &format!("{e}.emigration_per_summons"), 0.0, 5.0);
    set(rng, &format!("{e}.exit_capacity_per_week"), 0.0, 4.0e5);
    set(rng, &format!("{e}.give_up_per_week"), 0.0, 1.0);
    set(rng, "combat.exponent_opponent", 0.0, 2.0);
    set(rng, "combat.exponent_own", 0.0, 1.5);
    set(rng, "combat.attacker_loss_multiplier", 1.0, 3.0);
    set(rng, "combat.weekly_noise_sd", 0.0, 1.0);
    set(rng, "combat.front_length_km", 0.0, 2000.0);
    set(rng, "combat.max_troops_per_km", 0.0, 1000.0);
    set(rng, "combat.advance_threshold_ratio", 1.0, 3.0);
    set(rng, "combat.advance_km_per_week", 0.0, 30.0);
    // Integers and choices.
    if rng.random_bool(0.5) {
        sets.push(format!("{m}.start_week={}", rng.random_range(0..10)));
    }
    if rng.random_bool(0.5) {
        sets.push(format!(
            "combat.substeps_per_week={}",
            rng.random_range(1..12)
        ));
    }
    let policy = if rng.random_bool(0.5) {
        "queue"
    } else {
        "shortcut"
    };
    sets.push(format!("{t}.policy={policy}"));
    for side in ["RU", "UA"] {
        sets.push(format!("forces.{side}.stop_loss={}", rng.random_bool(0.5)));
    }
    for source in 0..2 {
        let route = if rng.random_bool(0.5) {
            "front"
        } else {
            "training"
        };
        sets.push(format!("recruitment.RU.sources.{source}.route={route}"));
    }
    sets
}

fn check_side(s: &SideState, ctx: &str) {
    let scale = s.entered.max(s.pool_initial).max(1.0);
    assert!(
        s.people_imbalance().abs() <= TOL * s.entered.max(1.0),
        "{ctx}: people not conserved (imbalance {})",
        s.people_imbalance()
    );
    assert!(
        s.pool_imbalance().abs() <= TOL * s.pool_initial.max(1.0),
        "{ctx}: reservist pool not conserved (imbalance {})",
        s.pool_imbalance()
    );
    let split = s.killed + s.wounded + s.captured;
    assert!(
        (s.casualties - split).abs() <= TOL * s.casualties.max(1.0),
        "{ctx}: casualties {} != killed + wounded + captured {split}",
        s.casualties
    );
    let stocks = [
        ("pool", s.pool),
        ("at_front", s.at_front),
        ("quality_sum", s.quality_sum),
        ("equipment", s.equipment),
        ("equipment_sets", s.equipment_sets),
        ("officers", s.officers),
        ("territory_km2", s.territory_km2),
        ("emigration_backlog", s.emigration_backlog),
        ("killed", s.killed),
        ("wounded", s.wounded),
        ("captured", s.captured),
        ("evaded", s.evaded),
        ("emigrated", s.emigrated),
        ("exited", s.exited),
    ];
    for (name, x) in stocks {
        assert!(
            x.is_finite() && x >= -TOL * scale,
            "{ctx}: {name} = {x} (negative or not finite)"
        );
    }
    assert!(
        s.quality_sum <= s.at_front * (1.0 + TOL) + TOL * scale,
        "{ctx}: quality above 1 ({} for {} troops)",
        s.quality_sum,
        s.at_front
    );
    for (k, stage) in s.stages.iter().enumerate() {
        let waiting: f64 = stage.waiting.iter().map(|c| c.count).sum();
        let serving: f64 = stage.in_service.iter().map(|c| c.count).sum();
        for c in stage.waiting.iter().chain(&stage.in_service) {
            assert!(
                c.count >= 0.0 && (0.0..=1.0).contains(&c.quality),
                "{ctx}: stage {k} holds a cohort {c:?}"
            );
        }
        assert!(
            stage.waiting_total() >= -TOL * scale && stage.in_service_total() >= -TOL * scale,
            "{ctx}: stage {k} has negative totals"
        );
        assert!(
            (stage.waiting_total() - waiting).abs() <= TOL * scale
                && (stage.in_service_total() - serving).abs() <= TOL * scale,
            "{ctx}: stage {k} totals ({}, {}) differ from its cohorts ({waiting}, {serving})",
            stage.waiting_total(),
            stage.in_service_total()
        );
    }
}

fn check_run(r: &Resolved, seed: u64, label: &str) {
    let mut previous: Option<RunState> = None;
    let mut territory0 = None;
    brink_core::study::simulate(r, WEEKS, seed, |st| {
        let ctx = format!("{label}, seed {seed}, week {}", st.week);
        for (i, s) in st.sides.iter().enumerate() {
            check_side(s, &format!("{ctx}, side {i}"));
        }
        let territory = st.sides[0].territory_km2 + st.sides[1].territory_km2;
        let t0 = *territory0.get_or_insert(territory);
        assert!(
            (territory - t0).abs() <= TOL * t0.max(1.0),
            "{ctx}: territory sums to {territory}, {t0} at the start"
        );
        if let Some(p) = &previous {
            for i in 0..2 {
                let (a, b) = (&p.sides[i], &st.sides[i]);
                for (name, x, y) in [
                    ("summoned", a.summoned, b.summoned),
                    ("casualties", a.casualties, b.casualties),
                    ("arrived_total", a.arrived_total, b.arrived_total),
                    ("recruited", a.recruited, b.recruited),
                    ("entered", a.entered, b.entered),
                ] {
                    assert!(y >= x, "{ctx}, side {i}: {name} fell from {x} to {y}");
                }
            }
        }
        previous = Some(st.clone());
    });
}

#[test]
fn conservation_on_random_scenarios() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0xB41C);
    let engine = engine_default();
    // One variant in four keeps the decision layer, whose effects also move people and land.
    let full = default_without(&[]);
    for variant in 0..VARIANTS {
        let sets = random_overrides(&mut rng);
        let with_politics = variant % 4 == 3;
        let refs: Vec<&str> = sets.iter().map(String::as_str).collect();
        let text = if with_politics { &full } else { &engine };
        let r = match brink_core::load_bytes(
            "variant.toml",
            text.as_bytes(),
            &common::overrides(&refs),
        ) {
            Ok(r) => r,
            Err(e) => panic!(
                "variant {variant} does not load (the generator must stay in the domains):\n{e}\n{sets:#?}"
            ),
        };
        for run in 0..RUNS_PER_VARIANT {
            let label = format!("variant {variant} (politics: {with_politics}) {sets:?}");
            check_run(&r, common::seed(variant as u64, run), &label);
        }
    }
}

#[test]
fn conservation_in_the_default_scenario() {
    let r = load_with(&default_without(&[]), &[]);
    for run in 0..20 {
        check_run(&r, common::seed(1, run), "default");
    }
}
