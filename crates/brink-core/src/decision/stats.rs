//! Study-level statistics of events and outcomes: integer counts only, so they merge exactly
//! across threads and shards, like the weekly histograms.

use super::EventRecord;
use super::config::{EventId, EventNames, KAHN_THRESHOLDS, Outcome};
use crate::aggregate::Histogram;
use crate::load::Resolved;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one run contributes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunEvents {
    pub outcome: Option<(Outcome, u32)>,
    pub events: Vec<EventRecord>,
    pub highest_kahn: u32,
    pub nuclear_killed: f64,
    pub nuclear_injured: f64,
}

/// Counts over runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventStats {
    pub runs: u64,
    pub weeks: u32,
    /// Runs ending in each outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Per event: runs in which it happened, by week of first occurrence (index = week).
    pub first_week: BTreeMap<String, Vec<u64>>,
    /// Per event: outcome counts among the runs in which it happened.
    pub outcome_given: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per event: counts of other events among the runs in which it happened.
    pub event_given: BTreeMap<String, BTreeMap<String, u64>>,
    /// Escalation paths (first occurrences in order, then the outcome): runs.
    pub paths: BTreeMap<String, u64>,
    /// Runs by highest Kahn rung reached.
    pub highest_kahn: BTreeMap<u32, u64>,
    /// Runs crossing each Kahn threshold.
    pub thresholds: BTreeMap<String, u64>,
    /// People killed by each nuclear strike rung (its own detonation), among runs where it happened.
    pub nuclear_killed: BTreeMap<String, Histogram>,
}

impl EventStats {
    pub fn new(weeks: u32) -> Self {
        EventStats {
            weeks,
            ..Default::default()
        }
    }

    /// The distinct events of a run in order of first occurrence (with their weeks).
    fn firsts(run: &RunEvents) -> Vec<(&str, u32)> {
        let mut seen: Vec<(&str, u32)> = Vec::new();
        for e in &run.events {
            if !seen.iter().any(|(id, _)| *id == e.event.as_str()) {
                seen.push((e.event.as_str(), e.week));
            }
        }
        seen
    }

    pub fn record(&mut self, run: &RunEvents) {
        // Look keys up before inserting: allocating a String per lookup dominated this function.
        fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
            match map.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    map.insert(key.to_string(), 1);
                }
            }
        }
        self.runs += 1;
        let outcome = run.outcome.map_or("none", |(o, _)| o.id());
        bump(&mut self.outcomes, outcome);
        let firsts = Self::firsts(run);
        for (id, week) in &firsts {
            if !self.first_week.contains_key(*id) {
                self.first_week
                    .insert(id.to_string(), vec![0; self.weeks as usize + 1]);
                self.outcome_given.insert(id.to_string(), BTreeMap::new());
                self.event_given.insert(id.to_string(), BTreeMap::new());
            }
            if let Some(slot) = self
                .first_week
                .get_mut(*id)
                .and_then(|w| w.get_mut(*week as usize))
            {
                *slot += 1;
            }
            if let Some(m) = self.outcome_given.get_mut(*id) {
                bump(m, outcome);
            }
            if let Some(others) = self.event_given.get_mut(*id) {
                for (other, _) in &firsts {
                    bump(others, other);
                }
            }
        }
        let mut path: Vec<&str> = firsts
            .iter()
            .filter(|(id, week)| {
                *week > 0
                    && !id.starts_with("leader_removed_")
                    && Some(*id) != run.outcome.map(|(o, _)| o.id())
            })
            .map(|(id, _)| *id)
            .collect();
        path.push(outcome);
        bump(&mut self.paths, &path.join(" -> "));
        *self.highest_kahn.entry(run.highest_kahn).or_default() += 1;
        let mut crossed: Vec<&str> = run
            .events
            .iter()
            .map(|e| e.threshold)
            .filter(|t| !t.is_empty())
            .collect();
        crossed.sort_unstable();
        crossed.dedup();
        for t in crossed {
            bump(&mut self.thresholds, t);
        }
        for e in run.events.iter().filter(|e| e.strike) {
            match self.nuclear_killed.get_mut(e.event.as_str()) {
                Some(h) => h.record(e.killed),
                None => {
                    let mut h = Histogram::default();
                    h.record(e.killed);
                    self.nuclear_killed.insert(e.event.to_string(), h);
                }
            }
        }
    }

    pub fn merge(&mut self, other: &EventStats) {
        self.runs += other.runs;
        self.weeks = self.weeks.max(other.weeks);
        for (k, n) in &other.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += n;
        }
        for (k, w) in &other.first_week {
            let mine = self
                .first_week
                .entry(k.clone())
                .or_insert_with(|| vec![0; w.len()]);
            if mine.len() < w.len() {
                mine.resize(w.len(), 0);
            }
            for (a, b) in mine.iter_mut().zip(w) {
                *a += b;
            }
        }
        for (src, dst) in [
            (&other.outcome_given, &mut self.outcome_given),
            (&other.event_given, &mut self.event_given),
        ] {
            for (k, m) in src {
                let mine = dst.entry(k.clone()).or_default();
                for (k2, n) in m {
                    *mine.entry(k2.clone()).or_default() += n;
                }
            }
        }
        for (k, n) in &other.paths {
            *self.paths.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.highest_kahn {
            *self.highest_kahn.entry(*k).or_default() += n;
        }
        for (k, n) in &other.thresholds {
            *self.thresholds.entry(k.clone()).or_default() += n;
        }
        for (k, h) in &other.nuclear_killed {
            self.nuclear_killed.entry(k.clone()).or_default().merge(h);
        }
    }

    /// Runs in which the event happened.
    pub fn event_runs(&self, id: &str) -> u64 {
        self.first_week.get(id).map_or(0, |w| w.iter().sum())
    }

    /// Week by which a share `q` of the runs *with* the event had it (None if it never happened).
    pub fn event_week_quantile(&self, id: &str, q: f64) -> Option<u32> {
        let w = self.first_week.get(id)?;
        let n: u64 = w.iter().sum();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (week, c) in w.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(week as u32);
            }
        }
        None
    }

    /// Kaplan-Meier survival of "event not yet happened" at the end of each week. Every run is
    /// followed to the horizon (censored only there), so the estimator reduces to one minus the
    /// cumulative share.
    pub fn survival(&self, id: &str) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.weeks as usize + 1);
        let mut cum = 0u64;
        let w = self.first_week.get(id);
        for week in 0..=self.weeks as usize {
            cum += w.and_then(|w| w.get(week)).copied().unwrap_or(0);
            out.push(if self.runs > 0 {
                1.0 - cum as f64 / self.runs as f64
            } else {
                1.0
            });
        }
        out
    }
}

/// Slot of a run's outcome in [`EventTally`]'s outcome counts: [`Outcome::ALL`] order, then
/// runs without an outcome.
const NO_OUTCOME_SLOT: usize = Outcome::ALL.len();
const OUTCOME_SLOTS: usize = Outcome::ALL.len() + 1;

fn outcome_slot(run: &RunEvents) -> usize {
    run.outcome.map_or(NO_OUTCOME_SLOT, |(o, _)| o as usize)
}

fn outcome_slot_name(slot: usize) -> &'static str {
    Outcome::ALL.get(slot).map_or("none", |o| o.id())
}

/// The index of the Kahn threshold a rung lies above (see [`super::config::kahn_threshold`]).
fn threshold_index(kahn_rung: u32) -> Option<usize> {
    KAHN_THRESHOLDS
        .iter()
        .rposition(|(first, _)| kahn_rung >= *first)
}

/// [`EventStats`] of one worker, kept by event index in flat arrays instead of string-keyed
/// maps: recording a run does no string work and no allocation once the buffers have grown.
/// [`EventTally::into_stats`] gives exactly the [`EventStats`] that [`EventStats::record`]
/// would have built from the same runs.
#[derive(Clone, Debug)]
pub struct EventTally {
    weeks: u32,
    names: EventNames,
    /// The event of each outcome ([`Outcome::ALL`] order).
    outcome_events: [EventId; 7],
    /// Whether an event counts in escalation paths (not the mode of a removal).
    in_paths: Vec<bool>,
    runs: u64,
    outcomes: [u64; OUTCOME_SLOTS],
    /// Whether each event happened in some run (it then has a key in every per-event map).
    happened: Vec<bool>,
    /// `[event][week]`, weeks 0..=weeks.
    first_week: Vec<u64>,
    /// `[event][outcome slot]`.
    outcome_given: Vec<u64>,
    /// `[event][other event]`.
    event_given: Vec<u64>,
    /// Paths as event indices, the last element an outcome slot.
    paths: BTreeMap<Vec<EventId>, u64>,
    /// Runs by highest Kahn rung (index = rung).
    highest_kahn: Vec<u64>,
    thresholds: [u64; KAHN_THRESHOLDS.len()],
    nuclear_killed: Vec<Option<Histogram>>,
    /// Per-run scratch: distinct events in order of first occurrence, with their weeks.
    firsts: Vec<(EventId, u32)>,
    path: Vec<EventId>,
}

impl EventTally {
    /// A tally for the events of `r`'s decision layer (none without one).
    pub fn new(r: &Resolved, weeks: u32) -> Self {
        let (names, outcome_events) = match r.compiled.as_ref() {
            Some(c) => (c.events.names.clone(), c.events.outcomes),
            None => (EventNames::default(), [0; 7]),
        };
        let n = names.len();
        let in_paths = (0..n)
            .map(|i| !names.name(i as EventId).starts_with("leader_removed_"))
            .collect();
        EventTally {
            weeks,
            outcome_events,
            in_paths,
            runs: 0,
            outcomes: [0; OUTCOME_SLOTS],
            happened: vec![false; n],
            first_week: vec![0; n * (weeks as usize + 1)],
            outcome_given: vec![0; n * OUTCOME_SLOTS],
            event_given: vec![0; n * n],
            paths: BTreeMap::new(),
            highest_kahn: Vec::new(),
            thresholds: [0; KAHN_THRESHOLDS.len()],
            nuclear_killed: vec![None; n],
            firsts: Vec::new(),
            path: Vec::new(),
            names,
        }
    }

    /// Counts one run (its events carry indices into this tally's event names).
    pub fn record(&mut self, run: &RunEvents) {
        let n = self.names.len();
        let weeks_len = self.weeks as usize + 1;
        self.runs += 1;
        let outcome = outcome_slot(run);
        self.outcomes[outcome] += 1;
        self.firsts.clear();
        for e in &run.events {
            debug_assert_eq!(self.names.name(e.event_id), &e.event);
            if !self.firsts.iter().any(|&(id, _)| id == e.event_id) {
                self.firsts.push((e.event_id, e.week));
            }
        }
        for &(id, week) in &self.firsts {
            let id = id as usize;
            self.happened[id] = true;
            if let Some(slot) =
                self.first_week[id * weeks_len..(id + 1) * weeks_len].get_mut(week as usize)
            {
                *slot += 1;
            }
            self.outcome_given[id * OUTCOME_SLOTS + outcome] += 1;
            let others = &mut self.event_given[id * n..(id + 1) * n];
            for &(other, _) in &self.firsts {
                others[other as usize] += 1;
            }
        }
        let outcome_event = self.outcome_events.get(outcome).copied();
        self.path.clear();
        self.path.extend(
            self.firsts
                .iter()
                .filter(|&&(id, week)| {
                    week > 0 && self.in_paths[id as usize] && Some(id) != outcome_event
                })
                .map(|&(id, _)| id),
        );
        self.path.push(outcome as EventId);
        match self.paths.get_mut(self.path.as_slice()) {
            Some(count) => *count += 1,
            None => {
                self.paths.insert(self.path.clone(), 1);
            }
        }
        let kahn = run.highest_kahn as usize;
        if self.highest_kahn.len() <= kahn {
            self.highest_kahn.resize(kahn + 1, 0);
        }
        self.highest_kahn[kahn] += 1;
        let mut crossed = [false; KAHN_THRESHOLDS.len()];
        for e in &run.events {
            debug_assert_eq!(
                threshold_index(e.kahn_rung).map_or("", |t| KAHN_THRESHOLDS[t].1),
                e.threshold
            );
            if let Some(t) = threshold_index(e.kahn_rung) {
                crossed[t] = true;
            }
        }
        for (count, crossed) in self.thresholds.iter_mut().zip(crossed) {
            *count += u64::from(crossed);
        }
        for e in run.events.iter().filter(|e| e.strike) {
            self.nuclear_killed[e.event_id as usize]
                .get_or_insert_with(Histogram::default)
                .record(e.killed);
        }
    }

    /// The same counts keyed by name, as [`EventStats`] writes them.
    pub fn into_stats(self) -> EventStats {
        let n = self.names.len();
        let weeks_len = self.weeks as usize + 1;
        let name = |id: usize| self.names.name(id as EventId).to_string();
        let mut stats = EventStats::new(self.weeks);
        stats.runs = self.runs;
        for (slot, &count) in self.outcomes.iter().enumerate() {
            if count > 0 {
                stats
                    .outcomes
                    .insert(outcome_slot_name(slot).to_string(), count);
            }
        }
        for id in (0..n).filter(|&id| self.happened[id]) {
            stats.first_week.insert(
                name(id),
                self.first_week[id * weeks_len..(id + 1) * weeks_len].to_vec(),
            );
            let by_outcome = &self.outcome_given[id * OUTCOME_SLOTS..(id + 1) * OUTCOME_SLOTS];
            stats.outcome_given.insert(
                name(id),
                (0..OUTCOME_SLOTS)
                    .filter(|&slot| by_outcome[slot] > 0)
                    .map(|slot| (outcome_slot_name(slot).to_string(), by_outcome[slot]))
                    .collect(),
            );
            let by_event = &self.event_given[id * n..(id + 1) * n];
            stats.event_given.insert(
                name(id),
                (0..n)
                    .filter(|&other| by_event[other] > 0)
                    .map(|other| (name(other), by_event[other]))
                    .collect(),
            );
        }
        for (path, &count) in &self.paths {
            let (outcome, events) = path.split_last().expect("a path ends with its outcome");
            let mut text = String::new();
            for &id in events {
                text.push_str(self.names.name(id));
                text.push_str(" -> ");
            }
            text.push_str(outcome_slot_name(*outcome as usize));
            // Distinct index paths have distinct texts unless ids contain " -> "; adding keeps
            // even that case equal to counting by text.
            *stats.paths.entry(text).or_default() += count;
        }
        for (kahn, &count) in self.highest_kahn.iter().enumerate() {
            if count > 0 {
                stats.highest_kahn.insert(kahn as u32, count);
            }
        }
        for (t, &count) in self.thresholds.iter().enumerate() {
            if count > 0 {
                stats
                    .thresholds
                    .insert(KAHN_THRESHOLDS[t].1.to_string(), count);
            }
        }
        for (id, h) in self.nuclear_killed.into_iter().enumerate() {
            if let Some(h) = h {
                stats.nuclear_killed.insert(name(id), h);
            }
        }
        stats
    }
}

/// Wilson score interval for a binomial proportion (95%: z = 1.959964).
pub fn wilson(successes: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, 0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let nf = n as f64;
    let p = successes as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * nf)) / nf).sqrt() / denom;
    (p, (centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_textbook_value() {
        // 8 successes of 10: Wilson 95% interval (0.4902, 0.9433) (Newcombe 1998, Table I style).
        let (p, lo, hi) = wilson(8, 10);
        assert!((p - 0.8).abs() < 1e-12);
        assert!(
            (lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (_, lo, hi) = wilson(0, 100);
        assert!(lo.abs() < 1e-12 && (hi - 0.0370).abs() < 1e-3);
    }

    #[test]
    fn survival_is_one_minus_cumulative_share() {
        let mut s = EventStats::new(3);
        for week in [1, 1, 3] {
            s.record(&RunEvents {
                events: vec![EventRecord {
                    week,
                    actor: "RU".into(),
                    event: "x".into(),
                    rung: "x".into(),
                    kahn_rung: 6,
                    threshold: "Don't rock the boat",
                    killed: 0.0,
                    injured: 0.0,
                    strike: false,
                    event_id: 0,
                }],
                ..Default::default()
            });
        }
        s.record(&RunEvents::default());
        assert_eq!(s.survival("x"), vec![1.0, 0.5, 0.5, 0.25]);
        assert_eq!(s.event_week_quantile("x", 0.5), Some(1));
        assert_eq!(s.event_runs("x"), 3);
    }
}
