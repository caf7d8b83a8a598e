//! The viewer's period: inclusive local dates in a chosen time zone.
//!
//! The merchant thinks in local calendar days ("March in Berlin"), while purchases are
//! instants. A [`LocalSpan`] turns the former into a half-open instant interval once, so
//! every later step compares plain integers instead of converting each purchase.

use std::ops::Range;

use jiff::civil::Date;

use crate::civil::{add_days, days_between, year_earlier};
use crate::zone::Zone;
use crate::Millis;

/// What the dashboard compares a span with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// The period of equal length right before ([`LocalSpan::previous`]).
    #[default]
    PreviousPeriod,
    /// The same dates a year earlier ([`LocalSpan::year_before`]).
    PreviousYear,
    /// 52 weeks earlier, weekdays matched ([`LocalSpan::weeks_before_year`]).
    PreviousYearWeekdays,
    /// No comparison: nothing extra is fetched.
    None,
}

impl Comparison {
    /// Every choice, in the order a form lists them.
    pub const ALL: [Comparison; 4] = [
        Comparison::PreviousPeriod,
        Comparison::PreviousYear,
        Comparison::PreviousYearWeekdays,
        Comparison::None,
    ];

    /// Stable identifier for links and storage (never change: they are saved and shared).
    pub fn id(self) -> &'static str {
        match self {
            Comparison::PreviousPeriod => "previous",
            Comparison::PreviousYear => "year",
            Comparison::PreviousYearWeekdays => "year-weekdays",
            Comparison::None => "none",
        }
    }

    pub fn from_id(id: &str) -> Option<Comparison> {
        Comparison::ALL.into_iter().find(|c| c.id() == id)
    }

    /// What the figures are compared with, as a noun phrase that reads after "from the"
    /// and, capitalised, on its own ("previous period", "same period last year").
    pub fn label(self) -> &'static str {
        match self {
            Comparison::PreviousPeriod => "previous period",
            Comparison::PreviousYear => "same period last year",
            Comparison::PreviousYearWeekdays => "same weekdays last year",
            Comparison::None => "no comparison",
        }
    }

    /// [`label`](Self::label) as a title ("Same period last year").
    pub fn title(self) -> &'static str {
        match self {
            Comparison::PreviousPeriod => "Previous period",
            Comparison::PreviousYear => "Same period last year",
            Comparison::PreviousYearWeekdays => "Same weekdays last year",
            Comparison::None => "No comparison",
        }
    }
}

/// Inclusive local date range `from..=to` interpreted in `zone`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalSpan {
    /// First local day (inclusive).
    pub from: Date,
    /// Last local day (inclusive).
    pub to: Date,
    /// Zone in which the days are read (the viewer's choice, often UTC).
    pub zone: Zone,
}

impl LocalSpan {
    /// Builds a span; reversed dates are swapped rather than rejected, so a UI that lets
    /// the user pick the ends in any order still gets a sensible span.
    pub fn new(from: Date, to: Date, zone: Zone) -> Self {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        LocalSpan { from, to, zone }
    }

    /// Number of local days, both ends included (always >= 1).
    pub fn days(&self) -> i64 {
        days_between(self.from, self.to) + 1
    }

    /// Instant of the local midnight that starts `from`.
    pub fn start_ms(&self) -> Millis {
        self.zone.start_of_day(self.from)
    }

    /// Instant of the local midnight after `to` (exclusive end).
    pub fn end_ms(&self) -> Millis {
        self.zone.start_of_day(add_days(self.to, 1))
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

    /// The same dates one year earlier ("year over year"). 29 February becomes the 28th,
    /// and a span of whole months stays whole: all of February 2025 is compared with all
    /// of February 2024, 29th included (and the other way round without it).
    pub fn year_before(&self) -> LocalSpan {
        let whole_months = self.from.day() == 1 && self.to == self.to.last_of_month();
        let to = year_earlier(self.to);
        LocalSpan {
            from: year_earlier(self.from),
            to: if whole_months { to.last_of_month() } else { to },
            zone: self.zone.clone(),
        }
    }

    /// The span 52 weeks (364 days) earlier: the same weekdays and the same length, about
    /// a year before (what retail calendars compare with).
    pub fn weeks_before_year(&self) -> LocalSpan {
        LocalSpan {
            from: add_days(self.from, -364),
            to: add_days(self.to, -364),
            zone: self.zone.clone(),
        }
    }

    /// The span `comparison` compares this one with (`None` for no comparison).
    pub fn compared_with(&self, comparison: Comparison) -> Option<LocalSpan> {
        match comparison {
            Comparison::PreviousPeriod => Some(self.previous()),
            Comparison::PreviousYear => Some(self.year_before()),
            Comparison::PreviousYearWeekdays => Some(self.weeks_before_year()),
            Comparison::None => None,
        }
    }

    /// "compared with the same period last year (2025-03-01 to 2025-03-31)" for the span
    /// [`compared_with`](Self::compared_with) gives, or "no comparison" (the form's plan
    /// and the dashboard say it alike).
    pub fn comparison_text(&self, comparison: Comparison) -> String {
        match self.compared_with(comparison) {
            Some(o) => format!(
                "compared with the {} ({} to {})",
                comparison.label(),
                crate::civil::ymd(o.from),
                crate::civil::ymd(o.to)
            ),
            None => "no comparison".to_string(),
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
