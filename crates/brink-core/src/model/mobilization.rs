//! One week of the personnel flows of one side: summonses and evasion (M-MOB, M-EVA),
//! emigration limited by exit capacity (M-EVA), recruitment (M-REC), the four pipeline stages
//! with their constraints (M-MOB), and arrivals at the front.

use super::pipeline::Cohort;
use super::{ASSIGNMENT, INDUCTION, QUARTERING, SideSections, SideState, TRAINING};
use crate::param::Sample;
use crate::scenario::{Route, ShortcutPolicy};
use rand::Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// A draw with the mean and variance of a Poisson count. Exact Poisson below 30, normal
/// approximation above (its error is negligible at the counts a pipeline carries, and it is
/// several times faster in the hot loop).
pub fn poisson_count<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0.0;
    }
    if mean < 30.0 {
        // Knuth's multiplication method: fine for small means.
        let limit = (-mean).exp();
        let mut k = 0.0;
        let mut p: f64 = rng.random();
        while p > limit {
            k += 1.0;
            p *= rng.random::<f64>();
        }
        return k;
    }
    let z: f64 = StandardNormal.sample(rng);
    (mean + mean.sqrt() * z).round().max(0.0)
}

/// A binomial draw: exact for small counts, normal approximation for large ones.
pub fn binomial_count<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    if n <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return n;
    }
    let var = n * p * (1.0 - p);
    if var < 25.0 {
        let whole = n.floor();
        let draw = Binomial::new(whole as u64, p).map_or(whole * p, |b| b.sample(rng) as f64);
        // The fractional person (fluid counts) goes by expectation.
        return draw + (n - whole) * p;
    }
    let z: f64 = StandardNormal.sample(rng);
    (n * p + var.sqrt() * z).round().clamp(0.0, n)
}

fn whole_weeks(x: f64) -> u32 {
    x.round().clamp(0.0, 10_000.0) as u32
}

/// Moves one side's people through summons, emigration, recruitment and the pipeline.
pub fn flow<R: Rng + ?Sized>(
    sec: &SideSections,
    v: &Sample,
    week: u32,
    s: &mut SideState,
    rng: &mut R,
) {
    let mobilization = sec.mobilization;
    let mut summons = 0.0;

    if let Some(m) = mobilization
        && week >= m.start_week
    {
        // The call-up target counts people who report (as official figures do), so
        // summonses go on until enough have reported; evaders do not count.
        let reported = s.summoned - s.evaded;
        let left_to_call = (m.call_up.get(v) + s.extra_call_up - reported).max(0.0);
        let p_evade = m.p_evade.get(v);
        let want = poisson_count(m.summons_per_week.get(v), rng);
        summons = want
            .min((left_to_call / (1.0 - p_evade).max(1e-6)).ceil())
            .min(s.pool);
        if summons > 0.0 {
            s.pool -= summons;
            s.summoned += summons;
            s.entered += summons;
            let evaders = binomial_count(summons, p_evade, rng);
            s.evaded += evaders;
            s.stages[INDUCTION].enqueue(Cohort {
                count: summons - evaders,
                queued_week: week,
                origin_week: week,
                quality: m.training.quality_untrained.get(v),
                service_ends: 0,
            });
        }
    }

    if let Some(e) = sec.evasion {
        let demand =
            e.baseline_emigration_per_week.get(v) + e.emigration_per_summons.get(v) * summons;
        s.emigration_backlog += demand;
        let leave = s
            .emigration_backlog
            .min(e.exit_capacity_per_week.get(v))
            .min(s.pool);
        s.emigration_backlog -= leave;
        s.emigration_backlog *= 1.0 - e.give_up_per_week.get(v);
        s.pool -= leave;
        s.emigrated += leave;
    }

    if let Some(rec) = sec.recruitment {
        // Perceived risk: this week's killed share at the front, annualised (deaths per person-year).
        let risk = if s.at_front > 0.0 {
            (s.killed_last_week / s.at_front * 52.0).min(10.0)
        } else {
            0.0
        };
        for src in &rec.sources {
            let mean = src.base_per_week.get(v)
                * src.bonus_multiplier.get(v)
                * (-src.death_risk_sensitivity.get(v) * risk).exp();
            let n = poisson_count(mean, rng);
            if n <= 0.0 {
                continue;
            }
            s.recruited += n;
            s.entered += n;
            let quality = src.quality.get(v);
            match src.route {
                Route::Front => arrive(s, n, quality),
                Route::Training => s.stages[TRAINING].enqueue(Cohort {
                    count: n,
                    queued_week: week,
                    origin_week: week,
                    quality,
                    service_ends: 0,
                }),
            }
        }
    }

    let Some(m) = mobilization else {
        return;
    };
    let mut moving = std::mem::take(&mut s.scratch_cohorts);
    moving.clear();

    // Stage 1: induction.
    let st = &m.induction;
    s.stages[INDUCTION].release(&mut moving);
    let room = places_room(
        st.places.as_ref().map(|p| p.get(v)),
        s.stages[INDUCTION].in_service_total(),
    );
    s.stages[INDUCTION].admit(
        st.capacity_per_week.get(v).min(room),
        whole_weeks(st.duration_weeks.get(v)),
        |_| {},
    );
    s.stages[INDUCTION].release(&mut moving);
    s.stages[INDUCTION].tick();
    for mut c in moving.drain(..) {
        c.queued_week = week;
        s.stages[TRAINING].enqueue(c);
    }

    // Stage 2: training, limited by entries, places and equipment sets; the shortcut policy
    // cuts the course and sends those who waited too long untrained.
    let t = &m.training;
    s.equipment_sets += t.equipment_sets_per_week.get(v);
    s.stages[TRAINING].release(&mut moving);
    let course = t.course_weeks.get(v).max(1.0);
    let q0 = t.quality_untrained.get(v);
    let trained_weeks = match t.policy {
        ShortcutPolicy::Queue => course,
        ShortcutPolicy::Shortcut => t.shortcut_weeks.get(v).min(course),
    };
    let trained_quality = q0 + (1.0 - q0) * (whole_weeks(trained_weeks) as f64 / course).min(1.0);
    if t.policy == ShortcutPolicy::Shortcut {
        // Sent on untrained: they keep their untrained quality.
        s.stages[TRAINING].drain_overdue(week, whole_weeks(t.max_wait_weeks.get(v)), &mut moving);
    }
    let room = places_room(Some(t.places.get(v)), s.stages[TRAINING].in_service_total());
    let limit = t.capacity_per_week.get(v).min(room).min(s.equipment_sets);
    let admitted = s.stages[TRAINING].admit(limit, whole_weeks(trained_weeks), |c| {
        // Recruits may come with their own (higher) quality; training never lowers it.
        c.quality = c.quality.max(trained_quality);
    });
    s.equipment_sets -= admitted;
    s.stages[TRAINING].release(&mut moving);
    s.stages[TRAINING].tick();
    for mut c in moving.drain(..) {
        c.queued_week = week;
        s.stages[QUARTERING].enqueue(c);
    }

    // Stage 3: quartering.
    let st = &m.quartering;
    s.stages[QUARTERING].release(&mut moving);
    let room = places_room(
        st.places.as_ref().map(|p| p.get(v)),
        s.stages[QUARTERING].in_service_total(),
    );
    s.stages[QUARTERING].admit(
        st.capacity_per_week.get(v).min(room),
        whole_weeks(st.duration_weeks.get(v)),
        |_| {},
    );
    s.stages[QUARTERING].release(&mut moving);
    s.stages[QUARTERING].tick();
    for mut c in moving.drain(..) {
        c.queued_week = week;
        s.stages[ASSIGNMENT].enqueue(c);
    }

    // Stage 4: assignment under officers and NCOs; each leader takes `span` people along.
    let a = &m.assignment;
    s.officers += a.officers_per_week.get(v);
    let span = a.span_of_control.get(v).max(1.0);
    s.stages[ASSIGNMENT].release(&mut moving);
    let limit = a.capacity_per_week.get(v).min(s.officers * span);
    let admitted = s.stages[ASSIGNMENT].admit(limit, whole_weeks(a.duration_weeks.get(v)), |_| {});
    s.officers = (s.officers - admitted / span).max(0.0);
    s.stages[ASSIGNMENT].release(&mut moving);
    s.stages[ASSIGNMENT].tick();
    for c in moving.drain(..) {
        arrive(s, c.count, c.quality);
    }
    s.scratch_cohorts = moving;
}

fn places_room(places: Option<f64>, in_service: f64) -> f64 {
    places.map_or(f64::INFINITY, |p| (p - in_service).max(0.0))
}

/// People reach the front with the given quality.
pub fn arrive(s: &mut SideState, count: f64, quality: f64) {
    s.at_front += count;
    s.quality_sum += count * quality;
    s.arrived_total += count;
    s.arrived_quality_sum += count * quality;
}
