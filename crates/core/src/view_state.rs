//! The view as a query string: what a shared link (and each Back/Forward step) of the full
//! page carries.
//!
//! `?section=history&range=last-7-days&tz=Europe/Berlin&per=week&by=payment&compare=year`,
//! or `from=2026-01-01&to=2026-01-31` instead of `range`. Nothing else is ever written:
//! no merchant, no credential, no base URL. Reading is forgiving: unknown keys are left
//! alone, and a value that is not understood (a typo, a hostile link, an absurd date) is
//! ignored, so the app keeps its own choice for that part of the view.

use jiff::civil::Date;

use crate::civil::{parse_ymd, ymd};
use crate::embed::{is_zone_name, Section};
use crate::purchases::{BucketSize, Comparison};
use crate::range::{DateRange, Preset};

/// What the revenue chart stacks its bars by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    #[default]
    SalesModel,
    PaymentModel,
}

impl Grouping {
    pub fn id(self) -> &'static str {
        match self {
            Grouping::SalesModel => "sales",
            Grouping::PaymentModel => "payment",
        }
    }

    pub fn from_id(id: &str) -> Option<Grouping> {
        match id {
            "sales" => Some(Grouping::SalesModel),
            "payment" => Some(Grouping::PaymentModel),
            _ => None,
        }
    }
}

/// Stable ids of the bar periods in links.
pub fn bucket_id(size: BucketSize) -> &'static str {
    match size {
        BucketSize::Day => "day",
        BucketSize::Week => "week",
        BucketSize::Month => "month",
    }
}

pub fn bucket_from_id(id: &str) -> Option<BucketSize> {
    match id {
        "day" => Some(BucketSize::Day),
        "week" => Some(BucketSize::Week),
        "month" => Some(BucketSize::Month),
        _ => None,
    }
}

/// One view. Each part is `None` when the link does not set it (or set it to something
/// unusable): the app then keeps what it has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewState {
    pub section: Option<Section>,
    /// The open section's range: a preset, or `Preset::Custom` for from/to dates.
    pub range: Option<Preset>,
    /// The open section's time zone (`UTC` or an IANA name).
    pub zone: Option<String>,
    /// Period per bar; `None` in a link also means "automatic for the range".
    pub per: Option<BucketSize>,
    pub by: Option<Grouping>,
    pub compare: Option<Comparison>,
}

/// The query keys this module owns; every other key in the address bar is kept as it is.
const KEYS: [&str; 8] = [
    "section", "range", "from", "to", "tz", "per", "by", "compare",
];

/// Earliest and latest year a link may name: far beyond any merchant's history, and it
/// keeps a hostile link from asking for thousands of years of purchases.
const YEARS: std::ops::RangeInclusive<i16> = 1970..=2100;

/// A value longer than this is not one of ours.
const MAX_VALUE: usize = 64;

impl ViewState {
    /// Reads a query string (with or without the leading `?`). Never fails: the first
    /// usable value of each key counts, everything else is ignored.
    pub fn parse(query: &str) -> ViewState {
        let mut v = ViewState::default();
        let (mut preset, mut from, mut to): (Option<Preset>, Option<Date>, Option<Date>) =
            (None, None, None);
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if value.len() > MAX_VALUE {
                continue;
            }
            let value = value.trim();
            match key.as_ref() {
                "section" if v.section.is_none() => v.section = Section::from_id(value),
                "range" if preset.is_none() => {
                    preset = Preset::FIXED.into_iter().find(|p| p.id() == value)
                }
                "from" if from.is_none() => from = link_date(value),
                "to" if to.is_none() => to = link_date(value),
                "tz" if v.zone.is_none() => v.zone = is_zone_name(value).then(|| value.to_string()),
                "per" if v.per.is_none() => v.per = bucket_from_id(value),
                "by" if v.by.is_none() => v.by = Grouping::from_id(value),
                "compare" if v.compare.is_none() => v.compare = Comparison::from_id(value),
                _ => {}
            }
        }
        v.range = preset.or_else(|| {
            let (a, b) = (from?, to?);
            Some(Preset::Custom(DateRange {
                from: a.min(b),
                to: a.max(b),
            }))
        });
        v
    }

    /// `existing` (the current query string) with this view written in: our keys are
    /// replaced, every other parameter is kept unchanged and in place. Returns `""` or a
    /// string starting with `?`.
    pub fn to_query(&self, existing: &str) -> String {
        let existing = existing.strip_prefix('?').unwrap_or(existing);
        let mut out = String::new();
        for pair in existing.split('&').filter(|p| !p.is_empty()) {
            let raw_key = pair.split('=').next().unwrap_or_default();
            let ours = form_urlencoded::parse(raw_key.as_bytes())
                .next()
                .is_some_and(|(k, _)| KEYS.contains(&k.as_ref()));
            if !ours {
                out.push(if out.is_empty() { '?' } else { '&' });
                out.push_str(pair);
            }
        }
        let mut push = |key: &str, value: &str| {
            out.push(if out.is_empty() { '?' } else { '&' });
            out.push_str(key);
            out.push('=');
            // Our values are letters, digits, `-`, `_`, `/` and `+` (Etc/GMT+1) only;
            // `+` would read back as a space.
            out.push_str(&value.replace('+', "%2B"));
        };
        if let Some(s) = self.section {
            push("section", s.id());
        }
        match self.range {
            Some(Preset::Custom(r)) => {
                push("from", &ymd(r.from));
                push("to", &ymd(r.to));
            }
            Some(p) => push("range", p.id()),
            None => {}
        }
        if let Some(z) = self.zone.as_deref().filter(|z| is_zone_name(z)) {
            push("tz", z);
        }
        if let Some(b) = self.per {
            push("per", bucket_id(b));
        }
        if let Some(g) = self.by {
            push("by", g.id());
        }
        if let Some(c) = self.compare {
            push("compare", c.id());
        }
        out
    }
}

/// A `YYYY-MM-DD` date within [`YEARS`].
fn link_date(value: &str) -> Option<Date> {
    parse_ymd(value).filter(|d| YEARS.contains(&d.year()))
}
