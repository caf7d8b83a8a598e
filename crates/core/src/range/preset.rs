//! Named date-range presets ("Last 7 days", "This month" ...).

use jiff::civil::Date;

use super::{local_date, DateRange, RangeError};
use crate::zone::Zone;
use crate::Millis;

/// A date-range preset offered by the forms.
///
/// Every preset is resolved in a zone at an explicit `now` (see [`Preset::resolve`]).
/// "Last N days" means the N calendar days **ending today, today included**: on
/// 2026-03-16 "Last 7 days" is 2026-03-10 – 2026-03-16. Today is usually partial, which
/// [`DateRange::to_span`] reports by clamping to `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The current local day (so far).
    Today,
    /// The previous local day.
    Yesterday,
    /// The 7 days ending today, today included.
    Last7Days,
    /// The 30 days ending today, today included.
    Last30Days,
    /// The 90 days ending today, today included.
    Last90Days,
    /// From the 1st of the current month to today.
    ThisMonth,
    /// The whole previous calendar month.
    LastMonth,
    /// From January 1st of the current year to today.
    ThisYear,
    /// The current month so far and the 11 whole months before it.
    Last12Months,
    /// An explicit range picked by the user.
    Custom(DateRange),
}

impl Preset {
    /// Every preset except [`Preset::Custom`], in the order a form should list them.
    pub const FIXED: [Preset; 9] = [
        Preset::Today,
        Preset::Yesterday,
        Preset::Last7Days,
        Preset::Last30Days,
        Preset::Last90Days,
        Preset::ThisMonth,
        Preset::LastMonth,
        Preset::ThisYear,
        Preset::Last12Months,
    ];

    /// A stable identifier for forms and storage. Never change these strings: they are
    /// persisted.
    pub fn id(&self) -> &'static str {
        match self {
            Preset::Today => "today",
            Preset::Yesterday => "yesterday",
            Preset::Last7Days => "last-7-days",
            Preset::Last30Days => "last-30-days",
            Preset::Last90Days => "last-90-days",
            Preset::ThisMonth => "this-month",
            Preset::LastMonth => "last-month",
            Preset::ThisYear => "this-year",
            Preset::Last12Months => "last-12-months",
            Preset::Custom(_) => "custom",
        }
    }

    /// The inverse of [`id`](Self::id). `"custom"` needs the range, so `custom` is used
    /// for it (and `None` is returned when it is missing).
    pub fn from_id(id: &str, custom: Option<DateRange>) -> Option<Preset> {
        if id == "custom" {
            return custom.map(Preset::Custom);
        }
        Preset::FIXED.into_iter().find(|p| p.id() == id)
    }

    /// A human label for a select box.
    pub fn label(&self) -> &'static str {
        match self {
            Preset::Today => "Today",
            Preset::Yesterday => "Yesterday",
            Preset::Last7Days => "Last 7 days (incl. today)",
            Preset::Last30Days => "Last 30 days (incl. today)",
            Preset::Last90Days => "Last 90 days (incl. today)",
            Preset::ThisMonth => "This month",
            Preset::LastMonth => "Last month",
            Preset::ThisYear => "This year",
            Preset::Last12Months => "Last 12 months (incl. this month)",
            Preset::Custom(_) => "Custom range",
        }
    }

    /// The local dates this preset covers in `tz` at `now`.
    pub fn resolve(&self, now: Millis, tz: &Zone) -> Result<DateRange, RangeError> {
        self.resolve_on(local_date(now, tz)?)
    }

    /// The local dates this preset covers when the local date is `today`.
    pub fn resolve_on(&self, today: Date) -> Result<DateRange, RangeError> {
        let last_n = |n: i64| -> Result<DateRange, RangeError> {
            Ok(DateRange {
                from: crate::civil::add_days(today, 1 - n),
                to: today,
            })
        };
        match self {
            Preset::Today => Ok(DateRange::day(today)),
            Preset::Yesterday => Ok(DateRange::day(today.yesterday()?)),
            Preset::Last7Days => last_n(7),
            Preset::Last30Days => last_n(30),
            Preset::Last90Days => last_n(90),
            Preset::ThisMonth => Ok(DateRange {
                from: today.first_of_month(),
                to: today,
            }),
            Preset::LastMonth => {
                let last: Date = today.first_of_month().yesterday()?;
                Ok(DateRange {
                    from: last.first_of_month(),
                    to: last,
                })
            }
            Preset::ThisYear => Ok(DateRange {
                from: today.first_of_year(),
                to: today,
            }),
            Preset::Last12Months => Ok(DateRange {
                from: crate::civil::add_months(today.first_of_month(), -11),
                to: today,
            }),
            Preset::Custom(r) => DateRange::new(r.from, r.to),
        }
    }
}
