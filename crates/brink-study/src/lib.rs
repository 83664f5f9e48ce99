//! Studies on top of the brink engine: sensitivity analysis (one-at-a-time, Morris elementary
//! effects, Sobol indices), scenario comparison with common random numbers, and parameter
//! sweeps.
//!
//! The estimators ([`sobol`], [`morris`], [`oat`]) are pure functions of a design and the model
//! outputs at its points; they know nothing of the engine. A model is anything implementing
//! [`Model`]: the standard test functions of [`testfn`], or a brink scenario with an outcome
//! ([`scenario::ScenarioModel`]). Every random choice (design, bootstrap, model runs) flows from
//! one seed, and work is split so that results are identical whatever the thread count.

pub mod cli;
pub mod morris;
pub mod oat;
pub mod scenario;
pub mod sobol;
pub mod sobol_seq;
pub mod testfn;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A model seen by the estimators: one number out for one point in, where the point gives
/// every varied parameter in its own units. `seed` is the study's seed; a stochastic model
/// uses the same random numbers for every point (common random numbers), so differences
/// between points come from the parameters, not from noise.
pub trait Model: Sync {
    /// Number of inputs.
    fn dim(&self) -> usize;
    fn evaluate(&self, x: &[f64], seed: u64) -> f64;
}

/// Reports progress: called with the number of items that have just finished.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// A progress callback that does nothing.
pub fn no_progress(_: u64) {}

/// `f(0), f(1), ..., f(n-1)` computed on up to `threads` threads, returned in index order.
/// Each item is computed by exactly one call, so the result does not depend on `threads`
/// (as long as `f` is a function of its index only).
pub fn par_map<T: Send>(
    n: usize,
    threads: usize,
    progress: Progress,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    par_map_until(n, threads, progress, &AtomicBool::new(false), f)
}

/// [`par_map`] that stops handing out work once `stop` is set (Ctrl-C): it returns the results
/// of the longest finished prefix `f(0), ..., f(m-1)`, `m <= n`, so what is returned is still
/// independent of the thread count; items finished beyond a gap are dropped.
pub fn par_map_until<T: Send>(
    n: usize,
    threads: usize,
    progress: Progress,
    stop: &AtomicBool,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, n.max(1));
    // Small chunks balance uneven items (some runs end early) at little cost.
    let chunk = (n / (threads * 32)).clamp(1, 256);
    let chunks = n.div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let lo = c * chunk;
                        let hi = (lo + chunk).min(n);
                        mine.push((c, (lo..hi).map(&f).collect::<Vec<T>>()));
                        progress((hi - lo) as u64);
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread panicked"))
            .collect()
    });
    parts.sort_unstable_by_key(|(c, _)| *c);
    let finished = parts
        .iter()
        .enumerate()
        .take_while(|(i, (c, _))| i == c)
        .count();
    parts.truncate(finished);
    parts.into_iter().flat_map(|(_, v)| v).collect()
}

/// Evaluates `model` at every row of `points` (rows of `model.dim()` values).
pub fn evaluate_rows(
    model: &dyn Model,
    points: &[f64],
    seed: u64,
    threads: usize,
    progress: Progress,
) -> Vec<f64> {
    let k = model.dim();
    let rows = points.len().checked_div(k).unwrap_or(0);
    par_map(rows, threads, progress, |i| {
        model.evaluate(&points[i * k..(i + 1) * k], seed)
    })
}

/// Maps rows of the unit hypercube to `[low_i, high_i]` linearly, column by column.
pub fn scale_rows(unit: &[f64], low: &[f64], high: &[f64]) -> Vec<f64> {
    let k = low.len();
    let mut out = Vec::with_capacity(unit.len());
    for row in unit.chunks_exact(k.max(1)) {
        out.extend(
            row.iter()
                .zip(low.iter().zip(high))
                .map(|(u, (lo, hi))| lo + (hi - lo) * u),
        );
    }
    out
}

/// Linear-interpolation quantile (type 7) of sorted values.
pub(crate) fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (h - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_index_order_for_any_thread_count() {
        let want: Vec<u64> = (0..1000u64).map(|i| i * i).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(
                par_map(1000, threads, &no_progress, |i| (i * i) as u64),
                want
            );
        }
        assert!(par_map(0, 4, &no_progress, |i| i).is_empty());
        // Stopped before it starts: nothing; stopped midway: a prefix in index order.
        let stop = AtomicBool::new(true);
        assert!(par_map_until(100, 2, &no_progress, &stop, |i| i).is_empty());
        let stop = AtomicBool::new(false);
        let part = par_map_until(10_000, 2, &no_progress, &stop, |i| {
            if i == 5_000 {
                stop.store(true, Ordering::Relaxed);
            }
            i
        });
        assert!(!part.is_empty() && part.len() < 10_000, "{}", part.len());
        assert!(part.iter().enumerate().all(|(i, &v)| i == v));
    }

    #[test]
    fn scale_rows_maps_the_unit_cube_to_the_ranges() {
        let got = scale_rows(&[0.0, 1.0, 0.5, 0.25], &[10.0, -1.0], &[20.0, 1.0]);
        assert_eq!(got, vec![10.0, 1.0, 15.0, -0.5]);
    }
}
