//! One week of the personnel flows of one side: summonses and evasion (M-MOB, M-EVA),
//! emigration limited by exit capacity (M-EVA), recruitment (M-REC), the four pipeline stages
//! with their constraints (M-MOB), and arrivals at the front.

use super::pipeline::Cohort;
use super::{ASSIGNMENT, INDUCTION, QUARTERING, SideSections, SideState, TRAINING};
use crate::param::Sample;
use crate::scenario::{Route, ShortcutPolicy};
use rand::Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// A draw with the mean and variance of a Poisson count. Exact Poisson below a mean of 30, by
/// inversion: one uniform, then a sequential search of the cumulative distribution from 0
/// (Devroye 1986, *Non-Uniform Random Variate Generation*, X.3.2), about `mean` cheap steps
/// instead of the `mean` uniforms of Knuth's product method. Normal approximation from 30 up:
/// its error is negligible at the counts a pipeline carries.
pub fn poisson_count<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0.0;
    }
    if mean < POISSON_EXACT_BELOW {
        let u: f64 = rng.random();
        let mut p = (-mean).exp();
        let mut cdf = p;
        let mut k = 0u32;
        // The cap only guards against a cumulative sum that rounds below u: P(K > 200) < 1e-90
        // at a mean below 30.
        while u > cdf && k < 200 {
            k += 1;
            p *= mean / f64::from(k);
            cdf += p;
        }
        return f64::from(k);
    }
    let z: f64 = StandardNormal.sample(rng);
    round_non_negative(mean + mean.sqrt() * z)
}

/// Means from which [`poisson_count`] uses the normal approximation.
const POISSON_EXACT_BELOW: f64 = 30.0;

/// `x` rounded half up, and 0 for negative `x`. A cast instead of `f64::round`, which is a
/// library call on the baseline x86-64 target and showed in the weekly loop's profile.
fn round_non_negative(x: f64) -> f64 {
    if x > 0.0 {
        (x + 0.5) as i64 as f64
    } else {
        0.0
    }
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
    round_non_negative(n * p + var.sqrt() * z).min(n)
}

fn whole_weeks(x: f64) -> u32 {
    (x.clamp(0.0, 10_000.0) + 0.5) as u32
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn mean_and_variance(draws: &[f64]) -> (f64, f64) {
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    #[test]
    fn poisson_counts_have_the_poisson_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 200_000;
        for mean in [0.3, 4.0, 29.9, 30.0, 2_500.0] {
            let draws: Vec<f64> = (0..n).map(|_| poisson_count(mean, &mut rng)).collect();
            assert!(draws.iter().all(|x| *x >= 0.0 && x.fract() == 0.0));
            let (m, v) = mean_and_variance(&draws);
            assert!(
                (m - mean).abs() < 5.0 * (mean / n as f64).sqrt(),
                "mean {m} for {mean}"
            );
            assert!((v - mean).abs() / mean < 0.03, "variance {v} for {mean}");
        }
        assert_eq!(poisson_count(0.0, &mut rng), 0.0);
        assert_eq!(poisson_count(f64::NAN, &mut rng), 0.0);
    }

    #[test]
    fn small_poisson_counts_follow_the_probability_mass_function() {
        // Frequencies of 0..=12 at mean 4 against the exact pmf: every cell within 5 standard
        // errors (the inversion is exact, so only sampling noise remains).
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 400_000;
        let mut counts = [0u32; 13];
        for _ in 0..n {
            let k = poisson_count(4.0, &mut rng) as usize;
            if k < counts.len() {
                counts[k] += 1;
            }
        }
        let mut pmf = (-4.0f64).exp();
        for (k, &c) in counts.iter().enumerate() {
            if k > 0 {
                pmf *= 4.0 / k as f64;
            }
            let expected = pmf * n as f64;
            let se = (n as f64 * pmf * (1.0 - pmf)).sqrt();
            assert!(
                (f64::from(c) - expected).abs() < 5.0 * se,
                "k = {k}: {c} vs {expected:.0}"
            );
        }
    }

    #[test]
    fn binomial_counts_have_the_binomial_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        for (trials, p) in [(20.0, 0.3), (50_000.0, 0.1)] {
            let draws: Vec<f64> = (0..n)
                .map(|_| binomial_count(trials, p, &mut rng))
                .collect();
            assert!(draws.iter().all(|x| (0.0..=trials).contains(x)));
            let (m, v) = mean_and_variance(&draws);
            let (mean, var) = (trials * p, trials * p * (1.0 - p));
            assert!((m - mean).abs() < 5.0 * (var / n as f64).sqrt(), "mean {m}");
            assert!((v - var).abs() / var < 0.03, "variance {v} vs {var}");
        }
    }

    #[test]
    fn whole_weeks_round_half_up_within_the_limits() {
        assert_eq!(whole_weeks(2.49), 2);
        assert_eq!(whole_weeks(2.5), 3);
        assert_eq!(whole_weeks(-1.0), 0);
        assert_eq!(whole_weeks(1e9), 10_000);
    }
}
