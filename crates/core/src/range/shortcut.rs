//! Keyboard shortcuts for ranges (Plausible's letters) and stepping a range to the
//! previous or next period of the same length.
//!
//! Pure: the app reads the key and its modifiers, asks [`shortcut_for`] what it means,
//! and applies the [`Preset`] it gets from [`Shortcut`] or [`step`] to the open form.

use jiff::civil::Date;

use super::{DateRange, Preset};
use crate::civil::{add_days, add_months};

/// What a key press asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// Switch the form to this preset.
    Range(Preset),
    /// The period of the same length before the current one.
    Previous,
    /// The period of the same length after the current one (never past today).
    Next,
    /// Open the list of shortcuts.
    Help,
}

/// Modifier keys held during a key press.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
    pub shift: bool,
}

/// Every shortcut as (key as shown, what it does), in the order the help lists them.
pub const SHORTCUTS: [(&str, &str); 11] = [
    ("D", "Today"),
    ("E", "Yesterday"),
    ("W", "Last 7 days"),
    ("T", "Last 30 days"),
    ("M", "Month to date"),
    ("P", "Last month"),
    ("Y", "Year to date"),
    ("L", "Last 12 months"),
    ("←", "Previous period of the same length"),
    ("→", "Next period of the same length"),
    ("?", "This list of shortcuts"),
];

/// The shortcut for `key` (a `KeyboardEvent.key` value), or `None`.
///
/// Letters and arrows count only without modifiers (so Ctrl+D, Shift+← and the like keep
/// their usual meaning; Caps Lock is fine); `?` is typed with Shift on most layouts, so
/// Shift is allowed for it, but not Ctrl, Alt or Meta.
pub fn shortcut_for(key: &str, mods: Modifiers) -> Option<Shortcut> {
    if mods.ctrl || mods.alt || mods.meta {
        return None;
    }
    if key == "?" {
        return Some(Shortcut::Help);
    }
    if mods.shift {
        return None;
    }
    let preset = match key {
        "d" | "D" => Preset::Today,
        "e" | "E" => Preset::Yesterday,
        "w" | "W" => Preset::Last7Days,
        "t" | "T" => Preset::Last30Days,
        "m" | "M" => Preset::ThisMonth,
        "p" | "P" => Preset::LastMonth,
        "y" | "Y" => Preset::ThisYear,
        "l" | "L" => Preset::Last12Months,
        "ArrowLeft" => return Some(Shortcut::Previous),
        "ArrowRight" => return Some(Shortcut::Next),
        _ => return None,
    };
    Some(Shortcut::Range(preset))
}

/// Which way to step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Previous,
    Next,
}

/// The length a range is stepped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Days(i64),
    Months(i64),
    Years(i64),
}

/// How `preset` (covering `range`) moves: calendar presets by their months or years,
/// custom ranges of whole years or months likewise, everything else by its days.
fn unit_of(preset: &Preset, range: DateRange) -> Unit {
    let whole_months = range.from.day() == 1 && range.to == range.to.last_of_month();
    match preset {
        Preset::ThisYear => Unit::Years(1),
        Preset::ThisMonth | Preset::LastMonth => Unit::Months(1),
        Preset::Last12Months => Unit::Months(12),
        Preset::Custom(_) if whole_months && range.from.month() == 1 && range.to.month() == 12 => {
            Unit::Years(i64::from(range.to.year()) - i64::from(range.from.year()) + 1)
        }
        Preset::Custom(_) if whole_months => Unit::Months(
            (i64::from(range.to.year()) - i64::from(range.from.year())) * 12
                + i64::from(range.to.month())
                - i64::from(range.from.month())
                + 1,
        ),
        _ => Unit::Days(range.days()),
    }
}

/// The previous or next period of the same length as `preset` when the local date is
/// `today`, as a preset where one matches (stepping forward from "Last month" gives
/// "This month") and as a custom range otherwise.
///
/// Months and years step by the calendar (February before March, whole months and years
/// stay whole); the current, unfinished month or year counts as a whole one, so stepping
/// back from "This month" gives all of last month. A step never goes past today: `None`
/// when the range reaches today already (or a date limit), and a step that would cross
/// today ends today.
pub fn step(preset: &Preset, dir: Step, today: Date) -> Option<Preset> {
    let range = preset.resolve_on(today).ok()?;
    if dir == Step::Next && range.to >= today {
        return None;
    }
    let sign = if dir == Step::Next { 1 } else { -1 };
    let unit = unit_of(preset, range);
    let next = match unit {
        Unit::Days(n) => {
            let from = add_days(range.from, sign * n);
            let to = add_days(range.to, sign * n);
            if to > today {
                // The last `n` days, ending today.
                DateRange {
                    from: add_days(today, 1 - n),
                    to: today,
                }
            } else {
                DateRange { from, to }
            }
        }
        Unit::Months(k) | Unit::Years(k) => {
            let k = if matches!(unit, Unit::Years(_)) {
                k.saturating_mul(12)
            } else {
                k
            };
            let from = add_months(range.from, sign * k);
            let to = add_days(add_months(from, k), -1);
            DateRange {
                from,
                to: to.min(today).max(from),
            }
        }
    };
    if next == range || next.from > today {
        return None; // at a date limit, or entirely in the future
    }
    // A preset of the same kind that covers exactly these dates today.
    let same = |p: &Preset| {
        p.resolve_on(today)
            .is_ok_and(|r| r == next && unit_of(p, r) == unit)
    };
    Some(
        Preset::FIXED
            .into_iter()
            .find(same)
            .unwrap_or(Preset::Custom(next)),
    )
}
