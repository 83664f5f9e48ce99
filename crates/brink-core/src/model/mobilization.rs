//! One week of the personnel flows of one side: summonses and evasion (M-MOB, M-EVA),
//! emigration limited by exit capacity (M-EVA), recruitment (M-REC), the four pipeline stages
//! with their constraints (M-MOB), and arrivals at the front.

use super::pipeline::{Cohort, StageQueue};
use super::{Bound, INDUCTION, SideSections, SideState, TRAINING};
use crate::param::Sample;
use crate::scenario::{Route, ShortcutPolicy};
use rand::Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// A draw with the mean and variance of a Poisson count. Exact Poisson below a mean of 30, by
/// inversion: one uniform, then a sequential search of the cumulative distribution from 0
/// (Devroye 1986, *Non-Uniform Random Variate Generation*, X.3.2), about `mean` cheap steps
/// instead of the `mean` uniforms of Knuth's product method. Normal approximation from 30 up:
/// its error is negligible at the counts a pipeline carries.
#[inline]
pub fn poisson_count<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    // Written as one range test (NaN fails it): `mean <= 0.0 || !mean.is_finite()` compiled
    // to some twenty instructions of bit tests, four times a week.
    if !(mean > 0.0 && mean < f64::INFINITY) {
        return 0.0;
    }
    if mean < POISSON_EXACT_BELOW {
        return poisson_by_inversion(mean, rng);
    }
    let z: f64 = StandardNormal.sample(rng);
    round_non_negative(mean + mean.sqrt() * z)
}

/// The exact small-mean branch of [`poisson_count`], out of line: the common large-mean draw is
/// then inlined into the weekly step without this loop's register saves.
#[inline(never)]
fn poisson_by_inversion<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
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
    f64::from(k)
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
#[inline]
pub fn binomial_count<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    if n <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return n;
    }
    let var = n * p * (1.0 - p);
    if var < 25.0 {
        return binomial_exact(n, p, rng);
    }
    let z: f64 = StandardNormal.sample(rng);
    round_non_negative(n * p + var.sqrt() * z).at_most(n)
}

/// The exact small-variance branch of [`binomial_count`], out of line (see
/// [`poisson_by_inversion`]).
#[inline(never)]
fn binomial_exact<R: Rng + ?Sized>(n: f64, p: f64, rng: &mut R) -> f64 {
    let whole = n.floor();
    let draw = Binomial::new(whole as u64, p).map_or(whole * p, |b| b.sample(rng) as f64);
    // The fractional person (fluid counts) goes by expectation.
    draw + (n - whole) * p
}

fn whole_weeks(x: f64) -> u32 {
    (x.clamp(0.0, 10_000.0) + 0.5) as u32
}

/// One side's flow parameters for one run, read from the sample once per run so the weekly
/// step does no slot lookups. Derived values are formed exactly as the weekly code formed them,
/// so results are unchanged bit for bit.
#[derive(Clone, Debug)]
pub struct FlowConstants {
    mobilization: Option<MobilizationConstants>,
    evasion: Option<EvasionConstants>,
    sources: Vec<SourceConstants>,
}

#[derive(Clone, Copy, Debug)]
struct MobilizationConstants {
    start_week: u32,
    call_up: f64,
    p_evade: f64,
    /// `(1 - p_evade).max(1e-6)`: summonses needed per person who reports.
    reporting_share: f64,
    summons_per_week: f64,
    quality_untrained: f64,
    induction: StageConstants,
    quartering: StageConstants,
    training: TrainingConstants,
    assignment: AssignmentConstants,
}

#[derive(Clone, Copy, Debug)]
struct StageConstants {
    places: Option<f64>,
    capacity_per_week: f64,
    duration_weeks: u32,
}

#[derive(Clone, Copy, Debug)]
struct TrainingConstants {
    equipment_sets_per_week: f64,
    /// Weeks of training given (the course, or the shortcut), rounded.
    trained_weeks: u32,
    trained_quality: f64,
    /// Under the shortcut policy, the wait after which people are sent untrained.
    max_wait_weeks: Option<u32>,
    places: f64,
    capacity_per_week: f64,
}

#[derive(Clone, Copy, Debug)]
struct AssignmentConstants {
    officers_per_week: f64,
    span: f64,
    capacity_per_week: f64,
    duration_weeks: u32,
}

#[derive(Clone, Copy, Debug)]
struct EvasionConstants {
    baseline_emigration_per_week: f64,
    emigration_per_summons: f64,
    exit_capacity_per_week: f64,
    stay_share: f64,
}

#[derive(Clone, Copy, Debug)]
struct SourceConstants {
    /// `base_per_week * bonus_multiplier`.
    base_mean: f64,
    death_risk_sensitivity: f64,
    quality: f64,
    route: Route,
}

impl FlowConstants {
    pub fn of(sec: &SideSections, v: &Sample) -> FlowConstants {
        let stage = |st: &crate::scenario::Stage| StageConstants {
            places: st.places.as_ref().map(|p| p.get(v)),
            capacity_per_week: st.capacity_per_week.get(v),
            duration_weeks: whole_weeks(st.duration_weeks.get(v)),
        };
        let mobilization = sec.mobilization.map(|m| {
            let t = &m.training;
            let course = t.course_weeks.get(v).max(1.0);
            let q0 = t.quality_untrained.get(v);
            let trained_weeks = match t.policy {
                ShortcutPolicy::Queue => course,
                ShortcutPolicy::Shortcut => t.shortcut_weeks.get(v).min(course),
            };
            let trained_quality =
                q0 + (1.0 - q0) * (whole_weeks(trained_weeks) as f64 / course).min(1.0);
            let a = &m.assignment;
            MobilizationConstants {
                start_week: m.start_week,
                call_up: m.call_up.get(v),
                p_evade: m.p_evade.get(v),
                reporting_share: (1.0 - m.p_evade.get(v)).max(1e-6),
                summons_per_week: m.summons_per_week.get(v),
                quality_untrained: q0,
                induction: stage(&m.induction),
                quartering: stage(&m.quartering),
                training: TrainingConstants {
                    equipment_sets_per_week: t.equipment_sets_per_week.get(v),
                    trained_weeks: whole_weeks(trained_weeks),
                    trained_quality,
                    max_wait_weeks: (t.policy == ShortcutPolicy::Shortcut)
                        .then(|| whole_weeks(t.max_wait_weeks.get(v))),
                    places: t.places.get(v),
                    capacity_per_week: t.capacity_per_week.get(v),
                },
                assignment: AssignmentConstants {
                    officers_per_week: a.officers_per_week.get(v),
                    span: a.span_of_control.get(v).max(1.0),
                    capacity_per_week: a.capacity_per_week.get(v),
                    duration_weeks: whole_weeks(a.duration_weeks.get(v)),
                },
            }
        });
        let evasion = sec.evasion.map(|e| EvasionConstants {
            baseline_emigration_per_week: e.baseline_emigration_per_week.get(v),
            emigration_per_summons: e.emigration_per_summons.get(v),
            exit_capacity_per_week: e.exit_capacity_per_week.get(v),
            stay_share: 1.0 - e.give_up_per_week.get(v),
        });
        let sources = sec
            .recruitment
            .map(|rec| {
                rec.sources
                    .iter()
                    .map(|src| SourceConstants {
                        base_mean: src.base_per_week.get(v) * src.bonus_multiplier.get(v),
                        death_risk_sensitivity: src.death_risk_sensitivity.get(v),
                        quality: src.quality.get(v),
                        route: src.route,
                    })
                    .collect()
            })
            .unwrap_or_default();
        FlowConstants {
            mobilization,
            evasion,
            sources,
        }
    }
}

/// Moves one side's people through summons, emigration, recruitment and the pipeline.
pub fn flow<R: Rng + ?Sized>(k: &FlowConstants, week: u32, s: &mut SideState, rng: &mut R) {
    let mut summons = 0.0;

    if let Some(m) = &k.mobilization
        && week >= m.start_week
    {
        // The call-up target counts people who report (as official figures do), so
        // summonses go on until enough have reported; evaders do not count.
        let reported = s.summoned - s.evaded;
        let left_to_call = (m.call_up + s.extra_call_up - reported).at_least(0.0);
        let want = poisson_count(m.summons_per_week, rng);
        summons = want
            .at_most((left_to_call / m.reporting_share).ceil())
            .at_most(s.pool);
        if summons > 0.0 {
            s.pool -= summons;
            s.summoned += summons;
            s.entered += summons;
            let evaders = binomial_count(summons, m.p_evade, rng);
            s.evaded += evaders;
            s.stages[INDUCTION].enqueue(Cohort {
                count: summons - evaders,
                queued_week: week,
                origin_week: f64::from(week),
                quality: m.quality_untrained,
                service_ends: 0,
            });
        }
    }

    if let Some(e) = &k.evasion {
        let demand = e.baseline_emigration_per_week + e.emigration_per_summons * summons;
        s.emigration_backlog += demand;
        let leave = s
            .emigration_backlog
            .at_most(e.exit_capacity_per_week)
            .at_most(s.pool);
        s.emigration_backlog -= leave;
        s.emigration_backlog *= e.stay_share;
        s.pool -= leave;
        s.emigrated += leave;
    }

    if !k.sources.is_empty() {
        // Perceived risk: this week's killed share at the front, annualised (deaths per person-year).
        let risk = if s.at_front > 0.0 {
            (s.killed_last_week / s.at_front * 52.0).at_most(10.0)
        } else {
            0.0
        };
        for src in &k.sources {
            let mean = src.base_mean * (-src.death_risk_sensitivity * risk).exp();
            let n = poisson_count(mean, rng);
            if n <= 0.0 {
                continue;
            }
            s.recruited += n;
            s.entered += n;
            let quality = src.quality;
            match src.route {
                Route::Front => arrive(s, n, quality),
                Route::Training => s.stages[TRAINING].enqueue(Cohort {
                    count: n,
                    queued_week: week,
                    origin_week: f64::from(week),
                    quality,
                    service_ends: 0,
                }),
            }
        }
    }

    let Some(m) = &k.mobilization else {
        return;
    };
    // Each stage hands the cohorts it releases straight to the next stage's queue, in the order
    // release, (overdue,) admit, release: the same order of arrivals as through a buffer. The
    // second release can only find cohorts admitted this week, so only a stage of zero weeks
    // needs it.
    let [induction, training, quartering, assignment] = &mut s.stages;

    // Stage 1: induction.
    plain_stage_week(induction, training, &m.induction, week);

    // Stage 2: training, limited by entries, places and equipment sets; the shortcut policy
    // cuts the course and sends those who waited too long untrained.
    let t = &m.training;
    s.equipment_sets += t.equipment_sets_per_week;
    training.release_to(quartering, week);
    let trained_quality = t.trained_quality;
    if let Some(max_wait_weeks) = t.max_wait_weeks {
        // Sent on untrained: they keep their untrained quality.
        training.drain_overdue_to(quartering, week, max_wait_weeks);
    }
    let room = places_room(Some(t.places), training.in_service_total());
    let limit = t.capacity_per_week.at_most(room).at_most(s.equipment_sets);
    let admitted = training.admit(limit, t.trained_weeks, |c| {
        // Recruits may come with their own (higher) quality; training never lowers it.
        c.quality = c.quality.at_least(trained_quality);
    });
    s.equipment_sets -= admitted;
    if t.trained_weeks == 0 {
        training.release_to(quartering, week);
    }
    training.tick();

    // Stage 3: quartering.
    plain_stage_week(quartering, assignment, &m.quartering, week);

    // Stage 4: assignment under officers and NCOs; each leader takes `span` people along.
    let a = &m.assignment;
    s.officers += a.officers_per_week;
    let span = a.span;
    let mut to_front = |c: Cohort| {
        // `arrive`, on the fields it touches (the stages are borrowed).
        s.at_front += c.count;
        s.quality_sum += c.count * c.quality;
        s.arrived_total += c.count;
        s.arrived_quality_sum += c.count * c.quality;
    };
    assignment.release_each(&mut to_front);
    let limit = a.capacity_per_week.at_most(s.officers * span);
    let admitted = assignment.admit(limit, a.duration_weeks, |_| {});
    s.officers = (s.officers - admitted / span).at_least(0.0);
    if a.duration_weeks == 0 {
        assignment.release_each(&mut to_front);
    }
    assignment.tick();
}

/// One week of a stage with only entries and places as limits (induction, quartering):
/// release into `next`, admit, release what a zero-week stage finished at once, tick. Always
/// inlined: as a call it cost 1,800 instructions a run (callgrind).
#[inline(always)]
fn plain_stage_week(stage: &mut StageQueue, next: &mut StageQueue, k: &StageConstants, week: u32) {
    stage.release_to(next, week);
    let room = places_room(k.places, stage.in_service_total());
    stage.admit(k.capacity_per_week.at_most(room), k.duration_weeks, |_| {});
    if k.duration_weeks == 0 {
        stage.release_to(next, week);
    }
    stage.tick();
}

fn places_room(places: Option<f64>, in_service: f64) -> f64 {
    places.map_or(f64::INFINITY, |p| (p - in_service).at_least(0.0))
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
