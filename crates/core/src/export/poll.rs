//! When to poll a running export, and when to call it stalled.
//!
//! Exports take from seconds to many minutes. The schedule:
//!
//! * the first poll comes 1 s after the create, and the interval starts at 2 s;
//! * every poll grows the interval ×1.5, up to 30 s, whether the percentage moved or
//!   not (a 5-minute export costs 22 polls instead of the 135 it cost when every
//!   percent reset the interval to 2 s; `examples/bench_polling.rs`, BENCHMARKS.md);
//! * once the export runs, the observed rate (percent per ms since it started running)
//!   gives an expected finish; the next interval is at most a third of the time left
//!   until then (never below 2 s). The polls thus close in on the expected end and the
//!   one that sees `DONE` comes about 2 s after it at most, while the bar moves at every
//!   poll of a long export;
//! * the switch from pending to running sets the interval back to 2 s (a quick export
//!   is seen within ~2 s of finishing);
//! * once the expected finish has passed, the estimate no longer shortens anything: an
//!   export stuck at 99 % backs off to 30 s like one stuck anywhere else, and is flagged
//!   as stalled after 10 minutes without progress (it is still polled: Clover may just
//!   be slow).
//!
//! Request rate: Clover allows 16 requests/s per token. The queue sends at most one
//! request at a time per merchant (= per token) and never starts two requests of the
//! same merchant less than [`MIN_REQUEST_GAP_MS`] apart, so the limit cannot be reached.

use serde::{Deserialize, Serialize};

use crate::Millis;

/// Minimum time between the starts of two requests of one merchant: 1/16 s, rounded up.
pub const MIN_REQUEST_GAP_MS: Millis = 63;

/// Polling configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PollSchedule {
    /// Delay between the create response and the first poll (1 s).
    pub first_poll_ms: Millis,
    /// Shortest interval, the starting one and the one after the export starts running
    /// (2 s).
    pub min_interval_ms: Millis,
    /// Growth per poll, in percent (150 = ×1.5).
    pub growth_percent: u32,
    /// Longest interval (30 s).
    pub max_interval_ms: Millis,
    /// The next interval is at most the estimated time remaining divided by this (3),
    /// and never below `min_interval_ms`. 0 turns the estimate off.
    pub remaining_divisor: u32,
    /// An export without progress for this long is flagged as stalled (10 min). It is
    /// still polled: Clover may just be slow.
    pub stall_after_ms: Millis,
}

impl Default for PollSchedule {
    fn default() -> Self {
        Self {
            first_poll_ms: 1_000,
            min_interval_ms: 2_000,
            growth_percent: 150,
            max_interval_ms: 30_000,
            remaining_divisor: 3,
            stall_after_ms: 10 * 60_000,
        }
    }
}

/// What counts as movement: the phase (pending → running) or the percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressMark {
    /// `true` once the server says IN_PROGRESS.
    pub started: bool,
    /// Last percentage seen.
    pub percent: u8,
}

/// Where the rate estimate counts from: the first poll that saw the export running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateAnchor {
    /// When it was seen.
    pub at: Millis,
    /// The percentage then.
    pub percent: u8,
}

/// Per-export polling state.
///
/// Persisted with the queue (localStorage): fields added later carry
/// `#[serde(default)]`, so states saved by an older version still load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    /// Interval before the poll after next (the next poll is at `next_poll_at`); the
    /// estimate may still shorten it.
    pub interval_ms: Millis,
    /// Last observed progress.
    pub mark: ProgressMark,
    /// When progress last moved (or the export was created).
    pub last_progress_at: Millis,
    /// No progress for [`PollSchedule::stall_after_ms`].
    pub stalled: bool,
    /// Earliest time of the next poll.
    pub next_poll_at: Millis,
    /// Set at the first poll that sees the export running (`None` before, and in states
    /// saved by versions without it: set again at the next poll).
    #[serde(default)]
    pub anchor: Option<RateAnchor>,
}

impl PollSchedule {
    /// State right after the create response at `now`, with the server's first mark.
    pub fn start(&self, mark: ProgressMark, now: Millis) -> PollState {
        PollState {
            interval_ms: self.min_interval_ms,
            mark,
            last_progress_at: now,
            stalled: false,
            next_poll_at: now.saturating_add(self.first_poll_ms),
            anchor: mark.started.then_some(RateAnchor {
                at: now,
                percent: mark.percent,
            }),
        }
    }

    /// Records a poll response at `now` and schedules the next poll.
    pub fn observe(&self, st: &mut PollState, mark: ProgressMark, now: Millis) {
        let moved = mark != st.mark;
        if moved {
            st.last_progress_at = now;
        }
        let just_started = mark.started && !st.mark.started;
        let went_back = mark.percent < st.mark.percent;
        st.mark = mark;
        let restart = match st.anchor {
            _ if !mark.started => false,
            None => true,
            // Gone backwards: the server started over.
            Some(_) => just_started || went_back,
        };
        if restart {
            st.anchor = Some(RateAnchor {
                at: now,
                percent: mark.percent,
            });
            st.interval_ms = self.min_interval_ms;
        }
        st.stalled = self.is_stalled(st, now);
        let floor = self.min_interval_ms;
        let mut interval = st.interval_ms;
        if let Some(remaining) = self.remaining_ms(st, now) {
            let cap = remaining / Millis::from(self.remaining_divisor.max(1));
            interval = interval.min(cap.max(floor));
        }
        st.next_poll_at = now.saturating_add(interval);
        // The interval after that one, before the estimate has its say.
        let grown = i128::from(interval) * i128::from(self.growth_percent) / 100;
        st.interval_ms = Millis::try_from(grown)
            .unwrap_or(Millis::MAX)
            .clamp(floor, self.max_interval_ms.max(floor));
    }

    /// Estimated finish of the export, from the rate observed since it started running:
    /// the percentage went from `p₀` (at the anchor) to `p` (when it last moved), so
    /// 100 % is expected at `anchor + (100 − p₀) × (moved − anchor) / (p − p₀)`. `None`
    /// until the percentage has moved since the anchor, or when the estimate is off.
    pub fn expected_finish(&self, st: &PollState) -> Option<Millis> {
        let a = st
            .anchor
            .filter(|_| self.remaining_divisor > 0 && st.mark.started)?;
        let p0 = i128::from(a.percent.min(100));
        let done = i128::from(st.mark.percent.min(100)) - p0;
        let span = i128::from(st.last_progress_at) - i128::from(a.at);
        if done <= 0 || span <= 0 {
            return None;
        }
        Millis::try_from(i128::from(a.at) + (100 - p0) * span / done).ok()
    }

    /// Time left until [`expected_finish`](Self::expected_finish); `None` without an
    /// estimate or once that moment has passed (the export is late: polls back off as
    /// without an estimate).
    pub fn remaining_ms(&self, st: &PollState, now: Millis) -> Option<Millis> {
        let left = self.expected_finish(st)?.saturating_sub(now);
        (left > 0).then_some(left)
    }

    /// Whether `st` has seen no progress for [`stall_after_ms`](Self::stall_after_ms) at `now`.
    pub fn is_stalled(&self, st: &PollState, now: Millis) -> bool {
        now.saturating_sub(st.last_progress_at) >= self.stall_after_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PENDING: ProgressMark = ProgressMark {
        started: false,
        percent: 0,
    };

    fn running(percent: u8) -> ProgressMark {
        ProgressMark {
            started: true,
            percent,
        }
    }

    #[test]
    fn grows_while_pending_and_restarts_when_running() {
        let s = PollSchedule::default();
        let mut st = s.start(PENDING, 0);
        assert_eq!(st.next_poll_at, 1_000);
        let mut t = st.next_poll_at;
        let mut intervals = vec![];
        for _ in 0..12 {
            s.observe(&mut st, PENDING, t);
            intervals.push(st.next_poll_at - t);
            t = st.next_poll_at;
        }
        assert_eq!(
            &intervals[..7],
            &[2_000, 3_000, 4_500, 6_750, 10_125, 15_187, 22_780]
        );
        assert!(intervals[7..].iter().all(|&i| i == 30_000));
        assert_eq!(st.anchor, None);
        // Running: back to 2 s, the rate counted from here.
        s.observe(&mut st, running(10), t);
        assert_eq!(st.next_poll_at - t, 2_000);
        assert_eq!(st.anchor, Some(RateAnchor { at: t, percent: 10 }));
        // Progress no longer resets the interval; the estimate caps it instead.
        let t0 = t;
        t = st.next_poll_at; // t0 + 2 s
        s.observe(&mut st, running(11), t);
        // 1 % in 2 s: 100 % at t0 + 90 × 2 s = t0 + 180 s, 178 s left: no cap on 3 s.
        assert_eq!(s.expected_finish(&st), Some(t0 + 180_000));
        assert_eq!(s.remaining_ms(&st, t), Some(178_000));
        assert_eq!(st.next_poll_at - t, 3_000);
    }

    #[test]
    fn estimate_caps_the_interval_near_the_end() {
        let s = PollSchedule::default();
        let mut st = s.start(running(0), 0);
        // 90 % after 90 s: 100 % expected at 100 s.
        st.interval_ms = 30_000;
        s.observe(&mut st, running(90), 90_000);
        assert_eq!(s.expected_finish(&st), Some(100_000));
        // 10 s left: a third is 3 333 ms.
        assert_eq!(st.next_poll_at, 93_333);
        // 93 % at 93 333 ms: 100 % at 9 333 300 / 93 = 100 358 ms. Grown from what was
        // used: 4 999 ms, capped again by the 7 025 ms left / 3 = 2 341 ms.
        s.observe(&mut st, running(93), 93_333);
        assert_eq!(s.expected_finish(&st), Some(100_358));
        assert_eq!(st.next_poll_at, 93_333 + 2_341);
        // Never below 2 s.
        s.observe(&mut st, running(99), 99_000);
        assert_eq!(st.next_poll_at, 101_000);
    }

    #[test]
    fn overdue_exports_back_off() {
        let s = PollSchedule::default();
        let mut st = s.start(running(0), 0);
        s.observe(&mut st, running(50), 10_000);
        assert_eq!(s.expected_finish(&st), Some(20_000));
        assert_eq!(s.remaining_ms(&st, 20_000), None);
        assert_eq!(s.remaining_ms(&st, 25_000), None);
        // Stuck at 50 % well past the expected finish: the interval only grows.
        st.interval_ms = 4_000;
        s.observe(&mut st, running(50), 25_000);
        assert_eq!(st.next_poll_at, 29_000);
        assert_eq!(st.interval_ms, 6_000);
    }

    #[test]
    fn percentage_going_back_restarts_the_estimate() {
        let s = PollSchedule::default();
        let mut st = s.start(running(0), 0);
        s.observe(&mut st, running(60), 60_000);
        s.observe(&mut st, running(5), 70_000);
        assert_eq!(
            st.anchor,
            Some(RateAnchor {
                at: 70_000,
                percent: 5
            })
        );
        assert_eq!(st.next_poll_at, 72_000);
        assert_eq!(s.expected_finish(&st), None);
    }

    #[test]
    fn estimate_can_be_turned_off() {
        let s = PollSchedule {
            remaining_divisor: 0,
            ..PollSchedule::default()
        };
        let mut st = s.start(running(0), 0);
        st.interval_ms = 30_000;
        s.observe(&mut st, running(99), 99_000);
        assert_eq!(s.expected_finish(&st), None);
        assert_eq!(st.next_poll_at, 129_000);
    }
}
