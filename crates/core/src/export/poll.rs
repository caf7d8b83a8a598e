//! When to poll a running export, and when to call it stalled.
//!
//! Exports take from seconds to many minutes. Polling fast at first catches the quick
//! ones; slowing down (×1.5 per poll without movement, up to 30 s) keeps a long
//! export from costing hundreds of requests; resetting to 2 s as soon as the percentage
//! moves keeps the progress bar lively while the server is actually working.
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
    /// Interval after progress, and the starting interval (2 s).
    pub min_interval_ms: Millis,
    /// Growth per poll without progress, in percent (150 = ×1.5).
    pub growth_percent: u32,
    /// Longest interval (30 s).
    pub max_interval_ms: Millis,
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

/// Per-export polling state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    /// Interval that will be used after the next poll without progress grows it.
    pub interval_ms: Millis,
    /// Last observed progress.
    pub mark: ProgressMark,
    /// When progress last moved (or the export was created).
    pub last_progress_at: Millis,
    /// No progress for [`PollSchedule::stall_after_ms`].
    pub stalled: bool,
    /// Earliest time of the next poll.
    pub next_poll_at: Millis,
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
        }
    }

    /// Records a poll response at `now` and schedules the next poll.
    pub fn observe(&self, st: &mut PollState, mark: ProgressMark, now: Millis) {
        if mark != st.mark {
            st.mark = mark;
            st.last_progress_at = now;
            st.interval_ms = self.min_interval_ms;
        }
        st.stalled = self.is_stalled(st, now);
        st.next_poll_at = now.saturating_add(st.interval_ms);
        // The interval for the next poll, should nothing move until then.
        let grown = i128::from(st.interval_ms) * i128::from(self.growth_percent) / 100;
        st.interval_ms = Millis::try_from(grown).unwrap_or(Millis::MAX).clamp(
            self.min_interval_ms,
            self.max_interval_ms.max(self.min_interval_ms),
        );
    }

    /// Whether `st` has seen no progress for [`stall_after_ms`](Self::stall_after_ms) at `now`.
    pub fn is_stalled(&self, st: &PollState, now: Millis) -> bool {
        now.saturating_sub(st.last_progress_at) >= self.stall_after_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_resets() {
        let s = PollSchedule::default();
        let m = ProgressMark {
            started: false,
            percent: 0,
        };
        let mut st = s.start(m, 0);
        assert_eq!(st.next_poll_at, 1_000);
        let mut t = st.next_poll_at;
        let mut intervals = vec![];
        for _ in 0..12 {
            s.observe(&mut st, m, t);
            intervals.push(st.next_poll_at - t);
            t = st.next_poll_at;
        }
        assert_eq!(
            &intervals[..7],
            &[2_000, 3_000, 4_500, 6_750, 10_125, 15_187, 22_780]
        );
        assert!(intervals[7..].iter().all(|&i| i == 30_000));
        let moved = ProgressMark {
            started: true,
            percent: 10,
        };
        s.observe(&mut st, moved, t);
        assert_eq!(st.next_poll_at - t, 2_000);
        t = st.next_poll_at;
        s.observe(&mut st, moved, t);
        assert_eq!(st.next_poll_at - t, 3_000);
    }
}
