//! Chart buckets: local days, ISO weeks or calendar months over a [`LocalSpan`].
//!
//! Boundaries are computed once per bucket (a handful of zone conversions), then each
//! purchase is placed by a binary search over those instants. DST days therefore get
//! their true length (23 or 25 hours) with no per-purchase time-zone work.

use jiff::civil::Date;

use super::span::LocalSpan;
use crate::civil::add_days;
use crate::Millis;

/// Width of one chart bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BucketSize {
    Day,
    /// ISO week, Monday to Sunday.
    Week,
    Month,
}

impl BucketSize {
    /// A readable default for a span of `days` days: daily up to about two months,
    /// weekly up to a year, monthly beyond. The caller may still switch.
    pub fn auto(days: i64) -> Self {
        if days <= 62 {
            BucketSize::Day
        } else if days <= 366 {
            BucketSize::Week
        } else {
            BucketSize::Month
        }
    }

    /// First day of the period containing `date` (the date itself, its Monday, its 1st).
    pub fn period_start(self, date: Date) -> Date {
        match self {
            BucketSize::Day => date,
            BucketSize::Week => add_days(date, -i64::from(date.weekday().to_monday_zero_offset())),
            BucketSize::Month => date.first_of_month(),
        }
    }

    /// First day of the period after the one starting at `start`.
    fn next_period(self, start: Date) -> Date {
        match self {
            BucketSize::Day => add_days(start, 1),
            BucketSize::Week => add_days(start, 7),
            BucketSize::Month => add_days(start.last_of_month(), 1),
        }
    }
}

/// One bucket of the chart, with its totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// First calendar day of the period (a Monday for weeks, the 1st for months); may lie
    /// before the span when the first bucket is cut.
    pub label: Date,
    /// Start of the part of the period inside the span (epoch ms, inclusive).
    pub start: Millis,
    /// End of that part (epoch ms, exclusive).
    pub end: Millis,
    /// Revenue in minor units.
    pub revenue: i128,
    pub count: u64,
    /// The bucket does not show a whole period: it is not over yet at `now`, or the span
    /// cuts it (a week or month only partly selected).
    pub partial: bool,
}

/// Empty buckets covering the span, in order, with their `partial` flags set.
pub(crate) fn make_buckets(span: &LocalSpan, size: BucketSize, now: Millis) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut label = size.period_start(span.from);
    let end_ms = span.end_ms();
    while label <= span.to {
        let next = size.next_period(label);
        let cut = label < span.from || next > add_days(span.to, 1);
        let start = if label < span.from {
            span.start_ms()
        } else {
            span.zone.start_of_day(label)
        };
        let end = if next > span.to {
            end_ms
        } else {
            span.zone.start_of_day(next)
        };
        out.push(Bucket {
            label,
            start,
            end,
            revenue: 0,
            count: 0,
            partial: cut || now < end,
        });
        if next <= label {
            break; // reached jiff's maximum date
        }
        label = next;
    }
    out
}

/// Index of the bucket holding `ms`, or `None` outside the span.
pub(crate) fn bucket_index(buckets: &[Bucket], ms: Millis) -> Option<usize> {
    let last = buckets.last()?;
    if ms < buckets[0].start || ms >= last.end {
        return None;
    }
    Some(buckets.partition_point(|b| b.start <= ms) - 1)
}
