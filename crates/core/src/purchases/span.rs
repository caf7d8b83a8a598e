//! The viewer's period: inclusive local dates in a chosen time zone.
//!
//! The merchant thinks in local calendar days ("March in Berlin"), while purchases are
//! instants. A [`LocalSpan`] turns the former into a half-open instant interval once, so
//! every later step compares plain integers instead of converting each purchase.

use std::ops::Range;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use crate::Millis;

/// Inclusive local date range `from..=to` interpreted in `zone`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalSpan {
    /// First local day (inclusive).
    pub from: Date,
    /// Last local day (inclusive).
    pub to: Date,
    /// Zone in which the days are read (the viewer's choice, often UTC).
    pub zone: TimeZone,
}

impl LocalSpan {
    /// Builds a span; reversed dates are swapped rather than rejected, so a UI that lets
    /// the user pick the ends in any order still gets a sensible span.
    pub fn new(from: Date, to: Date, zone: TimeZone) -> Self {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        LocalSpan { from, to, zone }
    }

    /// Number of local days, both ends included (always >= 1).
    pub fn days(&self) -> i64 {
        days_between(self.from, self.to) + 1
    }

    /// Instant of the local midnight that starts `from`.
    pub fn start_ms(&self) -> Millis {
        local_midnight_ms(self.from, &self.zone)
    }

    /// Instant of the local midnight after `to` (exclusive end).
    pub fn end_ms(&self) -> Millis {
        local_midnight_ms(add_days(self.to, 1), &self.zone)
    }

    /// `start_ms()..end_ms()`: compute it once and test many instants against it.
    pub fn range_ms(&self) -> Range<Millis> {
        self.start_ms()..self.end_ms()
    }

    /// Whether an instant falls on one of the span's local days (two zone conversions per
    /// call: in loops use [`range_ms`](Self::range_ms) or [`in_span`](super::in_span)).
    pub fn contains(&self, ms: Millis) -> bool {
        self.range_ms().contains(&ms)
    }

    /// The period of equal length (same number of days) right before this one, used for
    /// "compared with the previous period" figures.
    pub fn previous(&self) -> LocalSpan {
        let days = self.days();
        LocalSpan {
            from: add_days(self.from, -days),
            to: add_days(self.from, -1),
            zone: self.zone.clone(),
        }
    }

    /// This span extended backwards by [`previous`](Self::previous): what must be fetched
    /// so a summary can show both periods.
    pub fn with_previous(&self) -> LocalSpan {
        LocalSpan {
            from: self.previous().from,
            to: self.to,
            zone: self.zone.clone(),
        }
    }

    /// Keeps only purchases inside the span (needed after fetching the extra UTC day on
    /// each side, see [`fetch_dates_for`](super::fetch_dates_for)).
    pub fn retain_in<T>(&self, items: &mut Vec<T>, time_of: impl Fn(&T) -> Millis) {
        let range = self.range_ms();
        items.retain(|it| range.contains(&time_of(it)));
    }
}

/// The instant a local day begins. Uses the "compatible" rule, so on the rare zones where
/// midnight is skipped by a DST gap the day begins right after the gap.
pub(crate) fn local_midnight_ms(date: Date, zone: &TimeZone) -> Millis {
    zone.to_ambiguous_timestamp(date.to_datetime(Time::midnight()))
        .compatible()
        .map(|t| t.as_millisecond())
        // Only reachable at the extreme ends of jiff's range; clamp instead of panicking.
        .unwrap_or(if date.year() < 0 {
            Millis::MIN
        } else {
            Millis::MAX
        })
}

/// Date plus a signed number of days, saturating at jiff's limits instead of panicking.
///
/// Day arithmetic is done on plain day numbers rather than with `jiff::Span`: the span
/// machinery adds about 50 KB (gzip) to the wasm, far more than these few lines.
pub(crate) fn add_days(date: Date, days: i64) -> Date {
    let (min, max) = (day_number(Date::MIN), day_number(Date::MAX));
    from_day_number(day_number(date).saturating_add(days).clamp(min, max))
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`).
pub(crate) fn day_number(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month()), i64::from(date.day()));
    let y = i64::from(date.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Inverse of [`day_number`] (`civil_from_days`); clamps outside jiff's date range.
pub(crate) fn from_day_number(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    match i16::try_from(y) {
        Ok(y) => {
            Date::new(y, m as i8, d as i8).unwrap_or(if y < 0 { Date::MIN } else { Date::MAX })
        }
        Err(_) if y < 0 => Date::MIN,
        Err(_) => Date::MAX,
    }
}

/// The UTC calendar date of an instant.
pub(crate) fn utc_date(ms: Millis) -> Date {
    from_day_number(ms.div_euclid(86_400_000))
}

/// `YYYY-MM-DD`, as the API and file names want it (without pulling in jiff's printer).
pub(crate) fn ymd(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(jiff::civil::date(1970, 1, 1)), 0);
        assert_eq!(day_number(jiff::civil::date(2000, 3, 1)), 11_017);
        for n in (day_number(Date::MIN)..=day_number(Date::MAX)).step_by(997) {
            assert_eq!(day_number(from_day_number(n)), n);
        }
        let mut d = jiff::civil::date(1999, 12, 25);
        for n in day_number(d)..day_number(d) + 3000 {
            assert_eq!(day_number(d), n);
            assert_eq!(d.tomorrow().unwrap(), add_days(d, 1));
            d = d.tomorrow().unwrap();
        }
        assert_eq!(add_days(Date::MAX, 1), Date::MAX);
        assert_eq!(add_days(Date::MIN, -1), Date::MIN);
        assert_eq!(add_days(Date::MIN, i64::MAX), Date::MAX);
        assert_eq!(ymd(jiff::civil::date(987, 6, 5)), "0987-06-05");
    }
}
