//! Export service hours per Clover region, as configuration.
//!
//! Outside its service hours the export service answers 503 "with available hours", in a
//! format nobody documents. The windows below come from Clover's public docs; the US
//! window has moved twice since 2016, so they are **data** ([`ServiceHours`]), not logic:
//! the app can override them without touching the queue.
//!
//! Everything is in UTC with plain integer arithmetic on epoch milliseconds: service
//! hours are published in UTC, so no time-zone database is needed here.

use core::fmt::Write as _;

use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

use crate::range::MS_PER_DAY;
use crate::Millis;

const MS_PER_MINUTE: Millis = 60_000;
const MINUTES_PER_DAY: u16 = 1440;

/// A set of weekdays (bit 0 = Monday … bit 6 = Sunday). Serialised as that bit mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No day.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    /// Every day of the week.
    pub const ALL: WeekdaySet = WeekdaySet(0x7f);
    /// Monday to Friday.
    pub const MON_FRI: WeekdaySet = WeekdaySet(0x1f);

    /// The set of a saved bit mask.
    pub(super) const fn from_bits(bits: u8) -> WeekdaySet {
        WeekdaySet(bits)
    }

    /// The bit mask it is saved as.
    pub(super) const fn bits(self) -> u8 {
        self.0
    }

    /// A set holding one day.
    pub const fn single(day: Weekday) -> WeekdaySet {
        WeekdaySet(1 << day.to_monday_zero_offset())
    }

    /// This set plus `day`.
    pub const fn with(self, day: Weekday) -> WeekdaySet {
        WeekdaySet(self.0 | Self::single(day).0)
    }

    /// Whether `day` is in the set.
    pub const fn contains(self, day: Weekday) -> bool {
        self.0 & Self::single(day).0 != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 & 0x7f == 0
    }

    /// "every day", "Mon–Fri", "Sat", "Mon, Wed, Fri".
    pub fn describe(self) -> String {
        if self.0 & 0x7f == 0x7f {
            return "every day".to_string();
        }
        let mut runs: Vec<(i8, i8)> = Vec::new();
        for d in 0..7i8 {
            if self.0 & (1 << d) != 0 {
                match runs.last_mut() {
                    Some((_, end)) if *end == d - 1 => *end = d,
                    _ => runs.push((d, d)),
                }
            }
        }
        runs.iter()
            .map(|&(a, b)| match b - a {
                0 => day_abbrev(a).to_string(),
                1 => format!("{}, {}", day_abbrev(a), day_abbrev(b)),
                _ => format!("{}–{}", day_abbrev(a), day_abbrev(b)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn day_abbrev(monday_zero: i8) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][monday_zero.rem_euclid(7) as usize]
}

/// The weekday (Monday = 0) of the UTC day containing `t`. 1970-01-01 was a Thursday.
pub(crate) fn utc_weekday_index(t: Millis) -> i8 {
    (t.div_euclid(MS_PER_DAY) + 3).rem_euclid(7) as i8
}

/// Short English name of the UTC weekday of `t` ("Mon").
pub(crate) fn utc_weekday_abbrev(t: Millis) -> &'static str {
    day_abbrev(utc_weekday_index(t))
}

/// One opening window, in UTC minutes after midnight.
///
/// The window opens at `start_minute` on each day in `days` and closes at `end_minute`
/// (exclusive). When `end_minute <= start_minute` the window runs past midnight into the
/// next day (e.g. 22:00–02:00); `days` are always the days on which it *opens*.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// Days (UTC) on which the window opens.
    pub days: WeekdaySet,
    /// Opening time, minutes after 00:00 UTC (0..1440).
    pub start_minute: u16,
    /// Closing time (exclusive), minutes after 00:00 UTC (0..=1440).
    pub end_minute: u16,
}

impl Window {
    /// A window from `start_h:00` to `end_h:00` UTC on `days`.
    pub const fn hours(days: WeekdaySet, start_h: u16, end_h: u16) -> Window {
        Window {
            days,
            start_minute: start_h * 60,
            end_minute: end_h * 60,
        }
    }

    fn start_ms(&self) -> Millis {
        Millis::from(self.start_minute.min(MINUTES_PER_DAY - 1)) * MS_PER_MINUTE
    }

    fn duration_ms(&self) -> Millis {
        let start = self.start_minute.min(MINUTES_PER_DAY - 1);
        let end = self.end_minute.min(MINUTES_PER_DAY);
        let minutes = if end > start {
            end - start
        } else {
            end + MINUTES_PER_DAY - start
        };
        Millis::from(minutes) * MS_PER_MINUTE
    }

    /// The opening intervals `[open, close)` of this window that start on UTC days
    /// `first_day..=last_day` (day numbers since the epoch).
    fn instances(
        &self,
        first_day: i64,
        last_day: i64,
    ) -> impl Iterator<Item = (Millis, Millis)> + '_ {
        (first_day..=last_day).filter_map(move |day| {
            // Days near the ends of the i64 range simply have no windows.
            let day_start = day.checked_mul(MS_PER_DAY)?;
            let wd = utc_weekday_index(day_start);
            if self.days.0 & (1 << wd) == 0 {
                return None;
            }
            let open = day_start.checked_add(self.start_ms())?;
            Some((open, open.saturating_add(self.duration_ms())))
        })
    }
}

/// Export service hours of a region: a list of UTC windows.
///
/// An **empty** list means "no restriction" (the sandbox). Unknown hours (Latin America)
/// are represented by the *absence* of a `ServiceHours` (`Option::None`) where one is
/// expected, e.g. [`Region::service_hours`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceHours {
    /// The opening windows; empty = always open.
    pub windows: Vec<Window>,
}

impl ServiceHours {
    /// No restriction (sandbox).
    pub fn always_open() -> Self {
        Self::default()
    }

    /// US: every day 10:00–15:00 UTC.
    pub fn us() -> Self {
        Self {
            windows: vec![Window::hours(WeekdaySet::ALL, 10, 15)],
        }
    }

    /// EU: Mon–Fri 01:00–05:00, Sat 02:00–05:00, Sun 02:00–06:00 UTC.
    pub fn eu() -> Self {
        Self {
            windows: vec![
                Window::hours(WeekdaySet::MON_FRI, 1, 5),
                Window::hours(WeekdaySet::single(Weekday::Saturday), 2, 5),
                Window::hours(WeekdaySet::single(Weekday::Sunday), 2, 6),
            ],
        }
    }

    /// Whether there is no restriction at all.
    pub fn is_always_open(&self) -> bool {
        self.windows.is_empty()
    }

    /// Whether the service is open at `now`.
    pub fn is_open(&self, now: Millis) -> bool {
        if self.windows.is_empty() {
            return true;
        }
        let today = now.div_euclid(MS_PER_DAY);
        self.windows
            .iter()
            .flat_map(|w| w.instances(today.saturating_sub(1), today))
            .any(|(open, close)| open <= now && now < close)
    }

    /// `now` if open, otherwise the start of the next window (at most a week ahead).
    /// `None` only when the configured windows never open (every `days` set empty).
    pub fn next_opening(&self, now: Millis) -> Option<Millis> {
        if self.is_open(now) {
            return Some(now);
        }
        let today = now.div_euclid(MS_PER_DAY);
        self.windows
            .iter()
            .flat_map(|w| w.instances(today, today.saturating_add(7)))
            .map(|(open, _)| open)
            .filter(|&open| open > now)
            .min()
    }

    /// When the window that is open at `now` closes; `None` when closed (or unrestricted).
    pub fn closes_at(&self, now: Millis) -> Option<Millis> {
        let today = now.div_euclid(MS_PER_DAY);
        self.windows
            .iter()
            .flat_map(|w| w.instances(today.saturating_sub(1), today))
            .filter(|&(open, close)| open <= now && now < close)
            .map(|(_, close)| close)
            .max()
    }

    /// "every day 10:00–15:00 UTC", "Mon–Fri 01:00–05:00, Sat 02:00–05:00, Sun
    /// 02:00–06:00 UTC", "no restriction".
    pub fn describe(&self) -> String {
        if self.windows.is_empty() {
            return "no restriction".to_string();
        }
        let mut out = String::new();
        for (i, w) in self.windows.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(
                out,
                "{} {}–{}",
                w.days.describe(),
                hhmm(w.start_minute),
                hhmm(w.end_minute)
            );
        }
        out.push_str(" UTC");
        out
    }
}

fn hhmm(minute: u16) -> String {
    let m = minute.min(MINUTES_PER_DAY);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The Clover regions the console knows about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// North America, `https://api.clover.com`.
    Us,
    /// Europe, `https://api.eu.clover.com`.
    Eu,
    /// Latin America, `https://api.la.clover.com` (service hours not published).
    La,
    /// Clover's developer sandbox, `https://apisandbox.dev.clover.com` (no hours limit).
    Sandbox,
}

impl Region {
    /// All regions, for a select box.
    pub const ALL: [Region; 4] = [Region::Us, Region::Eu, Region::La, Region::Sandbox];

    /// Stable id for forms and storage ("us", "eu", "la", "sandbox").
    pub fn id(&self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::La => "la",
            Region::Sandbox => "sandbox",
        }
    }

    /// Inverse of [`id`](Self::id).
    pub fn from_id(id: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Human label.
    pub fn label(&self) -> &'static str {
        match self {
            Region::Us => "North America",
            Region::Eu => "Europe",
            Region::La => "Latin America",
            Region::Sandbox => "Sandbox",
        }
    }

    /// The REST API host.
    pub fn api_base(&self) -> &'static str {
        match self {
            Region::Us => "https://api.clover.com",
            Region::Eu => "https://api.eu.clover.com",
            Region::La => "https://api.la.clover.com",
            Region::Sandbox => "https://apisandbox.dev.clover.com",
        }
    }

    /// Known export service hours; `None` = unknown (Latin America).
    pub fn service_hours(&self) -> Option<ServiceHours> {
        match self {
            Region::Us => Some(ServiceHours::us()),
            Region::Eu => Some(ServiceHours::eu()),
            Region::La => None,
            Region::Sandbox => Some(ServiceHours::always_open()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_of_epoch() {
        assert_eq!(utc_weekday_abbrev(0), "Thu");
        assert_eq!(utc_weekday_abbrev(-1), "Wed");
    }

    #[test]
    fn describe() {
        assert_eq!(ServiceHours::us().describe(), "every day 10:00–15:00 UTC");
        assert_eq!(
            ServiceHours::eu().describe(),
            "Mon–Fri 01:00–05:00, Sat 02:00–05:00, Sun 02:00–06:00 UTC"
        );
        assert_eq!(ServiceHours::always_open().describe(), "no restriction");
        let s = WeekdaySet::single(Weekday::Monday)
            .with(Weekday::Wednesday)
            .with(Weekday::Thursday);
        assert_eq!(s.describe(), "Mon, Wed, Thu");
    }

    #[test]
    fn overnight_window() {
        let h = ServiceHours {
            windows: vec![Window::hours(WeekdaySet::single(Weekday::Friday), 22, 2)],
        };
        // 1970-01-02 was a Friday; 23:00 Fri open, 01:00 Sat open, 02:00 Sat closed.
        let fri = MS_PER_DAY;
        assert!(h.is_open(fri + 23 * 3_600_000));
        assert!(h.is_open(fri + 25 * 3_600_000));
        assert!(!h.is_open(fri + 26 * 3_600_000));
        assert_eq!(
            h.next_opening(fri + 26 * 3_600_000),
            Some(fri + 7 * MS_PER_DAY + 22 * 3_600_000)
        );
    }
}
