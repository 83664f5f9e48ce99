//! Queue-and-service stages of the mobilization pipeline (M-MOB).
//!
//! A stage holds a FIFO queue of people waiting to enter and the cohorts in service. Each week
//! it (1) releases cohorts whose service is over, (2) admits from the queue up to a limit, and
//! (3) advances service by one week. People are counted as real numbers (a fluid approximation
//! of large counts); cohorts keep the week they started waiting and the training they received,
//! so queueing time and quality are tracked exactly.

use super::Bound;
use std::collections::VecDeque;

/// A group of people who move together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cohort {
    pub count: f64,
    /// Week in which the cohort joined the current queue (for waiting times).
    pub queued_week: u32,
    /// Mean week in which the cohort's people were summoned or recruited (for time in the
    /// pipeline). Cohorts that differ only in it merge, with the count-weighted mean: nothing
    /// downstream tells their people apart, and fewer cohorts mean fewer queue operations.
    pub origin_week: f64,
    /// Combat quality the cohort will have at the front (0 to 1).
    pub quality: f64,
    /// In service: the stage's clock reading at which its service is over (see
    /// [`StageQueue::remaining_weeks`]); meaningless while waiting.
    pub service_ends: u32,
}

/// Adds `c`'s people to `into`, keeping the count-weighted mean origin week. The callers merge
/// only cohorts of equal quality that joined the queue in the same week (waiting) or leave
/// service in the same week (in service).
#[inline]
fn merge_into(into: &mut Cohort, c: &Cohort) {
    let count = into.count + c.count;
    if into.origin_week != c.origin_week {
        into.origin_week = (into.origin_week * into.count + c.origin_week * c.count) / count;
    }
    into.count = count;
}

/// One pipeline stage.
#[derive(Clone, Debug, Default)]
pub struct StageQueue {
    pub waiting: VecDeque<Cohort>,
    pub in_service: VecDeque<Cohort>,
    waiting_total: f64,
    in_service_total: f64,
    /// Weeks of service passed in this stage. Cohorts in service carry the reading at which
    /// they are done, so a week passes by advancing the clock instead of counting down every
    /// cohort.
    clock: u32,
}

/// Counts below this are treated as nobody, so floating-point crumbs do not linger in queues.
const CRUMB: f64 = 1e-9;

impl StageQueue {
    /// An empty stage with room for `cohorts` cohorts waiting and as many in service, so a run
    /// does not grow its queues step by step (a cohort a week per origin is typical).
    pub fn with_capacity(cohorts: usize) -> StageQueue {
        StageQueue {
            waiting: VecDeque::with_capacity(cohorts),
            in_service: VecDeque::with_capacity(cohorts),
            ..StageQueue::default()
        }
    }

    pub fn waiting_total(&self) -> f64 {
        self.waiting_total
    }
    pub fn in_service_total(&self) -> f64 {
        self.in_service_total
    }
    pub fn total(&self) -> f64 {
        self.waiting_total + self.in_service_total
    }

    /// Weeks of service a cohort in service has left (0: it leaves at the next release).
    pub fn remaining_weeks(&self, c: &Cohort) -> u32 {
        c.service_ends.saturating_sub(self.clock)
    }

    /// The cohorts in service whose service is over (they leave at the next release).
    pub fn due(&self) -> impl Iterator<Item = &Cohort> {
        self.in_service
            .iter()
            .filter(|c| self.remaining_weeks(c) == 0)
    }

    /// Adds people to the queue, merging with the last cohort when it is the same kind.
    pub fn enqueue(&mut self, c: Cohort) {
        if c.count <= CRUMB {
            return;
        }
        self.waiting_total += c.count;
        if let Some(last) = self.waiting.back_mut()
            && last.queued_week == c.queued_week
            && last.quality == c.quality
        {
            merge_into(last, &c);
            return;
        }
        self.waiting.push_back(c);
    }

    /// Releases cohorts whose service is over, in order, handing each to `to` (the next stage's
    /// queue, or the front), without a buffer in between.
    #[inline]
    pub fn release_each(&mut self, mut to: impl FnMut(Cohort)) {
        while let Some(front) = self.in_service.front() {
            if self.remaining_weeks(front) > 0 {
                break;
            }
            let c = self.in_service.pop_front().expect("front exists");
            self.in_service_total -= c.count;
            to(c);
        }
        if self.in_service.is_empty() {
            self.in_service_total = 0.0;
        }
    }

    /// Releases cohorts whose service is over into `next`'s queue, as having joined it in
    /// `week`; a stage of zero weeks also releases what it admitted this week, so call this
    /// after admitting too.
    #[inline]
    pub fn release_to(&mut self, next: &mut StageQueue, week: u32) {
        self.release_each(|c| next.join(c, week));
    }

    /// Enqueues `c` as having joined this queue in `week`.
    #[inline]
    fn join(&mut self, mut c: Cohort, week: u32) {
        c.queued_week = week;
        self.enqueue(c);
    }

    /// Admits up to `limit` people from the head of the queue into service for `duration_weeks`;
    /// `on_admit` may change each admitted cohort (e.g. set its training). Returns the number admitted.
    #[inline]
    pub fn admit(
        &mut self,
        limit: f64,
        duration_weeks: u32,
        on_admit: impl FnMut(&mut Cohort),
    ) -> f64 {
        // An empty queue admits nobody and changes nothing (its total is already exactly 0):
        // decided here, inlined, without the call and the loop's setup.
        if self.waiting.is_empty() {
            debug_assert_eq!(self.waiting_total.to_bits(), 0.0f64.to_bits());
            return 0.0;
        }
        self.admit_from_queue(limit, duration_weeks, on_admit)
    }

    fn admit_from_queue(
        &mut self,
        limit: f64,
        duration_weeks: u32,
        mut on_admit: impl FnMut(&mut Cohort),
    ) -> f64 {
        let mut room = limit.at_least(0.0);
        let mut admitted = 0.0;
        while room > CRUMB {
            let Some(head) = self.waiting.front_mut() else {
                break;
            };
            let take = head.count.at_most(room);
            let mut moved = *head;
            moved.count = take;
            moved.service_ends = self.clock.saturating_add(duration_weeks);
            head.count -= take;
            if head.count <= CRUMB {
                let crumbs = head.count;
                self.waiting.pop_front();
                // Fold the sub-crumb remainder into the moved cohort so nobody is lost.
                moved.count += crumbs;
            }
            room -= take;
            admitted += moved.count;
            on_admit(&mut moved);
            self.push_service(moved);
        }
        self.waiting_total -= admitted;
        if self.waiting.is_empty() {
            self.waiting_total = 0.0;
        }
        admitted
    }

    fn push_service(&mut self, c: Cohort) {
        self.in_service_total += c.count;
        // Service is FIFO by remaining time; durations are equal within a stage and week, so
        // appending keeps the order (cohorts admitted in one week share a duration).
        let remaining = |x: &Cohort| x.service_ends.saturating_sub(self.clock);
        let remaining_new = remaining(&c);
        if let Some(last) = self.in_service.back_mut()
            && remaining(last) == remaining_new
            && last.quality == c.quality
        {
            merge_into(last, &c);
            return;
        }
        self.in_service.push_back(c);
    }

    /// Moves every cohort that has waited at least `max_wait_weeks` to `next`'s queue, as having
    /// joined it in `week`.
    #[inline]
    pub fn drain_overdue_to(&mut self, next: &mut StageQueue, week: u32, max_wait_weeks: u32) {
        self.drain_overdue_each(week, max_wait_weeks, |c| next.join(c, week));
    }

    /// Removes from the queue every cohort that has waited at least `max_wait_weeks`, in order,
    /// handing each to `to`.
    #[inline]
    pub fn drain_overdue_each(
        &mut self,
        week: u32,
        max_wait_weeks: u32,
        mut to: impl FnMut(Cohort),
    ) {
        while let Some(front) = self.waiting.front() {
            if week.saturating_sub(front.queued_week) < max_wait_weeks {
                break;
            }
            let c = self.waiting.pop_front().expect("front exists");
            self.waiting_total -= c.count;
            to(c);
        }
        if self.waiting.is_empty() {
            self.waiting_total = 0.0;
        }
    }

    /// One week of service passes.
    pub fn tick(&mut self) {
        self.clock += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(count: f64, week: u32) -> Cohort {
        Cohort {
            count,
            queued_week: week,
            origin_week: f64::from(week),
            quality: 0.5,
            service_ends: 0,
        }
    }

    #[test]
    fn admission_respects_the_limit_and_fifo_order() {
        let mut s = StageQueue::default();
        s.enqueue(cohort(100.0, 0));
        s.enqueue(cohort(50.0, 1));
        let n = s.admit(120.0, 2, |_| {});
        assert_eq!(n, 120.0);
        assert_eq!(s.waiting_total(), 30.0);
        assert_eq!(s.waiting.front().unwrap().queued_week, 1);
        assert_eq!(s.in_service_total(), 120.0);
    }

    #[test]
    fn service_takes_its_duration() {
        let mut s = StageQueue::default();
        s.enqueue(cohort(10.0, 0));
        let mut out = Vec::new();
        s.admit(10.0, 2, |_| {});
        for week in 0..3 {
            s.release_each(|c| out.push(c));
            if week < 2 {
                assert!(out.is_empty(), "released too early in week {week}");
            }
            s.tick();
        }
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].count, 10.0);
        assert_eq!(s.total(), 0.0);
    }

    #[test]
    fn cohorts_differing_only_in_origin_merge_with_the_mean_origin() {
        let mut s = StageQueue::default();
        let mut late = cohort(30.0, 4);
        late.queued_week = 0;
        s.enqueue(cohort(10.0, 0));
        s.enqueue(late);
        assert_eq!(s.waiting.len(), 1);
        let head = s.waiting.front().unwrap();
        assert_eq!(head.count, 40.0);
        assert_eq!(head.origin_week, 3.0);
        // A different quality stays apart.
        let mut better = cohort(5.0, 0);
        better.quality = 0.9;
        s.enqueue(better);
        assert_eq!(s.waiting.len(), 2);
        // Admitted in one week, they share a service end and merge again in service only
        // when their quality is equal.
        s.admit(45.0, 2, |_| {});
        assert_eq!(s.in_service.len(), 2);
        assert_eq!(s.in_service_total(), 45.0);
    }

    #[test]
    fn overdue_cohorts_leave_the_queue() {
        let mut s = StageQueue::default();
        s.enqueue(cohort(5.0, 0));
        s.enqueue(cohort(7.0, 3));
        let mut out = Vec::new();
        s.drain_overdue_each(4, 2, |c| out.push(c));
        assert_eq!(out.len(), 1);
        assert_eq!(s.waiting_total(), 7.0);
    }
}
