//! Time spans and date-range presets, shared by Clover exports and the purchase history.
//!
//! Two notions of "a period" live here:
//!
//! * [`DateRange`]: what a person picks in a form — local calendar dates, `to` inclusive.
//!   It means nothing until a time zone is attached.
//! * [`TimeSpan`]: what an API gets — epoch milliseconds (UTC), **both ends inclusive**.
//!
//! [`DateRange::to_span`] converts the first into the second for an explicit
//! [`jiff::tz::TimeZone`]. The zone is always an input: the core never guesses the
//! browser's zone, and with jiff's rules days are 23 or 25 hours long around DST changes,
//! which a naive `days * 86_400_000` would get wrong.
//!
//! Presets ([`Preset`]) are resolved against an explicit `now`, never a clock.

mod preset;
mod shortcut;

pub use preset::Preset;
pub use shortcut::{shortcut_for, step, Modifiers, Shortcut, Step, SHORTCUTS};

use core::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::civil::ymd;
use crate::zone::Zone;
use crate::Millis;

/// Milliseconds in a 24 h day (a UTC day; local days may be 23 or 25 h long).
pub const MS_PER_DAY: Millis = 86_400_000;

/// A period of time in epoch milliseconds with **both ends inclusive**.
///
/// Inclusive ends match the Clover export API (`startTime`/`endTime`, which the sandbox
/// and — we assume — Clover treat as inclusive) and avoid the "is 23:59:59.999 in or out"
/// question: `end` is the last millisecond that belongs to the span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimeSpan {
    /// First millisecond in the span.
    pub start: Millis,
    /// Last millisecond in the span (inclusive).
    pub end: Millis,
}

impl TimeSpan {
    /// A span from `start` to `end` inclusive; `None` when `end < start`.
    pub fn new(start: Millis, end: Millis) -> Option<Self> {
        (start <= end).then_some(Self { start, end })
    }

    /// Number of milliseconds covered (`end - start + 1`), computed without overflow.
    pub fn len_ms(&self) -> i128 {
        i128::from(self.end) - i128::from(self.start) + 1
    }

    /// Whether `t` lies inside the span (ends included).
    pub fn contains(&self, t: Millis) -> bool {
        self.start <= t && t <= self.end
    }
}

/// A range of local calendar dates, `from` and `to` both included.
///
/// Serialised as `{"from":"2026-01-01","to":"2026-01-31"}` (ISO dates) so it can be stored
/// with the export queue without enabling jiff's serde feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// First day of the range.
    pub from: Date,
    /// Last day of the range (inclusive).
    pub to: Date,
}

/// The result of converting a [`DateRange`] to a [`TimeSpan`] at a given `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolvedSpan {
    /// The span to request.
    pub span: TimeSpan,
    /// `true` when the range reached into the future and `span.end` was clamped to `now`:
    /// the UI should mark the period as partial ("so far").
    pub partial: bool,
}

/// Why a range could not be built or converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// `from` is after `to`.
    FromAfterTo,
    /// The whole range starts after `now`: nothing can be exported yet.
    StartsInFuture,
    /// A timestamp or date outside what jiff can represent.
    OutOfRange,
    /// A date string that is not `YYYY-MM-DD`.
    InvalidDate(String),
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeError::FromAfterTo => f.write_str("the start date is after the end date"),
            RangeError::StartsInFuture => f.write_str("the range starts in the future"),
            RangeError::OutOfRange => f.write_str("date or time out of range"),
            RangeError::InvalidDate(s) => write!(f, "not a date (YYYY-MM-DD): {s:?}"),
        }
    }
}

impl std::error::Error for RangeError {}

impl From<jiff::Error> for RangeError {
    fn from(_: jiff::Error) -> Self {
        RangeError::OutOfRange
    }
}

/// Parses `YYYY-MM-DD` (what `<input type="date">` yields).
pub fn parse_date(s: &str) -> Result<Date, RangeError> {
    crate::civil::parse_ymd(s.trim()).ok_or_else(|| RangeError::InvalidDate(s.to_string()))
}

/// The local calendar date of the instant `t` in `tz`.
pub fn local_date(t: Millis, tz: &Zone) -> Result<Date, RangeError> {
    Ok(tz.date_at(t))
}

/// First millisecond of the local day `date` in `tz`: a zone whose midnight falls in a
/// DST gap starts the day at the first instant that exists.
pub fn start_of_day(date: Date, tz: &Zone) -> Result<Millis, RangeError> {
    Ok(tz.start_of_day(date))
}

/// Last millisecond of the local day `date` in `tz` (start of the next day minus 1 ms).
pub fn end_of_day(date: Date, tz: &Zone) -> Result<Millis, RangeError> {
    Ok(start_of_day(date.tomorrow()?, tz)? - 1)
}

impl DateRange {
    /// A range, rejecting `from > to`.
    pub fn new(from: Date, to: Date) -> Result<Self, RangeError> {
        if from > to {
            Err(RangeError::FromAfterTo)
        } else {
            Ok(Self { from, to })
        }
    }

    /// A single day.
    pub fn day(date: Date) -> Self {
        Self {
            from: date,
            to: date,
        }
    }

    /// Number of calendar days in the range (at least 1).
    pub fn days(&self) -> i64 {
        crate::civil::days_between(self.from, self.to).max(0) + 1
    }

    /// The full span of the range in `tz`, without clamping: start of `from` to the last
    /// millisecond of `to`.
    pub fn to_span_unclamped(&self, tz: &Zone) -> Result<TimeSpan, RangeError> {
        let start = start_of_day(self.from, tz)?;
        let end = end_of_day(self.to, tz)?;
        TimeSpan::new(start, end).ok_or(RangeError::FromAfterTo)
    }

    /// The span to request in `tz` at `now`: like [`to_span_unclamped`](Self::to_span_unclamped)
    /// but the end is clamped to `now` when the range reaches into the future, and
    /// [`ResolvedSpan::partial`] says so. A range starting after `now` is an error.
    pub fn to_span(&self, tz: &Zone, now: Millis) -> Result<ResolvedSpan, RangeError> {
        let full = self.to_span_unclamped(tz)?;
        if full.start > now {
            return Err(RangeError::StartsInFuture);
        }
        if full.end > now {
            Ok(ResolvedSpan {
                span: TimeSpan {
                    start: full.start,
                    end: now,
                },
                partial: true,
            })
        } else {
            Ok(ResolvedSpan {
                span: full,
                partial: false,
            })
        }
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = (ymd(self.from), ymd(self.to));
        if from == to {
            f.write_str(&from)
        } else {
            write!(f, "{from} – {to}")
        }
    }
}

#[derive(Serialize, Deserialize)]
struct DateRangeRepr {
    from: String,
    to: String,
}

impl Serialize for DateRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DateRangeRepr {
            from: ymd(self.from),
            to: ymd(self.to),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for DateRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let r = DateRangeRepr::deserialize(d)?;
        let from = parse_date(&r.from).map_err(D::Error::custom)?;
        let to = parse_date(&r.to).map_err(D::Error::custom)?;
        DateRange::new(from, to).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn utc_day_span() {
        let r = DateRange::day(date(2026, 1, 1));
        let s = r.to_span_unclamped(&Zone::utc()).unwrap();
        assert_eq!(s.start, 1_767_225_600_000);
        assert_eq!(s.len_ms(), i128::from(MS_PER_DAY));
    }

    #[test]
    fn serde_round_trip() {
        let r = DateRange::new(date(2024, 2, 1), date(2024, 2, 29)).unwrap();
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(j, r#"{"from":"2024-02-01","to":"2024-02-29"}"#);
        assert_eq!(serde_json::from_str::<DateRange>(&j).unwrap(), r);
        assert!(
            serde_json::from_str::<DateRange>(r#"{"from":"2024-03-01","to":"2024-02-29"}"#)
                .is_err()
        );
    }
}
